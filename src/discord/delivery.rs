//! Channel posts from commands and reactions (announcements): retried, recorded for admins
//! when they cannot go out, and held over a shutdown that interrupts them.

use poise::serenity_prelude as serenity;

use super::{send, PLATFORM};
use crate::app::App;
use crate::domain::model::Workspace;

/// Turns true when shutdown begins, for work that would otherwise wait past it (a long
/// rate limit). In serenity's type map, so every handler's context reaches it.
pub(super) struct Stopping;

impl serenity::prelude::TypeMapKey for Stopping {
    type Value = tokio::sync::watch::Receiver<bool>;
}

/// Posts a message, waiting out rate limits (429 with Retry-After) and retrying other transient
/// failures (5xx, network) twice with backoff. A refusal (403 missing permission, 404 unknown
/// channel) is not retried; every failure that remains is recorded for the admins' `status` and
/// their next command. A post that shutdown interrupts is held, and sent when the bot is back.
pub async fn deliver(
    ctx: &serenity::Context,
    app: &App,
    ws: &Workspace,
    channel: serenity::ChannelId,
    what: &str,
    message: serenity::CreateMessage,
) -> Option<serenity::Message> {
    let stopping = ctx.data.read().await.get::<Stopping>().cloned();
    let body = match serde_json::to_value(&message) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "a message could not be written as JSON");
            return None;
        }
    };
    deliver_json(&ctx.http, stopping, app, ws, channel, what, &body).await
}

async fn deliver_json(
    http: &serenity::Http,
    stopping: Option<tokio::sync::watch::Receiver<bool>>,
    app: &App,
    ws: &Workspace,
    channel: serenity::ChannelId,
    what: &str,
    body: &serde_json::Value,
) -> Option<serenity::Message> {
    let stopped = || stopping.as_ref().is_some_and(|s| *s.borrow());
    let mut delay = std::time::Duration::from_millis(250);
    for attempt in 1..=3 {
        match send::send(http, channel, body, stopping.clone(), send::MAX_WAIT).await {
            Ok(sent) => return Some(sent),
            Err(e) => {
                let status = e.status;
                let permanent = status.is_some_and(|s| (400..500).contains(&s) && s != 429);
                if !permanent && stopped() {
                    hold(app, ws, channel, what, body).await;
                    return None;
                }
                // A rate limit send() did not wait out may not be retried sooner: given up.
                if permanent || attempt == 3 || status == Some(429) {
                    let reason = match status {
                        Some(403) => "missing permission to post there (403)".to_string(),
                        Some(429) => {
                            "Discord rate-limited it (429) for longer than Spotlight waits"
                                .to_string()
                        }
                        Some(404) => "the channel no longer exists (404)".to_string(),
                        Some(s) => format!("Discord answered {s} after {attempt} attempts"),
                        None => format!("{} after {attempt} attempts", e.detail),
                    };
                    record_failure(app, ws, channel, what, &reason, permanent).await;
                    return None;
                }
                tracing::info!(%channel, attempt, error = %e, "post failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
        }
    }
    None
}

async fn record_failure(
    app: &App,
    ws: &Workspace,
    channel: serenity::ChannelId,
    what: &str,
    reason: &str,
    permanent: bool,
) {
    if let Err(e) = app
        .spotlight
        .delivery_failed(ws, what, Some(&channel.to_string()), reason, permanent)
        .await
    {
        tracing::error!(error = ?e, "could not record a delivery failure");
    }
}

/// Keeps a post that shutdown interrupted, for `send_held` at the next start.
async fn hold(
    app: &App,
    ws: &Workspace,
    channel: serenity::ChannelId,
    what: &str,
    body: &serde_json::Value,
) {
    let post = crate::store::HeldPost {
        workspace: ws.id,
        what: what.to_string(),
        channel: channel.to_string(),
        body: body.to_string(),
    };
    tracing::info!(%channel, what, "stopping: the post is held for the next start");
    if let Err(e) = app
        .spotlight
        .store()
        .hold_post(PLATFORM, &post, app.spotlight.now())
        .await
    {
        tracing::error!(error = ?e, "could not hold a post over the shutdown");
        record_failure(
            app,
            ws,
            channel,
            what,
            "Spotlight stopped before it was posted",
            false,
        )
        .await;
    }
}

/// Sends the posts the last shutdown held, each once.
pub(super) async fn send_held(
    app: App,
    http: std::sync::Arc<serenity::Http>,
    stopping: tokio::sync::watch::Receiver<bool>,
) {
    let held = match app.spotlight.store().take_held_posts(PLATFORM).await {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(error = ?e, "could not read the posts held over the last shutdown");
            return;
        }
    };
    for post in held {
        let (Ok(ws), Ok(channel), Ok(body)) = (
            app.spotlight.store().workspace(post.workspace).await,
            post.channel
                .parse::<u64>()
                .ok()
                .filter(|c| *c != 0)
                .ok_or(()),
            serde_json::from_str::<serde_json::Value>(&post.body),
        ) else {
            tracing::warn!(what = %post.what, "a held post could not be read back; dropped");
            continue;
        };
        let channel = serenity::ChannelId::new(channel);
        deliver_json(
            &http,
            Some(stopping.clone()),
            &app,
            &ws,
            channel,
            &post.what,
            &body,
        )
        .await;
    }
}
