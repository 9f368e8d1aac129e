use serde_json::json;
use spotlight::store::KudosFilter;

use super::fake::is_dm;
use super::{command_body, now_ts, sign, SlackBot, SECRET};

async fn stored(bot: &SlackBot) -> Vec<spotlight::domain::model::Kudos> {
    let filter = KudosFilter {
        include_removed: true,
        ..Default::default()
    };
    match bot.test.core().find_workspace("slack:T1").await {
        Ok(ws) => bot
            .test
            .core()
            .store()
            .kudos_list(ws.id, &filter)
            .await
            .unwrap(),
        Err(_) => Vec::new(),
    }
}

async fn member_count(bot: &SlackBot) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM members")
        .fetch_one(bot.test.core().store().pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn kudos_is_confirmed_privately_stored_and_announced_without_pings() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let reply = bot
        .command(
            "UANA",
            "/kudos",
            "<@UDANA|dana> <@ULI> Thanks <!channel> & <@UGUS> <!subteam^S1|@all> for the queue #teamwork",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["response_type"], "ephemeral");
    assert!(
        reply.text().contains("Kudos sent to dana and li (#1)"),
        "{}",
        reply.body
    );
    assert_eq!(
        body["blocks"][0]["type"], "section",
        "a one-line reply is no header"
    );

    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert_eq!(post.auth.as_deref(), Some("Bearer xoxb-test"));
    assert_eq!(
        post.body["channel"], "C1",
        "no celebration channel: where it was given"
    );
    assert_eq!(post.body["unfurl_links"], false);
    assert_eq!(post.body["link_names"], false);
    let shown = post.body.to_string();
    assert!(
        shown.contains("<@UDANA> and <@ULI>: <@UANA> says thank you!"),
        "{shown}"
    );
    for ping in ["<!channel>", "<@UGUS>", "<!subteam"] {
        assert!(!shown.contains(ping), "{ping} must not be live in {shown}");
    }
    assert!(
        shown.contains("Thanks &lt;\u{200b}!channel&gt; &amp; &lt;@UGUS&gt;"),
        "{shown}"
    );

    let kudos = stored(&bot).await;
    assert_eq!(kudos.len(), 1);
    let mut names: Vec<&str> = kudos[0]
        .recipients
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["dana", "li"]);
    assert_eq!(kudos[0].value.as_deref(), Some("Teamwork"));
    bot.stop().await;
}

#[tokio::test]
async fn bad_stale_and_missing_signatures_are_refused_and_change_nothing() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let body = command_body("UANA", "/kudos", "<@UDANA> thanks");
    let form = "application/x-www-form-urlencoded";
    let ts = now_ts();
    let stale = (now_ts().parse::<i64>().unwrap() - 600).to_string();
    let cases = [
        ("missing", None),
        (
            "wrong secret",
            Some((sign("not-the-secret", &ts, &body), ts.clone())),
        ),
        ("stale", Some((sign(SECRET, &stale, &body), stale.clone()))),
        (
            "other body",
            Some((sign(SECRET, &ts, "text=hello"), ts.clone())),
        ),
    ];
    for (what, signature) in cases {
        let reply = bot
            .send(
                "/slack/commands",
                form,
                &body,
                signature.as_ref().map(|(s, t)| (s.as_str(), t.as_str())),
            )
            .await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
    }
    let huge = format!("{body}&pad={}", "x".repeat(100_000));
    let reply = bot.signed("/slack/commands", form, &huge).await;
    assert_eq!(reply.status, 413);
    let event = json!({"type": "url_verification", "challenge": "abc"}).to_string();
    let reply = bot
        .send(
            "/slack/events",
            "application/json",
            &event,
            Some(("v0=00", &ts)),
        )
        .await;
    assert_eq!(reply.status, 401);

    let (status, _, _) = bot.get("/slack/nope").await;
    assert_eq!(status, 404, "only Slack's routes ask for a signature");
    assert!(stored(&bot).await.is_empty());
    assert_eq!(
        member_count(&bot).await,
        0,
        "nothing was read, so no one was recorded"
    );
    assert!(bot.fake.calls("users.info").is_empty());
    assert!(bot.fake.calls("chat.postMessage").is_empty());

    // Signed properly, the same request goes through.
    let reply = bot.signed("/slack/commands", form, &body).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.text().contains("Kudos sent to dana"),
        "{}",
        reply.body
    );
    bot.stop().await;
}

#[tokio::test]
async fn refusals_are_private_post_nothing_and_record_no_one() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    for (text, expected) in [
        (
            "<@UANA> <@UGUS> me and gus",
            "You can't send kudos to yourself",
        ),
        ("<@UROBO> beep", "robo is a bot"),
        ("<@UGUS>", "Add a message"),
        ("@gus thanks", "Mention colleagues with @"),
        ("<@UNOBODY> thanks", "can't find that person"),
        ("<@UGUS> thanks #speed", "Unknown value 'speed'"),
    ] {
        let reply = bot.command("UANA", "/kudos", text).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["response_type"], "ephemeral");
        assert!(reply.text().contains(expected), "{text}: {}", reply.body);
    }
    assert!(stored(&bot).await.is_empty());
    assert_eq!(member_count(&bot).await, 1, "only ana, who spoke");
    assert!(bot.fake.calls("chat.postMessage").is_empty());
    bot.stop().await;
}

#[tokio::test]
async fn feedback_leaderboard_stats_and_undo() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    bot.command("UANA", "/kudos", "<@UDANA> thanks #teamwork")
        .await;
    let reply = bot
        .command(
            "UANA",
            "/feedback",
            "<@ULI> from:\"Acme <Corp>\" Li fixed it",
        )
        .await;
    assert!(
        reply.text().contains("Customer feedback for li"),
        "{}",
        reply.body
    );
    let post = bot
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body.to_string().contains("Customer feedback")
        })
        .await;
    assert!(
        post.body.to_string().contains("Acme &lt;Corp&gt;"),
        "{:#}",
        post.body
    );

    let reply = bot.command("UDANA", "/leaderboard", "week").await;
    let board = reply.json();
    assert_eq!(board["response_type"], "ephemeral");
    assert_eq!(board["blocks"][0]["type"], "header");
    assert!(reply.text().contains("1. dana — 1"), "{}", reply.body);
    assert!(
        !reply.body.contains("<@"),
        "boards mention no one: {}",
        reply.body
    );

    let reply = bot.command("UANA", "/stats", "<@UDANA|dana>").await;
    assert!(reply.text().contains("Kudos received: 1"), "{}", reply.body);
    let reply = bot.command("UANA", "/stats", "<@UGUS>").await;
    assert!(
        reply
            .text()
            .contains("gus hasn't given or received any kudos"),
        "{}",
        reply.body
    );

    let reply = bot.command("UANA", "/undo", "").await;
    assert!(reply.text().contains("#1"), "{}", reply.body);
    let kudos = stored(&bot).await;
    assert_eq!(
        kudos[0].status,
        spotlight::domain::model::KudosStatus::Undone
    );
    bot.stop().await;
}

#[tokio::test]
async fn the_kudos_emoji_thanks_the_author_and_taking_it_back_withdraws_it() {
    use spotlight::domain::model::KudosStatus;
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let reply = bot
        .signed(
            "/slack/events",
            "application/json",
            &json!({"type": "url_verification", "token": "t", "challenge": "3eZbrw1a"}).to_string(),
        )
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "3eZbrw1a"));

    let reaction = |kind: &str, emoji: &str| {
        json!({"type": kind, "user": "UANA", "reaction": emoji, "item_user": "UDANA",
            "item": {"type": "message", "channel": "C1", "ts": "1760000000.000100"},
            "event_ts": "1760000001.000200"})
    };
    assert_eq!(
        bot.event(reaction("reaction_added", "+1"), "Ev0")
            .await
            .status,
        200
    );
    assert_eq!(
        bot.event(reaction("reaction_added", "star2"), "Ev1")
            .await
            .status,
        200
    );
    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert!(
        post.body
            .to_string()
            .contains("<@UDANA>: <@UANA> says thank you!"),
        "{:#}",
        post.body
    );
    // Slack resends an event it thinks was missed: it counts once.
    bot.event(reaction("reaction_added", "star2"), "Ev1").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let kudos = stored(&bot).await;
    assert_eq!(kudos.len(), 1, "{kudos:#?}");
    assert_eq!(kudos[0].recipients[0].name, "dana");
    assert_eq!(
        kudos[0].link.as_deref(),
        Some("https://slack.com/archives/C1/p1760000000000100")
    );

    bot.event(reaction("reaction_removed", "star2"), "Ev2")
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while stored(&bot).await[0].status != KudosStatus::Undone {
        assert!(tokio::time::Instant::now() < deadline, "never withdrawn");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(bot.fake.channel_posts().len(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn admins_configure_and_members_are_refused() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let reply = bot
        .command("UANA", "/spotlight", "channel <#C9|celebrations>")
        .await;
    assert!(reply.text().contains("Only admins"), "{}", reply.body);
    let reply = bot
        .command("UBOSS", "/spotlight", "channel <#C9|celebrations>")
        .await;
    assert!(
        reply.body.contains("Kudos will be announced in <#C9>."),
        "{}",
        reply.body
    );
    let reply = bot.command("UBOSS", "/spotlight", "admin <@UANA>").await;
    assert!(
        reply.text().contains("ana is now an admin"),
        "{}",
        reply.body
    );
    let reply = bot.command("UANA", "/spotlight", "allowance 1").await;
    assert!(
        reply.text().contains("1 thank-you per person per day"),
        "{}",
        reply.body
    );
    let reply = bot.command("UANA", "/spotlight", "coverage").await;
    assert!(reply.text().contains("Coverage"), "{}", reply.body);
    let reply = bot.command("UANA", "/spotlight", "emoji :tada:").await;
    assert!(reply.text().contains("🎉"), "{}", reply.body);

    bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert_eq!(post.body["channel"], "C9");
    let reply = bot.command("UANA", "/kudos", "<@ULI> and you").await;
    assert!(
        reply.text().contains("Daily allowance reached"),
        "{}",
        reply.body
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_and_a_lost_channel_is_told_to_admins() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    bot.fake.rate_limit_next("chat.postMessage", 1);
    let started = std::time::Instant::now();
    bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    let calls = loop {
        let calls = bot.fake.channel_posts();
        if calls.len() == 2 {
            break calls;
        }
        assert!(started.elapsed().as_secs() < 10, "{calls:#?}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert!(
        started.elapsed().as_millis() >= 1000,
        "waited for Retry-After"
    );
    assert_eq!(
        calls[0].body, calls[1].body,
        "the same message, once delivered"
    );
    // The newcomer's welcome follows the announcement; the failure below is meant for the
    // next announcement, not for this welcome.
    bot.fake
        .wait_for("chat.postMessage", |c| {
            is_dm(c) && c.body["channel"] == "UDANA"
        })
        .await;

    bot.fake.fail_next("chat.postMessage", "not_in_channel");
    bot.command("UANA", "/kudos", "<@ULI> thanks").await;
    bot.fake
        .wait_for("chat.postMessage", |c| c.body.to_string().contains("ULI"))
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let reply = bot.command("UBOSS", "/spotlight", "").await;
        if reply.text().contains("not_in_channel") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(bot.fake.channel_posts().len(), 3, "not retried");
    bot.stop().await;
}

/// The view Slack was asked to open, as Slack would echo it back with its id.
async fn opened_view(bot: &SlackBot, nth: usize) -> serde_json::Value {
    let call = bot
        .fake
        .wait_for("views.open", |_| bot.fake.calls("views.open").len() > nth)
        .await;
    let _ = call;
    let call = &bot.fake.calls("views.open")[nth];
    let mut view = match &call.body["view"] {
        serde_json::Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    view["id"] = json!(format!("VIEW{nth}"));
    view["team_id"] = json!("T1");
    view["hash"] = json!("h");
    view
}

#[tokio::test]
async fn kudos_with_no_text_opens_the_form_and_a_sent_form_counts_once() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let reply = bot.command("UANA", "/kudos", "").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    let open = bot.fake.wait_for("views.open", |_| true).await;
    assert!(open.body["trigger_id"]
        .as_str()
        .unwrap()
        .starts_with("trigger-"));
    let view = opened_view(&bot, 0).await;
    assert_eq!(view["type"], "modal");
    let blocks = view["blocks"].to_string();
    for part in [
        "multi_users_select",
        "plain_text_input",
        "static_select",
        "Teamwork",
    ] {
        assert!(blocks.contains(part), "{part} in {blocks}");
    }

    // Thanking yourself keeps the form open with the reason under the people picker.
    let me = json!({
        "who": {"who": {"type": "multi_users_select", "selected_users": ["UANA"]}},
        "msg": {"msg": {"type": "plain_text_input", "value": "me"}}
    });
    let reply = bot.interaction(super::submission(&view, "UANA", me)).await;
    let errors = reply.json();
    assert_eq!(errors["response_action"], "errors", "{}", reply.body);
    assert!(
        errors["errors"]["who"]
            .as_str()
            .unwrap()
            .contains("yourself"),
        "{}",
        reply.body
    );

    let filled = json!({
        "who": {"who": {"type": "multi_users_select", "selected_users": ["UDANA", "ULI"]}},
        "msg": {"msg": {"type": "plain_text_input", "value": "Thanks for the <!here> cover"}},
        "value": {"value": {"type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "Teamwork"}, "value": "Teamwork"}}}
    });
    let reply = bot
        .interaction(super::submission(&view, "UANA", filled.clone()))
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, ""),
        "closes the form"
    );
    let confirm = bot.fake.wait_for("chat.postEphemeral", |_| true).await;
    assert_eq!(confirm.body["user"], "UANA");
    assert!(
        confirm
            .body
            .to_string()
            .contains("Kudos sent to dana and li"),
        "{:#}",
        confirm.body
    );
    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    let shown = post.body.to_string();
    assert!(
        shown.contains("<@UDANA> and <@ULI>: <@UANA> says thank you!"),
        "{shown}"
    );
    assert!(!shown.contains("<!here>"), "{shown}");

    // A double click sends the same form again: it counts once.
    bot.interaction(super::submission(&view, "UANA", filled))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let kudos = stored(&bot).await;
    assert_eq!(kudos.len(), 1);
    assert_eq!(kudos[0].value.as_deref(), Some("Teamwork"));
    assert_eq!(bot.fake.channel_posts().len(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn the_message_shortcut_thanks_the_author_and_links_the_message() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    let shortcut = json!({
        "type": "message_action", "callback_id": "give_kudos", "trigger_id": "trigger-sc",
        "response_url": "http://127.0.0.1:9/r", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "UANA", "username": "ana"}, "channel": {"id": "C1", "name": "general"},
        "message_ts": "1760000000.000200",
        "message": {"type": "message", "user": "UDANA", "ts": "1760000000.000200", "text": "Refund done!"}
    });
    let reply = bot.interaction(shortcut).await;
    assert_eq!(reply.status, 200);
    let view = opened_view(&bot, 0).await;
    assert!(
        view["blocks"].to_string().contains("Thanking *dana*"),
        "{view:#}"
    );
    let filled = json!({"msg": {"msg": {"type": "plain_text_input", "value": "Thanks for the quick refund"}}});
    let reply = bot
        .interaction(super::submission(&view, "UANA", filled))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    let kudos = stored(&bot).await;
    assert_eq!(kudos[0].recipients[0].name, "dana");
    assert_eq!(kudos[0].message, "Thanks for the quick refund");
    assert_eq!(
        kudos[0].link.as_deref(),
        Some("https://slack.com/archives/C1/p1760000000000200")
    );
    bot.stop().await;
}

#[tokio::test]
async fn app_home_shows_your_thanks_the_week_and_a_kudos_button() {
    let bot = SlackBot::start("2026-10-06T09:00:00Z").await;
    bot.command("UDANA", "/kudos", "<@UANA> thanks for the handover")
        .await;
    bot.event(
        json!({"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"}),
        "EvHome",
    )
    .await;
    let publish = bot.fake.wait_for("views.publish", |_| true).await;
    assert_eq!(publish.body["user_id"], "UANA");
    let home = publish.body["view"].to_string();
    for part in [
        "\"type\":\"home\"",
        "Customer Service Week, day 2: Internal customers",
        "You can thank 5 more people today.",
        "Kudos received: 1",
        "1. ana — 1",
        "People thanking",
        "open_kudos_form",
    ] {
        assert!(home.contains(part), "{part} in {home}");
    }
    let press = json!({
        "type": "block_actions", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "UANA", "username": "ana"}, "api_app_id": "A1",
        "container": {"type": "view", "view_id": "VH"}, "trigger_id": "trigger-home",
        "actions": [{"type": "button", "action_id": "open_kudos_form", "block_id": "b",
            "text": {"type": "plain_text", "text": "Give kudos"}, "action_ts": "1"}]
    });
    let reply = bot.interaction(press).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let open = bot.fake.wait_for("views.open", |_| true).await;
    assert_eq!(open.body["trigger_id"], "trigger-home");
    bot.stop().await;
}

#[tokio::test]
async fn oauth_install_stores_the_token_sealed_and_uninstall_forgets_it() {
    let bot = SlackBot::start_oauth("2026-10-05T09:00:00Z").await;
    let reply = bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    assert!(reply.text().contains("isn't installed"), "{}", reply.body);

    let (status, location, _) = bot.get("/slack/install").await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(
        location.starts_with("https://slack.com/oauth/v2/authorize?client_id=123.456&scope=commands%2Cchat%3Awrite%2Cusers%3Aread%2Creactions%3Aread%2Cim%3Awrite%2Cusergroups%3Aread&state="),
        "{location}"
    );
    let state = location.rsplit("state=").next().unwrap().to_string();

    let (status, _, page) = bot.get("/slack/oauth/callback?code=abc&state=forged").await;
    assert_eq!(status, 400, "{page}");
    assert!(bot.fake.calls("oauth.v2.access").is_empty());

    let (status, _, page) = bot
        .get(&format!("/slack/oauth/callback?code=abc&state={state}"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Spotlight is installed in Acme"), "{page}");
    let exchange = bot.fake.wait_for("oauth.v2.access", |_| true).await;
    assert_eq!(exchange.body["code"], "abc");
    let (status, _, _) = bot
        .get(&format!("/slack/oauth/callback?code=abc&state={state}"))
        .await;
    assert_eq!(status, 400, "a state works once");

    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT token_sealed FROM slack_installs WHERE team_id = 'T1'")
            .fetch_one(bot.test.core().store().pool())
            .await
            .unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains("xoxb"),
        "encrypted at rest"
    );

    let reply = bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    assert!(
        reply.text().contains("Kudos sent to dana"),
        "{}",
        reply.body
    );
    let post = bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;
    assert_eq!(post.auth.as_deref(), Some("Bearer xoxb-installed"));

    bot.event(json!({"type": "app_uninstalled"}), "EvGone")
        .await;
    // Slack's event is acknowledged at once and handled after: wait until the token is gone.
    for _ in 0..200 {
        let install = bot.test.core().store().slack_install("T1").await.unwrap();
        if install.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let reply = bot.command("UANA", "/kudos", "<@UDANA> again").await;
    assert!(reply.text().contains("isn't installed"), "{}", reply.body);
    assert_eq!(stored(&bot).await.len(), 1, "the workspace's kudos stay");
    bot.stop().await;
}

#[tokio::test]
async fn socket_mode_answers_envelopes_and_reconnects_when_asked() {
    let bot = SlackBot::start_with(
        "2026-10-05T09:00:00Z",
        spotlight::slack::SlackCredentials {
            signing_secret: spotlight::secrets::Secret::new(SECRET),
            bot_token: Some(spotlight::secrets::Secret::new("xoxb-test")),
            oauth: None,
            app_token: Some(spotlight::secrets::Secret::new("xapp-test")),
        },
    )
    .await;
    let open = bot.fake.wait_for("apps.connections.open", |_| true).await;
    assert_eq!(open.auth.as_deref(), Some("Bearer xapp-test"));
    bot.fake.wait_sockets(1).await;
    let command = |envelope: &str, text: &str| {
        json!({"envelope_id": envelope, "type": "slash_commands", "accepts_response_payload": true,
            "payload": {"team_id": "T1", "team_domain": "acme", "channel_id": "C1",
                "user_id": "UANA", "command": "/kudos", "text": text,
                "response_url": "http://127.0.0.1:9/r", "trigger_id": format!("trigger-{envelope}")}})
    };
    bot.fake
        .send_frame(command("E1", "<@UDANA> thanks over the socket"));
    let ack = bot.fake.ack_of("E1").await;
    assert!(
        ack["payload"].to_string().contains("Kudos sent to dana"),
        "{ack:#}"
    );
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    bot.fake.wait_for("chat.postMessage", |c| !is_dm(c)).await;

    bot.fake.send_frame(json!({"envelope_id": "E2", "type": "events_api",
        "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "",
        "payload": {"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": "EvS", "event_time": 1760000000,
            "event": {"type": "app_home_opened", "user": "UANA", "channel": "D1", "tab": "home"}}}));
    bot.fake.ack_of("E2").await;
    bot.fake.wait_for("views.publish", |_| true).await;

    // Slack asks for a fresh connection: the bot opens one and carries on.
    bot.fake
        .send_frame(json!({"type": "disconnect", "reason": "refresh_requested",
        "debug_info": {"host": "fake-applink"}}));
    bot.fake.wait_sockets(2).await;
    assert!(bot.fake.calls("apps.connections.open").len() >= 2);
    bot.fake.send_frame(command("E3", "<@ULI> thanks again"));
    let ack = bot.fake.ack_of("E3").await;
    assert!(
        ack["payload"].to_string().contains("Kudos sent to li"),
        "{ack:#}"
    );
    assert_eq!(stored(&bot).await.len(), 2);
    bot.stop().await;
}

#[tokio::test]
async fn a_user_group_maps_to_a_department() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    bot.fake.add_group("S1", "support", &["UANA"]);
    let reply = bot
        .command(
            "UBOSS",
            "/spotlight",
            "department <!subteam^S1|@support> Support",
        )
        .await;
    assert!(
        reply
            .text()
            .contains("count as Support from their next command"),
        "{}",
        reply.body
    );
    let reply = bot
        .command("UBOSS", "/spotlight", "department <@UDANA> Billing")
        .await;
    assert!(
        reply.text().contains("dana is now in Billing"),
        "{}",
        reply.body
    );
    bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    let kudos = stored(&bot).await;
    assert_eq!(kudos[0].giver.department.as_deref(), Some("Support"));
    assert_eq!(
        kudos[0].recipients[0].department.as_deref(),
        Some("Billing")
    );
    let reply = bot.command("UANA", "/leaderboard", "week crossteam").await;
    assert!(
        reply.text().contains("Support → Billing — 1"),
        "{}",
        reply.body
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_slow_command_is_acknowledged_at_once_and_answered_through_response_url() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    // Looking up dana is rate limited for four seconds: longer than Slack waits.
    bot.command("UANA", "/stats", "").await;
    bot.fake.rate_limit_next("users.info", 4);
    let started = std::time::Instant::now();
    let reply = bot
        .command("UANA", "/kudos", "<@UDANA> thanks for waiting")
        .await;
    assert!(
        started.elapsed().as_millis() < 3000,
        "acknowledged inside Slack's 3 s"
    );
    assert!(reply.text().contains("Working on it"), "{}", reply.body);
    let late = bot.fake.wait_for("response_url", |_| true).await;
    assert!(
        late.body.to_string().contains("Kudos sent to dana"),
        "{:#}",
        late.body
    );
    assert_eq!(stored(&bot).await.len(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn the_awards_reach_the_channel_and_the_thank_you_book_arrives_as_a_dm() {
    let bot = SlackBot::start("2026-10-09T15:50:00Z").await;
    let reply = bot
        .command("UBOSS", "/spotlight", "channel <#C9|celebrations>")
        .await;
    assert!(reply.body.contains("<#C9>"), "{}", reply.body);
    let reply = bot.command("UBOSS", "/spotlight", "prompts on").await;
    assert!(
        reply.text().contains("The week's posts are on"),
        "{}",
        reply.body
    );
    bot.command("UANA", "/kudos", "<@UDANA> thanks for the <!here> week")
        .await;
    bot.fake
        .wait_for("chat.postMessage", |c| c.body["channel"] == "C9")
        .await;
    bot.test.set_time("2026-10-09T16:00:30Z");
    let awards = bot
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body.to_string().contains("the awards")
        })
        .await;
    assert_eq!(awards.body["channel"], "C9");
    let book = bot
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body["channel"] == "UDANA" && c.body.to_string().contains("thank-you book")
        })
        .await;
    let text = book.body.to_string();
    assert!(text.contains("thank-you book"), "{text}");
    assert!(text.contains("ana (Friday)"), "{text}");
    assert!(!text.contains("<!here>"), "{text}");
    bot.stop().await;
}

#[tokio::test]
async fn admins_put_up_the_wall_and_members_get_their_book_from_stats() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    bot.command("UANA", "/kudos", "<@UDANA> thanks for the <b>queue</b>")
        .await;
    let refused = bot.command("UANA", "/spotlight", "wall on").await;
    assert!(refused.text().contains("Only admins"), "{}", refused.body);
    let reply = bot.command("UBOSS", "/spotlight", "wall on").await;
    let text = reply.text();
    assert!(
        text.contains("The wall of thanks is on: http://localhost:"),
        "{text}"
    );
    assert!(
        text.contains("/spotlight wall rotate"),
        "Slack's spelling: {text}"
    );
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/wall/"))
        .unwrap()
        .to_string();
    let path = format!("/{}", link.splitn(4, '/').nth(3).unwrap());
    let (status, _, wall) = bot.get(&path).await;
    assert_eq!(status, 200);
    assert!(
        wall.contains("thanks for the &lt;b&gt;queue&lt;/b&gt;"),
        "{wall}"
    );

    let rotated = bot.command("UBOSS", "/spotlight", "wall rotate").await;
    assert!(!rotated.text().contains(&link), "{}", rotated.body);
    assert_eq!(bot.get(&path).await.0, 404);

    let stats = bot.command("UDANA", "/stats", "").await;
    assert_eq!(stats.json()["response_type"], "ephemeral", "{}", stats.body);
    let text = stats.text();
    let book = text
        .split_whitespace()
        .find(|w| w.contains("/book/"))
        .unwrap_or_else(|| panic!("a book link in {text}"));
    let (status, _, page) = bot
        .get(&format!("/{}", book.splitn(4, '/').nth(3).unwrap()))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Thank you, dana"), "{page}");
    let about_dana = bot.command("UANA", "/stats", "<@UDANA>").await;
    assert!(
        !about_dana.text().contains("/book/"),
        "nobody gets another member's book: {}",
        about_dana.body
    );
    bot.stop().await;
}
