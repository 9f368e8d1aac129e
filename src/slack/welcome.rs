//! Welcomes on Slack: a direct message for someone thanked for the first time or new to the
//! workspace (`team_join`), and posts recorded for the admins when they cannot be delivered.

use slack_morphism::prelude::*;

use super::{render, CallError, Slack, PLATFORM};
use crate::domain::model::{Welcome, Workspace};

impl Slack {
    /// Posts `content` in the celebration channel (or `here`); a failure is recorded for the
    /// admins' status.
    pub async fn post_or_record(
        &self,
        token: &SlackApiToken,
        ws: &Workspace,
        here: &str,
        what: &str,
        content: SlackMessageContent,
    ) {
        let channel = ws
            .settings
            .celebration_channel
            .clone()
            .unwrap_or_else(|| here.to_string());
        if let Err(e) = self.api.post(token, &channel, content).await {
            let permanent = matches!(e, CallError::Permanent(_));
            if let Err(err) = self
                .app
                .spotlight
                .delivery_failed(ws, what, Some(&channel), &e.to_string(), permanent)
                .await
            {
                tracing::error!(error = ?err, "could not record a delivery failure");
            }
        }
    }

    /// Sends each welcome as a direct message (posting to a user id opens the bot's DM).
    pub async fn send_welcomes(&self, token: &SlackApiToken, ws: &Workspace, welcomes: &[Welcome]) {
        for w in welcomes {
            let content = render::plain(&w.text);
            if let Err(e) = self.api.post(token, &w.external_id, content).await {
                // A welcome is a courtesy: it is logged, not retried or shown to admins.
                tracing::warn!(workspace = ws.id, who = %w.external_id, error = %e, "could not send a welcome");
            }
        }
    }

    /// `team_join`: someone new in the workspace gets the welcome once.
    pub async fn joined(&self, team: &str, user: &SlackUser) -> anyhow::Result<()> {
        let Some(token) = self.token_for(team).await else {
            return Ok(());
        };
        let core = &self.app.spotlight;
        let ws = core.workspace(PLATFORM, team, None).await?;
        let name = user
            .profile
            .as_ref()
            .and_then(|p| p.display_name.clone().filter(|n| !n.is_empty()))
            .or_else(|| user.name.clone())
            .unwrap_or_else(|| user.id.0.clone());
        let is_bot = user.flags.is_bot.unwrap_or(false);
        if let Some(w) = core.welcome_joined(&ws, &user.id.0, &name, is_bot).await? {
            self.send_welcomes(&token, &ws, &[w]).await;
        }
        Ok(())
    }
}
