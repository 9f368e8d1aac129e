//! The week's scheduled posts on Discord: embeds in the celebration channel, and the thank-you
//! book as direct messages.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::http_status;
use crate::domain::model::Workspace;
use crate::scheduler::{DeliveryError, Post, Recipient, Sink};

const GOLD: u32 = 0xF5B301;

pub struct DiscordSink {
    pub http: Arc<serenity::Http>,
}

fn classify(e: serenity::Error) -> DeliveryError {
    match http_status(&e) {
        Some(403) => DeliveryError::Permanent("missing permission to post there (403)".into()),
        Some(404) => DeliveryError::Permanent("the channel no longer exists (404)".into()),
        Some(s) if (400..500).contains(&s) && s != 429 => {
            DeliveryError::Permanent(format!("Discord answered {s}"))
        }
        Some(s) => DeliveryError::Transient(format!("Discord answered {s}")),
        None => DeliveryError::Transient(e.to_string()),
    }
}

impl Sink for DiscordSink {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let embed = serenity::CreateEmbed::new()
            .title(&post.title)
            .description(&post.body)
            .colour(GOLD);
        let message = serenity::CreateMessage::new()
            .embed(embed)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
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
        channel
            .send_message(&self.http, message)
            .await
            .map_err(classify)?;
        Ok(())
    }
}
