//! Customer Service Week on Discord while the gateway keeps dropping between days.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::discord::fake::{FakeDiscord, GatewayDrop, Request};
use crate::discord::payloads::{channel, slash, slash_resolved, user};
use crate::discord::Bot;

pub const CELEBRATIONS: u64 = 300;
const ADMIN: &str = "32"; // MANAGE_GUILD

/// `/kudos member:dana message:<text>` from ana.
pub fn kudos(id: u64, text: &str) -> serde_json::Value {
    slash(
        id,
        "kudos",
        &user(1, "ana"),
        "0",
        json!([{"name": "member", "type": 6, "value": "2"}, {"name": "message", "type": 3, "value": text}]),
        &[user(2, "dana")],
    )
}

/// The boss makes #celebrations (300) the celebration channel.
pub async fn set_channel(bot: &Bot, id: u64) {
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash_resolved(
            id,
            "spotlight",
            &user(9, "boss"),
            ADMIN,
            json!([{"name": "channel", "type": 1, "options": [{"name": "channel", "type": 7, "value": CELEBRATIONS.to_string()}]}]),
            json!({"channels": {"300": channel(CELEBRATIONS, "celebrations")}}),
        ),
    );
    bot.fake
        .wait_for("channel set", |r| {
            r.path.contains(&format!("/interactions/{id}/"))
        })
        .await;
}

/// Every message posted in `channel`, in order.
pub fn posts_in(fake: &FakeDiscord, channel: u64) -> Vec<Request> {
    let path = format!("/api/v10/channels/{channel}/messages");
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

/// A scheduled post by its embed's title; an announcement (which alone has text above its
/// embed) by what the kudos said.
fn label(r: &Request) -> String {
    let embed = &r.body["embeds"][0];
    match r.body["content"].as_str() {
        Some(text) if !text.is_empty() => {
            format!("kudos: {}", embed["description"].as_str().unwrap_or(""))
        }
        _ => embed["title"].as_str().unwrap_or("").to_string(),
    }
}

/// Sets the clock to `at` and waits until `n` messages have reached the channel.
async fn post_at(bot: &Bot, at: &str, n: usize) {
    bot.test.set_time(at);
    crate::faults::until(
        &format!("post {n} at {at}"),
        Duration::from_secs(20),
        || {
            let count = posts_in(&bot.fake, CELEBRATIONS).len();
            async move { count >= n }
        },
    )
    .await;
}

#[tokio::test]
async fn the_week_goes_out_exactly_once_while_the_gateway_drops_between_days() {
    let bot = Bot::start_configured("2026-10-05T08:59:00Z", true, true).await;
    set_channel(&bot, 1000).await;
    // Monday: the kick-off prompt, then a kudos, then the day's recap.
    post_at(&bot, "2026-10-05T09:00:00Z", 1).await;
    let mut expected = 1;
    // One way of losing the gateway per night; each time the next post is due before the bot
    // is back, and a member's command must be answered once it is.
    let nights = [
        GatewayDrop::Close(4000),
        GatewayDrop::Abrupt,
        GatewayDrop::Reconnect,
        GatewayDrop::InvalidSession(false),
    ];
    let days = ["05", "06", "07", "08", "09"];
    for (i, day) in days.iter().enumerate() {
        let interaction = 1001 + i as u64;
        let text = format!("thanks for day {}", i + 1);
        bot.fake
            .dispatch("INTERACTION_CREATE", kudos(interaction, &text));
        let reply = bot
            .fake
            .wait_for("the kudos answer", |r| {
                r.path
                    == format!("/api/v10/interactions/{interaction}/token-{interaction}/callback")
            })
            .await;
        assert_eq!(reply.body["type"], 4, "{:#}", reply.body);
        expected += 1; // its announcement
        if i == 2 {
            // Midweek, in the middle of the day too: a resumable invalid session.
            let before = bot.fake.sessions();
            bot.fake.drop_gateway(GatewayDrop::InvalidSession(true));
            bot.fake.wait_sessions(before.0 + before.1 + 1).await;
        }
        if *day == "09" {
            // Friday: the awards (and the thank-you book by DM) at 16:00; no recap.
            expected += 1;
            post_at(&bot, "2026-10-09T16:00:00Z", expected).await;
            break;
        }
        expected += 1;
        post_at(&bot, &format!("2026-10-{day}T17:00:00Z"), expected).await;
        let before = bot.fake.sessions();
        bot.fake.drop_gateway(nights[i]);
        expected += 1;
        let next = days[i + 1];
        post_at(&bot, &format!("2026-10-{next}T09:00:00Z"), expected).await;
        bot.fake.wait_sessions(before.0 + before.1 + 1).await;
    }
    // Ticks keep coming every 50 ms: give them time to post anything twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for post in posts_in(&bot.fake, CELEBRATIONS) {
        *seen.entry(label(&post)).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "posted more than once: {twice:#?}");
    let titles: Vec<&String> = seen.keys().collect();
    for day in 1..=5 {
        assert!(
            titles
                .iter()
                .any(|t| t.starts_with(&format!("Customer Service Week, day {day}:"))),
            "day {day}'s prompt: {titles:#?}"
        );
    }
    assert_eq!(
        seen.len(),
        expected,
        "5 prompts, 4 recaps, the awards and 5 announcements: {titles:#?}"
    );
    assert_eq!(
        seen.keys().filter(|t| t.starts_with("kudos: ")).count(),
        5,
        "{titles:#?}"
    );
    // dana's thank-you book, by DM (the fake numbers DM channels 6 + user id).
    // (Her first thanks also brought her a welcome by DM; the book is the one with an embed.)
    let books: Vec<_> = posts_in(&bot.fake, 62)
        .into_iter()
        .filter(|r| r.body["embeds"].as_array().is_some_and(|e| !e.is_empty()))
        .collect();
    assert_eq!(books.len(), 1, "one thank-you book: {books:#?}");
    let (identified, resumed) = bot.fake.sessions();
    assert!(
        resumed >= 3,
        "resumed after a close, op 7 and op 9 (true): {resumed}"
    );
    assert!(
        identified >= 2,
        "identified anew after an invalid session: {identified}"
    );
    let stored = bot
        .test
        .core()
        .store()
        .kudos_list(1, &spotlight::store::KudosFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 5, "each kudos stored once");
    bot.stop().await.unwrap();
}
