use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::db::{for_each_conn, BeginWrite, Read};
use super::{from_millis, to_millis, Store};
use crate::domain::model::WorkspaceId;
use crate::domain::schedule::{PostKind, PostSetting};

/// How a claimed post ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered {
        late: bool,
    },
    /// Try again at this instant.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Failed {
        error: String,
    },
}

impl Store {
    pub async fn post_settings(
        &self,
        workspace: WorkspaceId,
    ) -> anyhow::Result<Vec<(PostKind, PostSetting)>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT kind, enabled, time FROM post_settings WHERE workspace_id = $1"
        )
        .bind(workspace)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let kind = PostKind::parse(&r.get::<String, _>(0))?;
                let time = NaiveTime::parse_from_str(&r.get::<String, _>(2), "%H:%M").ok()?;
                Some((
                    kind,
                    PostSetting {
                        enabled: r.get(1),
                        time,
                    },
                ))
            })
            .collect())
    }

    /// Saves one kind's setting and makes the next tick re-plan the workspace.
    pub async fn set_post_setting(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        setting: PostSetting,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO post_settings (workspace_id, kind, enabled, time) VALUES \
             ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, kind) DO UPDATE \
             SET enabled = excluded.enabled, time = excluded.time",
            )
            .bind(workspace)
            .bind(kind.as_str())
            .bind(setting.enabled)
            .bind(setting.time.format("%H:%M").to_string())
            .execute(&mut *tx)
            .await?;
            tx.wake_scheduler(workspace).await?;
            tx.commit().await?;
            anyhow::Ok(())
        })
    }

    /// Workspaces of `platform` with something due at `now`, soonest first: an index range scan,
    /// however many workspaces there are.
    pub async fn due_workspaces(
        &self,
        platform: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> anyhow::Result<Vec<WorkspaceId>> {
        Ok(on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM workspaces WHERE platform = $1 AND next_due_at <= $2 \
                 ORDER BY \
             next_due_at LIMIT $3",
            )
            .bind(platform)
            .bind(to_millis(now))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn next_due_at(&self, workspace: WorkspaceId) -> anyhow::Result<DateTime<Utc>> {
        let ms: i64 = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT next_due_at FROM workspaces WHERE id = $1"
        )
        .bind(workspace)
        .fetch_one(pool)
        .await)?;
        Ok(from_millis(ms.min(253_402_300_799_000)))
    }

    /// Records that these kinds of post had their time moved at `now`.
    pub async fn record_schedule_change(
        &self,
        workspace: WorkspaceId,
        kinds: &[PostKind],
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let sql = self.sql(
            "INSERT INTO schedule_changes (workspace_id, kind, changed_at) \
             SELECT $1, value, $2 FROM json_each($3) WHERE true \
             ON CONFLICT (workspace_id, kind) DO UPDATE SET changed_at = excluded.changed_at",
            "INSERT INTO schedule_changes (workspace_id, kind, changed_at) \
             SELECT $1, value, $2 FROM json_array_elements_text($3::json) \
             ON CONFLICT (workspace_id, kind) DO UPDATE SET changed_at = excluded.changed_at",
        );
        on_db!(self, |pool| sqlx::query(sql)
            .bind(workspace)
            .bind(to_millis(now))
            .bind(serde_json::to_string(&names)?)
            .execute(pool)
            .await
            .map(super::db::done))?;
        Ok(())
    }

    /// When each kind of post last had its time moved.
    pub async fn schedule_changes(
        &self,
        workspace: WorkspaceId,
    ) -> anyhow::Result<Vec<(PostKind, DateTime<Utc>)>> {
        let rows: Vec<(String, i64)> = on_db!(self, |pool| sqlx::query_as(
            "SELECT kind, changed_at FROM schedule_changes WHERE workspace_id = $1"
        )
        .bind(workspace)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, at)| PostKind::parse(&k).map(|k| (k, from_millis(at))))
            .collect())
    }

    /// When the workspace next needs a tick; `None` parks it until its settings change.
    /// The raw next-due value, to hand back to `set_next_due_unless_woken`. A wake (a change
    /// that needs the scheduler to look again) sets it to a new negative value each time, so a
    /// tick can tell that one happened while it ran.
    pub async fn next_due_raw(&self, workspace: WorkspaceId) -> anyhow::Result<i64> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT next_due_at FROM workspaces WHERE id = $1"
        )
        .bind(workspace)
        .fetch_one(pool)
        .await)?)
    }

    /// Sets the next-due instant a tick worked out, unless the workspace was woken while the
    /// tick ran (its value is no longer `seen`): then it stays due and is looked at again.
    pub async fn set_next_due_unless_woken(
        &self,
        workspace: WorkspaceId,
        at: Option<DateTime<Utc>>,
        seen: i64,
    ) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "UPDATE workspaces SET next_due_at = $1 WHERE id = $2 AND next_due_at = $3"
        )
        .bind(at.map(to_millis).unwrap_or(i64::MAX))
        .bind(workspace)
        .bind(seen)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_next_due(
        &self,
        workspace: WorkspaceId,
        at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE workspaces SET next_due_at = $1 WHERE id = $2"
        )
        .bind(at.map(to_millis).unwrap_or(i64::MAX))
        .bind(workspace)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(())
    }

    /// Whether `claim_post` would claim it now (a read: lets the caller render the post before
    /// claiming it, so the claim is held only while the post is sent).
    pub async fn claimable(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
        target: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let blocked: bool = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM post_ledger WHERE workspace_id = $1 AND \
             kind = $2 \
               AND local_date = $3 AND target = $4 \
               AND NOT (status = 'retry' AND next_attempt_at <= $5) \
               AND NOT (status = 'sending' AND updated_at <= $6))",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(date.to_string())
        .bind(target)
        .bind(to_millis(now))
        .bind(to_millis(now - CLAIM_LEASE))
        .fetch_one(pool)
        .await)?;
        Ok(!blocked)
    }

    /// Claims a post for sending: the attempt number when it was never claimed, is waiting for a
    /// retry that is due, or was claimed more than `CLAIM_LEASE` ago by a process that never
    /// finished it (it stopped mid-send). The claim is the arbiter between processes: whichever
    /// claims first sends, so each post goes out once without a leader.
    pub async fn claim_post(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
        target: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<u32>> {
        let abandoned: Option<i64> = on_db!(self, |pool| sqlx::query_scalar(
            "UPDATE post_ledger SET attempts = attempts + 1, updated_at = $5 \
             WHERE workspace_id = $1 AND kind = $2 AND local_date = $3 AND target = $4 \
               AND status = 'sending' AND updated_at <= $6 \
             RETURNING attempts",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(date.to_string())
        .bind(target)
        .bind(to_millis(now))
        .bind(to_millis(now - CLAIM_LEASE))
        .fetch_optional(pool)
        .await)?;
        if let Some(attempts) = abandoned {
            tracing::warn!(
                workspace = %workspace,
                kind = kind.as_str(),
                date = %date,
                "a post claimed {} minutes ago was never finished (its process stopped \
                 mid-send); sending it again",
                CLAIM_LEASE.num_minutes()
            );
            return Ok(Some(attempts as u32));
        }
        let attempts: Option<i64> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO post_ledger (workspace_id, kind, local_date, target, status, \
             attempts, updated_at) \
             VALUES ($1, $2, $3, $4, 'sending', 1, $5) \
             ON CONFLICT (workspace_id, kind, local_date, target) DO UPDATE \
               SET status = 'sending', attempts = post_ledger.attempts + 1, \
                updated_at = $5 \
               WHERE post_ledger.status = 'retry' AND post_ledger.next_attempt_at <= $5 \
             RETURNING attempts",
            )
            .bind(workspace)
            .bind(kind.as_str())
            .bind(date.to_string())
            .bind(target)
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await
        })?;
        Ok(attempts.map(|a| a as u32))
    }

    pub async fn finish_post(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
        target: &str,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let (status, next, error, late) = match outcome {
            Outcome::Delivered { late } => ("delivered", None, None, *late),
            Outcome::Retry { at, error } => {
                ("retry", Some(to_millis(*at)), Some(error.as_str()), false)
            }
            Outcome::Failed { error } => ("failed", None, Some(error.as_str()), false),
        };
        on_db!(self, |pool| {
            sqlx::query(
                "UPDATE post_ledger SET status = $1, next_attempt_at = $2, last_error \
                 = $3, late \
             = $4, updated_at = $5 \
             WHERE workspace_id = $6 AND kind = $7 AND local_date = $8 AND target = $9",
            )
            .bind(status)
            .bind(next)
            .bind(error)
            .bind(late)
            .bind(to_millis(now))
            .bind(workspace)
            .bind(kind.as_str())
            .bind(date.to_string())
            .bind(target)
            .execute(pool)
            .await
            .map(super::db::done)
        })?;
        Ok(())
    }

    /// The earliest pending retry of the workspace, on or after local `today`: a failed post's
    /// next attempt, or when a claim still sending would lapse (`CLAIM_LEASE`).
    pub async fn next_retry(
        &self,
        workspace: WorkspaceId,
        today: NaiveDate,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(CASE WHEN status = 'retry' THEN next_attempt_at ELSE \
             updated_at + $3 END) \
             FROM post_ledger \
             WHERE workspace_id = $1 AND status IN ('retry', 'sending') AND local_date >= $2",
            )
            .bind(workspace)
            .bind(today.to_string())
            .bind(CLAIM_LEASE.num_milliseconds())
            .fetch_one(pool)
            .await
        })?;
        Ok(at.map(from_millis))
    }

    /// The earliest pending retry of one kind of post on one local date.
    pub async fn next_retry_of(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(CASE WHEN status = 'retry' THEN next_attempt_at ELSE \
             updated_at + $4 END) \
             FROM post_ledger \
             WHERE workspace_id = $1 AND kind = $2 AND local_date = $3 \
               AND status IN ('retry', 'sending')",
            )
            .bind(workspace)
            .bind(kind.as_str())
            .bind(date.to_string())
            .bind(CLAIM_LEASE.num_milliseconds())
            .fetch_one(pool)
            .await
        })?;
        Ok(at.map(from_millis))
    }

    /// (kind, local date, target, status, attempts, late) rows, oldest first: for tests and status.
    pub async fn ledger(
        &self,
        workspace: WorkspaceId,
    ) -> anyhow::Result<Vec<(String, String, String, String, i64, bool)>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT kind, local_date, target, status, attempts, late FROM post_ledger \
             WHERE workspace_id = $1 ORDER BY local_date, updated_at, kind, target",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect())
    }
}

/// A claim this old that never finished was abandoned: its process stopped while sending.
/// Long enough for any real send (rate limits included) to finish first.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(10);

pub(super) trait ScheduleConn {
    /// Makes the scheduler look at the workspace at its next tick. Each wake sets a new
    /// negative value (always due), so a tick running meanwhile sees that its view is stale and
    /// does not overwrite the wake with the next due time it worked out
    /// (`set_next_due_unless_woken`).
    async fn wake_scheduler(&mut self, ws: WorkspaceId) -> anyhow::Result<()>;
}

for_each_conn! {
    impl ScheduleConn {
        async fn wake_scheduler(&mut self, ws: WorkspaceId) -> anyhow::Result<()> {
            sqlx::query(
                "UPDATE workspaces \
                 SET next_due_at = CASE WHEN next_due_at < 0 THEN next_due_at ELSE 0 \
                  END - 1 \
                 WHERE id = $1",
            )
            .bind(ws)
            .execute(&mut *self)
            .await?;
            Ok(())
        }
    }
}
