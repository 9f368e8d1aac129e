//! The Excellence in Service awards' ceremony: a post in the celebration channel naming one
//! person per department, and a direct message to each winner, sent once when admins scheduled
//! it. The ledger keys them by the ceremony's local date (kind `ceremony`; the channel, or the
//! winner's member id), so they go out exactly once, across restarts too. A ceremony the bot
//! missed while away goes out when it is back, marked late: it happens once a year.

use chrono::{DateTime, Duration, Utc};

use super::{render, Outgoing, Recipient, Rendered, Scheduler, Sink, TickReport, LATE_AFTER};
use crate::domain::model::Workspace;
use crate::domain::schedule::PostKind;

impl Scheduler {
    /// Sends the workspace's ceremony if its time has come; returns when the workspace needs a
    /// tick for it again (its time, or a retry), `None` once it is done or when there is none.
    pub(super) async fn ceremony<S: Sink>(
        &self,
        ws: &Workspace,
        now: DateTime<Utc>,
        sink: &S,
        report: &mut TickReport,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let store = self.core.store();
        let Some(round) = store.pending_ceremony(ws.id).await? else {
            return Ok(None);
        };
        let (Some(at), Some(date)) = (round.ceremony_at, round.ceremony_date) else {
            return Ok(None);
        };
        if at > now {
            return Ok(Some(at));
        }
        let winners = self.core.award_winners(ws, &round).await?;
        let late_note = (now - at > Duration::minutes(LATE_AFTER))
            .then(|| render::late_note(&self.core, ws, at, false));
        let (title, body) = crate::render::awards::ceremony(round.year, &winners);
        let channel = Outgoing {
            kind: PostKind::Ceremony,
            date,
            to: Recipient::Channel,
            now,
            late_note,
            mentions: winners.iter().map(|w| w.external_id.clone()).collect(),
        };
        self.send(ws, channel, sink, report, || async {
            Ok(Rendered { title, body })
        })
        .await?;
        for w in &winners {
            let (title, body) = crate::render::awards::winner_dm(round.year, w);
            let dm = Outgoing {
                kind: PostKind::Ceremony,
                date,
                to: Recipient::Member {
                    id: w.candidate.person.id,
                    external_id: w.external_id.clone(),
                    name: w.candidate.person.name.clone(),
                },
                now,
                late_note: None,
                mentions: Vec::new(),
            };
            self.send(ws, dm, sink, report, || async {
                Ok(Rendered { title, body })
            })
            .await?;
        }
        match store.next_retry_of(ws.id, PostKind::Ceremony, date).await? {
            Some(retry) => Ok(Some(retry)),
            None => {
                store.mark_celebrated(round.id, now).await?;
                tracing::info!(
                    round = round.id,
                    winners = winners.len(),
                    "awards ceremony posted"
                );
                Ok(None)
            }
        }
    }
}
