//! `/medallion`, `/thanked-customer`, the medallions board, `/stats`, `/undo`, the admins'
//! settings, the welcome and `team_join`, through the real Slack adapter against the fake.

use serde_json::json;

use super::fake::is_dm;
use super::SlackBot;

fn blocks_text(body: &serde_json::Value) -> String {
    body["blocks"].to_string()
}

#[tokio::test]
async fn medallions_customers_thanked_and_welcomes_on_slack() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;

    let reply = bot
        .command(
            "UANA",
            "/medallion",
            "<@UDANA|dana> Untangled my customer's order <!channel> & <@U1>",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["response_type"], "ephemeral");
    assert_eq!(
        reply.text(),
        "🏅 Service medallion given to dana (medallion #1). That was your medallion for this year."
    );
    // ana's first command: her welcome comes with the private reply.
    assert!(
        blocks_text(&body).contains("👋 Welcome to Spotlight"),
        "{body:#}"
    );

    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert_eq!(post.body["channel"], "C1", "where it was given");
    let text = post.body.to_string();
    assert!(
        text.contains("🏅 <@UDANA> receives a service medallion from <@UANA>"),
        "{text}"
    );
    assert!(
        text.contains("Service medallion 2026"),
        "its own header: {text}"
    );
    assert!(
        !text.contains("<!channel>") && !text.contains("<@U1>"),
        "typed text is escaped: {text}"
    );
    // dana, thanked for the first time, gets a DM welcome after the announcement.
    let dm = bot
        .fake
        .wait_for("chat.postMessage", |c| c.body["channel"] == "UDANA")
        .await;
    assert!(
        dm.body
            .to_string()
            .contains("ana just thanked you through Spotlight!"),
        "{:#}",
        dm.body
    );

    for (user, text, refusal) in [
        (
            "UANA",
            "<@UANA> me",
            "You can't give a service medallion to yourself",
        ),
        (
            "UANA",
            "<@UROBO> beep",
            "robo is a bot; service medallions are for people.",
        ),
        (
            "UANA",
            "<@ULI> and you",
            "You have given all 1 of your service medallions for 2026",
        ),
        (
            "UANA",
            "<@ULI>",
            "Add a message saying what you are thankful for.",
        ),
        (
            "UANA",
            "<@ULI> <@UGUS> both",
            "A service medallion goes to one colleague; you named 2.",
        ),
    ] {
        let reply = bot.command(user, "/medallion", text).await;
        assert!(reply.text().contains(refusal), "{text}: {}", reply.body);
    }

    let reply = bot
        .command("UANA", "/thanked-customer", "Mrs Patel <!here>")
        .await;
    assert!(
        reply
            .text()
            .starts_with("💌 Thank you for thanking a customer! Recorded (“Mrs Patel"),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("<!here>"),
        "never pings: {}",
        reply.body
    );
    assert!(
        reply
            .text()
            .ends_with("You have thanked 1 customer this week (1 in all); the team has thanked 1 customer today."),
        "{}",
        reply.body
    );

    let reply = bot.command("UANA", "/stats", "").await;
    assert!(
        reply
            .text()
            .contains("🏅 You have given your service medallion for this year."),
        "{}",
        reply.body
    );
    assert!(
        reply
            .text()
            .contains("Customers thanked (thank-you notes): 1 this week (1 in all)"),
        "{}",
        reply.body
    );
    let reply = bot.command("UANA", "/stats", "<@UDANA|dana>").await;
    assert!(
        reply
            .text()
            .contains("🏅 Service medallions received: 1 this year (1 in all)"),
        "{}",
        reply.body
    );

    let reply = bot.command("ULI", "/leaderboard", "medallions").await;
    assert!(
        reply
            .text()
            .starts_with("🏆 Service medallions — this year (2026)"),
        "{}",
        reply.body
    );
    assert!(reply.text().contains("1. dana — 1"), "{}", reply.body);

    let reply = bot.command("UANA", "/undo", "").await;
    assert_eq!(
        reply.text(),
        "Undone: your service medallion #1 to dana is withdrawn and you have it back for 2026."
    );

    // Admins: the setting's words, the same as the shell's.
    let reply = bot.command("UANA", "/spotlight", "medallions 3").await;
    assert!(reply.text().contains("Only admins"), "{}", reply.body);
    let reply = bot.command("UBOSS", "/spotlight", "medallions 3").await;
    assert!(
        reply
            .text()
            .starts_with("Service medallions: 3 per member per year."),
        "{}",
        reply.body
    );
    let reply = bot.command("UBOSS", "/spotlight", "welcome off").await;
    assert!(
        reply
            .text()
            .starts_with("The welcome for newcomers is off."),
        "{}",
        reply.body
    );
    let reply = bot.command("UGUS", "/stats", "").await;
    assert!(
        !blocks_text(&reply.json()).contains("Welcome to Spotlight"),
        "off: {}",
        reply.body
    );
    let reply = bot.command("UBOSS", "/spotlight", "welcome on").await;
    assert!(reply
        .text()
        .starts_with("Newcomers get a short private welcome"));

    // Someone new in the workspace is welcomed once by DM; a redelivered event changes nothing.
    let join = json!({
        "type": "team_join",
        "user": {"id": "UNEW", "team_id": "T1", "name": "newbie",
                 "profile": {"display_name": "Newbie"}, "is_bot": false}
    });
    assert_eq!(bot.event(join.clone(), "EvJoin").await.status, 200);
    let dm = bot
        .fake
        .wait_for("chat.postMessage", |c| c.body["channel"] == "UNEW")
        .await;
    assert!(
        dm.body.to_string().contains("Welcome to the team!"),
        "{:#}",
        dm.body
    );
    assert_eq!(bot.event(join, "EvJoin2").await.status, 200);
    let robot = json!({"type": "team_join", "user": {"id": "UBOT2", "name": "b", "is_bot": true}});
    assert_eq!(bot.event(robot, "EvJoin3").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let to = |ch: &str| {
        bot.fake
            .calls("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == ch)
            .count()
    };
    assert_eq!(to("UNEW"), 1, "welcomed once");
    assert_eq!(to("UBOT2"), 0, "bots are not welcomed");
    // ...and the newcomer's first command brings no second welcome.
    bot.fake.add_user("UNEW", "newbie");
    let reply = bot.command("UNEW", "/stats", "").await;
    assert!(
        !blocks_text(&reply.json()).contains("Welcome to Spotlight"),
        "{}",
        reply.body
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_reaction_welcomes_its_new_giver_and_the_newly_thanked_by_dm() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let reaction = json!({"type": "reaction_added", "user": "UANA", "reaction": "star2",
        "item_user": "UDANA",
        "item": {"type": "message", "channel": "C1", "ts": "1760000000.000100"},
        "event_ts": "1760000001.000200"});
    assert_eq!(bot.event(reaction, "EvR1").await.status, 200);
    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert!(post
        .body
        .to_string()
        .contains("<@UDANA>: <@UANA> says thank you!"));
    for (who, head) in [
        ("UANA", "👋 Welcome to Spotlight"),
        ("UDANA", "ana just thanked you through Spotlight!"),
    ] {
        let dm = bot
            .fake
            .wait_for("chat.postMessage", |c| c.body["channel"] == who)
            .await;
        assert!(
            dm.body["text"].as_str().unwrap().starts_with(head),
            "{who}: {:#}",
            dm.body
        );
    }
    // Their first commands bring no second welcome.
    let reply = bot.command("UANA", "/stats", "").await;
    assert!(!blocks_text(&reply.json()).contains("Welcome to Spotlight"));
    bot.stop().await;
}
