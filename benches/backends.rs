//! `cargo bench --bench backends`: SQLite and PostgreSQL side by side on this machine, in one
//! run. Needs a PostgreSQL server: `scripts/with-postgres cargo bench --bench backends` starts a
//! throwaway one (or set SPOTLIGHT_TEST_POSTGRES_URL); each part gets a fresh database there.
//!
//! 1. Kudos writes through the core (`give_kudos`: the rules, the store's writer, a durable
//!    commit) from 32 concurrent givers, allowance off: kudos per second and p50 / p99 latency,
//!    on SQLite, on PostgreSQL from one process, and on PostgreSQL from two processes (this
//!    binary runs itself a second time as a worker, giving the same load at the same moment).
//! 2. The boards at SPOTLIGHT_BENCH_KUDOS kudos (default 1,000,000) among
//!    SPOTLIGHT_BENCH_MEMBERS members (default 10,000): median of 21 runs per board, per backend.
//!
//! SPOTLIGHT_BENCH_WRITES (default 4,000 per process) sets the size of part 1.

#[path = "common/timing.rs"]
#[allow(dead_code)]
mod timing;
use timing::{ms, percentile};

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use futures_util::StreamExt;
use spotlight::app::App;
use spotlight::clock::ManualClock;
use spotlight::config::Config;
use spotlight::domain::calendar::WeekDates;
use spotlight::domain::model::{KudosKind, KudosRequest, Member, Workspace};
use spotlight::domain::period::{buckets_for, Board, Period};
use spotlight::store::InsertKudos;
use sqlx::{Connection, Executor, PgConnection};

const GIVERS: usize = 32;
const WORKER: &str = "SPOTLIGHT_BENCH_WORKER";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 9, 12, 0, 0).unwrap()
}

async fn app(url: &str) -> anyhow::Result<App> {
    let mut config = Config::defaults();
    config.database.url = url.to_string();
    config.defaults.daily_allowance = 0;
    config.defaults.prompts_enabled = false;
    App::build(config, Arc::new(ManualClock::at(now()))).await
}

/// A new database on the server; its URL.
async fn fresh_postgres(server: &str, name: &str) -> anyhow::Result<String> {
    let mut admin = PgConnection::connect(server).await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

/// `count` kudos through the core from `GIVERS` concurrent givers, members `offset..` of the
/// workspace: each one's latency, and the wall time of the whole run.
async fn give(app: &App, offset: usize, count: usize) -> anyhow::Result<(Vec<Duration>, Duration)> {
    let core = &app.spotlight;
    let ws = core.workspace("bench", "bench", Some("bench")).await?;
    let mut people = Vec::with_capacity(GIVERS * 2);
    for i in 0..GIVERS * 2 {
        let n = offset + i;
        people.push(
            core.member(&ws, &format!("u{n}"), &format!("member{n}"), false)
                .await?,
        );
    }
    let people = Arc::new(people);
    let started = Instant::now();
    let latencies = futures_util::stream::iter(0..count)
        .map(|i| {
            let (core, ws, people) = (core.clone(), ws.clone(), people.clone());
            async move {
                let giver = &people[i % GIVERS];
                let to = &people[GIVERS + (i % GIVERS)];
                let t = Instant::now();
                core.give_kudos(
                    &ws,
                    giver,
                    KudosRequest {
                        recipients: vec![to.id.into()],
                        message: "Thanks for covering the queue".into(),
                        ..Default::default()
                    },
                )
                .await
                .map(|_| t.elapsed())
            }
        })
        .buffer_unordered(GIVERS)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    Ok((latencies, started.elapsed()))
}

fn line(label: &str, mut latencies: Vec<Duration>, wall: Duration) -> String {
    latencies.sort();
    format!(
        "| {label} | {} | {:.0} | {} | {} |",
        latencies.len(),
        latencies.len() as f64 / wall.as_secs_f64(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    )
}

/// The second process of the two-process cell: gives its share, prints its latencies.
async fn worker(url: &str, count: usize) -> anyhow::Result<()> {
    let app = app(url).await?;
    // Both processes start giving when the parent says so (a line on stdin).
    println!("ready");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go)?;
    let (latencies, wall) = give(&app, 10_000, count).await?;
    let micros: Vec<String> = latencies
        .iter()
        .map(|d| d.as_micros().to_string())
        .collect();
    println!("{} {}", wall.as_micros(), micros.join(","));
    app.shutdown().await;
    Ok(())
}

async fn writes(server: &str, dir: &std::path::Path, count: usize) -> anyhow::Result<()> {
    println!("\n## Kudos written through the core ({GIVERS} concurrent givers, allowance off, durable commits)");
    println!("| store | kudos | kudos/s | p50 | p99 |");
    println!("|---|---|---|---|---|");
    let sqlite = app(&dir.join("writes.db").display().to_string()).await?;
    let (lat, wall) = give(&sqlite, 0, count).await?;
    println!("{}", line("SQLite, one process", lat, wall));
    sqlite.shutdown().await;

    let url = fresh_postgres(server, "spotlight_bench_writes_one").await?;
    let one = app(&url).await?;
    let (lat, wall) = give(&one, 0, count).await?;
    println!("{}", line("PostgreSQL, one process", lat, wall));
    one.shutdown().await;

    let url = fresh_postgres(server, "spotlight_bench_writes_two").await?;
    let here = app(&url).await?;
    // The workspace exists before either starts.
    here.spotlight
        .workspace("bench", "bench", Some("bench"))
        .await?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .env(WORKER, &url)
        .env("SPOTLIGHT_BENCH_WRITES", count.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut out = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ready = out.next_line().await?;
    anyhow::ensure!(
        ready.as_deref() == Some("ready"),
        "the worker did not start: {ready:?}"
    );
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"go\n").await?;
    let (mut lat, wall_here) = give(&here, 0, count).await?;
    let report = out.next_line().await?.unwrap_or_default();
    child.wait().await?;
    let (wall_there, micros) = report.split_once(' ').unwrap_or(("0", ""));
    let wall_there = Duration::from_micros(wall_there.parse()?);
    lat.extend(
        micros
            .split(',')
            .filter(|m| !m.is_empty())
            .map(|m| Duration::from_micros(m.parse().unwrap_or(0))),
    );
    println!(
        "{}",
        line(
            "PostgreSQL, two processes at once",
            lat,
            wall_here.max(wall_there)
        )
    );
    here.shutdown().await;
    Ok(())
}

/// Fills `app`'s workspace with `total` kudos among `members` people in 20 departments over the
/// year to the Friday of Customer Service Week 2026, then folds them into the boards.
async fn fill(app: &App, total: usize, members: usize) -> anyhow::Result<(Workspace, Vec<Member>)> {
    let core = &app.spotlight;
    let store = core.store();
    let ws = core.workspace("bench", "bench", Some("bench")).await?;
    let started = Instant::now();
    let people: Vec<Member> = futures_util::stream::iter(0..members)
        .map(|i| {
            let store = store.clone();
            async move {
                let m = store
                    .upsert_member(
                        ws.id,
                        &format!("u{i}"),
                        &format!("member{i:05}"),
                        false,
                        now(),
                    )
                    .await?;
                store
                    .set_department(ws.id, m.id, Some(&format!("Dept {:02}", i % 20)))
                    .await?;
                anyhow::Ok(m)
            }
        })
        .buffered(GIVERS)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let first_day = now().date_naive() - Days::days(364);
    let week = WeekDates::standard(2026);
    let mut seed: u64 = 0x5eed_1234_abcd_ef01;
    let mut below = |n: usize| {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    };
    let values = ["Patience", "Teamwork", "Customer first"];
    let mut written = 0;
    while written < total {
        let size = 5_000.min(total - written);
        let batch: Vec<InsertKudos> = (0..size)
            .map(|_| {
                let day: NaiveDate = first_day + Days::days(below(365) as i64);
                let giver = below(members);
                let mut to = below(members);
                if to == giver {
                    to = (to + 1) % members;
                }
                InsertKudos {
                    workspace_id: ws.id,
                    kind: KudosKind::Kudos,
                    giver_id: people[giver].id,
                    recipients: vec![people[to].id],
                    message: "Thanks for covering the queue".into(),
                    value: (below(10) < 6).then(|| values[below(values.len())].to_string()),
                    customer: None,
                    channel: None,
                    event_id: None,
                    link: None,
                    theme: None,
                    created_at: Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap()),
                    local_date: day,
                    buckets: buckets_for(day, week.contains(day)),
                    allowance: 0,
                }
            })
            .collect();
        store.insert_kudos_batch(&batch).await?;
        written += size;
    }
    store.fold_stats(ws.id).await?;
    println!(
        "  {}: {total} kudos among {members} members loaded and folded in {:.0} s",
        store.location(),
        started.elapsed().as_secs_f64()
    );
    Ok((ws, people))
}

async fn boards(label: &str, app: &App, ws: &Workspace, viewer: &Member) -> anyhow::Result<String> {
    let mut row = format!("| {label} |");
    let mut worst = Duration::ZERO;
    for board in [
        Board::Received,
        Board::Given,
        Board::Departments,
        Board::Values,
        Board::CrossTeam,
    ] {
        for period in [Period::Week, Period::Year, Period::All] {
            let mut samples = Vec::with_capacity(21);
            for _ in 0..21 {
                let t = Instant::now();
                let lb = app
                    .spotlight
                    .leaderboard(ws, Some(viewer), period, board, 10)
                    .await?;
                samples.push(t.elapsed());
                anyhow::ensure!(!lb.lines.is_empty(), "{period} {board:?} is empty");
            }
            samples.sort();
            worst = worst.max(samples[samples.len() / 2]);
        }
        row.push_str(&format!(" {} |", ms(worst)));
        worst = Duration::ZERO;
    }
    Ok(row)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count = env_usize("SPOTLIGHT_BENCH_WRITES", 4_000);
    if let Ok(url) = std::env::var(WORKER) {
        return worker(&url, count).await;
    }
    let Ok(server) = std::env::var("SPOTLIGHT_TEST_POSTGRES_URL") else {
        println!(
            "backends bench skipped: it needs PostgreSQL. Run `scripts/with-postgres cargo bench --bench backends`."
        );
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    println!("# SQLite and PostgreSQL, side by side");
    writes(&server, dir.path(), count).await?;

    let total = env_usize("SPOTLIGHT_BENCH_KUDOS", 1_000_000);
    let members = env_usize("SPOTLIGHT_BENCH_MEMBERS", 10_000);
    println!(
        "\n## Boards at {total} kudos (slowest of this week, this year and all time; median of 21)"
    );
    let sqlite = app(&dir.path().join("boards.db").display().to_string()).await?;
    let (ws_s, people_s) = fill(&sqlite, total, members).await?;
    let url = fresh_postgres(&server, "spotlight_bench_boards").await?;
    let postgres = app(&url).await?;
    let (ws_p, people_p) = fill(&postgres, total, members).await?;
    println!("| store | received | given | departments | values | crossteam |");
    println!("|---|---|---|---|---|---|");
    println!(
        "{}",
        boards("SQLite", &sqlite, &ws_s, &people_s[members / 2]).await?
    );
    println!(
        "{}",
        boards("PostgreSQL", &postgres, &ws_p, &people_p[members / 2]).await?
    );
    sqlite.shutdown().await;
    postgres.shutdown().await;
    Ok(())
}
