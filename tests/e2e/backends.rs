//! The store's tests run on both backends: main.rs includes their files a second time under
//! `postgres::`, and `TestApp` gives a test in that module a fresh PostgreSQL database of its
//! own on the server named by `SPOTLIGHT_TEST_POSTGRES_URL` (`scripts/with-postgres` starts a
//! throwaway one). Without that variable those tests say they were skipped, unless
//! `SPOTLIGHT_TEST_POSTGRES_REQUIRED=1` (CI), where they fail.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgConnection};

/// Whether the calling test is one of the `postgres::` copies. libtest runs each test on a
/// thread named after its path.
pub fn on_postgres() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|n| n.starts_with("postgres::"))
}

/// The server's URL, or `None` when the test should be skipped.
pub fn server() -> Option<String> {
    match std::env::var("SPOTLIGHT_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("SPOTLIGHT_TEST_POSTGRES_REQUIRED").as_deref() != Ok("1"),
                "SPOTLIGHT_TEST_POSTGRES_REQUIRED=1 but SPOTLIGHT_TEST_POSTGRES_URL is not set"
            );
            None
        }
    }
}

/// True (after saying so) when a `postgres::` test has no server to run on.
pub fn skip() -> bool {
    if on_postgres() && server().is_none() {
        eprintln!(
            "skipped: {} needs PostgreSQL; set SPOTLIGHT_TEST_POSTGRES_URL (scripts/with-postgres does)",
            std::thread::current().name().unwrap_or("this test")
        );
        return true;
    }
    false
}

/// A new, empty database on the test server; its URL.
pub async fn fresh_database() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let server = server().expect("a PostgreSQL server for this test");
    let name = format!(
        "spotlight_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut admin = PgConnection::connect(&server).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    let _ = admin.close().await;
    with_database(&server, &name)
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Skips a `postgres::` test when there is no server to run it on.
#[macro_export]
macro_rules! skip_without_postgres {
    () => {
        if $crate::backends::skip() {
            return;
        }
    };
}
