//! Platform faults against the fake Discord and the fake Slack (a gateway that drops, 5xx
//! storms, 429s with Retry-After, answers slower than Discord's three seconds, a shutdown in the
//! middle of it all), and start-up on a data folder that cannot be written.

mod discord;
mod discord_slow;
mod discord_week;
mod read_only;
mod slack;

use std::time::Duration;

/// Waits (up to `limit`) until `check` holds, polling every 20 ms.
pub async fn until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
