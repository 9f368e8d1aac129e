use serde_json::json;
use spotlight::store::KudosFilter;

use super::fake::{APP_ID, CHANNEL_ID};
use super::payloads::{
    autocomplete, bot_user, channel, reaction_add, reaction_remove, role, slash, slash_resolved,
    user, with_roles,
};
use super::Bot;

const MEMBER: &str = "0";
const ADMIN: &str = "32"; // MANAGE_GUILD

#[tokio::test]
async fn kudos_is_confirmed_privately_stored_and_announced_without_mass_pings() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    let li = user(3, "li");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            11,
            "kudos",
            &ana,
            MEMBER,
            json!([
                {"name": "member", "type": 6, "value": "2"},
                {"name": "message", "type": 3, "value": "Thanks @everyone for <@&77> the queue"},
                {"name": "member2", "type": 6, "value": "3"},
                {"name": "value", "type": 3, "value": "teamwork"}
            ]),
            &[dana, li],
        ),
    );
    let reply = bot
        .fake
        .wait_for("the interaction reply", |r| {
            r.path == "/api/v10/interactions/11/token-11/callback"
        })
        .await;
    assert_eq!(reply.body["type"], 4);
    assert_eq!(
        reply.body["data"]["flags"], 64,
        "ephemeral: {:#}",
        reply.body
    );
    let content = reply.body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("Kudos sent to dana and li (#1)"),
        "{content}"
    );

    let post = bot
        .fake
        .wait_for("the announcement", |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
        })
        .await;
    assert_eq!(post.authorization.as_deref(), Some("Bot fake-token"));
    let body = &post.body;
    assert_eq!(body["content"], "🌟 <@2> and <@3>: <@1> says thank you!");
    let allowed = &body["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{allowed:#}");
    let mut users: Vec<String> = allowed["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    users.sort();
    assert_eq!(users, ["1", "2", "3"]);
    let embed = &body["embeds"][0];
    assert_eq!(embed["title"], "ana thanked dana and li");
    let text = embed["description"].as_str().unwrap();
    assert!(
        !text.contains("@everyone") && !text.contains("<@&"),
        "{text}"
    );
    assert!(embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["value"] == "Teamwork"));

    let stored = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].recipients.len(), 2);
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn refusals_are_private_and_a_redelivered_interaction_counts_once() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let robo = bot_user(50, "robo");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(21, "kudos", &ana, MEMBER, json!([{"name": "member", "type": 6, "value": "1"}, {"name": "message", "type": 3, "value": "me"}]), std::slice::from_ref(&ana)),
    );
    let reply = bot
        .fake
        .wait_for("self refusal", |r| r.path.contains("/interactions/21/"))
        .await;
    assert_eq!(reply.body["data"]["flags"], 64);
    assert_eq!(
        reply.body["data"]["content"],
        "You can't send kudos to yourself. Thank a colleague instead!"
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(22, "kudos", &ana, MEMBER, json!([{"name": "member", "type": 6, "value": "50"}, {"name": "message", "type": 3, "value": "beep"}]), &[robo]),
    );
    let reply = bot
        .fake
        .wait_for("bot refusal", |r| r.path.contains("/interactions/22/"))
        .await;
    assert_eq!(
        reply.body["data"]["content"],
        "robo is a bot; kudos are for people."
    );

    let dana = user(2, "dana");
    let kudos = slash(
        23,
        "kudos",
        &ana,
        MEMBER,
        json!([{"name": "member", "type": 6, "value": "2"}, {"name": "message", "type": 3, "value": "thanks"}]),
        &[dana],
    );
    bot.fake.dispatch("INTERACTION_CREATE", kudos.clone());
    bot.fake
        .wait_for("first delivery", |r| r.path.contains("/channels/"))
        .await;
    bot.fake.dispatch("INTERACTION_CREATE", kudos);
    let second = bot
        .fake
        .wait_for("second reply", |r| {
            r.path.contains("/interactions/23/")
                && r.body["data"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("already recorded"))
        })
        .await;
    assert_eq!(second.body["data"]["flags"], 64);
    let posts = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages"))
        .count();
    assert_eq!(posts, 1, "no second announcement");
    let stored = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_announcement_still_confirms_the_kudos() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    bot.fake
        .fail_next(&format!("/api/v10/channels/{CHANNEL_ID}/messages"), 500);
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake
        .dispatch("INTERACTION_CREATE", thank_dana(31, &ana, dana));
    let reply = bot
        .fake
        .wait_for("reply", |r| r.path.contains("/interactions/31/"))
        .await;
    assert!(reply.body["data"]["content"]
        .as_str()
        .unwrap()
        .contains("Kudos sent to dana"));
    bot.fake
        .wait_for("the attempted post", |r| r.path.contains("/channels/"))
        .await;
    let stored = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        1,
        "the kudos is kept even though the post failed"
    );
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn the_admin_group_is_hidden_from_members_and_refuses_crafted_calls() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let registered = bot
        .fake
        .wait_for("registration", |r| r.method == "PUT")
        .await;
    let group = registered
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "spotlight")
        .unwrap()
        .clone();
    assert_eq!(group["default_member_permissions"], "32", "{group:#}");
    let names: Vec<&str> = group["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for sub in [
        "channel",
        "timezone",
        "prompt-time",
        "allowance",
        "emoji",
        "week",
        "department",
        "values",
        "revoke",
        "coverage",
        "prompts",
        "status",
    ] {
        assert!(names.contains(&sub), "{sub} missing from {names:?}");
    }
    let ana = user(1, "ana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(41, "spotlight", &ana, MEMBER, json!([{"name": "allowance", "type": 1, "options": [{"name": "per_day", "type": 4, "value": 0}]}]), &[]),
    );
    let reply = bot
        .fake
        .wait_for("refusal", |r| r.path.contains("/interactions/41/"))
        .await;
    assert_eq!(reply.body["data"]["flags"], 64);
    assert!(
        reply.body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Only admins can use /spotlight"),
        "{:#}",
        reply.body
    );
    let ws = bot
        .test
        .core()
        .find_workspace(&super::fake::GUILD_ID.to_string())
        .await
        .unwrap();
    assert_eq!(ws.settings.daily_allowance, 5, "nothing changed");
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_403_on_the_celebration_channel_is_reported_to_admins_not_retried() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let boss = user(9, "boss");
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash_resolved(
            51,
            "spotlight",
            &boss,
            ADMIN,
            json!([{"name": "channel", "type": 1, "options": [{"name": "channel", "type": 7, "value": "300"}]}]),
            json!({"channels": {"300": channel(300, "celebrations")}}),
        ),
    );
    let reply = bot
        .fake
        .wait_for("channel set", |r| r.path.contains("/interactions/51/"))
        .await;
    assert_eq!(
        reply.body["data"]["content"],
        "Kudos will be announced in <#300>."
    );

    bot.fake.fail_next("/api/v10/channels/300/messages", 403);
    bot.fake
        .dispatch("INTERACTION_CREATE", thank_dana(52, &ana, dana));
    bot.fake
        .wait_for("kudos reply", |r| r.path.contains("/interactions/52/"))
        .await;
    bot.fake
        .wait_for("the refused post", |r| {
            r.path == "/api/v10/channels/300/messages"
        })
        .await;
    // The fake logs the request before the bot has read the 403; wait until it is recorded.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while bot
        .test
        .core()
        .store()
        .delivery_failures(1, 5)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the 403 was never recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // The member's next command does not show admin notices; the admin's next command does.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(53, "spotlight", &boss, ADMIN, json!([{"name": "values", "type": 1, "options": [{"name": "action", "type": 4, "value": 0}]}]), &[]),
    );
    let reply = bot
        .fake
        .wait_for("admin notice", |r| r.path.contains("/interactions/53/"))
        .await;
    let text = reply.body["data"]["content"].as_str().unwrap();
    assert!(text.contains("Posts I could not deliver"), "{text}");
    assert!(
        text.contains("announcement of kudos #1 in <#300>: missing permission to post there (403)"),
        "{text}"
    );
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            54,
            "spotlight",
            &boss,
            ADMIN,
            json!([{"name": "status", "type": 1, "options": []}]),
            &[],
        ),
    );
    let status = bot
        .fake
        .wait_for("status", |r| r.path.contains("/interactions/54/"))
        .await;
    let text = status.body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("(not retried)") && text.contains("celebration channel: <#300>"),
        "{text}"
    );
    let attempts = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v10/channels/300/messages")
        .count();
    assert_eq!(attempts, 1, "a 403 is not retried");
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_transient_500_is_retried() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    bot.fake
        .fail_next(&format!("/api/v10/channels/{CHANNEL_ID}/messages"), 500);
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake
        .dispatch("INTERACTION_CREATE", thank_dana(61, &ana, dana));
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .count()
        < 2
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no retry: {:#?}",
            bot.fake.requests()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let ws = bot
        .test
        .core()
        .find_workspace(&super::fake::GUILD_ID.to_string())
        .await
        .unwrap();
    let admin = spotlight::domain::model::Actor {
        member: bot.test.member(&ws, "boss").await,
        is_admin: true,
    };
    assert!(bot
        .test
        .core()
        .recent_failures(&ws, &admin)
        .await
        .unwrap()
        .is_empty());
    let _ = APP_ID;
    bot.stop().await.unwrap();
}

/// Polls the store until `check` holds (gateway events have no reply to wait for).
async fn eventually(
    bot: &Bot,
    what: &str,
    check: impl Fn(&[spotlight::domain::model::Kudos]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let all = bot
            .test
            .core()
            .store()
            .kudos_list(
                1,
                &KudosFilter {
                    include_removed: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if check(&all) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {all:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn the_kudos_emoji_thanks_the_author_and_taking_it_back_the_same_day_withdraws_it() {
    use spotlight::domain::model::KudosStatus;
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake
        .add_message(CHANNEL_ID, 777, dana.clone(), "I covered the queue");
    bot.fake
        .add_message(CHANNEL_ID, 778, ana.clone(), "my own message");

    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 777, 2, "👍"));
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 778, 1, "🌟"));
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 777, 2, "🌟"));
    eventually(&bot, "the reaction kudos", |k| k.len() == 1).await;
    let post = bot
        .fake
        .wait_for("announcement", |r| {
            r.method == "POST" && r.path.ends_with("/messages")
        })
        .await;
    assert_eq!(post.body["content"], "🌟 <@2>: <@1> says thank you!");
    let link = format!(
        "https://discord.com/channels/{}/{CHANNEL_ID}/777",
        super::fake::GUILD_ID
    );
    assert_eq!(post.body["embeds"][0]["url"], link.as_str());
    let all = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(all[0].message, link);
    assert_eq!(all[0].recipients[0].name, "dana");
    // A redelivered reaction adds nothing.
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 777, 2, "🌟"));
    // Gateway events are handled concurrently; let that one land before the removal: it has
    // fetched the message a second time once it is under way.
    let fetched = |bot: &Bot| {
        bot.fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/messages/777"))
            .count()
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while fetched(&bot) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the redelivery was never handled"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        bot.test
            .core()
            .store()
            .kudos_list(1, &KudosFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );

    bot.fake
        .dispatch("MESSAGE_REACTION_REMOVE", reaction_remove(1, 777, "🌟"));
    eventually(&bot, "the withdrawal", |k| {
        k.len() == 1 && k[0].status == KudosStatus::Undone
    })
    .await;
    let ws = bot
        .test
        .core()
        .find_workspace(&super::fake::GUILD_ID.to_string())
        .await
        .unwrap();
    let giver = bot
        .test
        .core()
        .member_by_external(&ws, "1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        bot.test.core().left_today(&ws, &giver).await.unwrap(),
        Some(5)
    );

    // Reacting again thanks again; removing it on another day keeps it.
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 777, 2, "🌟"));
    eventually(&bot, "the second reaction", |k| {
        k.iter().filter(|k| k.status == KudosStatus::Active).count() == 1
    })
    .await;
    bot.test.set_time("2026-10-06T09:00:00Z");
    bot.fake
        .dispatch("MESSAGE_REACTION_REMOVE", reaction_remove(1, 777, "🌟"));
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 777, 2, "👍"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let active = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(active.len(), 1, "yesterday's reaction kudos stays");
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn give_kudos_on_a_message_asks_for_the_text_and_links_the_message() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    let (modal, followup) = bot
        .give_kudos_on_message(71, &ana, dana, "Thanks for the quick refund")
        .await;
    assert_eq!(modal.body["type"], 9, "{:#}", modal.body);
    assert_eq!(followup.body["flags"], 64);
    assert!(
        followup.body["content"]
            .as_str()
            .unwrap()
            .contains("Kudos sent to dana"),
        "{:#}",
        followup.body
    );
    let post = bot
        .fake
        .wait_for("announcement", |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
        })
        .await;
    let link = format!(
        "https://discord.com/channels/{}/{CHANNEL_ID}/777",
        super::fake::GUILD_ID
    );
    assert_eq!(post.body["embeds"][0]["url"], link.as_str());
    assert_eq!(
        post.body["embeds"][0]["description"],
        "Thanks for the quick refund"
    );
    let stored = bot
        .test
        .core()
        .store()
        .kudos_list(1, &KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(stored[0].link.as_deref(), Some(link.as_str()));
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_the_command_in_flight_finish() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    bot.fake
        .slow_callbacks(std::time::Duration::from_millis(600));
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake
        .dispatch("INTERACTION_CREATE", thank_dana(81, &ana, dana));
    bot.fake
        .wait_for("the reply in flight", |r| {
            r.path.contains("/interactions/81/")
        })
        .await;
    let fake = bot.fake.clone();
    let db = bot.test.core().store().location().to_string();
    let _kept = bot.stop().await.unwrap();
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")),
        "the announcement was posted before the bot stopped"
    );
    // The database was closed cleanly and holds the kudos.
    let mut config = spotlight::config::Config::defaults();
    config.database.url = db;
    let store = spotlight::store::Store::connect(&config.database)
        .await
        .unwrap();
    assert_eq!(
        store
            .kudos_list(1, &KudosFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn commands_register_globally_without_a_dev_guild() {
    let bot = Bot::start_with("2026-10-05T09:00:00Z", false).await;
    let put = bot
        .fake
        .wait_for("registration", |r| r.method == "PUT")
        .await;
    assert_eq!(put.path, format!("/api/v10/applications/{APP_ID}/commands"));
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for name in [
        "kudos",
        "feedback",
        "leaderboard",
        "stats",
        "undo",
        "Give kudos",
        "spotlight",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn leaderboard_stats_feedback_and_undo_through_discord() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    let li = user(3, "li");
    let kudos = |id: u64, to: &serde_json::Value| {
        slash(
            id,
            "kudos",
            &ana,
            MEMBER,
            json!([{"name": "member", "type": 6, "value": to["id"]}, {"name": "message", "type": 3, "value": "thanks"}]),
            std::slice::from_ref(to),
        )
    };
    bot.fake.dispatch("INTERACTION_CREATE", kudos(91, &dana));
    bot.fake
        .wait_for("first", |r| r.path.contains("/interactions/91/"))
        .await;
    bot.fake.dispatch("INTERACTION_CREATE", kudos(92, &li));
    bot.fake
        .wait_for("second", |r| r.path.contains("/interactions/92/"))
        .await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(93, "feedback", &ana, MEMBER, json!([{"name": "member", "type": 6, "value": "3"}, {"name": "words", "type": 3, "value": "Li was wonderful"}, {"name": "customer", "type": 3, "value": "Maria"}]), std::slice::from_ref(&li)),
    );
    let post = bot
        .fake
        .wait_for("feedback post", |r| {
            r.path.contains("/channels/")
                && r.body["embeds"][0]["title"] == "Customer feedback for li"
        })
        .await;
    assert!(post.body["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["value"] == "Maria"));

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(94, "undo", &ana, MEMBER, json!([]), &[]),
    );
    let undo = bot
        .fake
        .wait_for("undo", |r| r.path.contains("/interactions/94/"))
        .await;
    assert_eq!(undo.body["data"]["flags"], 64);
    assert!(
        undo.body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Undone: your kudos #2 to li"),
        "{:#}",
        undo.body
    );

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            95,
            "leaderboard",
            &dana,
            MEMBER,
            json!([{"name": "period", "type": 4, "value": 5}]),
            &[],
        ),
    );
    let deferred = bot
        .fake
        .wait_for("deferral", |r| r.path.contains("/interactions/95/"))
        .await;
    assert_eq!(
        deferred.body["type"], 5,
        "deferred first: {:#}",
        deferred.body
    );
    let board = bot
        .fake
        .wait_for("the board", |r| {
            r.path
                .starts_with(&format!("/api/v10/webhooks/{APP_ID}/token-95"))
        })
        .await;
    let embed = &board.body["embeds"][0];
    assert_eq!(embed["title"], "🏆 People thanked — all time");
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains("**1.** dana — 1") && !text.contains("li — 1"),
        "{text}"
    );
    assert_eq!(embed["footer"]["text"], "You: #1 with 1 · times in UTC");
    assert_eq!(
        board.body["allowed_mentions"]["parse"],
        json!([]),
        "boards ping no one"
    );

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            96,
            "stats",
            &ana,
            MEMBER,
            json!([{"name": "member", "type": 6, "value": "3"}]),
            std::slice::from_ref(&li),
        ),
    );
    let stats = bot
        .fake
        .wait_for("stats", |r| r.path.contains("/interactions/96/"))
        .await;
    let text = stats.body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("Kudos received: 0 · given: 0 · customer feedback: 1"),
        "{text}"
    );
    bot.stop().await.unwrap();
}

/// Runs `/spotlight <sub> …` as the admin and returns the private reply's text.
async fn admin_says(
    bot: &Bot,
    id: u64,
    sub: &str,
    options: serde_json::Value,
    resolved: serde_json::Value,
) -> String {
    let boss = user(9, "boss");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash_resolved(
            id,
            "spotlight",
            &boss,
            ADMIN,
            json!([{"name": sub, "type": 1, "options": options}]),
            resolved,
        ),
    );
    let reply = bot
        .fake
        .wait_for(sub, |r| r.path.contains(&format!("/interactions/{id}/")))
        .await;
    assert_eq!(
        reply.body["data"]["flags"], 64,
        "admin replies are private: {:#}",
        reply.body
    );
    reply.body["data"]["content"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_admin_subcommand_changes_what_it_says() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let none = json!({});
    // Each subcommand's reply, in order (later ones see earlier changes).
    let steps = [
        (101, "timezone", json!([{"name": "zone", "type": 3, "value": "Europe/London"}]), "Time zone set to Europe/London."),
        (102, "timezone", json!([{"name": "zone", "type": 3, "value": "Mars/Base"}]), "'Mars/Base' is not an IANA time zone. Use a name such as Europe/London or America/New_York."),
        (103, "prompt-time", json!([{"name": "time", "type": 3, "value": "08:30"}]), "Daily prompts will be posted at 08:30 (Europe/London)."),
        (104, "emoji", json!([{"name": "emoji", "type": 3, "value": "🎉"}]), "Reacting with 🎉 now gives kudos."),
        (105, "allowance", json!([{"name": "per_day", "type": 4, "value": 3}]), "Daily allowance: 3 thank-yous per person per day."),
        (106, "week", json!([{"name": "start", "type": 3, "value": "2026-10-12"}]), "Customer Service Week 2026 runs 2026-10-12 to 2026-10-16."),
        (107, "week", json!([]), "Customer Service Week 2026 runs 2026-10-05 to 2026-10-09."),
    ];
    for (id, sub, options, expected) in steps {
        assert_eq!(
            admin_says(&bot, id, sub, options, none.clone()).await,
            expected,
            "/spotlight {sub}"
        );
    }
    let s = admin_says(&bot, 108, "values", json!([{"name": "action", "type": 4, "value": 1}, {"name": "name", "type": 3, "value": "Ownership"}]), none.clone()).await;
    assert!(s.ends_with("Integrity, Ownership"), "{s}");
    let s = admin_says(&bot, 109, "values", json!([{"name": "action", "type": 4, "value": 2}, {"name": "name", "type": 3, "value": "patience"}]), none.clone()).await;
    assert!(!s.contains("Patience"), "{s}");

    let li = user(3, "li");
    let s = admin_says(
        &bot,
        110,
        "department",
        json!([{"name": "name", "type": 3, "value": "Billing"}, {"name": "member", "type": 6, "value": "3"}]),
        json!({"users": {"3": li}}),
    )
    .await;
    assert_eq!(s, "li is now in Billing.");
    let s = admin_says(
        &bot,
        111,
        "department",
        json!([{"name": "name", "type": 3, "value": "Support"}, {"name": "role", "type": 8, "value": "400"}]),
        json!({"roles": {"400": role(400, "support-team")}}),
    )
    .await;
    assert_eq!(
        s,
        "Members with <@&400> count as Support from their next command."
    );
    // ana holds the role: her next command puts her in Support, and her thanks to li is cross-team.
    let ana = user(1, "ana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        with_roles(
            slash(112, "kudos", &ana, MEMBER, json!([{"name": "member", "type": 6, "value": "3"}, {"name": "message", "type": 3, "value": "thanks"}, {"name": "value", "type": 3, "value": "Ownership"}]), std::slice::from_ref(&li)),
            &[400],
        ),
    );
    bot.fake
        .wait_for("kudos", |r| r.path.contains("/interactions/112/"))
        .await;
    let ws = bot
        .test
        .core()
        .find_workspace(&super::fake::GUILD_ID.to_string())
        .await
        .unwrap();
    let lb = bot
        .test
        .core()
        .leaderboard(
            &ws,
            None,
            spotlight::domain::period::Period::Today,
            spotlight::domain::period::Board::CrossTeam,
            10,
        )
        .await
        .unwrap();
    assert_eq!(lb.lines[0].label, "Support → Billing");

    let s = admin_says(&bot, 113, "coverage", json!([]), none.clone()).await;
    assert!(
        s.contains("1 of 3 people thanked")
            && s.contains("Not thanked yet (only you can see this): ana, boss"),
        "{s}"
    );
    let s = admin_says(&bot, 114, "prompts", json!([{"name": "action", "type": 4, "value": 2}, {"name": "day", "type": 3, "value": "tuesday"}]), none.clone()).await;
    assert!(
        s.starts_with("Preview of day 2 (2026-10-06):\n**Internal customers**"),
        "{s}"
    );
    let s = admin_says(
        &bot,
        115,
        "prompts",
        json!([{"name": "action", "type": 4, "value": 1}]),
        none.clone(),
    )
    .await;
    assert_eq!(s, "The week's posts are off.");
    let s = admin_says(&bot, 116, "revoke", json!([{"name": "id", "type": 4, "value": 1}, {"name": "reason", "type": 3, "value": "test"}]), none.clone()).await;
    assert_eq!(
        s,
        "Revoked #1 (ana → li); it no longer counts on any board."
    );
    let s = admin_says(&bot, 117, "channel", json!([]), none.clone()).await;
    assert_eq!(
        s,
        "No celebration channel: kudos are announced where they are given."
    );
    let s = admin_says(&bot, 118, "status", json!([]), none).await;
    for part in [
        "time zone: Europe/London",
        "daily allowance: 3",
        "prompts: off at 08:30",
        "kudos emoji: 🎉",
        "Customer Service Week: 2026-10-05 to 2026-10-09",
        "all posts delivered",
    ] {
        assert!(s.contains(part), "{part} missing in {s}");
    }
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn values_and_time_zones_autocomplete() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        autocomplete(
            121,
            &ana,
            "kudos",
            json!([{"name": "value", "type": 3, "value": "team", "focused": true}]),
        ),
    );
    let reply = bot
        .fake
        .wait_for("value choices", |r| r.path.contains("/interactions/121/"))
        .await;
    assert_eq!(reply.body["type"], 8);
    let names: Vec<&str> = reply.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Teamwork"]);
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        autocomplete(
            122,
            &ana,
            "spotlight",
            json!([{"name": "timezone", "type": 1, "options": [{"name": "zone", "type": 3, "value": "lond", "focused": true}]}]),
        ),
    );
    let reply = bot
        .fake
        .wait_for("zone choices", |r| r.path.contains("/interactions/122/"))
        .await;
    let names: Vec<&str> = reply.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Europe/London"), "{names:?}");
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn the_daily_prompt_arrives_as_a_channel_message() {
    let bot = Bot::start_configured("2026-10-05T07:59:00Z", true, true).await;
    let boss = user(9, "boss");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash_resolved(
            131,
            "spotlight",
            &boss,
            ADMIN,
            json!([{"name": "channel", "type": 1, "options": [{"name": "channel", "type": 7, "value": "300"}]}]),
            json!({"channels": {"300": channel(300, "celebrations")}}),
        ),
    );
    bot.fake
        .wait_for("channel set", |r| r.path.contains("/interactions/131/"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !bot.fake
            .requests()
            .iter()
            .any(|r| r.path == "/api/v10/channels/300/messages"),
        "nothing before 09:00"
    );
    bot.test.set_time("2026-10-05T09:00:00Z");
    let post = bot
        .fake
        .wait_for("the prompt", |r| {
            r.method == "POST" && r.path == "/api/v10/channels/300/messages"
        })
        .await;
    let embed = &post.body["embeds"][0];
    assert_eq!(
        embed["title"],
        "Customer Service Week, day 1: Thank a teammate"
    );
    assert!(
        embed["description"].as_str().unwrap().contains("Try this:"),
        "{embed:#}"
    );
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let count = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v10/channels/300/messages")
        .count();
    assert_eq!(count, 1, "posted once, however many ticks ran");
    bot.stop().await.unwrap();
}

/// `/kudos member:dana message:thanks` from `from`.
fn thank_dana(id: u64, from: &serde_json::Value, dana: serde_json::Value) -> serde_json::Value {
    slash(
        id,
        "kudos",
        from,
        MEMBER,
        json!([{"name": "member", "type": 6, "value": "2"}, {"name": "message", "type": 3, "value": "thanks"}]),
        &[dana],
    )
}

#[tokio::test]
async fn the_wall_is_set_up_with_spotlight_wall_and_stats_carries_the_own_book() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let none = json!({});
    let on = admin_says(
        &bot,
        171,
        "wall",
        json!([{"name": "action", "type": 4, "value": 1}]),
        none.clone(),
    )
    .await;
    assert!(
        on.starts_with("🧱 The wall of thanks is on: http://localhost:8080/wall/"),
        "{on}"
    );
    assert!(on.contains("/spotlight wall rotate"), "{on}");
    let link = on
        .split_whitespace()
        .find(|w| w.contains("/wall/"))
        .unwrap();
    let token = link.rsplit('/').next().unwrap();
    let core = bot.test.core();
    assert!(core.wall_by_token(token).await.unwrap().is_some());
    let shown = admin_says(&bot, 172, "wall", json!([]), none.clone()).await;
    assert!(shown.contains(link), "showing keeps the link: {shown}");
    let customers = admin_says(
        &bot,
        173,
        "wall",
        json!([{"name": "action", "type": 4, "value": 4}]),
        none.clone(),
    )
    .await;
    assert!(
        customers.contains("Customers' names are shown"),
        "{customers}"
    );
    let off = admin_says(
        &bot,
        174,
        "wall",
        json!([{"name": "action", "type": 4, "value": 2}]),
        none.clone(),
    )
    .await;
    assert!(off.starts_with("The wall of thanks is off."), "{off}");
    assert!(core.wall_by_token(token).await.unwrap().is_none());

    let ana = user(1, "ana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(175, "stats", &ana, MEMBER, json!([]), &[]),
    );
    let reply = bot
        .fake
        .wait_for("stats", |r| r.path.contains("/interactions/175/"))
        .await;
    assert_eq!(reply.body["data"]["flags"], 64);
    let text = reply.body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("Your thank-you book") && text.contains("/book/"),
        "{text}"
    );
}
