//! The store's checkpoint policy, so the write-ahead log stays bounded. Run by the single
//! writer (`writer`), between batches, on its own connection.
//!
//! SQLite's automatic checkpoint is PASSIVE and runs at commit: it copies pages back without
//! blocking anyone, and the log restarts once everything is copied and no reader still uses it.
//! With readers always in flight that moment may never come and the log grows without bound
//! (checkpoint starvation). So after each batch the writer looks at the log's size on disk, and
//! when it passes `database.wal_limit_mb` runs `wal_checkpoint(TRUNCATE)`: it waits at most
//! `WAIT_MS` for readers to reach the newest snapshot, copies every frame back and empties the
//! file. Writes queue meanwhile (the writer is busy), so no command waits on a lock with sleeps
//! in between. When writes pause for `IDLE_AFTER` with more than `IDLE_SIZE` of log left, the
//! writer empties it the same way. A checkpoint that cannot finish in time gives up, is logged,
//! and is tried again after the next batch (or pause). A checkpoint only moves committed pages:
//! nothing acknowledged is lost and no reader ever sees a half-written kudos.
//! `journal_size_limit` shrinks the file back after the log restarts.

use std::time::Duration;

use sqlx::SqliteConnection;

use super::writer::LogPolicy;

/// A pause in writes this long counts as idle.
pub const IDLE_AFTER: Duration = Duration::from_millis(250);
/// How long a checkpoint may wait for readers.
const WAIT_MS: u64 = 200;
/// A log at least this large is emptied once writes have paused.
const IDLE_SIZE: u64 = 1024 * 1024;
/// After a checkpoint SQLite truncates the log file to at most this (`journal_size_limit`).
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;

fn wal_size(log: &LogPolicy) -> u64 {
    std::fs::metadata(&log.wal).map(|m| m.len()).unwrap_or(0)
}

/// After a batch: truncate the log if it passed the limit.
pub(super) async fn when_large(conn: &mut SqliteConnection, log: &LogPolicy) {
    let size = wal_size(log);
    if size > log.limit_bytes {
        truncate(conn, size).await;
    }
}

/// When writes paused: empty a log left over.
pub(super) async fn when_idle(conn: &mut SqliteConnection, log: &LogPolicy) {
    let size = wal_size(log);
    if size > IDLE_SIZE {
        truncate(conn, size).await;
    }
}

async fn truncate(conn: &mut SqliteConnection, size: u64) {
    match try_truncate(conn).await {
        Ok(true) => tracing::debug!(bytes = size, "write-ahead log checkpointed and truncated"),
        Ok(false) => tracing::info!(
            bytes = size,
            "write-ahead log checkpoint deferred: readers still busy; retrying after \
             the next batch"
        ),
        Err(e) => tracing::warn!(error = %e, "write-ahead log checkpoint failed; retrying"),
    }
}

/// One TRUNCATE checkpoint; false when readers kept it from finishing in time.
async fn try_truncate(conn: &mut SqliteConnection) -> anyhow::Result<bool> {
    let previous: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {WAIT_MS}"
    )))
    .execute(&mut *conn)
    .await?;
    let result: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {previous}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(result?.0 == 0)
}
