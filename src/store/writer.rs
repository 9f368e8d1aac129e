//! The store's single writer: every thank-you (and the other hot writes) goes through one
//! connection that commits whatever is waiting in one transaction (group commit).
//!
//! Why: a durable commit waits for the disk, and each statement sqlx runs is a hand-off to the
//! connection's worker thread. One transaction for a whole batch spreads the disk wait over
//! every write in it (on SQLite the wait happens beside the writer, in `wal_sync`), logs a page that many writes changed once instead of
//! once per write, and keeps writers from queueing on SQLite's lock with sleeps in between.
//!
//! Each caller still gets its own result, and only after its batch is durably committed: an
//! acknowledgement never precedes the commit, nor (on SQLite) the flush of the log holding it. A job that names several statements runs inside
//! a savepoint so it can undo itself (a refused kudos that named new people); a job that fails
//! with an error rolls the whole batch back and every caller in it is told it failed, so no one
//! is acknowledged for a write that is not there and nothing half-written stays.
//!
//! The writer also owns the write-ahead log's checkpoints (see `checkpoint`): between batches it
//! starts the log over when it passes the limit, and empties its file when writes pause.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::{Connection, PgConnection, SqliteConnection};
use tokio::sync::{mpsc, oneshot, watch};

use super::kudos::{InsertKudos, KudosConn, Stored};

/// What the writer needs of its connection, per backend.
pub(crate) trait WriterConn: Connection + KudosConn + Send + 'static {
    /// Whether one statement alone is already its own serialised transaction.
    const LONE_STATEMENT_IS_A_TRANSACTION: bool;
    /// Whether a commit is durable only once the log file is flushed (`wal_sync`).
    const COMMIT_NEEDS_FLUSH: bool;
    /// Starts the batch's transaction, taking the backend's write lock.
    fn begin_batch(&mut self) -> BoxFuture<'_, Result<(), sqlx::Error>>;
    fn exec(&mut self, sql: &'static str) -> BoxFuture<'_, Result<(), sqlx::Error>>;
    /// Writes consecutive thank-yous of a batch, in order, opening or committing the batch's
    /// transaction too where they open or end it (on SQLite in the same round trips).
    fn kudos_run<'c>(
        &'c mut self,
        run: &'c [InsertKudos],
        ends: RunEnds,
    ) -> BoxFuture<'c, anyhow::Result<Vec<Stored>>>;
    /// Between batches: keeps the write-ahead log bounded, where there is one.
    fn after_batch<'c>(&'c mut self, log: &'c mut LogPolicy) -> BoxFuture<'c, ()>;
    /// When writes paused; whether the log needs nothing more until the next batch.
    fn when_idle<'c>(&'c mut self, log: &'c mut LogPolicy) -> BoxFuture<'c, bool>;
}

impl WriterConn for SqliteConnection {
    const LONE_STATEMENT_IS_A_TRANSACTION: bool = true;
    const COMMIT_NEEDS_FLUSH: bool = true;
    fn begin_batch(&mut self) -> BoxFuture<'_, Result<(), sqlx::Error>> {
        self.exec("BEGIN IMMEDIATE")
    }
    fn exec(&mut self, sql: &'static str) -> BoxFuture<'_, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::query(sql).execute(&mut *self).await.map(|_| ()) })
    }
    fn kudos_run<'c>(
        &'c mut self,
        run: &'c [InsertKudos],
        ends: RunEnds,
    ) -> BoxFuture<'c, anyhow::Result<Vec<Stored>>> {
        Box::pin(super::kudos_batch::insert_run(self, run, ends))
    }
    fn after_batch<'c>(&'c mut self, log: &'c mut LogPolicy) -> BoxFuture<'c, ()> {
        Box::pin(super::checkpoint::when_large(self, log))
    }
    fn when_idle<'c>(&'c mut self, log: &'c mut LogPolicy) -> BoxFuture<'c, bool> {
        Box::pin(super::checkpoint::when_idle(self, log))
    }
}

impl WriterConn for PgConnection {
    // Another process may write at the same time: every batch takes the write lock.
    const LONE_STATEMENT_IS_A_TRANSACTION: bool = false;
    const COMMIT_NEEDS_FLUSH: bool = false;
    fn begin_batch(&mut self) -> BoxFuture<'_, Result<(), sqlx::Error>> {
        Box::pin(async move {
            self.exec("BEGIN").await?;
            super::db::lock_writes(self).await
        })
    }
    fn exec(&mut self, sql: &'static str) -> BoxFuture<'_, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::query(sql).execute(&mut *self).await.map(|_| ()) })
    }
    fn kudos_run<'c>(
        &'c mut self,
        run: &'c [InsertKudos],
        ends: RunEnds,
    ) -> BoxFuture<'c, anyhow::Result<Vec<Stored>>> {
        Box::pin(async move {
            if ends.begin {
                self.begin_batch().await?;
            }
            let mut out = Vec::with_capacity(run.len());
            for k in run {
                out.push(self.insert_kudos(k).await?);
            }
            if ends.commit {
                self.exec("COMMIT").await?;
            }
            Ok(out)
        })
    }
    fn after_batch<'c>(&'c mut self, _: &'c mut LogPolicy) -> BoxFuture<'c, ()> {
        Box::pin(async {})
    }
    fn when_idle<'c>(&'c mut self, _: &'c mut LogPolicy) -> BoxFuture<'c, bool> {
        Box::pin(async { true })
    }
}

/// Where a run of thank-yous sits in its batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunEnds {
    /// It opens the batch: start the transaction.
    pub begin: bool,
    /// It ends the batch: commit the transaction.
    pub commit: bool,
}

/// Most writes committed together; a fuller queue is taken in the next batch.
const MAX_BATCH: usize = 512;
/// Waiting writes beyond this make callers wait to queue (backpressure).
const QUEUE: usize = 8192;

/// A batch that did not commit, as every caller in it is told.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the write was not saved: {message}")]
pub struct WriteFailed {
    pub message: String,
    /// The SQLite error behind it, when there was one (BUSY, READONLY, FULL...).
    pub cause: Option<Arc<sqlx::Error>>,
}

pub(super) type Deliver = Box<dyn FnOnce(Option<&WriteFailed>) + Send>;

enum Ran {
    /// Wrote (or decided to undo, `keep: false`); told its result once the batch commits.
    Done { keep: bool, deliver: Deliver },
    /// Failed with an error: the batch is rolled back; the caller has been told.
    Failed(String),
}

/// One caller's write, type-erased so one queue carries them all.
trait Work<C>: Send {
    fn run<'c>(self: Box<Self>, conn: &'c mut C) -> BoxFuture<'c, Ran>;
    /// Tells the caller the write was never done.
    fn abandon(self: Box<Self>, failure: &WriteFailed);
}

struct Task<T, F> {
    f: F,
    reply: oneshot::Sender<anyhow::Result<T>>,
}

impl<C, T, F> Work<C> for Task<T, F>
where
    C: Send + 'static,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, anyhow::Result<(T, bool)>> + Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut C) -> BoxFuture<'c, Ran> {
        let Task { f, reply } = *self;
        Box::pin(async move {
            match f(conn).await {
                Ok((value, keep)) => Ran::Done {
                    keep,
                    deliver: Box::new(move |failed: Option<&WriteFailed>| {
                        let _ = reply.send(match failed {
                            None => Ok(value),
                            Some(e) => Err(e.clone().into()),
                        });
                    }),
                },
                Err(error) => {
                    let message = format!("{error:#}");
                    tracing::error!(error = ?error, "a write failed; rolling its batch back");
                    let _ = reply.send(Err(error));
                    Ran::Failed(message)
                }
            }
        })
    }

    fn abandon(self: Box<Self>, failure: &WriteFailed) {
        let _ = self.reply.send(Err(failure.clone().into()));
    }
}

enum Job<C> {
    Work {
        savepoint: bool,
        work: Box<dyn Work<C>>,
    },
    /// A plain thank-you: consecutive ones in a batch are written together (`kudos_batch`).
    Kudos {
        kudos: Box<InsertKudos>,
        reply: oneshot::Sender<anyhow::Result<Stored>>,
    },
}

impl<C> Job<C> {
    fn abandon(self, failure: &WriteFailed) {
        match self {
            Job::Work { work, .. } => work.abandon(failure),
            Job::Kudos { reply, .. } => {
                let _ = reply.send(Err(failure.clone().into()));
            }
        }
    }
}

pub(crate) struct Writer<C> {
    jobs: mpsc::Sender<Job<C>>,
    stop: Arc<watch::Sender<bool>>,
    finished: watch::Receiver<bool>,
}

impl<C> Clone for Writer<C> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
            stop: self.stop.clone(),
            finished: self.finished.clone(),
        }
    }
}

impl<C> std::fmt::Debug for Writer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// What the writer needs to know about the log it keeps bounded.
pub(crate) struct LogPolicy {
    pub wal: PathBuf,
    pub limit_bytes: u64,
    /// The WAL-index beside it, whose header counts the log's frames.
    pub shm: PathBuf,
    /// When and at what size readers last kept a checkpoint from finishing (`checkpoint`).
    pub deferred: Option<(std::time::Instant, u64)>,
}

impl LogPolicy {
    /// `database`: the database file's path.
    pub fn new(database: &str, limit_bytes: u64) -> Self {
        let beside = |suffix: &str| {
            let mut name = PathBuf::from(database).into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        Self {
            wal: beside("-wal"),
            shm: beside("-shm"),
            limit_bytes,
            deferred: None,
        }
    }
}

/// Opens the writer's connection again (PostgreSQL: the server restarted or failed over).
pub(super) type Reopen<C> =
    Arc<dyn Fn() -> BoxFuture<'static, Result<C, sqlx::Error>> + Send + Sync>;

impl<C: WriterConn> Writer<C> {
    pub(super) fn spawn(conn: C, log: Option<LogPolicy>, reopen: Option<Reopen<C>>) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let (stop, stopping) = watch::channel(false);
        let (done, finished) = watch::channel(false);
        tokio::spawn(async move {
            run(conn, queue, stopping, log, reopen).await;
            let _ = done.send(true);
        });
        Self {
            jobs,
            stop: Arc::new(stop),
            finished,
        }
    }

    /// Runs `f` in the next batch and answers once that batch is committed. `f` returns its
    /// value and whether to keep what it wrote (false undoes it; needs `savepoint`).
    pub(super) async fn write<T, F>(&self, savepoint: bool, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, anyhow::Result<(T, bool)>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<anyhow::Result<T>>();
        let work: Box<dyn Work<C>> = Box::new(Task { f, reply });
        self.jobs
            .send(Job::Work { savepoint, work })
            .await
            .map_err(|_| anyhow::anyhow!("the database is closed"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the database writer stopped"))?
    }

    /// Writes a thank-you in the next batch, together with the others waiting there.
    pub(super) async fn kudos(&self, kudos: InsertKudos) -> anyhow::Result<Stored> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Kudos {
                kudos: Box::new(kudos),
                reply,
            })
            .await
            .map_err(|_| anyhow::anyhow!("the database is closed"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the database writer stopped"))?
    }

    /// Takes no new writes, commits those already queued, then closes the connection.
    pub(super) async fn close(&self) {
        let _ = self.stop.send(true);
        let mut finished = self.finished.clone();
        let wait = async {
            let _ = finished.wait_for(|f| *f).await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(10), wait).await;
    }
}

async fn run<C: WriterConn>(
    mut conn: C,
    mut queue: mpsc::Receiver<Job<C>>,
    mut stopping: watch::Receiver<bool>,
    mut log: Option<LogPolicy>,
    reopen: Option<Reopen<C>>,
) {
    let mut batch: Vec<Job<C>> = Vec::with_capacity(MAX_BATCH);
    // Where COMMIT does not wait for the disk itself, a batch's answers wait for its flush.
    let sync = log
        .as_ref()
        .filter(|_| C::COMMIT_NEEDS_FLUSH)
        .map(|log| super::wal_sync::WalSync::start(log.wal.clone()));
    let mut idle_checked = false;
    let mut closing = false;
    loop {
        let received = tokio::select! {
            biased;
            n = queue.recv_many(&mut batch, MAX_BATCH) => n,
            _ = async { let _ = stopping.wait_for(|s| *s).await; }, if !closing => {
                // Whatever is queued is still written; nothing new is taken.
                closing = true;
                queue.close();
                continue;
            }
            _ = tokio::time::sleep(super::checkpoint::IDLE_AFTER), if !idle_checked => {
                // Writes paused: empty a log left over.
                idle_checked = match &mut log {
                    Some(log) => conn.when_idle(log).await,
                    None => true,
                };
                continue;
            }
        };
        if received == 0 {
            break;
        }
        idle_checked = false;
        let failed = commit(&mut conn, &mut batch, sync.as_ref()).await;
        if let (true, Some(reopen)) = (failed, &reopen) {
            // Those callers were told their writes failed; the next batch gets a live connection.
            if conn.ping().await.is_err() {
                match reopen().await {
                    Ok(fresh) => {
                        tracing::warn!("the database writer's connection was lost; reconnected");
                        conn = fresh;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the database writer cannot reconnect yet")
                    }
                }
            }
        }
        if let Some(log) = &mut log {
            conn.after_batch(log).await;
        }
    }
    if let Some(sync) = sync {
        sync.finish().await;
    }
    let _ = conn.close().await;
}

async fn exec<C: WriterConn>(conn: &mut C, sql: &'static str) -> Result<(), sqlx::Error> {
    conn.exec(sql).await
}

/// Writes and commits the batch, and answers its callers once it is durable; whether it failed.
async fn commit<C: WriterConn>(
    conn: &mut C,
    batch: &mut Vec<Job<C>>,
    sync: Option<&super::wal_sync::WalSync>,
) -> bool {
    let answer = |deliveries: Vec<Deliver>| match sync {
        Some(sync) => sync.after_flush(deliveries),
        None => deliveries.into_iter().for_each(|deliver| deliver(None)),
    };
    // One write alone: on SQLite a single statement is its own atomic transaction (durable once
    // `wal_sync` flushes it), so BEGIN and COMMIT would only add two round trips.
    if C::LONE_STATEMENT_IS_A_TRANSACTION
        && batch.len() == 1
        && !matches!(
            batch[0],
            Job::Work {
                savepoint: true,
                ..
            }
        )
    {
        return match batch.pop().expect("one job") {
            Job::Work { work, .. } => match work.run(conn).await {
                Ran::Done { deliver, .. } => {
                    answer(vec![deliver]);
                    false
                }
                Ran::Failed(_) => true,
            },
            Job::Kudos { kudos, reply } => match conn.insert_kudos(&kudos).await {
                Ok(stored) => {
                    answer(vec![reply_once_durable(reply, stored)]);
                    false
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                    true
                }
            },
        };
    }
    let size = batch.len();
    let mut deliveries: Vec<Deliver> = Vec::with_capacity(size);
    let mut pending = batch.drain(..).peekable();
    let failure = 'batch: {
        // A batch that opens with thank-yous starts its transaction with their first statement;
        // one that ends with them commits with their last.
        let mut begin = matches!(pending.peek(), Some(Job::Kudos { .. }));
        let mut committed = false;
        if !begin {
            if let Err(e) = conn.begin_batch().await {
                break 'batch Some(failed("cannot start a transaction", e));
            }
        }
        while let Some(job) = pending.next() {
            let (savepoint, work) = match job {
                Job::Work { savepoint, work } => (savepoint, work),
                Job::Kudos { kudos, reply } => {
                    let mut run = vec![*kudos];
                    let mut replies = vec![reply];
                    while let Some(Job::Kudos { .. }) = pending.peek() {
                        if let Some(Job::Kudos { kudos, reply }) = pending.next() {
                            run.push(*kudos);
                            replies.push(reply);
                        }
                    }
                    let ends = RunEnds {
                        begin: std::mem::take(&mut begin),
                        commit: pending.peek().is_none(),
                    };
                    match conn.kudos_run(&run, ends).await {
                        Ok(stored) => {
                            for (reply, stored) in replies.into_iter().zip(stored) {
                                deliveries.push(reply_once_durable(reply, stored));
                            }
                            committed = ends.commit;
                            continue;
                        }
                        Err(error) => {
                            tracing::error!(error = ?error, kudos = run.len(), "a run of kudos failed; rolling its batch back");
                            let f = WriteFailed {
                                message: format!("{error:#}"),
                                cause: None,
                            };
                            for reply in replies {
                                let _ = reply.send(Err(f.clone().into()));
                            }
                            break 'batch Some(f);
                        }
                    }
                }
            };
            if savepoint {
                if let Err(e) = exec(conn, "SAVEPOINT job").await {
                    let f = failed("cannot start a savepoint", e);
                    work.abandon(&f);
                    break 'batch Some(f);
                }
            }
            match work.run(conn).await {
                Ran::Done { keep, deliver } => {
                    deliveries.push(deliver);
                    if savepoint {
                        let undo = if keep {
                            Ok(())
                        } else {
                            exec(conn, "ROLLBACK TO job").await
                        };
                        if let Err(e) = undo.and(exec(conn, "RELEASE job").await) {
                            break 'batch Some(failed("cannot end a savepoint", e));
                        }
                    }
                }
                Ran::Failed(error) => {
                    break 'batch Some(WriteFailed {
                        message: format!("another write in its batch failed: {error}"),
                        cause: None,
                    });
                }
            }
        }
        if committed {
            break 'batch None;
        }
        match exec(conn, "COMMIT").await {
            Ok(()) => None,
            Err(e) => Some(failed("cannot commit", e)),
        }
    };
    if let Some(f) = &failure {
        // Nothing of the batch stays; a failed COMMIT may already have ended the transaction.
        let _ = exec(conn, "ROLLBACK").await;
        tracing::warn!(error = %f, batch = size, "a batch of writes was rolled back");
        for job in pending {
            job.abandon(f);
        }
    }
    match &failure {
        None => answer(deliveries),
        Some(f) => deliveries.into_iter().for_each(|deliver| deliver(Some(f))),
    }
    failure.is_some()
}

fn reply_once_durable(reply: oneshot::Sender<anyhow::Result<Stored>>, stored: Stored) -> Deliver {
    Box::new(move |failed: Option<&WriteFailed>| {
        let _ = reply.send(match failed {
            None => Ok(stored),
            Some(e) => Err(e.clone().into()),
        });
    })
}

fn failed(what: &str, e: sqlx::Error) -> WriteFailed {
    WriteFailed {
        message: format!("{what}: {e}"),
        cause: Some(Arc::new(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;

    async fn writer_logging_to(wal: &str) -> Writer<SqliteConnection> {
        let conn = "sqlite::memory:"
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut log = LogPolicy::new(":memory:", u64::MAX);
        log.wal = PathBuf::from(wal);
        Writer::spawn(conn, Some(log), None)
    }

    fn select_one(conn: &mut SqliteConnection) -> BoxFuture<'_, anyhow::Result<(i64, bool)>> {
        Box::pin(async move {
            let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&mut *conn).await?;
            Ok((one, true))
        })
    }

    #[tokio::test]
    async fn a_write_is_answered_only_through_the_flush_of_its_log() {
        // procfs refuses fdatasync: if any answer skipped the flush it would say "stored".
        let writer = writer_logging_to("/proc/self/stat").await;
        let lone = writer.write(false, select_one).await;
        let err = lone.expect_err("a lone write waits for the flush");
        assert!(format!("{err:#}").contains("cannot flush"), "{err:#}");
        let together =
            futures_util::future::join_all((0..8).map(|_| writer.write(false, select_one))).await;
        assert!(
            together.iter().all(|r| r.is_err()),
            "a batch waits for it too"
        );
        writer.close().await;

        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("db-wal");
        std::fs::write(&wal, b"frames").unwrap();
        let writer = writer_logging_to(wal.to_str().unwrap()).await;
        assert_eq!(writer.write(false, select_one).await.unwrap(), 1);
        writer.close().await;
    }
}
