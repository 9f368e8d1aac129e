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
        self.slack
            .api
            .post(&token, &channel, render::post(&post.title, &post.body))
            .await
            .map(|_| ())
            .map_err(|e| match e {
                CallError::Permanent(s) => DeliveryError::Permanent(s),
                CallError::Transient(s) => DeliveryError::Transient(s),
            })
    }
}
