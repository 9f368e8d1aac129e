//! The store's checkpoint policy, so the write-ahead log stays bounded while copying it back
//! stays off most of the single writer's batches (`writer`).
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold (1,000
//! pages): every few batches the writer would copy the log back and wait for two flushes while
//! every caller queues. It also never starts the log over while readers hold old snapshots
//! (checkpoint starvation). The writer's connection therefore has it off
//! (`wal_autocheckpoint = 0`), and after each batch the writer looks at how much log the batches
//! have written since it last started over: past `database.wal_limit_mb` (32 MB by default) it
//! runs `wal_checkpoint(RESTART)`, which copies every frame back in page order and waits at
//! most `WAIT_MS` for readers to reach the newest snapshot; the next batch then writes from the
//! start of the same file, which keeps its size (`journal_size_limit` is the limit). One large
//! copy is cheaper than many small ones: a page changed in several batches is copied once.
//! (Measured: a PASSIVE checkpoint every 2 MB on a background connection was slower on two
//! cores, as it competed with the writer for the CPU and the disk; emptying the file each time
//! (TRUNCATE) made every batch's flush extend a growing file, at twice the cost.) Writes queue
//! meanwhile, so no command waits on a lock with sleeps in between. When writes pause for
//! `IDLE_AFTER` with more than `IDLE_SIZE` of log file left, the writer empties the file
//! (TRUNCATE), and tries again at each pause until readers let it.
//!
//! A reader holding an old snapshot (a long export, a slow board) keeps the log from being
//! emptied however long the writer waits. A checkpoint that readers kept from finishing still
//! copies back what it could; it is logged, and the next try comes only after `RETRY_AFTER` or
//! once the log has grown by another limit. Trying after every batch made each batch wait
//! `WAIT_MS`: with one reader pinned, the writer fell to a few batches a second. A checkpoint
//! only moves committed pages: nothing acknowledged is lost and no reader ever sees a
//! half-written kudos.

use std::time::Duration;

use sqlx::SqliteConnection;

use super::writer::LogPolicy;

/// A pause in writes this long counts as idle.
pub const IDLE_AFTER: Duration = Duration::from_millis(250);
/// How long a checkpoint may wait for readers: board reads take a few milliseconds.
const WAIT_MS: u64 = 50;
/// After readers kept a checkpoint from finishing, how long until the next try.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// A log at least this large is emptied once writes have paused.
const IDLE_SIZE: u64 = 1024 * 1024;
/// A restarted log's file is cut back to at most this (`journal_size_limit`) by the pool's
/// connections; the writer's keeps it up to the limit, since it restarts the log in place.
pub const JOURNAL_SIZE_LIMIT: u64 = 4 * 1024 * 1024;

fn wal_size(log: &LogPolicy) -> u64 {
    std::fs::metadata(&log.wal).map(|m| m.len()).unwrap_or(0)
}

/// Bytes of log written since it last started over. Under load the log restarts in place, so
/// the file's size says nothing of its content: this reads the frame count (`mxFrame`) from the
/// WAL-index header at the start of the `-shm` file (native byte order; the page size at
/// offset 14, 1 meaning 65,536; the frame count at 16). A stale or torn read only moves a
/// checkpoint by a batch; without the file, the log's size stands in.
fn log_used(log: &LogPolicy) -> u64 {
    use std::os::unix::fs::FileExt;
    let mut header = [0u8; 20];
    let read = std::fs::File::open(&log.shm).and_then(|f| f.read_exact_at(&mut header, 0));
    if read.is_err() {
        return wal_size(log);
    }
    let page = match u16::from_ne_bytes([header[14], header[15]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let frames = u32::from_ne_bytes([header[16], header[17], header[18], header[19]]);
    u64::from(frames) * (page + 24)
}

/// After a batch: start the log over once it holds more than the limit. RESTART copies it
/// back and lets the next batch write from the start of the same file: flushing frames over
/// blocks the file already has costs half as much as flushing a file that grows (measured here:
/// 105 against 235 µs per `fdatasync`), and every batch waits for one.
pub(super) async fn when_large(conn: &mut SqliteConnection, log: &mut LogPolicy) {
    let used = log_used(log);
    if used > log.limit_bytes {
        checkpoint(conn, used, log, Mode::Restart).await;
    }
}

/// When writes paused: empty a log left over, waiting for readers since no batch waits
/// meanwhile; false while readers still keep it (try again at the next pause).
pub(super) async fn when_idle(conn: &mut SqliteConnection, log: &mut LogPolicy) -> bool {
    let size = wal_size(log);
    if size > IDLE_SIZE {
        log.deferred = None;
        checkpoint(conn, size, log, Mode::Truncate).await;
    }
    log.deferred.is_none()
}

#[derive(Clone, Copy)]
enum Mode {
    /// The next write starts the log over, in place.
    Restart,
    /// The file is emptied too.
    Truncate,
}

async fn checkpoint(conn: &mut SqliteConnection, size: u64, log: &mut LogPolicy, mode: Mode) {
    if let Some((at, deferred_size)) = log.deferred {
        if at.elapsed() < RETRY_AFTER && size < deferred_size.saturating_add(log.limit_bytes) {
            return;
        }
    }
    let done = match try_checkpoint(conn, mode).await {
        Ok(true) => {
            tracing::debug!(bytes = size, "write-ahead log checkpointed");
            true
        }
        Ok(false) => {
            tracing::info!(
                bytes = size,
                "write-ahead log checkpoint deferred: readers still busy; retrying later"
            );
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "write-ahead log checkpoint failed; retrying later");
            false
        }
    };
    log.deferred = (!done).then(|| (std::time::Instant::now(), size));
}

/// One checkpoint; false when readers kept it from finishing in time.
async fn try_checkpoint(conn: &mut SqliteConnection, mode: Mode) -> anyhow::Result<bool> {
    let previous: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {WAIT_MS}"
    )))
    .execute(&mut *conn)
    .await?;
    let result: Result<(i64, i64, i64), sqlx::Error> = sqlx::query_as(match mode {
        Mode::Restart => "PRAGMA wal_checkpoint(RESTART)",
        Mode::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    })
    .fetch_one(&mut *conn)
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {previous}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(result?.0 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::{ConnectOptions, Connection};

    async fn write(conn: &mut SqliteConnection, rows: usize) {
        for _ in 0..rows {
            sqlx::query("INSERT INTO t (x) VALUES (hex(randomblob(600)))")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }

    /// A database in `dir` with the writer's settings, and its log policy (64 KiB limit).
    async fn writer_in(
        dir: &std::path::Path,
    ) -> (SqliteConnection, LogPolicy, SqliteConnectOptions) {
        let file = dir.join("db");
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let mut writer = options
            .clone()
            .pragma("wal_autocheckpoint", "0")
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x TEXT)")
            .execute(&mut writer)
            .await
            .unwrap();
        let log = LogPolicy::new(file.to_str().unwrap(), 64 * 1024);
        (writer, log, options)
    }

    #[tokio::test]
    async fn readers_that_keep_the_log_delay_the_next_try_instead_of_stalling_each_batch() {
        let dir = tempfile::tempdir().unwrap();
        let (mut writer, mut log, options) = writer_in(dir.path()).await;
        let mut reader = options.connect().await.unwrap();
        let mut snapshot = reader.begin().await.unwrap();
        let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&mut *snapshot)
            .await
            .unwrap();

        write(&mut writer, 100).await;
        when_large(&mut writer, &mut log).await;
        let (first, _) = log.deferred.expect("the reader's snapshot keeps the log");
        write(&mut writer, 1).await;
        when_large(&mut writer, &mut log).await;
        assert_eq!(
            log.deferred.map(|(at, _)| at),
            Some(first),
            "the next batch does not wait for the same reader again"
        );

        snapshot.rollback().await.unwrap();
        write(&mut writer, 100).await;
        when_large(&mut writer, &mut log).await;
        assert!(log.deferred.is_none(), "tried again once the log grew");
        let file_size = wal_size(&log);
        write(&mut writer, 1).await;
        assert!(
            log_used(&log) < log.limit_bytes,
            "the next write started the log over: {} bytes",
            log_used(&log)
        );
        assert_eq!(wal_size(&log), file_size, "in the same file, in place");
    }

    #[tokio::test]
    async fn a_pause_empties_the_log_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut writer, mut log, _) = writer_in(dir.path()).await;
        write(&mut writer, 1000).await;
        assert!(log_used(&log) > IDLE_SIZE && log_used(&log) <= wal_size(&log));
        assert!(when_idle(&mut writer, &mut log).await);
        assert_eq!(wal_size(&log), 0);
    }
}
