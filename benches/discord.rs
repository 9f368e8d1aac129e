//! `cargo bench --bench discord`: `/kudos` slash commands through the real Discord adapter
//! (serenity + poise) against the fake Discord gateway and REST server the tests use, on
//! loopback, at a fixed rate (300, 1,000 and 3,000 a second, SPOTLIGHT_BENCH_SECONDS each,
//! default 30; SPOTLIGHT_BENCH_RATES picks others). Each is timed from the gateway dispatch to
//! the interaction callback reaching the fake; each giver is one of 200 members, allowance off.
//! CPU time is the whole process's (bot and fake together), from /proc.

#[path = "common/timing.rs"]
mod timing;
use timing::{cpu, ms, percentile};

#[path = "../tests/e2e/discord/fake.rs"]
#[allow(dead_code)]
mod fake;
#[path = "../tests/e2e/discord/payloads.rs"]
#[allow(dead_code)]
mod payloads;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake::{FakeDiscord, GUILD_ID};
use payloads::{slash, user};
use serde_json::json;
use spotlight::app::App;
use spotlight::clock::SystemClock;
use spotlight::config::Config;
use spotlight::secrets::Secret;

const PEOPLE: u64 = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // RUST_LOG=sqlx=debug lists every statement a kudos costs.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let seconds: u64 = std::env::var("SPOTLIGHT_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let rates: Vec<u64> = std::env::var("SPOTLIGHT_BENCH_RATES")
        .unwrap_or_else(|_| "300,1000,3000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database.url = dir.path().join("bench.db").display().to_string();
    config.discord.api_base_url = fake.base_url.clone();
    config.discord.dev_guild_id = GUILD_ID.to_string();
    config.defaults.prompts_enabled = false;
    config.defaults.daily_allowance = 0;
    let app = App::build(config, Arc::new(SystemClock)).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(spotlight::discord::run(
        app.clone(),
        Secret::new("fake-token"),
        async {
            let _ = stopped.await;
        },
    ));
    fake.wait_identified().await;
    fake.wait_for("command registration", |r| {
        r.method == "PUT" && r.path.ends_with("/commands")
    })
    .await;
    let mut tap = fake.tap();
    let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let collector = {
        let (sent, latencies) = (sent.clone(), latencies.clone());
        tokio::spawn(async move {
            while let Some((at, r)) = tap.recv().await {
                let Some(id) = r
                    .path
                    .strip_prefix("/api/v10/interactions/")
                    .and_then(|rest| rest.split('/').next())
                    .and_then(|id| id.parse::<u64>().ok())
                else {
                    continue;
                };
                if let Some(t) = sent.lock().unwrap().remove(&id) {
                    latencies.lock().unwrap().push(at - t);
                }
            }
        })
    };
    let people: Vec<serde_json::Value> = (1..=PEOPLE).map(|i| user(i, &format!("m{i}"))).collect();
    let mut next_id: u64 = 1_000_000;
    let mut n: u64 = 0;
    let send = |n: u64, id: u64| {
        let giver = &people[(n % PEOPLE) as usize];
        let to = &people[((n * 7 + 1) % PEOPLE) as usize];
        let to = if to["id"] == giver["id"] {
            &people[((n + 1) % PEOPLE) as usize]
        } else {
            to
        };
        sent.lock().unwrap().insert(id, Instant::now());
        fake.dispatch(
            "INTERACTION_CREATE",
            slash(
                id,
                "kudos",
                giver,
                "0",
                json!([
                    {"name": "member", "type": 6, "value": to["id"]},
                    {"name": "message", "type": 3, "value": format!("thanks for ticket {n}")}
                ]),
                std::slice::from_ref(to),
            ),
        );
    };
    println!("# Discord /kudos through serenity + poise: {PEOPLE} members, {seconds} s per rate, 2 worker threads");
    // Warm up: every member has spoken once.
    for _ in 0..PEOPLE * 2 {
        send(n, next_id);
        n += 1;
        next_id += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    latencies.lock().unwrap().clear();
    for rate in rates {
        let total = rate * seconds;
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let cpu_before = cpu();
        let started = Instant::now();
        for i in 0..total {
            tokio::time::sleep_until((started + interval * i as u32).into()).await;
            send(n, next_id);
            n += 1;
            next_id += 1;
        }
        // Stragglers: up to 10 s.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sent.lock().unwrap().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let wall = started.elapsed();
        let cpu_used = cpu() - cpu_before;
        let unanswered = {
            let mut s = sent.lock().unwrap();
            let left = s.len();
            s.clear();
            left
        };
        let mut done = std::mem::take(&mut *latencies.lock().unwrap());
        done.sort();
        println!(
            "{rate:>5}/s for {seconds} s: {} answered, {unanswered} not within 10 s; p50 {}, p99 {}, max {}; CPU {:.2} ms per kudos ({:.1} s CPU in {:.1} s)",
            done.len(),
            ms(percentile(&done, 0.5)),
            ms(percentile(&done, 0.99)),
            ms(done.last().copied().unwrap_or_default()),
            cpu_used.as_secs_f64() * 1000.0 / total as f64,
            cpu_used.as_secs_f64(),
            wall.as_secs_f64()
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kudos")
        .fetch_one(app.spotlight.store().pool())
        .await?;
    println!("kudos stored: {stored} of {n} sent");
    if std::env::var("SPOTLIGHT_BENCH_METRICS").is_ok() {
        for line in spotlight::telemetry::metrics::render()
            .lines()
            .filter(|l| l.starts_with("spotlight_command_duration_seconds"))
        {
            println!("{line}");
        }
    }
    let _ = stop.send(());
    let _ = running.await;
    collector.abort();
    Ok(())
}
