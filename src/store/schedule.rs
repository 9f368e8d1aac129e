use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::Row;

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
        let rows =
            sqlx::query("SELECT kind, enabled, time FROM post_settings WHERE workspace_id = ?")
                .bind(workspace)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let kind = PostKind::parse(r.get::<&str, _>(0))?;
                let time = NaiveTime::parse_from_str(r.get::<&str, _>(2), "%H:%M").ok()?;
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO post_settings (workspace_id, kind, enabled, time) VALUES (?, ?, ?, ?) \
             ON CONFLICT (workspace_id, kind) DO UPDATE SET enabled = excluded.enabled, time = excluded.time",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(setting.enabled)
        .bind(setting.time.format("%H:%M").to_string())
        .execute(&mut *tx)
        .await?;
        wake_scheduler(&mut tx, workspace).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Workspaces of `platform` with something due at `now`, soonest first: an index range scan,
    /// however many workspaces there are.
    pub async fn due_workspaces(
        &self,
        platform: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> anyhow::Result<Vec<WorkspaceId>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM workspaces WHERE platform = ? AND next_due_at <= ? ORDER BY next_due_at LIMIT ?",
        )
        .bind(platform)
        .bind(to_millis(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn next_due_at(&self, workspace: WorkspaceId) -> anyhow::Result<DateTime<Utc>> {
        let ms: i64 = sqlx::query_scalar("SELECT next_due_at FROM workspaces WHERE id = ?")
            .bind(workspace)
            .fetch_one(&self.pool)
            .await?;
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
        sqlx::query(
            "INSERT INTO schedule_changes (workspace_id, kind, changed_at) \
             SELECT ?1, value, ?2 FROM json_each(?3) WHERE true \
             ON CONFLICT (workspace_id, kind) DO UPDATE SET changed_at = excluded.changed_at",
        )
        .bind(workspace)
        .bind(to_millis(now))
        .bind(serde_json::to_string(&names)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When each kind of post last had its time moved.
    pub async fn schedule_changes(
        &self,
        workspace: WorkspaceId,
    ) -> anyhow::Result<Vec<(PostKind, DateTime<Utc>)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, changed_at FROM schedule_changes WHERE workspace_id = ?")
                .bind(workspace)
                .fetch_all(&self.pool)
                .await?;
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
        Ok(
            sqlx::query_scalar("SELECT next_due_at FROM workspaces WHERE id = ?")
                .bind(workspace)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Sets the next-due instant a tick worked out, unless the workspace was woken while the
    /// tick ran (its value is no longer `seen`): then it stays due and is looked at again.
    pub async fn set_next_due_unless_woken(
        &self,
        workspace: WorkspaceId,
        at: Option<DateTime<Utc>>,
        seen: i64,
    ) -> anyhow::Result<bool> {
        let done =
            sqlx::query("UPDATE workspaces SET next_due_at = ? WHERE id = ? AND next_due_at = ?")
                .bind(at.map(to_millis).unwrap_or(i64::MAX))
                .bind(workspace)
                .bind(seen)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_next_due(
        &self,
        workspace: WorkspaceId,
        at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE workspaces SET next_due_at = ? WHERE id = ?")
            .bind(at.map(to_millis).unwrap_or(i64::MAX))
            .bind(workspace)
            .execute(&self.pool)
            .await?;
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
        let blocked: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM post_ledger WHERE workspace_id = ?1 AND kind = ?2 \
               AND local_date = ?3 AND target = ?4 \
               AND NOT (status = 'retry' AND next_attempt_at <= ?5))",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(date.to_string())
        .bind(target)
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(!blocked)
    }

    /// Claims a post for sending: true when it was never claimed, or is waiting for a retry that
    /// is due. Claiming before sending means a crash can lose a post but never send it twice.
    pub async fn claim_post(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
        target: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<u32>> {
        let attempts: Option<i64> = sqlx::query_scalar(
            "INSERT INTO post_ledger (workspace_id, kind, local_date, target, status, attempts, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 'sending', 1, ?5) \
             ON CONFLICT (workspace_id, kind, local_date, target) DO UPDATE \
               SET status = 'sending', attempts = attempts + 1, updated_at = ?5 \
               WHERE status = 'retry' AND next_attempt_at <= ?5 \
             RETURNING attempts",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(date.to_string())
        .bind(target)
        .bind(to_millis(now))
        .fetch_optional(&self.pool)
        .await?;
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
        sqlx::query(
            "UPDATE post_ledger SET status = ?, next_attempt_at = ?, last_error = ?, late = ?, updated_at = ? \
             WHERE workspace_id = ? AND kind = ? AND local_date = ? AND target = ?",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The earliest pending retry of the workspace, on or after local `today`.
    pub async fn next_retry(
        &self,
        workspace: WorkspaceId,
        today: NaiveDate,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM post_ledger \
             WHERE workspace_id = ? AND status = 'retry' AND local_date >= ?",
        )
        .bind(workspace)
        .bind(today.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(at.map(from_millis))
    }

    /// The earliest pending retry of one kind of post on one local date.
    pub async fn next_retry_of(
        &self,
        workspace: WorkspaceId,
        kind: PostKind,
        date: NaiveDate,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM post_ledger \
             WHERE workspace_id = ? AND kind = ? AND local_date = ? AND status = 'retry'",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .bind(date.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(at.map(from_millis))
    }

    /// (kind, local date, target, status, attempts, late) rows, oldest first: for tests and status.
    pub async fn ledger(
        &self,
        workspace: WorkspaceId,
    ) -> anyhow::Result<Vec<(String, String, String, String, i64, bool)>> {
        let rows = sqlx::query(
            "SELECT kind, local_date, target, status, attempts, late FROM post_ledger \
             WHERE workspace_id = ? ORDER BY local_date, updated_at, kind, target",
        )
        .bind(workspace)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect())
    }
}

/// Makes the scheduler look at the workspace at its next tick. Each wake sets a new negative
/// value (always due), so a tick running meanwhile sees that its view is stale and does not
/// overwrite the wake with the next due time it worked out (`set_next_due_unless_woken`).
pub(super) async fn wake_scheduler(
    conn: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE workspaces SET next_due_at = MIN(next_due_at, 0) - 1 WHERE id = ?")
        .bind(ws)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
