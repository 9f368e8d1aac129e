//! Makes the single writer's commits durable off its own path (SQLite).
//!
//! Why: with `synchronous = FULL` SQLite waits for the disk inside COMMIT, and the writer can do
//! nothing else meanwhile. The writer's connection therefore commits with `synchronous = NORMAL`
//! (the log's frames are written, not yet flushed) and hands the batch's answers here; this
//! thread flushes the log file (`fdatasync`) and only then answers. The writer starts the next
//! batch while the disk works, and one flush covers every batch that committed before it.
//!
//! The guarantee equals FULL's for everything acknowledged: a caller hears "stored" only after
//! the log holding its commit is on disk, and the log is a sequence, so a flush covers every
//! earlier commit too. SQLite itself keeps the rest safe in NORMAL: it flushes the log before a
//! checkpoint copies frames back, flushes the database after, and flushes a new log's header, so
//! a frame is never overwritten or truncated before it is durable elsewhere. The difference a
//! power cut could show: for the length of one flush (about a millisecond) other readers may see
//! a write that is then lost; its own caller was never told it was stored.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::writer::{Deliver, WriteFailed};

/// A committed batch's answers, waiting for the flush that makes them true.
pub(super) type Answers = Vec<Deliver>;

pub(super) struct WalSync {
    wal: PathBuf,
    batches: Option<mpsc::Sender<Answers>>,
    thread: Option<JoinHandle<()>>,
}

impl WalSync {
    pub(super) fn start(wal: PathBuf) -> Self {
        let (batches, waiting) = mpsc::channel::<Answers>();
        let path = wal.clone();
        let thread = std::thread::Builder::new()
            .name("spotlight-wal-sync".into())
            .spawn(move || run(path, waiting))
            .expect("spawning the log's flush thread");
        Self {
            wal,
            batches: Some(batches),
            thread: Some(thread),
        }
    }

    /// Answers a committed batch once the log is on disk.
    pub(super) fn after_flush(&self, answers: Answers) {
        if let Some(batches) = &self.batches {
            if let Err(mpsc::SendError(answers)) = batches.send(answers) {
                // The thread is gone (it panicked): flush here rather than lose the answers.
                let result = Log::default().flush(&self.wal);
                answer(answers, result);
            }
        }
    }

    /// Waits until every batch handed over has been flushed and answered.
    pub(super) async fn finish(mut self) {
        self.batches = None;
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

fn run(wal: PathBuf, waiting: mpsc::Receiver<Answers>) {
    let mut log = Log::default();
    while let Ok(first) = waiting.recv() {
        let mut answers = first;
        // Everything committed by now is covered by one flush.
        while let Ok(more) = waiting.try_recv() {
            answers.extend(more);
        }
        let result = log.flush(&wal);
        answer(answers, result);
    }
}

fn answer(answers: Answers, result: Result<(), WriteFailed>) {
    if let Err(e) = &result {
        tracing::error!(error = %e, writes = answers.len(), "cannot flush the write-ahead log; \
            the writes in it were reported as failed");
    }
    for deliver in answers {
        deliver(result.as_ref().err());
    }
}

/// The open log file, reopened when SQLite has started a new one.
#[derive(Default)]
struct Log {
    file: Option<(File, u64)>,
}

impl Log {
    fn flush(&mut self, wal: &PathBuf) -> Result<(), WriteFailed> {
        let failed = |what: &str, e: std::io::Error| WriteFailed {
            message: format!("cannot flush the write-ahead log ({what}): {e}"),
            cause: None,
        };
        let current = match std::fs::metadata(wal) {
            Ok(m) => m.ino(),
            // No log: SQLite checkpointed everything into the database (and flushed it) and
            // removed the file, so nothing is waiting in it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(failed("reading its metadata", e)),
        };
        if self.file.as_ref().is_none_or(|(_, ino)| *ino != current) {
            let file = File::open(wal).map_err(|e| failed("opening it", e))?;
            let ino = file.metadata().map_err(|e| failed("reading it", e))?.ino();
            self.file = Some((file, ino));
        }
        let (file, _) = self.file.as_ref().expect("opened above");
        file.sync_data().map_err(|e| failed("fdatasync", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn recorder(seen: &Arc<Mutex<Vec<Option<String>>>>) -> Deliver {
        let seen = seen.clone();
        Box::new(move |failed: Option<&WriteFailed>| {
            seen.lock().unwrap().push(failed.map(|f| f.message.clone()));
        })
    }

    #[tokio::test]
    async fn answers_wait_for_the_flush_and_hear_when_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("db-wal");
        std::fs::write(&wal, b"frames").unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sync = WalSync::start(wal);
        sync.after_flush(vec![recorder(&seen), recorder(&seen)]);
        sync.after_flush(vec![recorder(&seen)]);
        sync.finish().await;
        assert_eq!(*seen.lock().unwrap(), vec![None, None, None]);

        // A file the kernel cannot flush (procfs refuses fdatasync): the writes are reported
        // as failed, never as stored.
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sync = WalSync::start(PathBuf::from("/proc/self/stat"));
        sync.after_flush(vec![recorder(&seen)]);
        sync.finish().await;
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        let message = seen[0].as_deref().expect("a failure");
        assert!(
            message.contains("cannot flush the write-ahead log"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn no_log_file_means_nothing_waits_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sync = WalSync::start(dir.path().join("gone-wal"));
        sync.after_flush(vec![recorder(&seen)]);
        sync.finish().await;
        assert_eq!(*seen.lock().unwrap(), vec![None]);
    }
}
