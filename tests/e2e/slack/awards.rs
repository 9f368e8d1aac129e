//! The Excellence in Service awards on Slack: `/nominate` and `/spotlight awards …` with
//! their private replies and the opening post, and the ceremony with the winners' DMs through
//! the running scheduler, once.

use super::fake::{is_dm, TEAM};
use super::SlackBot;

fn posts_to(bot: &SlackBot, channel: &str) -> usize {
    bot.fake
        .calls("chat.postMessage")
        .iter()
        .filter(|c| c.body["channel"] == channel)
        .count()
}

#[tokio::test]
async fn awards_on_slack_from_nominations_to_the_ceremony() {
    let bot = SlackBot::start("2026-12-01T09:00:00Z").await;
    let core = bot.test.core().clone();
    let ws = core.workspace("slack", TEAM, None).await.unwrap();
    let admin = spotlight::domain::model::Actor {
        member: core.member(&ws, "UBOSS", "boss", false).await.unwrap(),
        is_admin: true,
    };
    for (id, name, department) in [
        ("UANA", "ana", "Support"),
        ("UDANA", "dana", "Billing"),
        ("ULI", "li", "Billing"),
        ("UGUS", "gus", "Sales"),
    ] {
        let m = core.member(&ws, id, name, false).await.unwrap();
        core.set_department(&ws, &admin, m.id, Some(department))
            .await
            .unwrap();
    }

    // Only admins open; the opening is posted where it was typed (no celebration channel yet).
    let reply = bot
        .command("UANA", "/spotlight", "awards open 2026-12-10")
        .await;
    assert_eq!(
        reply.text(),
        "⚠️ Only admins can open the Excellence in Service awards."
    );
    let reply = bot
        .command("UBOSS", "/spotlight", "awards open 2026-12-10")
        .await;
    assert_eq!(reply.json()["response_type"], "ephemeral");
    assert_eq!(
        reply.text(),
        "Nominations for the 2026 awards are open until the end of Thu 10 Dec 2026 (UTC); the announcement is posted."
    );
    let post = bot
        .fake
        .wait_for("chat.postMessage", |c| c.body["channel"] == "C1")
        .await;
    assert!(
        post.body
            .to_string()
            .contains("🏆 Nominations for the Excellence in Service awards 2026 are open until the end of Thu 10 Dec 2026 (UTC)."),
        "{:#}",
        post.body
    );

    // Nominations, privately; the rules as refusals.
    let reply = bot
        .command(
            "UANA",
            "/nominate",
            "<@UDANA|dana> Answers Support the same day <!channel> & <@U1>",
        )
        .await;
    assert!(
        reply.text().starts_with(
            "🏆 You nominated dana for the Excellence in Service award (Billing). Nominations close at the end of Thu 10 Dec 2026."
        ),
        "{}",
        reply.body
    );
    for (text, refusal) in [
        ("<@UANA|ana> me", "⚠️ You can't nominate yourself: nominate a colleague whose service to your department stood out."),
        ("<@UROBO|robo> beep", "⚠️ robo is a bot; the Excellence in Service awards are for people."),
        ("<@UDANA|dana>", "⚠️ Say why you nominate them, e.g. /nominate @dana answers Billing's questions the same day."),
    ] {
        assert_eq!(bot.command("UANA", "/nominate", text).await.text(), refusal);
    }
    let reply = bot
        .command("UANA", "/nominate", "<@ULI|li> Knows every refund rule")
        .await;
    assert!(
        reply
            .text()
            .contains("It replaces your nomination of dana (one nominee per department)."),
        "{}",
        reply.body
    );
    bot.command("ULI", "/nominate", "<@UGUS|gus> Shared the Sales pipeline")
        .await;
    bot.command(
        "UGUS",
        "/nominate",
        "<@UDANA|dana> Sorted our invoices <@U1>",
    )
    .await;

    // The admins' private list, typed text escaped.
    let reply = bot.command("UBOSS", "/spotlight", "awards status").await;
    let body = reply.body.clone();
    assert!(
        body.contains("Excellence in Service awards 2026: nominations open until the end of Thu 10 Dec 2026; 3 nominations by 3 members (private to admins)"),
        "{body}"
    );
    assert!(
        body.contains("• gus: “Sorted our invoices &lt;@U1&gt;”"),
        "{body}"
    );
    assert!(!body.contains("<@U1>"), "{body}");

    // Closed at UNTIL; shortlists, picks, the ceremony and the export.
    // A celebration channel from here on, so the week's posts have somewhere to go.
    core.set_channel(&ws, &admin, Some("C9")).await.unwrap();
    bot.test.set_time("2026-12-11T00:01:00Z");
    // The channel hears that nominations closed, in numbers only (and before anything below).
    let closed = bot
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body["channel"] == "C9" && c.body.to_string().contains("2026 are closed")
        })
        .await;
    let closed = closed.body.to_string();
    assert!(
        closed.contains("Thank you: 3 nominations from 3 colleagues for 3 people."),
        "{closed}"
    );
    let reply = bot.command("UANA", "/nominate", "<@UGUS|gus> late").await;
    assert_eq!(
        reply.text(),
        "⚠️ Nominations for the Excellence in Service awards closed on Fri 11 Dec 2026 00:00."
    );
    let reply = bot.command("UBOSS", "/spotlight", "awards shortlist").await;
    assert!(
        reply
            .body
            .contains("=1. dana — 3 (1 nomination, 0 medallions, 0 kudos, 0 compliments)"),
        "{}",
        reply.body
    );
    let reply = bot.command("UBOSS", "/spotlight", "awards accept").await;
    assert!(
        reply
            .body
            .contains("Billing: a tie between dana and li; pick one with `awards pick @name`"),
        "{}",
        reply.body
    );
    let reply = bot
        .command("UBOSS", "/spotlight", "awards pick <@ULI|li> Billing")
        .await;
    assert_eq!(
        reply.text(),
        "🏆 li is the Billing winner of the Excellence in Service awards."
    );
    let reply = bot
        .command("UBOSS", "/spotlight", "awards ceremony 2026-12-18 16:00")
        .await;
    assert_eq!(
        reply.text(),
        "🏆 The 2026 Excellence in Service ceremony will be posted Fri 18 Dec 2026 16:00 (UTC), with a direct message to each winner. Winners: Billing: li; Sales: gus."
    );
    let reply = bot.command("UBOSS", "/spotlight", "awards export").await;
    assert!(
        reply.body.contains(
            "2026,Billing,1,true,li,3,1,0,0,0,true,nomination,,,2026-12-01,Knows every refund rule"
        ),
        "{}",
        reply.body
    );

    // The ceremony in the celebration channel, mentioning the winners, and their DMs; once.
    let before = posts_to(&bot, "C9");
    bot.test.set_time("2026-12-18T16:00:30Z");
    let ceremony = bot
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body["channel"] == "C9"
                && c.body
                    .to_string()
                    .contains("🏆 Excellence in Service awards 2026")
        })
        .await;
    let text = ceremony.body.to_string();
    assert!(
        text.contains("🏆 Excellence in Service awards 2026"),
        "{text}"
    );
    assert!(
        text.contains("🎉 Congratulations <@ULI> and <@UGUS>!"),
        "{text}"
    );
    assert!(text.contains("🏆 Billing: li"), "{text}");
    for who in ["ULI", "UGUS"] {
        let dm = bot
            .fake
            .wait_for("chat.postMessage", |c| is_dm(c) && c.body["channel"] == who)
            .await;
        assert!(
            dm.body
                .to_string()
                .contains("You won the Excellence in Service award 2026"),
            "{:#}",
            dm.body
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    bot.test.set_time("2026-12-19T16:00:00Z");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(posts_to(&bot, "C9"), before + 1);
    assert_eq!(posts_to(&bot, "ULI"), 1);
    assert_eq!(posts_to(&bot, "UGUS"), 1);

    // The next round opens afresh (announced in the celebration channel) and closes early.
    let reply = bot
        .command("UBOSS", "/spotlight", "awards open 2026-12-31 12:00")
        .await;
    assert!(
        reply
            .text()
            .starts_with("Nominations for the 2026 awards are open until Thu 31 Dec 2026 12:00"),
        "{}",
        reply.body
    );
    bot.fake
        .wait_for("chat.postMessage", |c| {
            c.body["channel"] == "C9"
                && c.body
                    .to_string()
                    .contains("🏆 Nominations for the Excellence")
        })
        .await;
    let reply = bot.command("UANA", "/spotlight", "awards close").await;
    assert_eq!(
        reply.text(),
        "⚠️ Only admins can close the award nominations."
    );
    let reply = bot.command("UBOSS", "/spotlight", "awards close").await;
    assert_eq!(
        reply.text(),
        "Nominations for the 2026 awards closed at Sat 19 Dec 2026 16:00. See the shortlists with `awards shortlist`."
    );
}
