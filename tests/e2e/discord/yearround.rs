//! `/medallion`, `/thanked-customer`, the medallions board, `/stats`, `/undo`, the admins'
//! settings and the welcome, through serenity and poise against the fake Discord.

use serde_json::json;

use super::fake::{Request, APP_ID, CHANNEL_ID};
use super::payloads::{bot_user, slash, user};
use super::Bot;

const MEMBER: &str = "0";
const ADMIN: &str = "32"; // MANAGE_GUILD

/// The interaction's own answer (its callback).
async fn answer(bot: &Bot, id: u64) -> Request {
    let path = format!("/api/v10/interactions/{id}/token-{id}/callback");
    bot.fake.wait_for("the answer", |r| r.path == path).await
}

fn content(r: &Request) -> String {
    r.body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn medallions_customers_thanked_and_welcomes_on_discord() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let (ana, dana, li) = (user(1, "ana"), user(2, "dana"), user(3, "li"));
    let medallion = |id: u64, to: &serde_json::Value, why: &str| {
        let to_id = to["id"].as_str().unwrap().to_string();
        slash(
            id,
            "medallion",
            &ana,
            MEMBER,
            json!([
                {"name": "member", "type": 6, "value": to_id},
                {"name": "why", "type": 3, "value": why}
            ]),
            std::slice::from_ref(to),
        )
    };

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        medallion(11, &dana, "Untangled my customer's order @everyone <@&77>"),
    );
    let reply = answer(&bot, 11).await;
    assert_eq!(reply.body["data"]["flags"], 64, "private: {:#}", reply.body);
    assert_eq!(
        content(&reply),
        "🏅 Service medallion given to dana (medallion #1). That was your medallion for this year."
    );
    let post = bot
        .fake
        .wait_for("the announcement", |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
        })
        .await;
    assert_eq!(
        post.body["content"],
        "🏅 <@2>: <@1> gives you a service medallion!"
    );
    let embed = &post.body["embeds"][0];
    assert_eq!(
        embed["title"],
        "🏅 Service medallion 2026: ana honours dana"
    );
    assert_eq!(embed["color"], 0xCD7F32, "its own look: {embed:#}");
    assert_eq!(embed["footer"]["text"], "Medallion #1");
    let text = embed["description"].as_str().unwrap();
    assert!(
        !text.contains("@everyone") && !text.contains("<@&"),
        "{text}"
    );
    let mut allowed: Vec<&str> = post.body["allowed_mentions"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    allowed.sort();
    assert_eq!(allowed, ["1", "2"]);
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));

    // ana's first interaction: her welcome follows, privately.
    let hook = format!("/api/v10/webhooks/{APP_ID}/token-11");
    let welcome = bot
        .fake
        .wait_for("ana's welcome", |r| {
            r.method == "POST" && r.path.starts_with(&hook)
        })
        .await;
    assert_eq!(welcome.body["flags"], 64, "{:#}", welcome.body);
    assert!(
        welcome.body["content"]
            .as_str()
            .unwrap()
            .starts_with("👋 Welcome to Spotlight"),
        "{:#}",
        welcome.body
    );
    // dana, thanked for the first time, gets hers as a direct message.
    let dm = bot
        .fake
        .wait_for("dana's welcome", |r| {
            r.path == "/api/v10/channels/62/messages"
        })
        .await;
    let dm_text = dm.body["content"].as_str().unwrap();
    assert!(
        dm_text.starts_with("ana just thanked you through Spotlight!\n👋 Welcome"),
        "{dm_text}"
    );
    assert_eq!(dm.body["allowed_mentions"]["parse"], json!([]));

    // The rules, privately, and nothing posted.
    for (id, to, why, refusal) in [
        (
            12,
            ana.clone(),
            "me",
            "You can't give a service medallion to yourself",
        ),
        (
            13,
            bot_user(9, "helper"),
            "beep",
            "helper is a bot; service medallions are for people.",
        ),
        (
            14,
            li.clone(),
            "and you",
            "You have given all 1 of your service medallions for 2026",
        ),
    ] {
        bot.fake
            .dispatch("INTERACTION_CREATE", medallion(id, &to, why));
        let reply = answer(&bot, id).await;
        assert_eq!(reply.body["data"]["flags"], 64);
        assert!(content(&reply).contains(refusal), "{:#}", reply.body);
    }

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            20,
            "thanked-customer",
            &ana,
            MEMBER,
            json!([{"name": "note", "type": 3, "value": "Mrs Patel @here"}]),
            &[],
        ),
    );
    let reply = answer(&bot, 20).await;
    assert_eq!(reply.body["data"]["flags"], 64);
    assert_eq!(
        content(&reply),
        "💌 Thank you for thanking a customer! Recorded (“Mrs Patel @\u{200B}here”). You have thanked 1 customer this week (1 in all); the team has thanked 1 customer today."
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(21, "thanked-customer", &li, MEMBER, json!([]), &[]),
    );
    assert!(content(&answer(&bot, 21).await).contains("the team has thanked 2 customers today"));

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(30, "stats", &ana, MEMBER, json!([]), &[]),
    );
    let stats = content(&answer(&bot, 30).await);
    assert!(
        stats.contains("🏅 You have given your service medallion for this year."),
        "{stats}"
    );
    assert!(
        stats.contains("Customers thanked (thank-you notes): 1 this week (1 in all)"),
        "{stats}"
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            31,
            "stats",
            &ana,
            MEMBER,
            json!([{"name": "member", "type": 6, "value": "2"}]),
            std::slice::from_ref(&dana),
        ),
    );
    let stats = content(&answer(&bot, 31).await);
    assert!(
        stats.contains("🏅 Service medallions received: 1 this year (1 in all)"),
        "{stats}"
    );
    assert!(!stats.contains("You have given"), "only your own: {stats}");

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            40,
            "leaderboard",
            &li,
            MEMBER,
            json!([{"name": "board", "type": 4, "value": 5}]),
            &[],
        ),
    );
    let board = bot
        .fake
        .wait_for("the board", |r| {
            r.path
                .starts_with(&format!("/api/v10/webhooks/{APP_ID}/token-40"))
                && r.body["embeds"].is_array()
        })
        .await;
    let embed = &board.body["embeds"][0];
    assert_eq!(embed["title"], "🏆 Service medallions — this year (2026)");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("**1.** dana — 1"),
        "{embed:#}"
    );

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(50, "undo", &ana, MEMBER, json!([]), &[]),
    );
    assert_eq!(
        content(&answer(&bot, 50).await),
        "Undone: your service medallion #1 to dana is withdrawn and you have it back for 2026."
    );

    // Admins: the welcome off (the boss's own first interaction is then not welcomed either),
    // and three medallions a year.
    let boss = user(7, "boss");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(60, "spotlight", &boss, ADMIN, json!([{"name": "welcome", "type": 1, "options": [{"name": "switch", "type": 4, "value": 1}]}]), &[]),
    );
    assert!(content(&answer(&bot, 60).await).starts_with("The welcome for newcomers is off."));
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(61, "spotlight", &boss, ADMIN, json!([{"name": "medallions", "type": 1, "options": [{"name": "per_year", "type": 4, "value": 3}]}]), &[]),
    );
    assert!(
        content(&answer(&bot, 61).await).starts_with("Service medallions: 3 per member per year."),
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(62, "spotlight", &ana, MEMBER, json!([{"name": "welcome", "type": 1, "options": [{"name": "switch", "type": 4, "value": 0}]}]), &[]),
    );
    assert!(content(&answer(&bot, 62).await).contains("Manage Server"));

    bot.fake
        .dispatch("INTERACTION_CREATE", medallion(70, &li, "Covered my queue"));
    assert!(content(&answer(&bot, 70).await).contains("You have 2 more this year."));
    bot.fake
        .wait_for("li's medallion", |r| {
            r.body["embeds"][0]["title"] == "🏅 Service medallion 2026: ana honours li"
        })
        .await;
    // The boss's first interaction and li's first thanks came after the welcome was switched off.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let requests = bot.fake.requests();
    assert!(
        !requests.iter().any(|r| r
            .path
            .starts_with(&format!("/api/v10/webhooks/{APP_ID}/token-6"))
            && r.method == "POST"),
        "no welcome after it was switched off"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.path == "/api/v10/channels/63/messages"),
        "li is not welcomed by DM"
    );
    let welcomes = requests
        .iter()
        .filter(|r| r.body.to_string().contains("👋 Welcome"))
        .count();
    // ana's and li's first commands, and dana's DM: once each.
    assert_eq!(welcomes, 3, "{requests:#?}");
    bot.stop().await.unwrap();
}
