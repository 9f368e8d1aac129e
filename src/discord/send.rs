//! Posting a channel message with Discord's rate limits honoured.
//!
//! With a proxy configured, serenity's own rate limiter is off (it would ignore the proxy), and
//! serenity then neither waits out a 429 nor keeps its `Retry-After`: its error keeps only the
//! status. So on that path the request is made here, from serenity's own request builder, and a
//! 429 is waited out for exactly as long as Discord asked before the same call is made again.

use std::sync::OnceLock;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::http::{LightMethod, Request, Route};

/// A rate limit is waited out this many times for one message.
const RATE_LIMIT_RETRIES: u32 = 3;
/// A `Retry-After` longer than this is never waited out inside a post (callers may choose a
/// shorter limit): the post fails, carrying the wait, and is not retried before it has passed.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Discord always sends Retry-After with a 429; should a proxy drop it, wait this long.
const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// Why a post failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The HTTP status, when Discord answered at all.
    pub status: Option<u16>,
    pub detail: String,
    /// A 429's wait that was not waited out here (too long, too many, or shutdown): nothing may
    /// retry the post before it has passed.
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn from_serenity(e: &serenity::Error) -> Self {
        Self {
            status: super::http_status(e),
            detail: e.to_string(),
            retry_after: None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "Discord answered {s}"),
            None => f.write_str(&self.detail),
        }
    }
}

/// Posts `message` in `channel`, waiting out rate limits; any other failure is returned at once.
/// A wait ends early, as a failure, when `stopping` turns true: the scheduler's claim on the
/// post is then released for a retry instead of holding up shutdown.
/// `message` is the JSON of a `CreateMessage` (one held over a restart comes back as JSON).
pub async fn send(
    http: &serenity::Http,
    channel: serenity::ChannelId,
    message: &serde_json::Value,
    mut stopping: Option<tokio::sync::watch::Receiver<bool>>,
    max_wait: Duration,
) -> Result<serenity::Message, Failure> {
    if http.ratelimiter.is_some() {
        // serenity's limiter waits out 429s itself.
        return http
            .send_message(channel, Vec::new(), message)
            .await
            .map_err(|e| Failure::from_serenity(&e));
    }
    let mut waits = 0;
    loop {
        match post_once(http, channel, message).await {
            Ok(sent) => return Ok(sent),
            Err((failure, Some(wait)))
                if waits < RATE_LIMIT_RETRIES && wait <= max_wait.min(MAX_WAIT) =>
            {
                waits += 1;
                tracing::info!(%channel, ?wait, "rate limited by Discord; waiting");
                let stopped = async {
                    match stopping.as_mut() {
                        Some(stop) => {
                            let _ = stop.wait_for(|s| *s).await;
                        }
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = stopped => return Err(Failure { retry_after: Some(wait), ..failure }),
                }
            }
            Err((mut failure, wait)) => {
                failure.retry_after = wait;
                return Err(failure);
            }
        }
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// One POST; a failure carries how long to wait when it was a rate limit.
async fn post_once(
    http: &serenity::Http,
    channel_id: serenity::ChannelId,
    message: &serde_json::Value,
) -> Result<serenity::Message, (Failure, Option<Duration>)> {
    let other = |detail: String| {
        (
            Failure {
                status: None,
                detail,
                retry_after: None,
            },
            None,
        )
    };
    let body = serde_json::to_vec(message).map_err(|e| other(e.to_string()))?;
    let request = Request::new(Route::ChannelMessages { channel_id }, LightMethod::Post)
        .body(Some(body))
        .build(client(), http.token(), http.proxy.as_deref())
        .map_err(|e| other(e.to_string()))?;
    let response = request.send().await.map_err(|e| other(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        return response
            .json::<serenity::Message>()
            .await
            .map_err(|e| other(format!("Discord's answer could not be read: {e}")));
    }
    let header = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok());
    let text = response.text().await.unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let wait = (status.as_u16() == 429).then(|| {
        header
            .or_else(|| json["retry_after"].as_f64())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(DEFAULT_WAIT, Duration::from_secs_f64)
    });
    let detail = json["message"].as_str().unwrap_or(&text).to_string();
    Err((
        Failure {
            status: Some(status.as_u16()),
            detail,
            retry_after: None,
        },
        wait,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_failure_names_the_status_or_the_cause() {
        let f = super::Failure {
            status: Some(503),
            detail: "x".into(),
            retry_after: None,
        };
        assert_eq!(f.to_string(), "Discord answered 503");
        let f = super::Failure {
            status: None,
            detail: "connection refused".into(),
            retry_after: None,
        };
        assert_eq!(f.to_string(), "connection refused");
    }
}
