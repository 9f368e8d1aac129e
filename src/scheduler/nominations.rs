//! The post that tells the team nominations for the Excellence in Service awards have closed,
//! once per round, as soon as the scheduler sees them closed: at their time, or early when an
//! admin closed them. The ledger keys it by the local date they closed (kind
//! `nominations-closed`), so it goes out once across restarts. A close the bot only learns of
//! more than a day late is not announced: by then the news is stale.

use chrono::{DateTime, Duration, Utc};

use super::{Outgoing, Recipient, Rendered, Scheduler, Sink, TickReport};
use crate::domain::model::Workspace;
use crate::domain::schedule::PostKind;

const STALE_AFTER_HOURS: i64 = 24;

impl Scheduler {
    /// Announces the latest round's close if it is due; returns when the workspace needs a tick
    /// for it (the close itself, or a retry).
    pub(super) async fn nominations_closed<S: Sink>(
        &self,
        ws: &Workspace,
        now: DateTime<Utc>,
        sink: &S,
        report: &mut TickReport,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let store = self.core.store();
        let Some(round) = store.latest_award_round(ws.id).await? else {
            return Ok(None);
        };
        if round.celebrated_at.is_some() {
            return Ok(None);
        }
        let Some(closed) = round.closed(now) else {
            return Ok(Some(round.closes_at));
        };
        if now - closed > Duration::hours(STALE_AFTER_HOURS) {
            return Ok(None);
        }
        let date = closed.with_timezone(&ws.settings.timezone).date_naive();
        let post = Outgoing {
            kind: PostKind::NominationsClosed,
            date,
            to: Recipient::Channel,
            now,
            late_note: None,
            mentions: Vec::new(),
        };
        self.send(ws, post, sink, report, || async {
            let nominations = store.nominations(round.id).await?;
            let (title, body) = crate::render::awards::nominations_closed(round.year, &nominations);
            Ok(Rendered { title, body })
        })
        .await?;
        store
            .next_retry_of(ws.id, PostKind::NominationsClosed, date)
            .await
    }
}
