//! The write-ahead log stays bounded while kudos are written continuously and boards are read,
//! and shrinks back once the writing stops.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use spotlight::domain::model::{Actor, KudosRequest};
use spotlight::domain::period::{Board, Period};

use crate::support::TestApp;

struct Load {
    largest_wal: u64,
    kudos: usize,
    wal_after: u64,
}

async fn sustained_load(limit_mb: u64, seconds: u64) -> Load {
    let test = TestApp::with_config("2026-10-05T09:00:00Z", |c| {
        c.database.wal_limit_mb = limit_mb;
        c.database.max_connections = 8;
    })
    .await;
    let core = test.core().clone();
    let ws = test.workspace("acme").await;
    let mut people = Vec::new();
    for i in 0..50 {
        people.push(test.member(&ws, &format!("p{i}")).await);
    }
    let admin = Actor {
        member: people[0].clone(),
        is_admin: true,
    };
    let ws = core.set_allowance(&ws, &admin, "0").await.unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", core.store().location()));
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (core, ws, people, stop, written) = (
            core.clone(),
            ws.clone(),
            people.clone(),
            stop.clone(),
            written.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while !stop.load(Ordering::Relaxed) {
                let giver = &people[i % people.len()];
                let to = &people[(i + 1) % people.len()];
                core.give_kudos(
                    &ws,
                    giver,
                    KudosRequest {
                        recipients: vec![to.id.into()],
                        message: format!("thanks for ticket {i}, and for the patience"),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                written.fetch_add(1, Ordering::Relaxed);
                i += 4;
            }
        }));
    }
    for r in 0..2 {
        let (core, ws, people, stop) = (core.clone(), ws.clone(), people.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let board = if r == 0 {
                    Board::Received
                } else {
                    Board::Given
                };
                core.leaderboard(&ws, Some(&people[r]), Period::Week, board, 10)
                    .await
                    .unwrap();
                // One statement, one snapshot: a kudos is never seen without its recipient.
                let torn: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM kudos) - (SELECT COUNT(*) FROM kudos_recipients)",
                )
                .fetch_one(core.store().pool())
                .await
                .unwrap();
                assert_eq!(torn, 0, "a reader saw a half-written kudos");
            }
        }));
    }
    // Readers that keep a snapshot open, overlapping, so there is never a moment without one:
    // SQLite's own passive checkpoint can then never start the log over (checkpoint starvation).
    for r in 0..2u64 {
        let (pool, stop) = (core.store().pool().clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20 * r)).await;
            while !stop.load(Ordering::Relaxed) {
                let mut tx = pool.begin().await.unwrap();
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kudos")
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(40)).await;
                tx.commit().await.unwrap();
            }
        }));
    }
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut largest = 0;
    let until = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < until {
        largest = largest.max(size());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    // Quiet now: the log should shrink back without a restart.
    let mut wal_after = size();
    for _ in 0..100 {
        if wal_after < 4 * 1024 * 1024 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        wal_after = size();
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kudos")
        .fetch_one(core.store().pool())
        .await
        .unwrap();
    let kudos = written.load(Ordering::Relaxed);
    assert_eq!(stored as usize, kudos, "every acknowledged kudos is stored");
    Load {
        largest_wal: largest,
        kudos,
        wal_after,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_stays_bounded_under_load_and_shrinks_after() {
    const MB: u64 = 1024 * 1024;
    let bounded = sustained_load(1, 3).await;
    assert!(
        bounded.kudos > 300,
        "enough load to matter: {}",
        bounded.kudos
    );
    // Without the policy this load grows the log to ~90 MB (about 37 KB per kudos, never reset).
    assert!(
        bounded.largest_wal < 40 * MB,
        "the log reached {} bytes with a 1 MB limit ({} kudos)",
        bounded.largest_wal,
        bounded.kudos
    );
    assert!(
        bounded.wal_after < 4 * MB,
        "the log is {} bytes once quiet",
        bounded.wal_after
    );
}
