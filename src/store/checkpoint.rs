//! The store's checkpoint policy, so the write-ahead log stays bounded while copying it back
//! stays off most of the single writer's batches (`writer`).
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold (1,000
//! pages): every few batches the writer would copy the log back and wait for two flushes while
//! every caller queues. It also never starts the log over while readers hold old snapshots
//! (checkpoint starvation). The writer's connection therefore has it off
//! (`wal_autocheckpoint = 0`), and after each batch the writer looks at the log's size on disk:
//! when it passes `database.wal_limit_mb` (32 MB by default) it runs
//! `wal_checkpoint(TRUNCATE)`, which copies every frame back in page order, waits at most
//! `WAIT_MS` for readers to reach the newest snapshot, and empties the file. One large copy is
//! cheaper than many small ones: a page changed in several batches is copied once. (Measured:
//! a PASSIVE checkpoint every 2 MB on a background connection was slower on two cores, as it
//! competed with the writer for the CPU and the disk.) Writes queue meanwhile, so no command
//! waits on a lock with sleeps in between. When writes pause for `IDLE_AFTER` with more than
//! `IDLE_SIZE` of log left, the writer empties it the same way. A checkpoint that cannot finish
//! in time gives up, is logged, and is tried again after the next batch (or pause). A
//! checkpoint only moves committed pages: nothing acknowledged is lost and no reader ever sees
//! a half-written kudos.

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

/// After a batch: empty the log once it is large.
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
