//! Commands slower than Discord's three seconds: the interaction is deferred in time and the
//! real answer (or a short apology) follows.

use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Connection};

use super::discord::{answered, stored};
use super::discord_week::kudos;
use crate::discord::fake::APP_ID;
use crate::discord::Bot;

/// Holds SQLite's write lock from another connection, as a backup or a second process would.
pub(super) async fn lock_database(bot: &Bot) -> sqlx::SqliteConnection {
    let db = bot.test.core().store().location().to_string();
    let mut holder = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap();
    holder
}

#[tokio::test]
async fn a_command_slower_than_three_seconds_is_deferred_in_time_then_answered() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let mut holder = lock_database(&bot).await;
    let sent = Instant::now();
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(231, "despite the lock"));
    let deferral = answered(&bot, 231).await;
    assert_eq!(deferral.body["type"], 5, "{:#}", deferral.body);
    assert_eq!(
        deferral.body["data"]["flags"], 64,
        "the answer will be private"
    );
    assert!(
        deferral.at - sent < Duration::from_secs(3),
        "inside Discord's window: {:?}",
        deferral.at - sent
    );
    // Past the window, then the database is free again.
    tokio::time::sleep_until((sent + Duration::from_millis(3500)).into()).await;
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    let hook = format!("/api/v10/webhooks/{APP_ID}/token-231");
    let answer = bot
        .fake
        .wait_for("the real answer", |r| r.path.starts_with(&hook))
        .await;
    let content = answer.body["content"].as_str().unwrap_or_default();
    assert!(content.contains("Kudos sent to dana"), "{:#}", answer.body);
    let callbacks = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.contains("/interactions/231/"))
        .count();
    assert_eq!(callbacks, 1, "one initial response");
    assert_eq!(stored(&bot).await, 1);
    holder.close().await.unwrap();
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_command_that_outlasts_the_busy_database_gets_a_short_apology_after_its_deferral() {
    let fake = crate::discord::fake::FakeDiscord::start().await;
    let base = fake.base_url.clone();
    let test = crate::support::TestApp::with_config("2026-10-05T09:00:00Z", move |c| {
        c.discord.api_base_url = base;
        c.discord.dev_guild_id = crate::discord::fake::GUILD_ID.to_string();
        c.defaults.prompts_enabled = false;
        c.database.busy_timeout_ms = 3000;
    })
    .await;
    let bot = Bot::start_on(fake, test).await;
    let mut holder = lock_database(&bot).await;
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(251, "while it is locked"));
    let deferral = answered(&bot, 251).await;
    assert_eq!(deferral.body["type"], 5, "{:#}", deferral.body);
    let hook = format!("/api/v10/webhooks/{APP_ID}/token-251");
    let answer = bot
        .fake
        .wait_for("the apology", |r| r.path.starts_with(&hook))
        .await;
    assert_eq!(
        answer.body["content"], "The database is busy right now. Please try again in a moment.",
        "{:#}",
        answer.body
    );
    assert_eq!(answer.body["flags"], 64, "private");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    assert_eq!(stored(&bot).await, 0, "nothing was acknowledged");
    // The database is free again: the next command is fast and answered directly.
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(252, "once it is free"));
    let reply = answered(&bot, 252).await;
    assert_eq!(reply.body["type"], 4, "{:#}", reply.body);
    assert_eq!(stored(&bot).await, 1);
    let callbacks = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.contains("/interactions/251/"))
        .count();
    assert_eq!(callbacks, 1, "one initial response");
    bot.stop().await.unwrap();
}
