//! Slack's Web API in a storm: 429s with Retry-After in a row, and 5xx answers.

use std::time::Duration;

use crate::slack::fake::Call;
use crate::slack::SlackBot;

fn gaps(calls: &[Call]) -> Vec<Duration> {
    calls.windows(2).map(|w| w[1].at - w[0].at).collect()
}

async fn workspace(bot: &SlackBot) -> spotlight::domain::model::Workspace {
    bot.test.core().find_workspace("slack:T1").await.unwrap()
}

async fn posts_settle(bot: &SlackBot, n: usize) -> Vec<Call> {
    super::until(
        &format!("{n} channel posts"),
        Duration::from_secs(15),
        || {
            let got = bot.fake.channel_posts().len();
            async move { got >= n }
        },
    )
    .await;
    // Time for anything extra to show up.
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Channel posts only: a first thanks also sends dana her welcome by DM.
    bot.fake.channel_posts()
}

#[tokio::test]
async fn a_storm_of_429s_is_waited_out_call_by_call_and_posts_once() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    for _ in 0..3 {
        bot.fake.rate_limit_next("chat.postMessage", 1);
    }
    let reply = bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    assert!(
        reply.text().contains("Kudos sent to dana"),
        "{}",
        reply.body
    );
    let calls = posts_settle(&bot, 4).await;
    assert_eq!(calls.len(), 4, "three 429s, then the post");
    assert!(
        gaps(&calls).iter().all(|g| *g >= Duration::from_secs(1)),
        "each Retry-After honoured: {:?}",
        gaps(&calls)
    );
    assert!(calls.windows(2).all(|w| w[0].body == w[1].body));
    let ws = workspace(&bot).await;
    let store = bot.test.core().store();
    assert!(store.delivery_failures(ws.id, 5).await.unwrap().is_empty());
    assert_eq!(
        store
            .kudos_list(ws.id, &Default::default())
            .await
            .unwrap()
            .len(),
        1
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_5xx_storm_is_retried_with_backoff_then_recorded_and_posting_resumes() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    for code in [500, 502, 503] {
        bot.fake.status_next("chat.postMessage", code);
    }
    let reply = bot.command("UANA", "/kudos", "<@UDANA> in the storm").await;
    assert!(
        reply.text().contains("Kudos sent to dana"),
        "{}",
        reply.body
    );
    let calls = posts_settle(&bot, 3).await;
    assert_eq!(calls.len(), 3, "tried three times, then given up");
    let gaps = gaps(&calls);
    assert!(
        gaps[0] >= Duration::from_millis(250) && gaps[1] >= Duration::from_millis(1000),
        "backed off: {gaps:?}"
    );
    let ws = workspace(&bot).await;
    let store = bot.test.core().store();
    super::until("the failure recorded", Duration::from_secs(5), || async {
        !store.delivery_failures(ws.id, 5).await.unwrap().is_empty()
    })
    .await;
    let failures = store.delivery_failures(ws.id, 5).await.unwrap();
    assert!(
        failures[0].reason.contains("Slack answered 503") && !failures[0].permanent,
        "{failures:#?}"
    );
    // The storm is over: the next kudos goes out at once.
    bot.command("UANA", "/kudos", "<@UDANA> after the storm")
        .await;
    let calls = posts_settle(&bot, 4).await;
    assert_eq!(calls.len(), 4);
    assert_eq!(
        store
            .kudos_list(ws.id, &Default::default())
            .await
            .unwrap()
            .len(),
        2
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_retry_after_longer_than_a_minute_is_not_cut_short() {
    let bot = SlackBot::start("2026-10-05T09:00:00Z").await;
    bot.fake.rate_limit_next("chat.postMessage", 120);
    bot.command("UANA", "/kudos", "<@UDANA> thanks").await;
    let ws = workspace(&bot).await;
    let store = bot.test.core().store();
    super::until("the failure recorded", Duration::from_secs(10), || async {
        !store.delivery_failures(ws.id, 5).await.unwrap().is_empty()
    })
    .await;
    let calls = posts_settle(&bot, 1).await;
    assert_eq!(calls.len(), 1, "not retried after a shortened wait");
    let failures = store.delivery_failures(ws.id, 5).await.unwrap();
    assert!(
        failures[0].reason.contains("still rate limited"),
        "{failures:#?}"
    );
    bot.stop().await;
}
