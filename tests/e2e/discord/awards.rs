//! The Excellence in Service awards on Discord: `/nominate` and `/spotlight awards …` with
//! their private replies and posts, the export as a file, and the ceremony with the winners'
//! DMs through the running scheduler, once.

use serde_json::{json, Value};

use super::fake::{Request, CHANNEL_ID, GUILD_ID};
use super::payloads::{bot_user, slash, user};
use super::Bot;

const MEMBER: &str = "0";
const ADMIN: &str = "32"; // MANAGE_GUILD

async fn answer(bot: &Bot, id: u64) -> Request {
    let path = format!("/api/v10/interactions/{id}/token-{id}/callback");
    bot.fake.wait_for("the answer", |r| r.path == path).await
}

async fn reply_text(bot: &Bot, id: u64) -> String {
    let r = answer(bot, id).await;
    assert_eq!(r.body["data"]["flags"], 64, "private: {:#}", r.body);
    r.body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `/spotlight awards SUB` with `options`.
fn awards(
    id: u64,
    caller: &Value,
    perms: &str,
    sub: &str,
    options: Value,
    users: &[Value],
) -> Value {
    slash(
        id,
        "spotlight",
        caller,
        perms,
        json!([{"name": "awards", "type": 2, "options": [{"name": sub, "type": 1, "options": options}]}]),
        users,
    )
}

fn nominate(id: u64, caller: &Value, who: &Value, why: &str) -> Value {
    slash(
        id,
        "nominate",
        caller,
        MEMBER,
        json!([
            {"name": "member", "type": 6, "value": who["id"]},
            {"name": "why", "type": 3, "value": why}
        ]),
        std::slice::from_ref(who),
    )
}

fn posts_to(bot: &Bot, channel: &str) -> Vec<Request> {
    bot.fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages"))
        .collect()
}

#[tokio::test]
async fn awards_on_discord_from_nominations_to_the_ceremony() {
    let bot = Bot::start_configured("2026-12-01T09:00:00Z", true, true).await;
    let core = bot.test.core().clone();
    let (ana, dana, li, sam, boss) = (
        user(1, "ana"),
        user(2, "dana"),
        user(3, "li"),
        user(4, "sam"),
        user(5, "boss"),
    );
    // The team's departments and channel, as an admin set them before.
    let ws = core
        .workspace("discord", &GUILD_ID.to_string(), None)
        .await
        .unwrap();
    let admin = spotlight::domain::model::Actor {
        member: core.member(&ws, "5", "boss", false).await.unwrap(),
        is_admin: true,
    };
    let ws = core
        .set_channel(&ws, &admin, Some(&CHANNEL_ID.to_string()))
        .await
        .unwrap();
    for (id, name, department) in [
        ("1", "ana", "Support"),
        ("2", "dana", "Billing"),
        ("3", "li", "Billing"),
        ("4", "sam", "Sales"),
    ] {
        let m = core.member(&ws, id, name, false).await.unwrap();
        core.set_department(&ws, &admin, m.id, Some(department))
            .await
            .unwrap();
    }

    // Only admins open; the opening is announced, pinging no one.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            10,
            &ana,
            MEMBER,
            "open",
            json!([{"name": "until", "type": 3, "value": "2026-12-10"}]),
            &[],
        ),
    );
    assert!(reply_text(&bot, 10)
        .await
        .starts_with("Only admins can use /spotlight"));
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            11,
            &boss,
            ADMIN,
            "open",
            json!([{"name": "until", "type": 3, "value": "2026-12-10"}]),
            &[],
        ),
    );
    assert_eq!(
        reply_text(&bot, 11).await,
        "Nominations for the 2026 awards are open until the end of Thu 10 Dec 2026 (UTC); the announcement is posted."
    );
    let post = bot
        .fake
        .wait_for("the opening", |r| {
            r.method == "POST"
                && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
                && r.body["content"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("🏆 Nominations"))
        })
        .await;
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            12,
            &boss,
            ADMIN,
            "open",
            json!([{"name": "until", "type": 3, "value": "2026-12-12"}]),
            &[],
        ),
    );
    assert_eq!(
        reply_text(&bot, 12).await,
        "Nominations are already open, until the end of Thu 10 Dec 2026. Close them first (`awards close`) to change that."
    );

    // Nominations, privately; the rules as refusals.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        nominate(20, &ana, &dana, "Answers Support the same day @everyone"),
    );
    assert_eq!(
        reply_text(&bot, 20).await,
        "🏆 You nominated dana for the Excellence in Service award (Billing). Nominations close at the end of Thu 10 Dec 2026."
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        nominate(21, &ana, &li, "Knows every refund rule"),
    );
    assert_eq!(
        reply_text(&bot, 21).await,
        "🏆 You nominated li for the Excellence in Service award (Billing). It replaces your nomination of dana (one nominee per department). Nominations close at the end of Thu 10 Dec 2026."
    );
    for (id, who, text) in [
        (22, ana.clone(), "You can't nominate yourself: nominate a colleague whose service to your department stood out."),
        (23, bot_user(9, "helper"), "helper is a bot; the Excellence in Service awards are for people."),
    ] {
        bot.fake.dispatch("INTERACTION_CREATE", nominate(id, &ana, &who, "why not"));
        assert_eq!(reply_text(&bot, id).await, text);
    }
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        nominate(24, &li, &sam, "Shared the Sales pipeline"),
    );
    reply_text(&bot, 24).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        nominate(25, &sam, &dana, "Sorted our invoices @here"),
    );
    reply_text(&bot, 25).await;

    // The admins' private list.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(30, &boss, ADMIN, "status", json!([]), &[]),
    );
    let status = reply_text(&bot, 30).await;
    assert!(status.starts_with("🏆 Excellence in Service awards 2026: nominations open until the end of Thu 10 Dec 2026; 3 nominations by 3 members (private to admins)\nBilling\n"), "{status}");
    assert!(
        status.contains("   li — 1 nomination\n      • ana: “Knows every refund rule”"),
        "{status}"
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(31, &boss, ADMIN, "shortlist", json!([]), &[]),
    );
    assert!(reply_text(&bot, 31)
        .await
        .starts_with("Nominations are open until"));

    // Closed at UNTIL; the shortlists, a pick, the rest accepted, the ceremony scheduled.
    bot.test.set_time("2026-12-11T00:01:00Z");
    // The channel hears that nominations closed, in numbers only (and before anything below).
    let closed = bot
        .fake
        .wait_for("the closing post", |r| {
            r.method == "POST"
                && r.body["embeds"][0]["title"]
                    == "🏆 Nominations for the Excellence in Service awards 2026 are closed"
        })
        .await;
    let closed = closed.body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(closed.starts_with("Thank you: "), "{closed}");
    bot.fake
        .dispatch("INTERACTION_CREATE", nominate(40, &ana, &sam, "too late"));
    assert_eq!(
        reply_text(&bot, 40).await,
        "Nominations for the Excellence in Service awards closed on Fri 11 Dec 2026 00:00."
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(41, &boss, ADMIN, "shortlist", json!([]), &[]),
    );
    let shortlist = reply_text(&bot, 41).await;
    assert!(
        shortlist.contains(
            "\nBilling\n   =1. dana — 3 (1 nomination, 0 medallions, 0 kudos, 0 compliments)\n"
        ),
        "{shortlist}"
    );
    assert!(shortlist.contains("\n   =1. li — 3 "), "{shortlist}");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(42, &boss, ADMIN, "accept", json!([]), &[]),
    );
    assert_eq!(
        reply_text(&bot, 42).await,
        "🏆 Winners:\n   Sales: sam (top of the shortlist)\n   Billing: a tie between dana and li; pick one with `awards pick @name`"
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            43,
            &boss,
            ADMIN,
            "pick",
            json!([{"name": "member", "type": 6, "value": "2"}]),
            std::slice::from_ref(&dana),
        ),
    );
    assert_eq!(
        reply_text(&bot, 43).await,
        "🏆 dana is the Billing winner of the Excellence in Service awards."
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            44,
            &boss,
            ADMIN,
            "ceremony",
            json!([{"name": "when", "type": 3, "value": "2026-12-18 16:00"}]),
            &[],
        ),
    );
    assert_eq!(
        reply_text(&bot, 44).await,
        "🏆 The 2026 Excellence in Service ceremony will be posted Fri 18 Dec 2026 16:00 (UTC), with a direct message to each winner. Winners: Billing: dana; Sales: sam."
    );

    // The export, as a file.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(45, &boss, ADMIN, "export", json!([]), &[]),
    );
    let file = answer(&bot, 45).await;
    let raw = file.body.as_str().expect("a multipart upload");
    assert!(raw.contains("filename=\"awards-2026.csv\""), "{raw}");
    assert!(raw.contains("year,department,rank,tied,member,score,nominations,medallions,kudos,feedback,winner,quote_kind,quote_from,quote_from_department,quote_date,quote"), "{raw}");
    assert!(raw.contains("2026,Billing,1,true,dana,3,1,0,0,0,true,nomination,,,2026-12-01,Sorted our invoices @\u{200B}here"), "{raw}");

    // The ceremony at its time: one post naming the winners, and a DM each; then nothing more.
    let before = posts_to(&bot, &CHANNEL_ID.to_string()).len();
    bot.test.set_time("2026-12-18T16:00:30Z");
    let ceremony = bot
        .fake
        .wait_for("the ceremony", |r| {
            r.method == "POST"
                && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
                && r.body["embeds"][0]["title"] == "🏆 Excellence in Service awards 2026"
        })
        .await;
    assert_eq!(
        ceremony.body["content"],
        "🎉 Congratulations <@2> and <@4>!"
    );
    assert_eq!(
        ceremony.body["allowed_mentions"]["users"],
        json!(["2", "4"])
    );
    let body = ceremony.body["embeds"][0]["description"].as_str().unwrap();
    assert!(
        body.contains("🏆 Billing: dana\n    Nominated by 1 colleague."),
        "{body}"
    );
    assert!(
        body.contains("🏆 Sales: sam\n    Nominated by 1 colleague."),
        "{body}"
    );
    for (channel, who) in [("62", "dana"), ("64", "sam")] {
        let dm = bot
            .fake
            .wait_for("a winner's DM", |r| {
                r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages")
            })
            .await;
        let text = dm.body["embeds"][0]["description"].as_str().unwrap();
        assert!(
            text.starts_with(&format!("Congratulations, {who}!")),
            "{text}"
        );
        assert_eq!(dm.body["allowed_mentions"]["parse"], json!([]));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    bot.test.set_time("2026-12-19T16:00:00Z");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(posts_to(&bot, &CHANNEL_ID.to_string()).len(), before + 1);
    assert_eq!(posts_to(&bot, "62").len(), 1);
    assert_eq!(posts_to(&bot, "64").len(), 1);

    // The next round opens afresh and closes early.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(50, &boss, ADMIN, "close", json!([]), &[]),
    );
    assert_eq!(reply_text(&bot, 50).await, "Nominations are not open.");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(
            51,
            &boss,
            ADMIN,
            "open",
            json!([{"name": "until", "type": 3, "value": "2026-12-31 12:00"}]),
            &[],
        ),
    );
    reply_text(&bot, 51).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(52, &ana, MEMBER, "close", json!([]), &[]),
    );
    assert!(reply_text(&bot, 52)
        .await
        .starts_with("Only admins can use /spotlight"));
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(53, &boss, ADMIN, "close", json!([]), &[]),
    );
    assert_eq!(
        reply_text(&bot, 53).await,
        "Nominations for the 2026 awards closed at Sat 19 Dec 2026 16:00. See the shortlists with `awards shortlist`."
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        awards(54, &boss, ADMIN, "status", json!([]), &[]),
    );
    assert_eq!(
        reply_text(&bot, 54).await,
        "🏆 Excellence in Service awards 2026: nominations closed Sat 19 Dec 2026 16:00; 0 nominations by 0 members (private to admins)\n   No nominations yet."
    );
    bot.stop().await.unwrap();
}
