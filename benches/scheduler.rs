//! `cargo bench --bench scheduler`: a scheduler tick with 100,000 workspaces spread over 24 time
//! zones. SPOTLIGHT_BENCH_WORKSPACES shrinks it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use spotlight::app::App;
use spotlight::clock::ManualClock;
use spotlight::config::Config;
use spotlight::domain::model::Workspace;
use spotlight::scheduler::{DeliveryError, Post, Scheduler, Sink};

const ZONES: [&str; 24] = [
    "Pacific/Auckland",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Bangkok",
    "Asia/Dhaka",
    "Asia/Kolkata",
    "Asia/Karachi",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Athens",
    "Europe/Berlin",
    "Europe/London",
    "Atlantic/Azores",
    "America/Noronha",
    "America/Sao_Paulo",
    "America/Halifax",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Pago_Pago",
];

struct Discard;

impl Sink for Discard {
    async fn deliver(&self, _ws: &Workspace, _post: &Post) -> Result<(), DeliveryError> {
        Ok(())
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let total: usize = std::env::var("SPOTLIGHT_BENCH_WORKSPACES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database.url = dir.path().join("bench.db").display().to_string();
    // Sunday before the 2026 week: nothing is due anywhere.
    let clock = ManualClock::at(Utc.with_ymd_and_hms(2026, 10, 3, 12, 0, 0).unwrap());
    let app = App::build(config, Arc::new(clock.clone())).await?;
    let core = &app.spotlight;
    println!(
        "# Scheduler benchmark: {total} workspaces over {} time zones",
        ZONES.len()
    );
    let started = Instant::now();
    for i in 0..total {
        let ws = core
            .workspace("bench", &format!("w{i}"), Some(&format!("w{i}")))
            .await?;
        let actor = spotlight::domain::model::Actor {
            member: core.member(&ws, "admin", "admin", false).await?,
            is_admin: true,
        };
        core.set_timezone(&ws, &actor, ZONES[i % ZONES.len()])
            .await?;
    }
    println!("created in {:.1} s", started.elapsed().as_secs_f64());
    let scheduler = Scheduler::new(core.clone());
    let started = Instant::now();
    let first = scheduler.tick("bench", &Discard).await?;
    println!(
        "first tick plans every workspace: {} workspaces in {:.1} s",
        first.workspaces,
        started.elapsed().as_secs_f64()
    );

    let mut idle = Vec::new();
    for _ in 0..101 {
        let t = Instant::now();
        let r = scheduler.tick("bench", &Discard).await?;
        idle.push(t.elapsed());
        assert_eq!(r.workspaces, 0);
    }
    idle.sort();
    println!("idle tick (nothing due), median of 101: {}", ms(idle[50]));

    // Run the clock to just before 09:00 in London on Monday 5 October, ticking every 15 minutes
    // so the zones to the east post their Monday as they would live.
    let mut now = Utc.with_ymd_and_hms(2026, 10, 3, 12, 0, 0).unwrap();
    let london_nine = Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap();
    while now < london_nine {
        clock.set(now);
        scheduler.tick("bench", &Discard).await?;
        now += chrono::Duration::minutes(15);
    }
    clock.set(london_nine - chrono::Duration::minutes(1));
    scheduler.tick("bench", &Discard).await?;
    // 09:00 in London (prompts) is 17:00 in Tokyo (recaps).
    clock.set(london_nine);
    let t = Instant::now();
    let r = scheduler.tick("bench", &Discard).await?;
    let busy = t.elapsed();
    println!(
        "tick at 08:00 UTC Monday (London's prompt, Tokyo's recap): {} workspaces, {} posts in {} ({:.3} ms per workspace)",
        r.workspaces,
        r.delivered,
        ms(busy),
        busy.as_secs_f64() * 1000.0 / r.workspaces.max(1) as f64
    );
    let t = Instant::now();
    let again = scheduler.tick("bench", &Discard).await?;
    println!(
        "the next tick at the same instant: {} workspaces in {}",
        again.workspaces,
        ms(t.elapsed())
    );
    app.shutdown().await;
    Ok(())
}
