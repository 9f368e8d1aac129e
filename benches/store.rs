//! `cargo bench`: fills a database with 1,000,000 kudos among 10,000 members of one workspace,
//! then times every leaderboard (median of repeated runs), the kudos write path, and a raw
//! single-row sqlx insert baseline on the same database.
//!
//! SPOTLIGHT_BENCH_KUDOS and SPOTLIGHT_BENCH_MEMBERS shrink the run for a quick look.

#[path = "common/timing.rs"]
#[allow(dead_code)]
mod timing;
use timing::{cpu, percentile};

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, TimeZone, Utc};
use spotlight::app::App;
use spotlight::clock::ManualClock;
use spotlight::config::Config;
use spotlight::domain::calendar::WeekDates;
use spotlight::domain::model::{KudosKind, KudosRequest, Member};
use spotlight::domain::period::{buckets_for, Board, Period};
use spotlight::store::{InsertKudos, KudosConn};

const DEPARTMENTS: usize = 20;
const VALUES: [&str; 5] = [
    "Patience",
    "Teamwork",
    "Going the extra mile",
    "Customer first",
    "Integrity",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let kudos_total = env_usize("SPOTLIGHT_BENCH_KUDOS", 1_000_000);
    let member_total = env_usize("SPOTLIGHT_BENCH_MEMBERS", 10_000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database.url = dir.path().join("bench.db").display().to_string();
    config.defaults.daily_allowance = 0;
    let now: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 10, 9, 12, 0, 0).unwrap();
    let clock = ManualClock::at(now);
    let app = App::build(config, Arc::new(clock.clone())).await?;
    let core = &app.spotlight;
    let store = core.store();
    let ws = core.workspace("bench", "bench", Some("bench")).await?;

    println!(
        "# Spotlight store benchmark: {kudos_total} kudos, {member_total} members, 1 workspace"
    );
    let started = Instant::now();
    let mut members: Vec<Member> = Vec::with_capacity(member_total);
    for i in 0..member_total {
        let m = store
            .upsert_member(
                ws.id,
                &format!("u{i}"),
                &format!("member{i:05}"),
                false,
                now,
            )
            .await?;
        store
            .set_department(ws.id, m.id, Some(&format!("Dept {:02}", i % DEPARTMENTS)))
            .await?;
        members.push(m);
    }
    println!(
        "members created in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // A year of thank-yous ending on the Friday of Customer Service Week 2026.
    let first_day = now.date_naive() - Days::days(364);
    let week = WeekDates::standard(2026);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let started = Instant::now();
    let batch = 10_000;
    let mut written = 0;
    while written < kudos_total {
        let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
        for _ in 0..batch.min(kudos_total - written) {
            let day: NaiveDate = first_day + Days::days(rng.below(365) as i64);
            let giver = rng.below(member_total);
            let n = match rng.below(100) {
                0..=79 => 1,
                80..=94 => 2,
                _ => 3,
            };
            let mut recipients = Vec::with_capacity(n);
            while recipients.len() < n {
                let r = rng.below(member_total);
                if r != giver && !recipients.contains(&members[r].id) {
                    recipients.push(members[r].id);
                }
            }
            let k = InsertKudos {
                workspace_id: ws.id,
                kind: KudosKind::Kudos,
                giver_id: members[giver].id,
                recipients,
                message: "Thanks for covering the queue".into(),
                value: (rng.below(10) < 6).then(|| VALUES[rng.below(VALUES.len())].to_string()),
                customer: None,
                channel: Some("celebrations".into()),
                event_id: None,
                link: None,
                theme: None,
                created_at: Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap()),
                local_date: day,
                buckets: buckets_for(day, week.contains(day)),
                allowance: 0,
            };
            tx.insert_kudos(&k).await?;
        }
        tx.commit().await?;
        written += batch.min(kudos_total - written);
    }
    let fill = started.elapsed();
    println!(
        "filled {written} kudos in {:.1} s ({:.0} kudos/s in batches of {batch})",
        fill.as_secs_f64(),
        written as f64 / fill.as_secs_f64()
    );
    let started = Instant::now();
    store.fold_stats(ws.id).await?;
    println!(
        "folded them into the boards in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::query("PRAGMA optimize").execute(store.pool()).await?;

    // For profiling the write path alone (`perf record`): skip straight to the writer's cells.
    if std::env::var_os("SPOTLIGHT_BENCH_WRITER_ONLY").is_some() {
        return writer_only(&app, ws.id, &members, now).await;
    }
    sqlx::query("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT NOT NULL, c INTEGER NOT NULL)")
        .execute(store.pool())
        .await?;
    // For a quick look at the concurrent givers' table alone.
    if std::env::var_os("SPOTLIGHT_BENCH_CONCURRENCY_ONLY").is_some() {
        concurrency(&app, ws.id, &members, now, dir.path()).await?;
        app.shutdown().await;
        return Ok(());
    }

    println!("\n## Leaderboards (top 10 and the viewer's rank; median of 51 runs)");
    println!("| period | received | given | departments | values | crossteam |");
    println!("|---|---|---|---|---|---|");
    let viewer = &members[member_total / 2];
    let mut worst = Duration::ZERO;
    for period in [
        Period::Today,
        Period::Week,
        Period::Csw(Some(2026)),
        Period::Month,
        Period::Year,
        Period::All,
    ] {
        let mut row = format!("| {period} |");
        for board in [
            Board::Received,
            Board::Given,
            Board::Departments,
            Board::Values,
            Board::CrossTeam,
        ] {
            let mut samples = Vec::with_capacity(51);
            for _ in 0..51 {
                let t = Instant::now();
                let lb = core
                    .leaderboard(&ws, Some(viewer), period, board, 10)
                    .await?;
                samples.push(t.elapsed());
                assert!(!lb.lines.is_empty(), "{period} {board:?} is empty");
            }
            let m = median(samples);
            worst = worst.max(m);
            row.push_str(&format!(" {} |", ms(m)));
        }
        println!("{row}");
    }
    println!(
        "slowest leaderboard median: {} (goal: under 5 ms)",
        ms(worst)
    );

    let mut samples = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        core.coverage(
            &ws,
            &spotlight::domain::model::Actor {
                member: viewer.clone(),
                is_admin: false,
            },
            Period::Week,
        )
        .await?;
        samples.push(t.elapsed());
    }
    println!("coverage (week, counts only): {}", ms(median(samples)));

    println!("\n## Write path (each a separate commit, on the filled database)");
    let rounds = env_usize("SPOTLIGHT_BENCH_WRITES", 5_000);
    // The three are interleaved in blocks so that drift on a shared machine hits them alike.
    let block = 250;
    let (mut raw_t, mut store_t, mut core_t) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let day = now.date_naive();
    for start in (0..rounds).step_by(block) {
        let end = (start + block).min(rounds);
        let t = Instant::now();
        for i in start..end {
            sqlx::query("INSERT INTO bench_raw (a, b, c) VALUES (?, ?, ?)")
                .bind(i as i64)
                .bind("Thanks for covering the queue")
                .bind(now.timestamp_millis())
                .execute(store.pool())
                .await?;
        }
        raw_t += t.elapsed();
        let t = Instant::now();
        for i in start..end {
            let k = InsertKudos {
                workspace_id: ws.id,
                kind: KudosKind::Kudos,
                giver_id: members[i % member_total].id,
                recipients: vec![members[(i + 1) % member_total].id],
                message: "Thanks for covering the queue".into(),
                value: Some("Teamwork".into()),
                customer: None,
                channel: Some("celebrations".into()),
                event_id: Some(format!("store-{i}")),
                link: None,
                theme: None,
                created_at: now,
                local_date: day,
                buckets: buckets_for(day, week.contains(day)),
                allowance: 5,
            };
            store.insert_kudos(&k).await?;
        }
        store_t += t.elapsed();
        let t = Instant::now();
        for i in start..end {
            // Different givers from the store loop keep every request under the daily allowance.
            let giver = &members[(i * 7 + 3) % member_total];
            let recipient = &members[(i * 7 + 4) % member_total];
            core.give_kudos(
                &ws,
                giver,
                KudosRequest {
                    recipients: vec![recipient.id.into()],
                    message: "Thanks for covering the queue".into(),
                    value: Some("teamwork".into()),
                    event_id: Some(format!("core-{i}")),
                    ..Default::default()
                },
            )
            .await?;
        }
        core_t += t.elapsed();
    }
    let rate = |d: Duration| rounds as f64 / d.as_secs_f64();
    let (raw, stored, full) = (rate(raw_t), rate(store_t), rate(core_t));
    println!("raw single-row sqlx insert (NORMAL):     {raw:>8.0} rows/s");
    println!(
        "kudos store write (single writer, FULL): {stored:>8.0} kudos/s  ({:.2} x raw)",
        stored / raw
    );
    println!(
        "kudos via Spotlight::give_kudos:         {full:>8.0} kudos/s  ({:.2} x raw)",
        full / raw
    );
    println!("(one writer at a time: a durable commit each; group commit pays off with concurrent givers, below)");

    println!(
        "\n## Leaderboard right after new kudos (fold of the pending ones + read; median of 51)"
    );
    for pending in [1usize, 10, 100] {
        let mut samples = Vec::with_capacity(51);
        for round in 0..51 {
            for j in 0..pending {
                let i = round * pending + j;
                core.give_kudos(
                    &ws,
                    &members[(i * 13 + 5) % member_total],
                    KudosRequest {
                        recipients: vec![members[(i * 13 + 6) % member_total].id.into()],
                        message: "Thanks!".into(),
                        event_id: Some(format!("fresh-{pending}-{i}")),
                        ..Default::default()
                    },
                )
                .await?;
            }
            let t = Instant::now();
            core.leaderboard(&ws, Some(viewer), Period::All, Board::Received, 10)
                .await?;
            samples.push(t.elapsed());
        }
        println!("{pending:>4} new kudos pending: {}", ms(median(samples)));
    }
    concurrency(&app, ws.id, &members, now, dir.path()).await?;
    let _ = now.year();
    app.shutdown().await;
    Ok(())
}

/// One kudos for giver `i` to a colleague, outside any allowance.
fn kudos_for(ws: i64, members: &[Member], i: usize, now: DateTime<Utc>) -> InsertKudos {
    let day = now.date_naive();
    InsertKudos {
        workspace_id: ws,
        kind: KudosKind::Kudos,
        giver_id: members[(i * 31 + 7) % members.len()].id,
        recipients: vec![members[(i * 31 + 8) % members.len()].id],
        message: "Thanks for covering the queue".into(),
        value: Some("Teamwork".into()),
        customer: None,
        channel: Some("celebrations".into()),
        event_id: None,
        link: None,
        theme: None,
        created_at: now,
        local_date: day,
        buckets: buckets_for(day, WeekDates::standard(2026).contains(day)),
        allowance: 0,
    }
}

fn wal_bytes(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("bench.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq)]
enum Path {
    /// Each statement its own commit on a pooled connection (synchronous = NORMAL): the write
    /// path before the single writer.
    Before,
    /// The same, made durable (synchronous = FULL): what today's path costs with the guarantee
    /// the writer gives.
    BeforeDurable,
    /// The store's single writer: group commit, durable.
    Writer,
    /// A raw single-row insert, its own durable commit (synchronous = FULL).
    RawDurable,
}

/// Kudos per second and write latency at 1, 8, 32 and 128 concurrent givers, for each path, in
/// one run; then pages logged per kudos (a reader holds a snapshot so the log only grows).
async fn concurrency(
    app: &App,
    ws: i64,
    members: &[Member],
    now: DateTime<Utc>,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
    let store = app.spotlight.store();
    let file = dir.join("bench.db");
    let pool_with = |sync: SqliteSynchronous| {
        SqlitePoolOptions::new().max_connections(8).connect_with(
            SqliteConnectOptions::new()
                .filename(&file)
                .synchronous(sync)
                .busy_timeout(Duration::from_secs(30)),
        )
    };
    let normal = pool_with(SqliteSynchronous::Normal).await?;
    let full = pool_with(SqliteSynchronous::Full).await?;
    let per_level = env_usize("SPOTLIGHT_BENCH_CONCURRENT_WRITES", 16_000);
    println!("\n## Concurrent givers ({per_level} writes per cell; p50 / p99 latency per write; CPU per write, whole process)");
    println!("| givers | before: a commit each, NORMAL | before, made durable (FULL) | single writer, group commit, durable | raw single-row insert, FULL |");
    println!("|---|---|---|---|---|");
    let mut next = 0usize;
    for givers in [1usize, 8, 32, 128] {
        let mut row = format!("| {givers} |");
        for path in [
            Path::Before,
            Path::BeforeDurable,
            Path::Writer,
            Path::RawDurable,
        ] {
            // Every cell starts from an empty log, so none pays for another's checkpoint.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&normal)
                .await?;
            let started = Instant::now();
            let cpu_before = cpu();
            let mut tasks = tokio::task::JoinSet::new();
            for g in 0..givers {
                let (store, normal, full) = (store.clone(), normal.clone(), full.clone());
                let members = members.to_vec();
                let base = next + g * (per_level / givers + 1);
                tasks.spawn(async move {
                    let mut latencies = Vec::new();
                    for i in 0..per_level / givers {
                        let k = kudos_for(ws, &members, base + i, now);
                        let t = Instant::now();
                        match path {
                            Path::Before => {
                                let mut conn = normal.acquire().await?;
                                conn.insert_kudos(&k).await?;
                            }
                            Path::BeforeDurable => {
                                let mut conn = full.acquire().await?;
                                conn.insert_kudos(&k).await?;
                            }
                            Path::Writer => {
                                store.insert_kudos(&k).await?;
                            }
                            Path::RawDurable => {
                                sqlx::query("INSERT INTO bench_raw (a, b, c) VALUES (?, ?, ?)")
                                    .bind((base + i) as i64)
                                    .bind("Thanks for covering the queue")
                                    .bind(now.timestamp_millis())
                                    .execute(&full)
                                    .await?;
                            }
                        }
                        latencies.push(t.elapsed());
                    }
                    anyhow::Ok(latencies)
                });
            }
            let mut latencies = Vec::with_capacity(per_level);
            while let Some(done) = tasks.join_next().await {
                latencies.extend(done??);
            }
            let elapsed = started.elapsed();
            let cpu_used = cpu() - cpu_before;
            next += per_level + givers;
            latencies.sort();
            row.push_str(&format!(
                " {:.0}/s, {} / {}, {:.0} µs CPU |",
                latencies.len() as f64 / elapsed.as_secs_f64(),
                ms(percentile(&latencies, 0.5)),
                ms(percentile(&latencies, 0.99)),
                cpu_used.as_secs_f64() * 1e6 / latencies.len() as f64,
            ));
        }
        println!("{row}");
    }

    println!("\n## Pages logged per kudos (a reader holds a snapshot, so the log only grows)");
    for (name, path, givers) in [
        ("before, 1 giver", Path::Before, 1usize),
        ("before, 32 givers", Path::Before, 32),
        ("single writer, 1 giver", Path::Writer, 1),
        ("single writer, 32 givers", Path::Writer, 32),
    ] {
        let n = 2_000usize;
        // Start from an empty log, then pin a snapshot so nothing is checkpointed meanwhile.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&normal)
            .await?;
        let mut reader = normal.begin().await?;
        let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members")
            .fetch_one(&mut *reader)
            .await?;
        let before = wal_bytes(dir);
        let mut tasks = tokio::task::JoinSet::new();
        for g in 0..givers {
            let (store, normal) = (store.clone(), normal.clone());
            let members = members.to_vec();
            let base = next + g * (n / givers + 1);
            tasks.spawn(async move {
                for i in 0..n / givers {
                    let k = kudos_for(ws, &members, base + i, now);
                    if path == Path::Before {
                        let mut conn = normal.acquire().await?;
                        conn.insert_kudos(&k).await?;
                    } else {
                        store.insert_kudos(&k).await?;
                    }
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        next += n + givers;
        let grown = wal_bytes(dir).saturating_sub(before);
        reader.rollback().await?;
        let frames = grown as f64 / (4096.0 + 24.0);
        println!(
            "{name:<26} {:>6.1} KB of log per kudos = {:>5.2} pages",
            grown as f64 / n as f64 / 1024.0,
            frames / n as f64
        );
    }

    println!(
        "\n## The log under sustained writes with readers busy (limit {} MB)",
        app.config.database.wal_limit_mb
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watcher = {
        let (stop, peak, dir) = (stop.clone(), peak.clone(), dir.to_path_buf());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak.fetch_max(wal_bytes(&dir), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (core, stop) = (app.spotlight.clone(), stop.clone());
            let viewer = members[0].clone();
            tokio::spawn(async move {
                let ws = core.find_workspace("bench").await?;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    core.leaderboard(&ws, Some(&viewer), Period::Week, Board::Received, 10)
                        .await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    let sustained = env_usize("SPOTLIGHT_BENCH_SUSTAINED", 30_000);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for g in 0..32 {
        let store = store.clone();
        let members = members.to_vec();
        let base = next + g * (sustained / 32 + 1);
        tasks.spawn(async move {
            for i in 0..sustained / 32 {
                store
                    .insert_kudos(&kudos_for(ws, &members, base + i, now))
                    .await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let elapsed = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await??;
    }
    watcher.await?;
    let after_load = wal_bytes(dir);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    println!(
        "{sustained} kudos from 32 givers in {:.1} s ({:.0}/s) with 2 board readers: largest log {:.1} MB, {:.1} MB at the end, {:.1} MB after 1.5 s idle",
        elapsed.as_secs_f64(),
        sustained as f64 / elapsed.as_secs_f64(),
        peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6,
        after_load as f64 / 1e6,
        wal_bytes(dir) as f64 / 1e6
    );
    Ok(())
}

/// 32 givers writing through the single writer, and nothing else: the run to profile.
async fn writer_only(
    app: &App,
    ws: i64,
    members: &[Member],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let store = app.spotlight.store();
    let total = env_usize("SPOTLIGHT_BENCH_CONCURRENT_WRITES", 40_000);
    let started = Instant::now();
    let cpu_before = cpu();
    let mut tasks = tokio::task::JoinSet::new();
    for g in 0..32 {
        let store = store.clone();
        let members = members.to_vec();
        tasks.spawn(async move {
            for i in 0..total / 32 {
                store
                    .insert_kudos(&kudos_for(ws, &members, g * (total / 32 + 1) + i, now))
                    .await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    println!(
        "{total} kudos from 32 givers through the writer: {:.0}/s, {:.0} µs CPU each",
        total as f64 / started.elapsed().as_secs_f64(),
        (cpu() - cpu_before).as_secs_f64() * 1e6 / total as f64
    );
    app.shutdown().await;
    Ok(())
}
