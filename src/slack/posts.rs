//! The week's posts in Slack: the celebration channel, and the thank-you book as a direct
//! message (posting to a user id opens the bot's DM with them).

use super::{render, CallError, Slack};
use crate::domain::model::Workspace;
use crate::scheduler::{DeliveryError, Post, Recipient, Sink};

pub struct SlackSink {
    pub slack: Slack,
}

impl Sink for SlackSink {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let Some(token) = self.slack.token_for(&ws.external_id).await else {
            return Err(DeliveryError::Permanent(
                "Spotlight is no longer installed in this workspace".into(),
            ));
        };
        let channel =
            match &post.to {
                Recipient::Channel => ws.settings.celebration_channel.clone().ok_or_else(|| {
                    DeliveryError::Permanent("no celebration channel is set".into())
                })?,
                Recipient::Member { external_id, .. } => external_id.clone(),
            };
        let mut content = render::post(&post.title, &post.body);
        if post.to == Recipient::Channel && !post.mentions.is_empty() {
            // The winners are named by id, so Slack mentions them; nothing typed can ping.
            let who: Vec<String> = post.mentions.iter().map(|id| format!("<@{id}>")).collect();
            let line = format!("🎉 Congratulations {}!", crate::render::names(&who));
            let mut blocks = content.blocks.take().unwrap_or_default();
            blocks.insert(1.min(blocks.len()), render::section(&line));
            content = content.with_blocks(blocks);
        }
        self.slack
            .api
            .post(&token, &channel, content)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                CallError::Permanent(s) => DeliveryError::Permanent(s),
                CallError::Transient(s) => DeliveryError::Transient(s),
            })
    }
}
