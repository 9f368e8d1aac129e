//! The week's scheduled posts on Discord: embeds in the celebration channel, and the thank-you
//! book as direct messages.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::http_status;
use crate::domain::model::Workspace;
use crate::scheduler::{DeliveryError, Post, Recipient, Sink};

const GOLD: u32 = 0xF5B301;

/// One workspace's rate limit is waited out in place only this long: every workspace's posts
/// share the scheduler's tick. A longer one goes back to the scheduler, which retries no sooner.
const MAX_WAIT_IN_TICK: std::time::Duration = std::time::Duration::from_secs(5);

pub struct DiscordSink {
    pub http: Arc<serenity::Http>,
    /// Turns true at shutdown: a rate-limit wait then gives the post back to the scheduler.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

fn classify(e: serenity::Error) -> DeliveryError {
    classify_failure(&super::send::Failure {
        status: http_status(&e),
        detail: e.to_string(),
        retry_after: None,
    })
}

fn classify_failure(e: &super::send::Failure) -> DeliveryError {
    if let (Some(429), Some(after)) = (e.status, e.retry_after) {
        return DeliveryError::RateLimited {
            error: "Discord answered 429".into(),
            after,
        };
    }
    match e.status {
        Some(403) => DeliveryError::Permanent("missing permission to post there (403)".into()),
        Some(404) => DeliveryError::Permanent("the channel no longer exists (404)".into()),
        Some(s) if (400..500).contains(&s) && s != 429 => {
            DeliveryError::Permanent(format!("Discord answered {s}"))
        }
        Some(s) => DeliveryError::Transient(format!("Discord answered {s}")),
        None => DeliveryError::Transient(e.detail.clone()),
    }
}

fn json(message: &serenity::CreateMessage) -> Result<serde_json::Value, DeliveryError> {
    serde_json::to_value(message).map_err(|e| DeliveryError::Permanent(e.to_string()))
}

/// Discord refuses an embed whose description passes 4,096 characters (title included in a 6,000
/// total); this leaves room for the title.
const DESCRIPTION_CHARS: usize = 4000;

/// The body cut to `max` characters between lines, keeping its last paragraph (a book's link,
/// a how-to) whole.
fn fit(body: &str, max: usize) -> String {
    if body.chars().count() <= max {
        return body.to_string();
    }
    let (head, tail) = match body.rsplit_once("\n\n") {
        Some((head, tail)) if tail.chars().count() < max / 2 => (head, Some(tail)),
        _ => (body, None),
    };
    let tail_len = tail.map_or(0, |t| t.chars().count() + 2);
    let room = max.saturating_sub(tail_len + 2);
    let mut kept = String::new();
    for line in head.split('\n') {
        if kept.chars().count() + line.chars().count() + 1 > room {
            break;
        }
        if !kept.is_empty() {
            kept.push('\n');
        }
        kept.push_str(line);
    }
    if kept.is_empty() {
        kept = head.chars().take(room).collect();
    }
    kept.push_str("\n…");
    if let Some(tail) = tail {
        kept.push_str("\n\n");
        kept.push_str(tail);
    }
    kept
}

impl Sink for DiscordSink {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let embed = serenity::CreateEmbed::new()
            .title(&post.title)
            .description(fit(&post.body, DESCRIPTION_CHARS))
            .colour(GOLD);
        let mut message = serenity::CreateMessage::new()
            .embed(embed)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        let winners: Vec<serenity::UserId> = post
            .mentions
            .iter()
            .filter_map(|id| id.parse::<u64>().ok().map(serenity::UserId::new))
            .collect();
        if post.to == Recipient::Channel && !winners.is_empty() {
            // The awards' winners are mentioned (and only they can be pinged).
            let who: Vec<String> = winners.iter().map(|u| format!("<@{u}>")).collect();
            message = message
                .content(format!(
                    "🎉 Congratulations {}!",
                    crate::render::names(&who)
                ))
                .allowed_mentions(serenity::CreateAllowedMentions::new().users(winners));
        }
        let channel = match &post.to {
            Recipient::Channel => super::celebration_channel(ws).ok_or_else(|| {
                DeliveryError::Permanent(
                    "no celebration channel is set (/spotlight channel)".into(),
                )
            })?,
            Recipient::Member { external_id, .. } => {
                let user = external_id
                    .parse::<u64>()
                    .map(serenity::UserId::new)
                    .map_err(|_| {
                        DeliveryError::Permanent(format!("'{external_id}' is not a Discord user"))
                    })?;
                user.create_dm_channel(&self.http)
                    .await
                    .map_err(classify)?
                    .id
            }
        };
        // A short 429 is waited out in place; anything else transient is retried by the scheduler.
        super::send::send(
            &self.http,
            channel,
            &json(&message)?,
            Some(self.stopping.clone()),
            MAX_WAIT_IN_TICK,
        )
        .await
        .map_err(|e| classify_failure(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_bodies_fit_an_embed_and_keep_their_last_paragraph() {
        let lines = vec!["• ana (Monday): “Thanks for the handover, really”"; 300].join("\n");
        let body = format!("Intro\n{lines}\n\n📖 Your book: http://x/book/1-ab");
        let fitted = super::fit(&body, super::DESCRIPTION_CHARS);
        assert!(fitted.chars().count() <= super::DESCRIPTION_CHARS);
        assert!(fitted.starts_with("Intro\n• ana"));
        assert!(
            fitted.ends_with("…\n\n📖 Your book: http://x/book/1-ab"),
            "{fitted}"
        );
        assert_eq!(super::fit("short", 4000), "short");
        let one_line = "x".repeat(9000);
        assert!(super::fit(&one_line, 4000).chars().count() <= 4000);
    }
}
