//! The store owns every SQL statement. Two backends behind one API (`db`): SQLite through sqlx
//! (WAL, foreign keys, a busy timeout; the embedded default) and PostgreSQL (`postgres`), each
//! with its own embedded forward-only migrations applied at start.

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is: the body is
/// compiled once per backend.
macro_rules! on_db {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::db::Db::Sqlite($pool) => $body,
            $crate::store::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` on the store's single writer (see `writer`) with `$conn` its connection, in the
/// next batch; compiled once per backend.
macro_rules! write_job {
    ($store:expr, $savepoint:expr, move |$conn:ident| $body:block) => {
        match &$store.writer {
            $crate::store::Writers::Sqlite(w) => {
                w.write($savepoint, move |$conn| Box::pin(async move $body)).await
            }
            $crate::store::Writers::Postgres(w) => {
                w.write($savepoint, move |$conn| Box::pin(async move $body)).await
            }
        }
    };
}

mod awards;
mod boards;
mod cache;
mod checkpoint;
mod copy;
mod copy_tables;
mod db;
mod deliveries;
mod feed;
mod held;
mod kudos;
mod kudos_batch;
mod kudos_pg;
mod medallions;
mod members;
mod postgres;
mod schedule;
mod slack;
mod stats;
mod wal_sync;
mod wall;
mod workspaces;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions;
use sqlx::{PgConnection, SqliteConnection, SqlitePool};

use crate::config::{BadInput, DatabaseConfig};

pub use awards::{NominationRow, ThanksRow, WinnerRow};
pub use boards::{BoardRow, MemberTotals, Ranked, ValueCount};
pub use copy::{CopyReport, TargetNotEmpty};
pub use db::Dialect;
pub use deliveries::DeliveryFailure;
pub use feed::{RemoteWall, WallNotice};
pub use held::HeldPost;
pub use kudos::{InsertKudos, KudosConn, KudosFilter, Stored};
pub use medallions::{CustomerThanksRow, InsertMedallion, StoredMedallion};
pub use schedule::{Outcome, CLAIM_LEASE};
pub use slack::{NewInstall, SealedInstall};
pub use wall::{DayCount, DepartmentFlow, WallRow};
pub use workspaces::SettingChange;
pub use writer::WriteFailed;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct Store {
    /// Reads, and the rare writes that are not worth a queue (settings).
    db: db::Db,
    /// Thank-yous, members and the boards' folds: one connection, group commit.
    writer: Writers,
    cache: std::sync::Arc<cache::Cache>,
    /// PostgreSQL: what the other processes sharing the store announce (`feed`).
    feed: Option<std::sync::Arc<feed::Feed>>,
    location: String,
}

#[derive(Debug, Clone)]
pub(crate) enum Writers {
    Sqlite(writer::Writer<SqliteConnection>),
    Postgres(writer::Writer<PgConnection>),
}

impl Store {
    /// Opens (creating when missing) the database and applies pending migrations.
    pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<Self> {
        if postgres::is_postgres(&config.url) {
            let (pool, conn, reopen, location) = postgres::connect(config).await?;
            let cache: std::sync::Arc<cache::Cache> = Default::default();
            let feed = feed::listen(pool.clone(), cache.clone());
            return Ok(Self {
                db: db::Db::Postgres(pool),
                writer: Writers::Postgres(writer::Writer::spawn(conn, None, Some(reopen))),
                cache,
                feed: Some(std::sync::Arc::new(feed)),
                location,
            });
        }
        let (options, location) = connect_options(&config.url)?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_millis(config.busy_timeout_ms))
            // Each thank-you updates a few dozen aggregate rows spread over the boards' indexes;
            // a roomy page cache and memory-mapped reads keep those updates off the disk path.
            .pragma("cache_size", "-32768")
            .pragma("mmap_size", "268435456")
            // A statement that writes many rows inside a transaction keeps a statement journal
            // so it can undo itself; in a file that cost a write per page, and a crash has no
            // use for it.
            .pragma("temp_store", "memory")
            // After a checkpoint empties the log, its file shrinks back to this.
            .pragma(
                "journal_size_limit",
                checkpoint::JOURNAL_SIZE_LIMIT.to_string(),
            );
        // SQLite's pages are 4 KiB by default; the limit counts pages.
        let options = match config.max_size_mb {
            0 => options,
            mb => options.pragma("max_page_count", (mb * 256).to_string()),
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(Duration::from_millis(config.busy_timeout_ms.max(1000) * 2))
            .connect_with(options.clone())
            .await
            .map_err(|e| explain_open_error(e, &location))?;
        MIGRATOR.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(inner) => explain_open_error(inner, &location),
            other => {
                anyhow::Error::new(other).context(format!("cannot apply migrations to {location}"))
            }
        })?;
        // Acknowledged writes survive a power loss, not only a crash: the writer answers a
        // batch only once its log is flushed (`wal_sync`), off the writer's own path, so its
        // connection commits without waiting for the disk.
        let wal_limit = config.wal_limit_mb * 1024 * 1024;
        let conn = options
            .synchronous(SqliteSynchronous::Normal)
            // The writer checkpoints by its own policy instead (`checkpoint`).
            .pragma("wal_autocheckpoint", "0")
            // The log restarts in place under load (`checkpoint`): keep its file up to the limit.
            .pragma(
                "journal_size_limit",
                wal_limit.max(checkpoint::JOURNAL_SIZE_LIMIT).to_string(),
            )
            // A small page cache: reads come from the memory map, and SQLite walks the whole
            // cache's hash table at the end of any transaction that split a page (it parks a
            // page at the locking page's number while reordering). 32 MiB made that walk 11%
            // of the writer's time; 4 MiB keeps the batch's pages and the indexes' inner pages.
            .pragma("cache_size", "-4096")
            .connect()
            .await
            .map_err(|e| explain_open_error(e, &location))?;
        let log =
            (!location.contains(":memory:")).then(|| writer::LogPolicy::new(&location, wal_limit));
        Ok(Self {
            db: db::Db::Sqlite(pool),
            writer: Writers::Sqlite(writer::Writer::spawn(conn, log, None)),
            cache: Default::default(),
            feed: None,
            location,
        })
    }

    /// How many migrations the database has applied.
    pub async fn applied_migrations(&self) -> anyhow::Result<i64> {
        let n = on_db!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }

    /// Whether the database answers at all.
    pub async fn ping(&self) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(db::done))?;
        Ok(())
    }

    /// Which backend this store runs on.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// The statement text for this store's backend, where the two dialects differ.
    fn sql(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }

    /// A subquery of the ids in a JSON array bound at `param`, e.g. `m.id IN {ids_in("$2")}`.
    fn ids_in(&self, param: &str) -> String {
        match self.dialect() {
            Dialect::Sqlite => format!("(SELECT value FROM json_each({param}))"),
            Dialect::Postgres => {
                format!("(SELECT value::bigint FROM json_array_elements_text({param}::json))")
            }
        }
    }

    /// The SQLite pool itself, for tests and benchmarks that look inside the file.
    ///
    /// # Panics
    /// On PostgreSQL.
    pub fn pool(&self) -> &SqlitePool {
        match &self.db {
            db::Db::Sqlite(pool) => pool,
            db::Db::Postgres(_) => panic!("Store::pool is SQLite's; this store is PostgreSQL"),
        }
    }

    /// The read pool's (size, idle, max connections), for metrics.
    pub fn pool_stats(&self) -> (u32, usize, u32) {
        on_db!(self, |pool| (
            pool.size(),
            pool.num_idle(),
            pool.options().get_max_connections()
        ))
    }

    pub fn location(&self) -> &str {
        &self.location
    }

    pub async fn close(&self) {
        if let Some(feed) = &self.feed {
            feed.stop();
        }
        match &self.writer {
            Writers::Sqlite(w) => w.close().await,
            Writers::Postgres(w) => w.close().await,
        }
        on_db!(self, |pool| pool.close().await);
    }
}

/// SQLite (a path or a `sqlite:` URL) or PostgreSQL (`postgres://` or `postgresql://`): any
/// other `scheme://` would otherwise be taken for a file path (`mysql://…` would become a
/// folder named `mysql:`). The rest of the URL is not echoed, as it may hold a password.
pub fn check_url(url: &str) -> Result<(), BadInput> {
    match url.trim().split_once("://") {
        Some((scheme, _)) if !matches!(scheme, "sqlite" | "postgres" | "postgresql") => {
            Err(BadInput(format!(
                "database.url: {scheme}:// is not supported; use a file path such as \
                 data/spotlight.db, a sqlite: URL, or a postgres:// URL"
            )))
        }
        _ => Ok(()),
    }
}

/// The file a SQLite `url` names, when that file does not exist (`None` for PostgreSQL and
/// in-memory databases, or when it exists).
pub fn missing_sqlite_file(url: &str) -> Option<PathBuf> {
    let url = url.trim();
    if postgres::is_postgres(url) || url.contains(":memory:") {
        return None;
    }
    let path = match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            PathBuf::from(rest.split('?').next().unwrap_or(rest))
        }
        None => PathBuf::from(url),
    };
    (!path.exists()).then_some(path)
}

fn connect_options(url: &str) -> anyhow::Result<(SqliteConnectOptions, String)> {
    let url = url.trim();
    check_url(url)?;
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url).map_err(|e| {
            anyhow::Error::new(e).context(BadInput(format!(
                "database.url: '{url}' is not a valid sqlite URL"
            )))
        })?;
        let path = options.get_filename().to_path_buf();
        if !url.contains(":memory:") {
            ensure_folder(&path)?;
            ensure_writable(&path)?;
        }
        return Ok((options, path.display().to_string()));
    }
    let path = PathBuf::from(url);
    ensure_folder(&path)?;
    ensure_writable(&path)?;
    Ok((
        SqliteConnectOptions::new().filename(&path),
        path.display().to_string(),
    ))
}

fn ensure_folder(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        return Err(BadInput(format!(
            "database.url: {} is a folder; name a database file in it, such as {}",
            path.display(),
            path.join("spotlight.db").display()
        ))
        .into());
    }
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.is_dir() {
        return Ok(());
    }
    let cannot = format!(
        "cannot create the database folder {} for {}",
        parent.display(),
        path.display()
    );
    if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
        return Err(BadInput(format!(
            "{cannot}: {} is a file, not a folder",
            file.display()
        ))
        .into());
    }
    std::fs::create_dir_all(parent).map_err(|e| anyhow::Error::new(e).context(cannot))
}

/// SQLite opens a file it cannot write read-only without a word, and a read-only folder fails
/// later and vaguely (the write-ahead log cannot be made). Checked first, and touching nothing:
/// the file is opened for writing without writing, and the folder gets a probe file, removed at
/// once. This also catches what permission bits do not show: a read-only mount, an immutable
/// file, which stop even root.
fn ensure_writable(path: &Path) -> anyhow::Result<()> {
    let not_writable = |what: String, e: std::io::Error| {
        anyhow::anyhow!(
            "cannot open the database at {}: {what} is not writable ({})",
            path.display(),
            io_reason(&e)
        )
    };
    if path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| not_writable("the file".into(), e))?;
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut probe = folder.join(".spotlight-write-check");
    probe.set_extension(std::process::id().to_string());
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .map_err(|e| not_writable(format!("its folder {}", folder.display()), e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The OS error without its "(os error 30)" tail.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system".into(),
        _ => {
            let text = e.to_string();
            match text.split_once(" (os error") {
                Some((head, _)) => head.to_lowercase(),
                None => text,
            }
        }
    }
}

fn explain_open_error(e: sqlx::Error, location: &str) -> anyhow::Error {
    let code = match &e {
        sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()),
        _ => None,
    };
    let why = match code.map(|c| c & 0xff) {
        Some(5) | Some(6) => "it is locked by another process; try again when that process is done",
        Some(8) => "the database file or its folder is read-only",
        Some(13) => "the database is full (free disk space, or raise database.max_size_mb)",
        Some(14) => "the file cannot be opened: check that the path exists and is writable",
        Some(26) => "the file is not a SQLite database",
        _ => {
            return anyhow::Error::new(e).context(format!("cannot open the database at {location}"))
        }
    };
    let message = format!("cannot open the database at {location}: {why}");
    // A file that is not a database is a wrong database.url; a lock or a permission is not.
    if code.map(|c| c & 0xff) == Some(26) {
        anyhow::Error::new(e).context(BadInput(message))
    } else {
        anyhow::Error::new(e).context(message)
    }
}

fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
