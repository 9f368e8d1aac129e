use chrono::Duration;

use super::{human_duration, next_local_midnight, Spotlight};
use crate::domain::error::{Error, Refusal, Result};
use crate::domain::model::{
    Actor, FeedbackRequest, Given, Kudos, KudosId, KudosKind, KudosRequest, KudosStatus, Member,
    MemberId, MemberRef, Person, Workspace,
};
use crate::domain::period::buckets_for;
use crate::domain::text::{clean_message, clean_name, match_value};
use crate::store::{InsertKudos, Stored};

/// The classic Customer Service Week exercise: the person on your left, on your right, and one more.
pub const MAX_KUDOS_RECIPIENTS: usize = 3;
/// A customer's compliment may name a whole shift.
pub const MAX_FEEDBACK_RECIPIENTS: usize = 10;
const MAX_CUSTOMER_NAME: usize = 100;

impl Spotlight {
    /// Thanks one to three colleagues. Refusals name the rule that stopped it.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, giver = giver.id))]
    pub async fn give_kudos(
        &self,
        ws: &Workspace,
        giver: &Member,
        req: KudosRequest,
    ) -> Result<Given> {
        let recipients =
            Self::check_recipients(giver, &req.recipients, MAX_KUDOS_RECIPIENTS, true)?;
        let message = clean_message(&req.message, self.rules.max_message_chars)?;
        let value = match req
            .value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(v) => Some(match_value(v, &ws.settings.values)?),
            None => None,
        };
        let insert = self
            .prepare(ws, giver, KudosKind::Kudos, message)
            .map(|mut k| {
                k.value = value;
                k.channel = req.channel;
                k.event_id = req.event_id;
                k.link = req.link;
                k.allowance = ws.settings.daily_allowance;
                k
            })?;
        self.store_and_load(ws, giver, insert, &recipients).await
    }

    /// Records a customer's compliment about one or more colleagues, counted apart from kudos.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, giver = giver.id))]
    pub async fn record_feedback(
        &self,
        ws: &Workspace,
        giver: &Member,
        req: FeedbackRequest,
    ) -> Result<Given> {
        let recipients =
            Self::check_recipients(giver, &req.recipients, MAX_FEEDBACK_RECIPIENTS, false)?;
        let message =
            clean_message(&req.message, self.rules.max_message_chars).map_err(|r| match r {
                Refusal::EmptyMessage => Refusal::EmptyFeedback,
                other => other,
            })?;
        let customer = match req
            .customer
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => Some(clean_name(c, MAX_CUSTOMER_NAME)?),
            None => None,
        };
        let mut insert = self.prepare(ws, giver, KudosKind::Feedback, message)?;
        insert.customer = customer;
        insert.channel = req.channel;
        insert.event_id = req.event_id;
        self.store_and_load(ws, giver, insert, &recipients).await
    }

    /// Takes back the giver's latest kudos within the undo window; the allowance is given back.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, giver = giver.id))]
    pub async fn undo(&self, ws: &Workspace, giver: &Member) -> Result<Kudos> {
        let Some(latest) = self.store.latest_active_kudos(giver.id).await? else {
            return Err(Refusal::NothingToUndo.into());
        };
        let age = self.now() - latest.created_at;
        let window = self.rules.undo_window_minutes;
        if age > Duration::minutes(i64::from(window)) {
            return Err(Refusal::UndoWindowPassed {
                id: latest.id,
                minutes_ago: age.num_minutes(),
                window,
            }
            .into());
        }
        self.remove(ws, latest.id, KudosStatus::Undone, None, None)
            .await
    }

    /// How long a giver can take back a kudos, as configured.
    pub fn undo_window_minutes(&self) -> u32 {
        self.rules.undo_window_minutes
    }

    /// Withdraws the thank-you a platform gesture made (a reaction taken away), if it was made
    /// today in the workspace's zone; the allowance is given back. `None` when there is nothing
    /// of today's to withdraw.
    pub async fn retract_gesture(
        &self,
        ws: &Workspace,
        giver: &Member,
        event_id: &str,
    ) -> Result<Option<KudosId>> {
        let id = self
            .store
            .retract_event(ws.id, giver.id, event_id, self.today(ws), self.now())
            .await?;
        if let Some(id) = id {
            tracing::info!(kudos = id, "gesture withdrawn");
            self.publish(ws, super::WallChange::Removed(id)).await;
        }
        Ok(id)
    }

    /// An admin takes any kudos or shout-out out of every board; it stays stored as revoked.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, admin = actor.member.id, kudos = id))]
    pub async fn revoke(
        &self,
        ws: &Workspace,
        actor: &Actor,
        id: KudosId,
        reason: &str,
    ) -> Result<Kudos> {
        Self::require_admin(actor, "revoke kudos")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Refusal::MissingReason.into());
        }
        let reason = clean_message(reason, self.rules.max_message_chars)?;
        self.remove(
            ws,
            id,
            KudosStatus::Revoked,
            Some(actor.member.id),
            Some(&reason),
        )
        .await
    }

    pub async fn kudos_by_id(&self, ws: &Workspace, id: KudosId) -> Result<Kudos> {
        self.store
            .kudos(ws.id, id)
            .await?
            .ok_or_else(|| Refusal::KudosNotFound(id).into())
    }

    /// Recipients the member may still thank today; `None` when the allowance is unlimited.
    pub async fn left_today(&self, ws: &Workspace, member: &Member) -> Result<Option<u32>> {
        let allowance = ws.settings.daily_allowance;
        if allowance == 0 {
            return Ok(None);
        }
        let used = self.store.allowance_used(member.id, self.today(ws)).await?;
        Ok(Some(allowance.saturating_sub(used)))
    }

    async fn remove(
        &self,
        ws: &Workspace,
        id: KudosId,
        status: KudosStatus,
        by: Option<MemberId>,
        reason: Option<&str>,
    ) -> Result<Kudos> {
        let kudos = self.kudos_by_id(ws, id).await?;
        if kudos.status != KudosStatus::Active
            || !self
                .store
                .set_kudos_status(id, status, by, reason, self.now())
                .await?
        {
            return Err(Refusal::AlreadyRemoved(id).into());
        }
        tracing::info!(kudos = id, ?status, "kudos removed from the boards");
        self.publish(ws, super::WallChange::Removed(id)).await;
        Ok(Kudos { status, ..kudos })
    }

    /// The checks that need no database; membership and recorded bots are checked by the write.
    fn check_recipients(
        giver: &Member,
        named: &[MemberRef],
        max: usize,
        is_kudos: bool,
    ) -> Result<Vec<MemberRef>> {
        let mut unique: Vec<MemberRef> = Vec::with_capacity(named.len());
        for who in named {
            let seen = unique.iter().any(|u| match (u, who) {
                (MemberRef::Id(a), MemberRef::Id(b)) => a == b,
                (MemberRef::User(a), MemberRef::User(b)) => a.external_id == b.external_id,
                _ => false,
            });
            if !seen {
                unique.push(who.clone());
            }
        }
        if unique.is_empty() {
            return Err(if is_kudos {
                Refusal::NoRecipients
            } else {
                Refusal::NoFeedbackRecipients
            }
            .into());
        }
        if unique.len() > max {
            return Err(if is_kudos {
                Refusal::TooManyRecipients {
                    max,
                    given: unique.len(),
                }
            } else {
                Refusal::TooManyFeedbackRecipients {
                    max,
                    given: unique.len(),
                }
            }
            .into());
        }
        let is_giver = |who: &MemberRef| match who {
            MemberRef::Id(id) => *id == giver.id,
            MemberRef::User(u) => u.external_id == giver.external_id,
        };
        if unique.iter().any(is_giver) {
            return Err(if is_kudos {
                Refusal::SelfKudos
            } else {
                Refusal::SelfFeedback
            }
            .into());
        }
        if let Some(MemberRef::User(bot)) = unique
            .iter()
            .find(|w| matches!(w, MemberRef::User(u) if u.is_bot))
        {
            return Err(Refusal::BotRecipient(bot.name.clone()).into());
        }
        Ok(unique)
    }

    /// Explains why the store refused the recipients.
    async fn recipient_refusal(&self, ws: &Workspace, ids: &[MemberId]) -> Error {
        match self.store.members_in(ws.id, ids).await {
            Ok(members) => match members.iter().find(|m| m.is_bot) {
                Some(bot) => Refusal::BotRecipient(bot.display_name.clone()).into(),
                None => Error::Internal(anyhow::anyhow!(
                    "recipients {ids:?} are not all members of workspace {}",
                    ws.id
                )),
            },
            Err(e) => e.into(),
        }
    }

    fn prepare(
        &self,
        ws: &Workspace,
        giver: &Member,
        kind: KudosKind,
        message: String,
    ) -> Result<InsertKudos> {
        let now = self.now();
        let local_date = now.with_timezone(&ws.settings.timezone).date_naive();
        let week = self.week_dates(ws, chrono::Datelike::year(&local_date));
        let theme = match week.day_number(local_date) {
            Some(day) => self
                .plan_for(ws)
                .days
                .get(usize::from(day).wrapping_sub(1))
                .map(|t| t.title.clone()),
            _ => None,
        };
        Ok(InsertKudos {
            workspace_id: ws.id,
            kind,
            giver_id: giver.id,
            recipients: Vec::new(),
            message,
            value: None,
            customer: None,
            channel: None,
            event_id: None,
            link: None,
            theme,
            created_at: now,
            local_date,
            buckets: buckets_for(local_date, week.contains(local_date)),
            allowance: 0,
        })
    }

    async fn store_and_load(
        &self,
        ws: &Workspace,
        giver: &Member,
        insert: InsertKudos,
        recipients: &[MemberRef],
    ) -> Result<Given> {
        let allowance = ws.settings.daily_allowance;
        // People already on record as the platform names them need no write of their own: the
        // kudos is then one statement.
        let recipients: Vec<MemberRef> = recipients
            .iter()
            .map(|r| match r {
                MemberRef::User(u) => match self.store.known_member(ws.id, u) {
                    Some(id) => MemberRef::Id(id),
                    None => r.clone(),
                },
                MemberRef::Id(_) => r.clone(),
            })
            .collect();
        let (stored, insert) = self.store.insert_kudos_naming(insert, &recipients).await?;
        let requested = insert.recipients.len() as u32;
        match stored {
            Stored::Created {
                id,
                used,
                recipients,
                giver_department,
            } => {
                tracing::info!(
                    kudos = id,
                    kind = insert.kind.as_str(),
                    recipients = requested,
                    "kudos stored"
                );
                // Everything stored came back with the write: no need to read it again.
                let kudos = Kudos {
                    id,
                    kind: insert.kind,
                    giver: Person {
                        id: giver.id,
                        name: giver.display_name.clone(),
                        department: giver_department,
                    },
                    recipients,
                    message: insert.message,
                    value: insert.value,
                    customer: insert.customer,
                    channel: insert.channel,
                    link: insert.link,
                    theme: insert.theme,
                    created_at: insert.created_at,
                    local_date: insert.local_date,
                    status: KudosStatus::Active,
                    revoked: None,
                };
                self.publish(
                    ws,
                    super::WallChange::Added(std::sync::Arc::new(kudos.clone())),
                )
                .await;
                crate::telemetry::metrics::kudos_given(&ws.platform, insert.kind);
                Ok(Given {
                    kudos,
                    created: true,
                    left_today: (allowance > 0).then(|| allowance.saturating_sub(used)),
                })
            }
            Stored::Duplicate(id) => {
                tracing::info!(kudos = id, "redelivered event ignored");
                Ok(Given {
                    kudos: self.kudos_by_id(ws, id).await?,
                    created: false,
                    left_today: self.left_today(ws, giver).await?,
                })
            }
            Stored::InvalidRecipients => Err(self.recipient_refusal(ws, &insert.recipients).await),
            Stored::OverAllowance { used } => {
                let local = self.local_now(ws);
                Err(Refusal::AllowanceExceeded {
                    allowance,
                    left: allowance.saturating_sub(used),
                    requested,
                    timezone: ws.settings.timezone.name().to_string(),
                    resets_in: human_duration(next_local_midnight(local) - self.now()),
                }
                .into())
            }
        }
    }
}
