//! Discord's REST answering 5xx storms and 429s with Retry-After, and a shutdown in the middle
//! of it all (a rate limit, a locked database) followed by a restart.

use std::time::Duration;

use sqlx::Connection;

use super::discord_slow::lock_database;
use super::discord_week::{kudos, posts_in, set_channel, CELEBRATIONS};
use crate::discord::fake::{Request, APP_ID, CHANNEL_ID};
use crate::discord::Bot;

/// The posts that carry a kudos saying `text`.
fn announcing(posts: &[Request], text: &str) -> Vec<Request> {
    posts
        .iter()
        .filter(|r| {
            r.body["embeds"][0]["description"]
                .as_str()
                .is_some_and(|d| d.contains(text))
        })
        .cloned()
        .collect()
}

/// The prompt posts (their embed titles name the day).
fn prompts(posts: &[Request]) -> Vec<Request> {
    posts
        .iter()
        .filter(|r| {
            r.body["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Customer Service Week, day"))
        })
        .cloned()
        .collect()
}

fn gaps(posts: &[Request]) -> Vec<Duration> {
    posts.windows(2).map(|w| w[1].at - w[0].at).collect()
}

pub(super) async fn answered(bot: &Bot, id: u64) -> Request {
    bot.fake
        .wait_for("the kudos answer", |r| {
            r.path == format!("/api/v10/interactions/{id}/token-{id}/callback")
        })
        .await
}

pub(super) async fn failures(bot: &Bot) -> Vec<spotlight::store::DeliveryFailure> {
    failures_in(&bot.test).await
}

pub(super) async fn failures_in(
    test: &crate::support::TestApp,
) -> Vec<spotlight::store::DeliveryFailure> {
    test.core().store().delivery_failures(1, 10).await.unwrap()
}

pub(super) async fn stored(bot: &Bot) -> usize {
    bot.test
        .core()
        .store()
        .kudos_list(1, &spotlight::store::KudosFilter::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_5xx_storm_is_retried_with_backoff_recorded_for_admins_and_posting_resumes() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    for code in [500, 502, 503, 500, 502, 503] {
        bot.fake.fail_next(&path, code);
    }
    for (n, (id, text)) in [(201, "storm one"), (202, "storm two")].iter().enumerate() {
        bot.fake.dispatch("INTERACTION_CREATE", kudos(*id, text));
        let reply = answered(&bot, *id).await;
        let content = reply.body["data"]["content"].as_str().unwrap();
        assert!(content.contains("Kudos sent to dana"), "{content}");
        super::until("the failure recorded", Duration::from_secs(10), || async {
            failures(&bot).await.len() > n
        })
        .await;
    }
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(203, "after the storm"));
    answered(&bot, 203).await;
    super::until("the post after the storm", Duration::from_secs(10), || {
        let n = announcing(&posts_in(&bot.fake, CHANNEL_ID), "after the storm").len();
        async move { n == 1 }
    })
    .await;

    let posts = posts_in(&bot.fake, CHANNEL_ID);
    for text in ["storm one", "storm two"] {
        let tries = announcing(&posts, text);
        assert_eq!(tries.len(), 3, "three attempts, then given up: {text}");
        let gaps = gaps(&tries);
        assert!(
            gaps[0] >= Duration::from_millis(250) && gaps[1] >= Duration::from_millis(1000),
            "backed off: {gaps:?}"
        );
    }
    assert_eq!(bot.fake.failures_left(), 0);
    let recorded = failures(&bot).await;
    assert_eq!(recorded.len(), 2, "{recorded:#?}");
    assert!(
        recorded
            .iter()
            .all(|f| f.reason == "Discord answered 503 after 3 attempts" && !f.permanent),
        "{recorded:#?}"
    );
    assert_eq!(stored(&bot).await, 3, "each kudos stored once");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        posts_in(&bot.fake, CHANNEL_ID).len(),
        7,
        "nothing more was tried"
    );
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_week_post_in_a_5xx_storm_waits_for_the_schedulers_backoff_instead_of_looping() {
    let bot = Bot::start_configured("2026-10-05T08:59:00Z", true, true).await;
    set_channel(&bot, 210).await;
    let path = format!("/api/v10/channels/{CELEBRATIONS}/messages");
    bot.fake.fail_next(&path, 500);
    bot.fake.fail_next(&path, 503);
    // The clock stands still while the scheduler ticks every 50 ms: a retry can only come from
    // the ledger's backoff (1, then 5 minutes), never from a loop.
    for (at, attempts) in [
        ("2026-10-05T09:00:00Z", 1),
        ("2026-10-05T09:00:59Z", 1),
        ("2026-10-05T09:01:00Z", 2),
        ("2026-10-05T09:05:59Z", 2),
        ("2026-10-05T09:06:00Z", 3),
    ] {
        bot.test.set_time(at);
        super::until(
            &format!("attempt {attempts}"),
            Duration::from_secs(10),
            || {
                let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
                async move { n >= attempts }
            },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
        assert_eq!(n, attempts, "at {at}");
    }
    assert_eq!(bot.fake.failures_left(), 0);
    let ledger = bot.test.core().store().ledger(1).await.unwrap();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(
        (ledger[0].3.as_str(), ledger[0].4),
        ("delivered", 3),
        "{ledger:?}"
    );
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after_then_delivered_once() {
    let bot = Bot::start_configured("2026-10-05T08:59:00Z", true, true).await;
    set_channel(&bot, 220).await;
    let path = format!("/api/v10/channels/{CELEBRATIONS}/messages");
    // The header, as Discord sends it.
    bot.fake.rate_limit_next(&path, 1.5, true);
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(221, "rate limited once"));
    answered(&bot, 221).await;
    // Only the body's retry_after, three times in a row.
    super::until("the first announcement", Duration::from_secs(10), || {
        let n = announcing(&posts_in(&bot.fake, CELEBRATIONS), "rate limited once").len();
        async move { n == 2 }
    })
    .await;
    for _ in 0..3 {
        bot.fake.rate_limit_next(&path, 0.4, false);
    }
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(222, "limited thrice"));
    answered(&bot, 222).await;
    super::until("the second announcement", Duration::from_secs(10), || {
        let n = announcing(&posts_in(&bot.fake, CELEBRATIONS), "limited thrice").len();
        async move { n == 4 }
    })
    .await;
    // The week's prompt, through the scheduler's sink.
    bot.fake.rate_limit_next(&path, 1.0, true);
    bot.test.set_time("2026-10-05T09:00:00Z");
    super::until("the prompt", Duration::from_secs(10), || {
        let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
        async move { n == 2 }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let posts = posts_in(&bot.fake, CELEBRATIONS);
    let once = announcing(&posts, "rate limited once");
    assert_eq!(once.len(), 2, "one 429, one delivery");
    assert!(
        gaps(&once)[0] >= Duration::from_millis(1500),
        "{:?}",
        gaps(&once)
    );
    let thrice = announcing(&posts, "limited thrice");
    assert_eq!(thrice.len(), 4, "three 429s, one delivery");
    assert!(
        gaps(&thrice)
            .iter()
            .all(|g| *g >= Duration::from_millis(400)),
        "{:?}",
        gaps(&thrice)
    );
    let prompt = prompts(&posts);
    assert_eq!(prompt.len(), 2, "one 429, one delivery");
    assert!(gaps(&prompt)[0] >= Duration::from_millis(1000));
    assert_eq!(bot.fake.failures_left(), 0);
    assert!(failures(&bot).await.is_empty(), "nothing was given up");
    let ledger = bot.test.core().store().ledger(1).await.unwrap();
    assert_eq!(
        (ledger[0].3.as_str(), ledger[0].4, ledger[0].5),
        ("delivered", 1, false),
        "waited out in place, on time: {ledger:?}"
    );
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_shutdown_in_the_middle_of_a_storm_loses_nothing_after_restart() {
    let bot = Bot::start_configured("2026-10-05T08:59:00Z", true, true).await;
    set_channel(&bot, 240).await;
    let path = format!("/api/v10/channels/{CELEBRATIONS}/messages");
    // The prompt meets a rate limit short enough to be waited out in the tick (5 s)...
    bot.fake.rate_limit_next(&path, 5.0, true);
    bot.test.set_time("2026-10-05T09:00:00Z");
    super::until("the rate-limited prompt", Duration::from_secs(10), || {
        let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
        async move { n == 1 }
    })
    .await;
    // ...a kudos meets a locked database, and a long rate limit waits for its announcement...
    let mut holder = lock_database(&bot).await;
    bot.fake.rate_limit_next(&path, 30.0, true);
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(241, "through the shutdown"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ...when the bot is asked to stop.
    let fake = bot.fake.clone();
    let stopping = tokio::spawn(bot.stop());
    let deferral = fake
        .wait_for("the deferral", |r| r.path.contains("/interactions/241/"))
        .await;
    assert_eq!(deferral.body["type"], 5, "deferred while stopping");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    let test = stopping.await.unwrap().unwrap();
    let hook = format!("/api/v10/webhooks/{APP_ID}/token-241");
    let answer = fake
        .wait_for("the answer before stopping", |r| r.path.starts_with(&hook))
        .await;
    assert!(
        answer.body["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Kudos sent to dana"),
        "{:#}",
        answer.body
    );
    let posts = posts_in(&fake, CELEBRATIONS);
    assert_eq!(prompts(&posts).len(), 1, "the prompt's wait was cut short");
    assert_eq!(
        announcing(&posts, "through the shutdown").len(),
        1,
        "the 429 was not waited out past the shutdown"
    );
    assert!(failures_in(&test).await.is_empty(), "held, not given up");

    // Back on the same database, with Discord healthy again.
    let bot = Bot::start_on(fake, test).await;
    bot.test.set_time("2026-10-05T09:01:00Z");
    super::until(
        "the prompt after the restart",
        Duration::from_secs(10),
        || {
            let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
            async move { n == 2 }
        },
    )
    .await;
    super::until("the held announcement", Duration::from_secs(10), || {
        let n = announcing(&posts_in(&bot.fake, CELEBRATIONS), "through the shutdown").len();
        async move { n == 2 }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let posts = posts_in(&bot.fake, CELEBRATIONS);
    assert_eq!(prompts(&posts).len(), 2, "delivered once after the restart");
    let announced = announcing(&posts, "through the shutdown");
    assert_eq!(announced.len(), 2, "the 429, then once after the restart");
    assert_eq!(announced[0].body, announced[1].body, "the same message");
    assert_eq!(stored(&bot).await, 1, "the acknowledged kudos, once");
    assert!(failures(&bot).await.is_empty(), "nothing given up");
    let ledger = bot.test.core().store().ledger(1).await.unwrap();
    assert_eq!(
        (ledger[0].3.as_str(), ledger[0].4),
        ("delivered", 2),
        "{ledger:?}"
    );
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_retry_after_longer_than_a_minute_is_never_cut_short() {
    let bot = Bot::start_configured("2026-10-05T08:59:00Z", true, true).await;
    set_channel(&bot, 260).await;
    let path = format!("/api/v10/channels/{CELEBRATIONS}/messages");
    // An announcement is not held up for two minutes: it is given up and the admins told.
    bot.fake.rate_limit_next(&path, 120.0, true);
    bot.fake
        .dispatch("INTERACTION_CREATE", kudos(261, "a long limit"));
    answered(&bot, 261).await;
    super::until("the failure recorded", Duration::from_secs(10), || async {
        !failures(&bot).await.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let posts = posts_in(&bot.fake, CELEBRATIONS);
    assert_eq!(
        announcing(&posts, "a long limit").len(),
        1,
        "not retried early"
    );
    assert_eq!(
        failures(&bot).await[0].reason,
        "Discord rate-limited it (429) for longer than Spotlight waits"
    );
    // The scheduler retries a prompt no sooner than Discord asked, past its own one minute.
    bot.fake.rate_limit_next(&path, 120.0, true);
    for (at, attempts) in [
        ("2026-10-05T09:00:00Z", 1),
        ("2026-10-05T09:01:00Z", 1),
        ("2026-10-05T09:01:59Z", 1),
        ("2026-10-05T09:02:00Z", 2),
    ] {
        bot.test.set_time(at);
        super::until(
            &format!("attempt {attempts}"),
            Duration::from_secs(10),
            || {
                let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
                async move { n >= attempts }
            },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let n = prompts(&posts_in(&bot.fake, CELEBRATIONS)).len();
        assert_eq!(n, attempts, "at {at}");
    }
    let ledger = bot.test.core().store().ledger(1).await.unwrap();
    assert_eq!(
        (ledger[0].3.as_str(), ledger[0].4),
        ("delivered", 2),
        "{ledger:?}"
    );
    bot.stop().await.unwrap();
}
