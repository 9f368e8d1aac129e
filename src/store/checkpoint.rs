//! The store's checkpoint policy, so the write-ahead log stays bounded while copying it back
//! stays off the single writer's path (`writer`).
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: the writer
//! would copy a thousand pages back and wait for two flushes while every caller queues. The
//! writer's connection therefore has it off (`wal_autocheckpoint = 0`), and a background task
//! on a connection of its own runs a PASSIVE checkpoint each time the log has grown by
//! `NUDGE_EVERY`: it copies pages back while the writer goes on writing.
//!
//! A PASSIVE checkpoint never starts the log over by itself while writes continue or readers
//! hold old snapshots (checkpoint starvation), so after each batch the writer looks at the
//! log's size on disk, and when it passes `EMPTY_AT` (or `database.wal_limit_mb`, if lower)
//! runs `wal_checkpoint(TRUNCATE)`: most pages are already copied, so it copies the rest, waits
//! at most `WAIT_MS` for readers to reach the newest snapshot and empties the file. Writes queue
//! meanwhile, so no command waits on a lock with sleeps in between. When writes pause for
//! `IDLE_AFTER` with more than `IDLE_SIZE` of log left, the writer empties it the same way. A
//! checkpoint that cannot finish in time gives up, is logged, and is tried again after the next
//! batch (or pause). A checkpoint only moves committed pages: nothing acknowledged is lost and
//! no reader ever sees a half-written kudos. `journal_size_limit` shrinks the file back after
//! the log restarts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::mpsc;

use super::writer::LogPolicy;

/// A pause in writes this long counts as idle.
pub const IDLE_AFTER: Duration = Duration::from_millis(250);
/// How long a checkpoint may wait for readers.
const WAIT_MS: u64 = 200;
/// A log at least this large is emptied once writes have paused.
const IDLE_SIZE: u64 = 1024 * 1024;
/// After a checkpoint SQLite truncates the log file to at most this (`journal_size_limit`).
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;
/// Log growth between two background checkpoints.
const NUDGE_EVERY: u64 = 2 * 1024 * 1024;
/// The writer empties the log at this size, or at the configured limit if that is lower.
const EMPTY_AT: u64 = 16 * 1024 * 1024;

/// The background checkpointer: copies the log back on its own connection when nudged.
pub(crate) struct Background {
    nudge: mpsc::Sender<()>,
    /// The log's size at the last nudge.
    nudged_at: AtomicU64,
}

impl Background {
    /// Starts the task; its connection opens at the first nudge. It ends with the writer.
    pub(super) fn start(options: SqliteConnectOptions) -> Self {
        let (nudge, mut nudges) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            let mut conn: Option<SqliteConnection> = None;
            while nudges.recv().await.is_some() {
                if conn.is_none() {
                    match options.connect().await {
                        Ok(c) => conn = Some(c),
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot open the checkpoint connection");
                            continue;
                        }
                    }
                }
                let c = conn.as_mut().expect("opened above");
                let done: Result<(i64, i64, i64), sqlx::Error> =
                    sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                        .fetch_one(&mut *c)
                        .await;
                match done {
                    Ok((_, log, copied)) => {
                        tracing::trace!(log, copied, "background checkpoint")
                    }
                    Err(e) => tracing::warn!(error = %e, "background checkpoint failed; retrying"),
                }
            }
            if let Some(c) = conn {
                let _ = c.close().await;
            }
        });
        Self {
            nudge,
            nudged_at: AtomicU64::new(0),
        }
    }

    fn after_growth(&self, size: u64) {
        let last = self.nudged_at.load(Ordering::Relaxed).min(size);
        if size >= last + NUDGE_EVERY {
            // One already waiting covers this growth too.
            let _ = self.nudge.try_send(());
            self.nudged_at.store(size, Ordering::Relaxed);
        } else {
            self.nudged_at.store(last, Ordering::Relaxed);
        }
    }
}

fn wal_size(log: &LogPolicy) -> u64 {
    std::fs::metadata(&log.wal).map(|m| m.len()).unwrap_or(0)
}

/// After a batch: have the log copied back as it grows; empty it once it is large.
pub(super) async fn when_large(conn: &mut SqliteConnection, log: &LogPolicy) {
    let size = wal_size(log);
    if size > log.limit_bytes.min(EMPTY_AT) {
        truncate(conn, size).await;
    } else if let Some(background) = &log.background {
        background.after_growth(size);
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
