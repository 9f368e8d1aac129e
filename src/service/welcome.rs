//! The one-time welcome: the first time someone uses Spotlight, is thanked, or (on Slack) joins
//! the workspace, they get a short private note. Once per person per workspace, stored so it
//! survives restarts; while an admin has welcomes off, a newcomer's first time passes unwelcomed.

use chrono::Datelike;

use super::Spotlight;
use crate::domain::error::Result;
use crate::domain::model::{Actor, Member, MemberId, Welcome, Workspace};
use crate::domain::text::defuse_mentions;
use crate::domain::themes::fill;
use crate::store::SettingChange;

/// Why someone is welcomed, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WelcomeReason {
    FirstUse,
    Thanked,
    Joined,
}

impl WelcomeReason {
    fn as_str(self) -> &'static str {
        match self {
            WelcomeReason::FirstUse => "first_use",
            WelcomeReason::Thanked => "thanked",
            WelcomeReason::Joined => "joined",
        }
    }
}

impl Spotlight {
    /// The welcome for a member's first command, exactly once; `None` afterwards, for bots, and
    /// while welcomes are off.
    pub async fn welcome_first_use(
        &self,
        ws: &Workspace,
        member: &Member,
    ) -> Result<Option<Welcome>> {
        if member.is_bot {
            return Ok(None);
        }
        self.welcome(
            ws,
            &member.external_id,
            &member.display_name,
            WelcomeReason::FirstUse,
            None,
        )
        .await
    }

    /// Every welcome a new thank-you brings: the giver's own on their first use, then those of
    /// the people it reached for the first time. Nothing when it was a redelivery.
    pub async fn welcomes_for_kudos(
        &self,
        ws: &Workspace,
        giver: &Member,
        given: &crate::domain::model::Given,
    ) -> Result<Vec<Welcome>> {
        if !given.created {
            return Ok(Vec::new());
        }
        let mut out: Vec<Welcome> = self
            .welcome_first_use(ws, giver)
            .await?
            .into_iter()
            .collect();
        let reached: Vec<MemberId> = given.kudos.recipients.iter().map(|p| p.id).collect();
        out.extend(
            self.welcome_thanked(ws, &giver.display_name, &reached)
                .await?,
        );
        Ok(out)
    }

    /// The welcome for someone who just joined the workspace (Slack's `team_join`).
    pub async fn welcome_joined(
        &self,
        ws: &Workspace,
        external_id: &str,
        name: &str,
        is_bot: bool,
    ) -> Result<Option<Welcome>> {
        if is_bot {
            return Ok(None);
        }
        self.welcome(ws, external_id, name, WelcomeReason::Joined, None)
            .await
    }

    /// Welcomes for the people a thank-you just reached for the first time, to be sent to
    /// them privately.
    pub async fn welcome_thanked(
        &self,
        ws: &Workspace,
        giver: &str,
        recipients: &[MemberId],
    ) -> Result<Vec<Welcome>> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        let unknown: Vec<MemberId> = match self.welcomed_members.lock() {
            Ok(known) => recipients
                .iter()
                .filter(|id| !known.contains(id))
                .copied()
                .collect(),
            Err(_) => recipients.to_vec(),
        };
        if unknown.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for m in self.store.members_in(ws.id, &unknown).await? {
            if m.is_bot {
                continue;
            }
            if let Some(w) = self
                .welcome(
                    ws,
                    &m.external_id,
                    &m.display_name,
                    WelcomeReason::Thanked,
                    Some(giver),
                )
                .await?
            {
                out.push(w);
            }
            // Welcomed now or before (or passed while welcomes were off): never looked up again.
            if let Ok(mut known) = self.welcomed_members.lock() {
                known.insert(m.id);
            }
        }
        Ok(out)
    }

    async fn welcome(
        &self,
        ws: &Workspace,
        external_id: &str,
        name: &str,
        reason: WelcomeReason,
        giver: Option<&str>,
    ) -> Result<Option<Welcome>> {
        let key = (ws.id, external_id.to_string());
        if self
            .welcomed
            .lock()
            .map(|w| w.contains(&key))
            .unwrap_or(false)
        {
            return Ok(None);
        }
        let first = if self.store.welcomed(ws.id, external_id).await? {
            false
        } else {
            self.store
                .claim_welcome(ws.id, external_id, reason.as_str(), self.now())
                .await?
        };
        if let Ok(mut w) = self.welcomed.lock() {
            w.insert(key);
        }
        if !first || !ws.settings.welcome_enabled {
            return Ok(None);
        }
        tracing::info!(workspace = ws.id, who = external_id, ?reason, "welcomed");
        Ok(Some(Welcome {
            external_id: external_id.to_string(),
            name: name.to_string(),
            text: self.welcome_text(ws, reason, giver),
        }))
    }

    /// The welcome's words, from `config/prompts.toml`, with nothing in them able to ping.
    pub fn welcome_text(
        &self,
        ws: &Workspace,
        reason: WelcomeReason,
        giver: Option<&str>,
    ) -> String {
        let texts = &self.plan.welcome;
        let week = self.week_dates(ws, self.today(ws).year());
        let body = fill(
            &texts.text,
            &[
                ("emoji", ws.settings.kudos_emoji.clone()),
                ("start", week.start.format("%a %-d %b").to_string()),
                ("end", week.end.format("%a %-d %b %Y").to_string()),
            ],
        );
        let head = match reason {
            WelcomeReason::FirstUse => None,
            WelcomeReason::Thanked => Some(fill(
                &texts.thanked,
                &[("giver", giver.unwrap_or("A colleague").to_string())],
            )),
            WelcomeReason::Joined => Some(texts.joined.clone()),
        };
        defuse_mentions(&match head {
            Some(h) if !h.trim().is_empty() => format!("{h}\n{body}"),
            _ => body,
        })
    }

    /// Admins switch the one-time welcome on or off.
    pub async fn set_welcome(&self, ws: &Workspace, actor: &Actor, on: bool) -> Result<Workspace> {
        Self::require_admin(actor, "change the welcome")?;
        self.store
            .change_setting(ws.id, &SettingChange::Welcome(on))
            .await?;
        tracing::info!(workspace = ws.id, on, "welcome switched");
        self.reload(ws).await
    }
}
