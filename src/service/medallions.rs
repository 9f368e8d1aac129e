//! The year-round recognition: service medallions (a few a year, weightier than kudos) and
//! thank-you notes written to customers.

use chrono::{Datelike, Duration, NaiveDate};

use super::Spotlight;
use crate::domain::calendar::monday_of;
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{
    Actor, CustomerThanks, GivenMedallion, KudosStatus, Medallion, MedallionRequest, Member,
    MemberRef, Undone, Workspace, MAX_MEDALLIONS_PER_YEAR,
};
use crate::domain::text::clean_message;
use crate::store::{InsertMedallion, SettingChange, StoredMedallion};

/// A note about a customer thanked ("Mrs Patel, for her patience") stays short.
pub const MAX_CUSTOMER_NOTE: usize = 200;

impl Spotlight {
    /// Gives one of the member's service medallions for this calendar year (in the workspace's
    /// zone). Same rules as kudos where they apply: not yourself, not a bot, a message of 1 to
    /// the message limit; it does not use the daily allowance.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, giver = giver.id))]
    pub async fn give_medallion(
        &self,
        ws: &Workspace,
        giver: &Member,
        req: MedallionRequest,
    ) -> Result<GivenMedallion> {
        let per_year = ws.settings.medallions_per_year;
        match &req.recipient {
            MemberRef::Id(id) if *id == giver.id => return Err(Refusal::SelfMedallion.into()),
            MemberRef::User(u) if u.external_id == giver.external_id => {
                return Err(Refusal::SelfMedallion.into())
            }
            MemberRef::User(u) if u.is_bot => {
                return Err(Refusal::MedallionForBot(u.name.clone()).into())
            }
            _ => {}
        }
        let message = clean_message(&req.message, self.rules.max_message_chars)?;
        if per_year == 0 {
            return Err(Refusal::MedallionsOff.into());
        }
        let now = self.now();
        let local_date = self.today(ws);
        let year = local_date.year();
        // People already on record as the platform names them need no write of their own.
        let recipient = match &req.recipient {
            MemberRef::User(u) => match self.store.known_member(ws.id, u) {
                Some(id) => MemberRef::Id(id),
                None => req.recipient.clone(),
            },
            other => other.clone(),
        };
        let insert = InsertMedallion {
            workspace_id: ws.id,
            giver_id: giver.id,
            message,
            channel: req.channel,
            event_id: req.event_id,
            created_at: now,
            local_date,
            year,
            per_year,
        };
        match self.store.insert_medallion(&insert, &recipient).await? {
            StoredMedallion::Created { medallion, used } => {
                tracing::info!(medallion = medallion.id, "medallion given");
                self.publish(
                    ws,
                    super::WallChange::Medallion(std::sync::Arc::new((*medallion).clone())),
                )
                .await;
                Ok(GivenMedallion {
                    medallion: *medallion,
                    created: true,
                    left: per_year.saturating_sub(used),
                    per_year,
                })
            }
            StoredMedallion::Duplicate(id) => {
                tracing::info!(medallion = id, "redelivered event ignored");
                let medallion = self
                    .store
                    .medallion(ws.id, id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("medallion {id} vanished"))?;
                let used = self.store.medallions_used(giver.id, year).await?;
                Ok(GivenMedallion {
                    medallion,
                    created: false,
                    left: per_year.saturating_sub(used),
                    per_year,
                })
            }
            StoredMedallion::OverLimit { .. } => {
                Err(Refusal::MedallionsUsed { per_year, year }.into())
            }
            StoredMedallion::InvalidRecipient(Some(bot)) => {
                Err(Refusal::MedallionForBot(bot).into())
            }
            StoredMedallion::InvalidRecipient(None) => Err(anyhow::anyhow!(
                "medallion recipient {recipient:?} is not a member of workspace {}",
                ws.id
            )
            .into()),
        }
    }

    /// Medallions the member may still give this calendar year, and the workspace's yearly number.
    pub async fn medallions_left(&self, ws: &Workspace, member: &Member) -> Result<(u32, u32)> {
        let per_year = ws.settings.medallions_per_year;
        let used = self
            .store
            .medallions_used(member.id, self.today(ws).year())
            .await?;
        Ok((per_year.saturating_sub(used), per_year))
    }

    /// Takes back the giver's latest kudos or medallion, whichever is newer, within the undo
    /// window; the allowance or the medallion is given back.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, giver = giver.id))]
    pub async fn undo_latest(&self, ws: &Workspace, giver: &Member) -> Result<Undone> {
        let kudos = self.store.latest_active_kudos(giver.id).await?;
        let medallion = self.store.latest_active_medallion(giver.id).await?;
        let newer_medallion = match (&kudos, &medallion) {
            (_, None) => None,
            (None, Some(m)) => Some(m),
            (Some(k), Some(m)) => (m.created_at >= k.created_at).then_some(m),
        };
        let Some(m) = newer_medallion else {
            return self.undo(ws, giver).await.map(Undone::Kudos);
        };
        let age = self.now() - m.created_at;
        let window = self.rules.undo_window_minutes;
        if age > Duration::minutes(i64::from(window)) {
            return Err(Refusal::UndoWindowPassed {
                id: m.id,
                minutes_ago: age.num_minutes(),
                window,
            }
            .into());
        }
        if !self.store.undo_medallion(m.id, self.now()).await? {
            return Err(Refusal::AlreadyRemoved(m.id).into());
        }
        tracing::info!(medallion = m.id, "medallion undone");
        self.publish(ws, super::WallChange::MedallionRemoved(m.id))
            .await;
        Ok(Undone::Medallion(Medallion {
            status: KudosStatus::Undone,
            ..m.clone()
        }))
    }

    /// Admins set how many medallions each member may give per year (0 to 3).
    pub async fn set_medallions_per_year(
        &self,
        ws: &Workspace,
        actor: &Actor,
        text: &str,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the service medallions")?;
        let n: u32 = text
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= MAX_MEDALLIONS_PER_YEAR)
            .ok_or_else(|| Refusal::InvalidMedallionCount(text.trim().into()))?;
        self.store
            .change_setting(ws.id, &SettingChange::MedallionsPerYear(n))
            .await?;
        tracing::info!(
            workspace = ws.id,
            per_year = n,
            "medallions per year changed"
        );
        self.reload(ws).await
    }

    /// Medallions given in a workspace between two local dates, oldest first.
    pub async fn medallions_between(
        &self,
        ws: &Workspace,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<Medallion>> {
        Ok(self
            .store
            .medallions_list(ws.id, dates, false, None)
            .await?)
    }

    /// Records that the member wrote a thank-you note to a customer; the note (who, or a few
    /// words) is optional and never names or pings anyone on the platform.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, member = member.id))]
    pub async fn thanked_customer(
        &self,
        ws: &Workspace,
        member: &Member,
        note: Option<&str>,
        event_id: Option<&str>,
    ) -> Result<(CustomerThanks, bool)> {
        let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(clean_message(n, MAX_CUSTOMER_NOTE)?),
            None => None,
        };
        let today = self.today(ws);
        let (id, created) = self
            .store
            .insert_customer_thanks(
                ws.id,
                member.id,
                note.as_deref(),
                event_id,
                self.now(),
                today,
            )
            .await?;
        tracing::info!(customer_thanks = id, created, "customer thanked");
        let week = (monday_of(today), monday_of(today) + Duration::days(6));
        let store = &self.store;
        Ok((
            CustomerThanks {
                id,
                note,
                local_date: today,
                mine_today: store
                    .customer_thanks_count(ws.id, Some(member.id), Some((today, today)))
                    .await?,
                mine_week: store
                    .customer_thanks_count(ws.id, Some(member.id), Some(week))
                    .await?,
                mine_total: store
                    .customer_thanks_count(ws.id, Some(member.id), None)
                    .await?,
                team_today: store
                    .customer_thanks_count(ws.id, None, Some((today, today)))
                    .await?,
            },
            created,
        ))
    }

    /// Customers the workspace thanked between two local dates, and by how many people.
    pub async fn customers_thanked(
        &self,
        ws: &Workspace,
        dates: (NaiveDate, NaiveDate),
    ) -> Result<(i64, i64)> {
        Ok((
            self.store
                .customer_thanks_count(ws.id, None, Some(dates))
                .await?,
            self.store.customer_thankers(ws.id, dates).await?,
        ))
    }
}
