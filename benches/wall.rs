//! `cargo bench --bench wall`: the wall of thanks as people see it. In a real headless
//! Chromium: the first contentful paint (median of 10 loads) and the time from a kudos being
//! given to its card appearing on an open wall (median of 50). Then the page served at 200
//! requests a second for SPOTLIGHT_BENCH_SECONDS (default 20) with 100 live feeds open, each
//! counting the cards pushed to it. The workspace holds a Customer Service Week of history.

#[path = "../tests/e2e/web/browser.rs"]
mod browser;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use spotlight::app::App;
use spotlight::clock::{Clock, ManualClock};
use spotlight::config::Config;
use spotlight::domain::model::{Actor, KudosRequest, Member};
use spotlight::service::WallCommand;

const PEOPLE: usize = 100;
const HISTORY: usize = 2000;
const FEEDS: usize = 100;
const RATE: u64 = 200;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("SPOTLIGHT_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database.url = dir.path().join("wall.db").display().to_string();
    config.defaults.prompts_enabled = false;
    let clock = ManualClock::at("2026-10-05T08:00:00Z".parse()?);
    let app = App::build(config, Arc::new(clock.clone())).await?;
    let core = app.spotlight.clone();
    let ws = core.workspace("bench", "acme", Some("acme")).await?;
    let mut people: Vec<Member> = Vec::new();
    for i in 0..PEOPLE {
        people.push(
            core.member(&ws, &format!("u{i}"), &format!("Person {i}"), false)
                .await?,
        );
    }
    let admin = Actor {
        member: people[0].clone(),
        is_admin: true,
    };
    core.set_allowance(&ws, &admin, "0").await?;
    let departments = ["Support", "Billing", "Success", "Sales", "Engineering"];
    for (i, p) in people.iter().enumerate() {
        core.set_department(&ws, &admin, p.id, Some(departments[i % 5]))
            .await?;
    }
    let ws = core.reload(&ws).await?;
    let values = ws.settings.values.clone();
    let give = |i: usize| {
        let core = core.clone();
        let ws = ws.clone();
        let giver = people[i % PEOPLE].clone();
        let to = people[(i * 7 + 1) % PEOPLE].clone();
        let value = values[i % values.len()].clone();
        async move {
            core.give_kudos(
                &ws,
                &giver,
                KudosRequest {
                    recipients: vec![to.id.into()],
                    message: format!("Thank you for ticket {i}, you made a customer's day"),
                    value: Some(value),
                    ..Default::default()
                },
            )
            .await
        }
    };
    for i in 0..HISTORY {
        if i % (HISTORY / 4) == 0 {
            clock.set(clock.now() + chrono::Duration::days(1));
        }
        let _ = give(i).await;
    }
    let link = core
        .set_wall(&ws, &admin, WallCommand::On)
        .await?
        .link
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    spotlight::run::Listeners {
        http: listener,
        metrics: None,
    }
    .serve(&app, None, &stopped, &mut servers)?;
    let path = url::Url::parse(&link)?.path().to_string();
    let url = format!("http://{addr}{path}");
    println!(
        "# The wall: {PEOPLE} people, {HISTORY} thank-yous this week, 5 departments, 2 worker threads"
    );

    let chromium = browser::Browser::launch().await?;
    let mut paints = Vec::new();
    for _ in 0..10 {
        let page = chromium.open(&url, 1280, 900).await?;
        let painted = "performance.getEntriesByName('first-contentful-paint').length > 0";
        if page
            .wait_for(painted, Duration::from_secs(5))
            .await
            .is_err()
        {
            anyhow::bail!("Chromium reported no first-contentful-paint");
        }
        let fcp = page
            .eval("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")
            .await?;
        paints.push(fcp.as_f64().unwrap_or(-1.0));
    }
    paints.sort_by(|a, b| a.total_cmp(b));
    let html = reqwest::get(&url).await?.text().await?;
    println!(
        "first contentful paint: median {:.0} ms, max {:.0} ms over 10 loads (page {} KB, 120 cards)",
        percentile(&paints, 0.5),
        paints.last().unwrap(),
        html.len() / 1024
    );

    let page = chromium.open(&url, 1280, 900).await?;
    page.wait_for(
        "document.body.dataset.live === 'on'",
        Duration::from_secs(10),
    )
    .await?;
    page.eval(
        "window.__seen = {}; new MutationObserver(ms => { for (const m of ms) for (const n of m.addedNodes) \
         if (n.id) window.__seen[n.id] = performance.timeOrigin + performance.now(); })\
         .observe(document.getElementById('cards'), { childList: true })",
    )
    .await?;
    let mut delays = Vec::new();
    for i in 0..50 {
        let before = epoch_ms();
        let id = give(HISTORY + i).await?.kudos.id;
        page.wait_for(
            &format!("window.__seen['k-{id}'] !== undefined"),
            Duration::from_secs(10),
        )
        .await?;
        let seen = page.eval(&format!("window.__seen['k-{id}']")).await?;
        delays.push(seen.as_f64().unwrap() - before);
    }
    delays.sort_by(|a, b| a.total_cmp(b));
    println!(
        "kudos given -> card on an open wall: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (50 kudos)",
        percentile(&delays, 0.5),
        percentile(&delays, 0.9),
        delays.last().unwrap()
    );
    drop(page);
    drop(chromium);

    // 100 live feeds, each counting the cards pushed to it.
    let feed_url = format!("http://{addr}{path}/events?period=week");
    let pushed = Arc::new(AtomicUsize::new(0));
    let mut feeds = tokio::task::JoinSet::new();
    let streams = reqwest::Client::new();
    for _ in 0..FEEDS {
        let mut response = streams.get(&feed_url).send().await?;
        let pushed = pushed.clone();
        feeds.spawn(async move {
            while let Ok(Some(chunk)) = response.chunk().await {
                let text = String::from_utf8_lossy(&chunk);
                pushed.fetch_add(text.matches("event: added").count(), Ordering::Relaxed);
            }
        });
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let total = (RATE * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / RATE as f64);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut given = 0usize;
    for i in 0..total {
        tokio::time::sleep_until((started + interval * i as u32).into()).await;
        if i % RATE as usize == 0 {
            // One new kudos a second while the wall is under load.
            give(HISTORY + 100 + given).await?;
            given += 1;
        }
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            let t = Instant::now();
            let ok = match client.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (t.elapsed().as_secs_f64() * 1000.0, ok)
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failed = 0;
    while let Some(done) = tasks.join_next().await {
        let (ms, ok) = done?;
        latencies.push(ms);
        failed += usize::from(!ok);
    }
    let elapsed = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    latencies.sort_by(|a, b| a.total_cmp(b));
    println!(
        "GET the wall at {RATE}/s for {seconds} s with {FEEDS} live feeds: {total} pages in {elapsed:.1} s, {failed} failed; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
    println!(
        "live cards pushed meanwhile: {} of {} ({given} kudos x {FEEDS} feeds)",
        pushed.load(Ordering::Relaxed),
        given * FEEDS
    );
    let _ = stop.send(true);
    feeds.abort_all();
    while servers.join_next().await.is_some() {}
    Ok(())
}
