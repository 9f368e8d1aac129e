//! Opening a PostgreSQL store: `database.url = postgres://…`. The database must exist; its
//! tables are Spotlight's own migrations (`migrations/postgres`), applied at start under
//! PostgreSQL's advisory lock, so several processes starting at once apply each exactly once.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection, PgPool};

use crate::config::{BadInput, DatabaseConfig};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(super) fn is_postgres(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The read pool, the single writer's connection (and how to open it again), and where the
/// store is, for messages (the URL without its password).
pub(super) async fn connect(
    config: &DatabaseConfig,
) -> anyhow::Result<(
    PgPool,
    PgConnection,
    super::writer::Reopen<PgConnection>,
    String,
)> {
    let options = PgConnectOptions::from_str(config.url.trim()).map_err(|e| {
        anyhow::Error::new(e).context(BadInput(
            "database.url is not a valid postgres:// URL".into(),
        ))
    })?;
    let location = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    );
    let options = options
        .application_name("spotlight")
        // Statements are few and hot; a slow one is logged by the caller's span, not here.
        .log_statements(tracing::log::LevelFilter::Debug);
    let timeout = Duration::from_millis(config.busy_timeout_ms.max(1000) * 2);
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(timeout)
        .connect_with(options.clone())
        .await
        .map_err(|e| explain(e, &location))?;
    MIGRATOR
        .run(&pool)
        .await
        .with_context(|| format!("cannot apply migrations to {location}"))?;
    let conn = tokio::time::timeout(timeout, options.connect())
        .await
        .map_err(|_| anyhow::anyhow!("cannot open the database at {location}: timed out"))?
        .map_err(|e| explain(e, &location))?;
    let reopen: super::writer::Reopen<PgConnection> = std::sync::Arc::new(move || {
        let options = options.clone();
        Box::pin(async move { options.connect().await })
    });
    Ok((pool, conn, reopen, location))
}

fn explain(e: sqlx::Error, location: &str) -> anyhow::Error {
    let why = match &e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("3D000") => Some("the database does not exist; create it first (createdb)"),
            Some("28P01") | Some("28000") => Some("the server refused the user or password"),
            _ => None,
        },
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            Some("the server cannot be reached; check the host and port and that it is running")
        }
        _ => None,
    };
    match why {
        // Our words say it all; the driver's (with its source positions) go to the debug log.
        Some(why) => {
            tracing::debug!(error = ?e, "cannot open the database");
            anyhow::anyhow!("cannot open the database at {location}: {why}")
        }
        None => anyhow::Error::new(e).context(format!("cannot open the database at {location}")),
    }
}
