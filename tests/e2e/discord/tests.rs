use serde_json::json;
use spotlight::store::KudosFilter;

use super::fake::{APP_ID, CHANNEL_ID};
use super::payloads::{bot_user, slash, user};
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
        .filter(|r| r.path.contains("/channels/"))
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
    let _ = APP_ID;
    let _ = ADMIN;
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_announcement_still_confirms_the_kudos() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    bot.fake
        .fail_next(&format!("/api/v10/channels/{CHANNEL_ID}/messages"), 500);
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(31, "kudos", &ana, MEMBER, json!([{"name": "member", "type": 6, "value": "2"}, {"name": "message", "type": 3, "value": "thanks"}]), &[dana]),
    );
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
