//! The store's checkpoint policy, so the write-ahead log stays bounded.
//!
//! SQLite's automatic checkpoint is PASSIVE and runs at commit: it copies pages back without
//! blocking anyone, and the log restarts once everything is copied and no reader still uses it.
//! With readers always in flight that moment may never come and the log grows without bound
//! (checkpoint starvation). So the store watches the log's size on disk every `CHECK_EVERY`, and
//! when it passes `database.wal_limit_mb`, or is left over `IDLE_SIZE` once writes have stopped,
//! runs `wal_checkpoint(TRUNCATE)`: it waits at most `WAIT_MS` for readers to reach the newest
//! snapshot, copies every frame back and empties the file. If it cannot finish in time it gives
//! up without holding writers any longer, logs it and tries again at the next check. The limit is
//! a ceiling, not a routine: TRUNCATE holds writers while it copies, so under normal load the
//! automatic checkpoint does the work and this one only catches starvation and idle leftovers.
//! A checkpoint only moves committed pages: nothing acknowledged is lost and no reader ever sees
//! a half-written kudos. `journal_size_limit` shrinks the file back after the log restarts.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::SqlitePool;

const CHECK_EVERY: Duration = Duration::from_millis(250);
/// How long the checkpoint may hold up writers while it waits for readers.
const WAIT_MS: u64 = 200;
/// A log at least this large is emptied once writes have stopped.
const IDLE_SIZE: u64 = 1024 * 1024;
/// After a checkpoint SQLite truncates the log file to at most this (`journal_size_limit`).
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;

/// Watches the log of the database at `path` until the pool closes.
pub fn spawn(pool: SqlitePool, path: PathBuf, limit_bytes: u64, busy_timeout_ms: u64) {
    let wal = {
        let mut name = path.into_os_string();
        name.push("-wal");
        PathBuf::from(name)
    };
    tokio::spawn(async move {
        let mut last_size = 0;
        let mut interval = tokio::time::interval(CHECK_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            interval.tick().await;
            let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            // Nothing written since the last look, yet a log is left: empty it.
            let idle_and_large = size == last_size && size > IDLE_SIZE;
            last_size = size;
            if size <= limit_bytes && !idle_and_large {
                continue;
            }
            match truncate(&pool, busy_timeout_ms).await {
                Ok(true) => {
                    tracing::debug!(bytes = size, "write-ahead log checkpointed and truncated");
                    last_size = 0;
                }
                Ok(false) => tracing::info!(
                    bytes = size,
                    "write-ahead log checkpoint deferred: readers still busy; retrying"
                ),
                Err(e) if pool.is_closed() => {
                    tracing::debug!(error = %e, "checkpointer stopping");
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "write-ahead log checkpoint failed; retrying"),
            }
        }
    });
}

/// One TRUNCATE checkpoint; false when readers kept it from finishing in time.
async fn truncate(pool: &SqlitePool, busy_timeout_ms: u64) -> anyhow::Result<bool> {
    let mut conn = pool.acquire().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {WAIT_MS}"
    )))
    .execute(&mut *conn)
    .await?;
    let result: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
    // The connection goes back to the pool with the store's usual patience.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {busy_timeout_ms}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(result?.0 == 0)
}
