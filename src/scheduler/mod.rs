//! The week's scheduler: decides what is due in each workspace's own time zone, renders it,
//! hands it to the platform's sink, and keeps a ledger so each post goes out exactly once.
//!
//! The rules: a post is due at its local time on its local date. A tick delivers every post of
//! the workspace's current local day whose time has come and that the ledger has not seen (so
//! posts missed while the bot was away go out when it is back the same day, marked late); a
//! post of an earlier day is skipped, never sent late. A transient failure is retried with
//! backoff the same day; a permanent one (no channel, no permission) is recorded for admins.

mod ceremony;
mod nominations;
mod render;

use std::future::Future;

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::domain::model::{MemberId, Workspace, WorkspaceId};
use crate::domain::schedule::{next_due, posts_on, PostKind, Schedule};
use crate::service::Spotlight;
use crate::store::Outcome;

pub use render::Rendered;

/// A post is late when it goes out this long after its time.
const LATE_AFTER: i64 = 10;
/// Transient failures are retried this many times in all.
const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The workspace's celebration channel.
    Channel,
    /// A direct message.
    Member {
        id: MemberId,
        external_id: String,
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub kind: PostKind,
    pub local_date: chrono::NaiveDate,
    pub late: bool,
    pub to: Recipient,
    pub title: String,
    pub body: String,
    /// Platform user ids the channel post names and may ping (the awards' winners); empty for
    /// the week's posts, which ping no one.
    pub mentions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Worth trying again (server error, network).
    Transient(String),
    /// Will not work until an admin acts (no channel, no permission).
    Permanent(String),
    /// The platform asked for no retry before `after` has passed (a long rate limit).
    RateLimited {
        error: String,
        after: std::time::Duration,
    },
}

/// Where a platform delivers posts.
pub trait Sink: Send + Sync {
    fn deliver(
        &self,
        ws: &Workspace,
        post: &Post,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// One post for one recipient, for [`Scheduler::send`].
struct Outgoing {
    kind: PostKind,
    date: chrono::NaiveDate,
    to: Recipient,
    now: DateTime<Utc>,
    /// Appended when the post is late.
    late_note: Option<String>,
    mentions: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub workspaces: usize,
    pub delivered: usize,
    pub failed: usize,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    core: Spotlight,
}

impl Scheduler {
    pub fn new(core: Spotlight) -> Self {
        Self { core }
    }

    /// Delivers everything due now for `platform`'s workspaces. Only workspaces whose next-due
    /// instant has come are read (an index range), so a tick costs what is due, not how many
    /// workspaces there are.
    pub async fn tick<S: Sink>(&self, platform: &str, sink: &S) -> anyhow::Result<TickReport> {
        let started = std::time::Instant::now();
        let result = self.tick_due(platform, sink).await;
        crate::telemetry::metrics::scheduler_tick(platform, started.elapsed());
        result
    }

    async fn tick_due<S: Sink>(&self, platform: &str, sink: &S) -> anyhow::Result<TickReport> {
        let now = self.core.now();
        let store = self.core.store();
        let mut report = TickReport::default();
        loop {
            let due = store.due_workspaces(platform, now, 256).await?;
            if due.is_empty() {
                return Ok(report);
            }
            for id in due {
                report.workspaces += 1;
                let span = tracing::info_span!("scheduled_posts", workspace = id);
                let run = self.run_workspace(id, now, sink, &mut report);
                if let Err(e) = tracing::Instrument::instrument(run, span).await {
                    tracing::error!(workspace = id, error = ?e, "scheduled posts failed; trying again in a minute");
                    store
                        .set_next_due(id, Some(now + Duration::minutes(1)))
                        .await?;
                }
            }
        }
    }

    /// Runs one workspace's posts now, whether or not its next-due instant has come (the
    /// ledger keeps it exactly-once). The local shell uses it to step through time.
    pub async fn tick_one<S: Sink>(&self, id: WorkspaceId, sink: &S) -> anyhow::Result<TickReport> {
        let mut report = TickReport {
            workspaces: 1,
            ..Default::default()
        };
        self.run_workspace(id, self.core.now(), sink, &mut report)
            .await?;
        Ok(report)
    }

    async fn run_workspace<S: Sink>(
        &self,
        id: WorkspaceId,
        now: DateTime<Utc>,
        sink: &S,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let store = self.core.store();
        // Read first: a change made while this tick runs (a ceremony scheduled, nominations
        // closed) wakes the workspace again instead of being overwritten below.
        let seen = store.next_due_raw(id).await?;
        let ws = store.workspace(id).await?;
        let tz = ws.settings.timezone;
        let schedule = self.schedule(&ws).await?;
        let changes = store.schedule_changes(id).await?;
        let moved_after = |p: &crate::domain::schedule::Planned| {
            changes.iter().any(|(k, at)| *k == p.kind && *at > p.due)
        };
        let today = now.with_timezone(&tz).date_naive();
        let week = ws.settings.week(today.year());
        for planned in posts_on(today, tz, &week, &schedule)
            .into_iter()
            .filter(|p| p.due <= now)
        {
            let late = now - planned.due > Duration::minutes(LATE_AFTER);
            let recipients = match planned.kind {
                PostKind::Book => self.book_recipients(&ws, &week).await?,
                _ => vec![Recipient::Channel],
            };
            for to in recipients {
                let late_note = late.then(|| {
                    render::late_note(&self.core, &ws, planned.due, moved_after(&planned))
                });
                let to2 = to.clone();
                let week = &week;
                let send = Outgoing {
                    kind: planned.kind,
                    date: today,
                    to,
                    now,
                    late_note,
                    mentions: Vec::new(),
                };
                self.send(&ws, send, sink, report, || async {
                    render::render(&self.core, &ws, &planned, week, &to2).await
                })
                .await?;
            }
        }
        let ceremony = self.ceremony(&ws, now, sink, report).await?;
        let closed = self.nominations_closed(&ws, now, sink, report).await?;
        let planned = next_due(now, tz, |y| ws.settings.week(y), &schedule);
        let retry = store.next_retry(id, today).await?;
        let next = [planned, retry, closed, ceremony]
            .into_iter()
            .flatten()
            .min();
        if !store.set_next_due_unless_woken(id, next, seen).await? {
            tracing::debug!(workspace = id, "woken while its posts ran; looking again");
        }
        Ok(())
    }

    /// Claims, sends and records one post for one recipient; nothing when the ledger already
    /// has it. `render` runs before the claim, so a claim is held only while the post is sent
    /// (a crash in between loses as little as it can and never sends twice).
    async fn send<S, F, Fut>(
        &self,
        ws: &Workspace,
        send: Outgoing,
        sink: &S,
        report: &mut TickReport,
        render: F,
    ) -> anyhow::Result<()>
    where
        S: Sink,
        F: FnOnce() -> Fut,
        Fut: Future<Output = anyhow::Result<Rendered>>,
    {
        let store = self.core.store();
        let Outgoing {
            kind,
            date: today,
            to,
            now,
            late_note,
            mentions,
        } = send;
        let id = ws.id;
        let target = match &to {
            Recipient::Channel => String::new(),
            Recipient::Member { id, .. } => id.to_string(),
        };
        if !store.claimable(id, kind, today, &target, now).await? {
            return Ok(());
        }
        let rendered = render().await?;
        let Some(attempt) = store.claim_post(id, kind, today, &target, now).await? else {
            return Ok(());
        };
        let late = late_note.is_some();
        let post = Post {
            kind,
            local_date: today,
            late,
            to,
            title: rendered.title,
            body: match late_note {
                Some(note) => format!("{}\n\n{note}", rendered.body),
                None => rendered.body,
            },
            mentions,
        };
        let outcome = match sink.deliver(ws, &post).await {
            Ok(()) => {
                report.delivered += 1;
                tracing::info!(kind = kind.as_str(), %today, late, "posted");
                Outcome::Delivered { late }
            }
            Err(DeliveryError::Transient(error)) if attempt < MAX_ATTEMPTS => {
                let at = now + Duration::minutes(backoff_minutes(attempt));
                tracing::warn!(kind = kind.as_str(), attempt, %error, %at, "post failed; will retry");
                Outcome::Retry { at, error }
            }
            Err(DeliveryError::RateLimited { error, after }) if attempt < MAX_ATTEMPTS => {
                // Never sooner than the platform asked.
                let asked = Duration::from_std(after).unwrap_or(Duration::hours(1));
                let at = now + Duration::minutes(backoff_minutes(attempt)).max(asked);
                tracing::warn!(kind = kind.as_str(), attempt, %error, %at, "post failed; will retry");
                Outcome::Retry { at, error }
            }
            Err(
                DeliveryError::Transient(error)
                | DeliveryError::Permanent(error)
                | DeliveryError::RateLimited { error, .. },
            ) => {
                report.failed += 1;
                let what = format!("{} post of {today}", kind.as_str());
                self.core
                    .delivery_failed(
                        ws,
                        &what,
                        ws.settings.celebration_channel.as_deref(),
                        &error,
                        true,
                    )
                    .await?;
                Outcome::Failed { error }
            }
        };
        crate::telemetry::metrics::post(
            &ws.platform,
            kind.as_str(),
            match &outcome {
                Outcome::Delivered { late: false } => "delivered",
                Outcome::Delivered { late: true } => "late",
                Outcome::Retry { .. } => "retry",
                Outcome::Failed { .. } => "failed",
            },
        );
        store
            .finish_post(id, kind, today, &target, &outcome, now)
            .await?;
        Ok(())
    }

    pub async fn schedule(&self, ws: &Workspace) -> anyhow::Result<Schedule> {
        let overrides = self.core.store().post_settings(ws.id).await?;
        Ok(Schedule::new(
            ws.settings.prompts_enabled,
            ws.settings.prompt_time,
            &overrides,
        ))
    }

    async fn book_recipients(
        &self,
        ws: &Workspace,
        week: &crate::domain::calendar::WeekDates,
    ) -> anyhow::Result<Vec<Recipient>> {
        let filter = crate::store::KudosFilter {
            from: Some(week.start),
            to: Some(week.end),
            include_removed: false,
        };
        let kudos = self.core.store().kudos_list(ws.id, &filter).await?;
        let mut people: Vec<Recipient> = Vec::new();
        for k in kudos
            .iter()
            .filter(|k| k.kind == crate::domain::model::KudosKind::Kudos)
        {
            for r in &k.recipients {
                if !people
                    .iter()
                    .any(|p| matches!(p, Recipient::Member { id, .. } if *id == r.id))
                {
                    let m = self.core.store().member(r.id).await?;
                    people.push(Recipient::Member {
                        id: m.id,
                        external_id: m.external_id,
                        name: m.display_name,
                    });
                }
            }
        }
        Ok(people)
    }
}

/// 1, 5, 15, 30 minutes.
fn backoff_minutes(attempt: u32) -> i64 {
    match attempt {
        0 | 1 => 1,
        2 => 5,
        3 => 15,
        _ => 30,
    }
}

impl Scheduler {
    /// Ticks for `platform` every `every` until `stop` turns true; a tick in progress finishes.
    pub async fn run_every<S: Sink>(
        &self,
        platform: &str,
        sink: &S,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {
                    if let Err(e) = self.tick(platform, sink).await {
                        tracing::error!(platform, error = ?e, "scheduler tick failed");
                    }
                }
                _ = stop.changed() => return,
            }
        }
    }
}
