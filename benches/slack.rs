//! `cargo bench --bench slack`: signed `/kudos` requests sent to the running HTTP server over
//! loopback at a fixed rate (100, 500, 1,000 a second, 30 s each), timed from request to
//! response, against the same core's direct write rate in the same run. A local stand-in for
//! Slack's Web API answers users.info and chat.postMessage. SPOTLIGHT_BENCH_SECONDS shortens it;
//! SPOTLIGHT_BENCH_RATES picks the rates (e.g. "100,1000").

#[path = "common/timing.rs"]
#[allow(dead_code)]
mod timing;
use timing::{ms, percentile};

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::routing::any;
use axum::{Form, Json, Router};
use hmac::{KeyInit, Mac};
use serde_json::{json, Value};
use spotlight::app::App;
use spotlight::clock::SystemClock;
use spotlight::config::Config;
use spotlight::domain::model::{Actor, KudosRequest, MemberRef};
use spotlight::secrets::Secret;
use spotlight::slack::SlackCredentials;

const SECRET: &str = "bench-secret";
const PEOPLE: usize = 1000;

/// The Web API stand-in: everyone exists, every post succeeds.
async fn fake_api(
    Path(method): Path<String>,
    Form(fields): Form<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    Json(match method.as_str() {
        "auth.test" => json!({"ok": true, "url": "https://x/", "team": "Bench", "user": "bot",
            "team_id": "T1", "user_id": "UBOT"}),
        "users.info" => {
            let id = fields.get("user").cloned().unwrap_or_default();
            json!({"ok": true, "user": {"id": id, "name": id, "real_name": id}})
        }
        "usergroups.list" => json!({"ok": true, "usergroups": []}),
        "chat.postMessage" => json!({"ok": true, "channel": "C1", "ts": "1.1",
            "message": {"type": "message", "ts": "1.1", "text": ""}}),
        _ => json!({"ok": true}),
    })
}

fn sign(ts: &str, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn body(n: usize) -> String {
    let giver = format!("U{}", n % PEOPLE);
    let recipient = format!("U{}", (n * 7 + 1) % PEOPLE);
    let recipient = if recipient == giver {
        format!("U{}", (n + 2) % PEOPLE)
    } else {
        recipient
    };
    serde_urlencoded::to_string([
        ("team_id", "T1"),
        ("team_domain", "bench"),
        ("channel_id", "C1"),
        ("user_id", giver.as_str()),
        ("command", "/kudos"),
        ("text", &format!("<@{recipient}> thanks for ticket {n}")),
        ("response_url", "http://127.0.0.1:9/r"),
        ("trigger_id", &format!("t{n}")),
    ])
    .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("SPOTLIGHT_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let rates: Vec<u64> = std::env::var("SPOTLIGHT_BENCH_RATES")
        .unwrap_or_else(|_| "100,500,1000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let api = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let api_url = format!("http://{}/api", api.local_addr()?);
    tokio::spawn(async move {
        axum::serve(api, Router::new().route("/api/{method}", any(fake_api))).await
    });
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults();
    config.database.url = dir.path().join("bench.db").display().to_string();
    config.slack.api_base_url = api_url;
    config.defaults.prompts_enabled = false;
    let app = App::build(config, Arc::new(SystemClock)).await?;
    let core = app.spotlight.clone();
    let ws = core.workspace("slack", "T1", Some("bench")).await?;
    let boss = core.member(&ws, "UBOSS", "boss", false).await?;
    let actor = Actor {
        member: boss,
        is_admin: true,
    };
    core.set_allowance(&ws, &actor, "0").await?;
    core.set_channel(&ws, &actor, Some("C1")).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let platforms = spotlight::run::Platforms {
        discord: None,
        slack: Some(SlackCredentials {
            signing_secret: Secret::new(SECRET),
            bot_token: Some(Secret::new("xoxb-bench")),
            oauth: None,
            app_token: None,
        }),
    };
    let running = tokio::spawn(spotlight::run::run(
        app.clone(),
        platforms,
        spotlight::run::Listeners {
            http: listener,
            metrics: None,
        },
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let url = format!("http://{addr}/slack/commands");
    println!("# Slack /kudos over HTTP: {PEOPLE} people, {seconds} s per rate, 2 worker threads");

    // Warm up: every member seen once (names cached, rows created).
    let mut next = 0usize;
    for _ in 0..PEOPLE {
        send(&client, &url, next).await?;
        next += 1;
    }

    for rate in rates {
        let total = (rate * seconds) as usize;
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..total {
            let due = started + interval * i as u32;
            tokio::time::sleep_until(due.into()).await;
            let (client, url, n) = (client.clone(), url.clone(), next + i);
            tasks.spawn(async move {
                let t = Instant::now();
                let ok = send(&client, &url, n).await.unwrap_or(false);
                (t.elapsed(), ok)
            });
        }
        next += total;
        let mut latencies = Vec::with_capacity(total);
        let mut failed = 0;
        while let Some(done) = tasks.join_next().await {
            let (latency, ok) = done?;
            latencies.push(latency);
            if !ok {
                failed += 1;
            }
        }
        latencies.sort();
        println!(
            "{rate:>5}/s for {seconds} s: {total} sent, {failed} not confirmed; p50 {}, p99 {}, max {}",
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap_or(&Duration::ZERO))
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kudos WHERE status = 'active'")
        .fetch_one(core.store().pool())
        .await?;
    println!("kudos stored: {stored} of {next} sent");
    let wal = std::fs::metadata(dir.path().join("bench.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("write-ahead log now: {:.1} MB", wal as f64 / 1e6);

    // The core alone, in the same run: the write path without HTTP, Slack or lookups.
    let members: Vec<_> = {
        let mut all = Vec::new();
        for i in 0..PEOPLE {
            if let Some(m) = core.member_by_external(&ws, &format!("U{i}")).await? {
                all.push(m);
            }
        }
        all
    };
    let ws = core.reload(&ws).await?;
    let direct = 5000.min(members.len() * 5);
    let started = Instant::now();
    for i in 0..direct {
        let giver = &members[i % members.len()];
        let to = &members[(i * 7 + 3) % members.len()];
        if to.id == giver.id {
            continue;
        }
        core.give_kudos(
            &ws,
            giver,
            KudosRequest {
                recipients: vec![MemberRef::Id(to.id)],
                message: format!("direct {i}"),
                ..Default::default()
            },
        )
        .await?;
    }
    let rate = direct as f64 / started.elapsed().as_secs_f64();
    println!("core give_kudos directly: {rate:.0} kudos/s ({direct} in a row)");
    let _ = stop.send(());
    let _ = running.await;
    Ok(())
}

async fn send(client: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<bool> {
    let body = body(n);
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs()
        .to_string();
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", &ts)
        .header("x-slack-signature", sign(&ts, &body))
        .body(body)
        .send()
        .await?;
    let text = response.text().await?;
    Ok(text.contains("Kudos sent"))
}
