//! Soak: many members give kudos at once through the real `spotlight run` (Slack over HTTP,
//! against the fake Slack Web API) while the process is killed with SIGKILL at random moments
//! and restarted on the same database and port. At the end, what the bot acknowledged must be
//! stored exactly once, nothing may be half-written, every board must equal a recount from the
//! raw thank-yous, and the scheduler's ledger must never have let a post out twice.
//!
//! About a minute by default; `SPOTLIGHT_SOAK_SECONDS=600` soaks longer, and
//! `SPOTLIGHT_SOAK_SEED=<n>` replays the random choices of a run (each run prints its seed).
//! `SPOTLIGHT_SOAK_KEEP=1` keeps the folder with the database and each start's log.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use serde_json::Value;
use sqlx::ConnectOptions;
use tokio::sync::watch;

use crate::slack::fake::FakeSlack;
use crate::slack::{command_body, now_ts, sign, SECRET};

const MEMBERS: usize = 20;
const KILLS: usize = 20;
const DEFAULT_SECONDS: u64 = 60;
/// Members with a department, so the departments and cross-team boards have something to count.
const DEPARTMENTS: [(&str, std::ops::RangeInclusive<usize>); 2] =
    [("Billing", 1..=7), ("Support", 8..=14)];
const VALUES: [&str; 2] = ["Teamwork", "Patience"];

/// A small deterministic PRNG (SplitMix64): the same seed replays the same choices.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

fn user_id(i: usize) -> String {
    format!("U{i:02}")
}

fn user_name(i: usize) -> String {
    format!("m{i:02}")
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The last lines of a log, for failure messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// `spotlight run` on one database and one port, started again after every kill.
struct Bot {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    env: Vec<(String, String)>,
    starts: usize,
    http: reqwest::Client,
}

impl Bot {
    fn db(&self) -> PathBuf {
        self.dir.join("spotlight.db")
    }

    fn log(&self) -> PathBuf {
        self.dir.join(format!("run-{}.log", self.starts))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotlight"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SPOTLIGHT_DATABASE_URL", self.db())
            .current_dir(&self.dir);
        cmd
    }

    /// Starts the binary and waits until it answers /healthz. Right after a SIGKILL the port can
    /// briefly still be taken; starting again then is what an operator's supervisor would do.
    async fn start(&mut self) {
        for _ in 0..100 {
            self.starts += 1;
            let log = std::fs::File::create(self.log()).unwrap();
            let mut cmd = self.command(&["run"]);
            cmd.env(
                "SPOTLIGHT_SERVER_LISTEN",
                format!("127.0.0.1:{}", self.port),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log));
            for (k, v) in &self.env {
                cmd.env(k, v);
            }
            let child = cmd.spawn().expect("the spotlight binary starts");
            self.child = Some(child);
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                    self.child = None;
                    let log = tail(&self.log());
                    assert!(
                        log.contains("already in use"),
                        "spotlight run exited ({status}) after a restart:\n{log}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    break;
                }
                let url = format!("http://127.0.0.1:{}/healthz", self.port);
                if let Ok(r) = self.http.get(&url).send().await {
                    if r.status().is_success() {
                        return;
                    }
                }
                assert!(
                    Instant::now() < deadline,
                    "spotlight run never became healthy:\n{}",
                    tail(&self.log())
                );
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
        panic!("the port stayed taken after a kill");
    }

    /// SIGKILL: no shutdown, no flush beyond what SQLite already wrote.
    fn kill(&mut self) {
        let mut child = self.child.take().expect("the bot is running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, and the exit status once the bot has shut down.
    async fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the bot is running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                child.kill().unwrap();
                panic!(
                    "spotlight run did not stop within 60 s of SIGTERM:\n{}",
                    tail(&self.log())
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Where late replies (past Slack's three seconds) go: `/hooks/{n}` keeps what request n got.
async fn start_hooks() -> (String, Arc<Mutex<HashMap<u64, String>>>) {
    use axum::extract::{Path as UrlPath, State};
    let seen: Arc<Mutex<HashMap<u64, String>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hooks/{n}",
            axum::routing::post(
                |State(seen): State<Arc<Mutex<HashMap<u64, String>>>>,
                 UrlPath(n): UrlPath<u64>,
                 body: String| async move {
                    seen.lock().unwrap().insert(n, body);
                    "ok"
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, seen)
}

/// A slash command as Slack sends it, signed now; the late reply goes to `{hooks}/{n}`.
async fn slash(
    http: &reqwest::Client,
    port: u16,
    hooks: &str,
    n: u64,
    user: &str,
    command: &str,
    text: &str,
) -> reqwest::Result<(u16, String)> {
    let hook = serde_urlencoded::to_string([("x", format!("{hooks}/{n}"))]).unwrap();
    let body = command_body(user, command, text).replace(
        "response_url=http%3A%2F%2F127.0.0.1%3A9%2Fresponse",
        &format!("response_url={}", &hook[2..]),
    );
    let ts = now_ts();
    let response = http
        .post(format!("http://127.0.0.1:{port}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-signature", sign(SECRET, &ts, &body))
        .header("x-slack-request-timestamp", ts)
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// The text of a command's private reply (JSON from the bot).
fn reply_text(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["text"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.to_string())
}

/// The kudos id in "Kudos sent to m02 (#123).".
fn kudos_id(text: &str) -> Option<i64> {
    let at = text.find("Kudos sent")?;
    let rest = &text[at..];
    let open = rest.find("(#")? + 2;
    let digits: String = rest[open..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

#[derive(Debug, Clone)]
struct Sent {
    giver: usize,
    recipients: Vec<usize>,
    value: Option<&'static str>,
}

#[derive(Default)]
struct Tally {
    /// Every kudos request, recorded before it goes out.
    sent: BTreeMap<u64, Sent>,
    /// Requests the bot said were sent, with the id it gave.
    acked: BTreeMap<u64, i64>,
    /// Answered "working on it": the real answer goes to the hook.
    pending: Vec<u64>,
    /// No HTTP answer (the process died with the request in flight).
    failed: u64,
    /// Any other answer (a refusal, an apology, an error status).
    other: Vec<(u64, u16, String)>,
}

/// One member thanking colleagues until told to stop, waiting while the bot is down.
#[allow(clippy::too_many_arguments)]
async fn member(
    me: usize,
    mut rng: Rng,
    port: u16,
    hooks: String,
    next: Arc<AtomicU64>,
    tally: Arc<Mutex<Tally>>,
    mut up: watch::Receiver<bool>,
    stop: Arc<AtomicBool>,
) {
    let http = reqwest::Client::builder()
        // A fresh connection per request: a pooled one to a killed process would fail a request
        // the new process never saw.
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    while !stop.load(Ordering::SeqCst) {
        if up.wait_for(|u| *u).await.is_err() {
            return;
        }
        let n = next.fetch_add(1, Ordering::SeqCst);
        let how_many = match rng.range(0, 10) {
            0..=6 => 1,
            7..=8 => 2,
            _ => 3,
        };
        let mut recipients = Vec::new();
        while recipients.len() < how_many {
            let r = rng.range(1, MEMBERS as u64 + 1) as usize;
            if r != me && !recipients.contains(&r) {
                recipients.push(r);
            }
        }
        let value = match rng.range(0, 10) {
            0..=1 => Some(VALUES[0]),
            2 => Some(VALUES[1]),
            _ => None,
        };
        let mut text: Vec<String> = recipients
            .iter()
            .map(|&r| format!("<@{}|{}>", user_id(r), user_name(r)))
            .collect();
        text.push(format!("soak-{n} thanks"));
        if let Some(v) = value {
            text.push(format!("#{}", v.to_lowercase()));
        }
        tally.lock().unwrap().sent.insert(
            n,
            Sent {
                giver: me,
                recipients: recipients.clone(),
                value,
            },
        );
        let answer = slash(
            &http,
            port,
            &hooks,
            n,
            &user_id(me),
            "/kudos",
            &text.join(" "),
        )
        .await;
        {
            let mut tally = tally.lock().unwrap();
            match answer {
                Ok((200, body)) => {
                    let text = reply_text(&body);
                    if let Some(id) = kudos_id(&text) {
                        tally.acked.insert(n, id);
                    } else if text.contains("Working on it") {
                        tally.pending.push(n);
                    } else {
                        tally.other.push((n, 200, text));
                    }
                }
                Ok((status, body)) => tally.other.push((n, status, body)),
                Err(_) => tally.failed += 1,
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.range(40, 120))).await;
    }
}

/// Sends an admin command and checks the bot did what it was told.
async fn admin(bot: &Bot, hooks: &str, text: &str, expect: &str) {
    let (status, body) = slash(&bot.http, bot.port, hooks, 0, "UBOSS", "/spotlight", text)
        .await
        .unwrap();
    let reply = reply_text(&body);
    println!(
        "soak: /spotlight {text} -> {}",
        reply.lines().next().unwrap_or("")
    );
    assert_eq!(status, 200, "{body}");
    assert!(!reply.contains("⚠️"), "/spotlight {text}: {reply}");
    assert!(
        reply.contains(expect),
        "/spotlight {text}: expected {expect:?} in {reply}"
    );
}

/// `(bucket, key) -> count` rows of one board, stored or recounted; zero rows left out.
async fn counts(
    db: &mut sqlx::SqliteConnection,
    sql: &str,
    ws: i64,
) -> BTreeMap<(String, String), i64> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(ws)
        .fetch_all(&mut *db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .filter(|(_, _, n)| *n != 0)
        .map(|(b, k, n)| ((b, k), n))
        .collect()
}

/// Printed board lines ("   3. m07 — 12" or "… — 12 given") as label -> count.
fn board_lines(out: &str) -> BTreeMap<String, i64> {
    let mut lines = BTreeMap::new();
    for line in out.lines() {
        let line = line.trim();
        let Some((rank, rest)) = line.split_once(". ") else {
            continue;
        };
        if rank.is_empty() || !rank.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some((label, count)) = rest.rsplit_once(" — ") else {
            continue;
        };
        let count = count.trim_end_matches(" given").trim();
        lines.insert(label.to_string(), count.parse().unwrap());
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_kudos_survive_twenty_sigkills_and_the_boards_and_ledger_stay_true() {
    let seconds: u64 = std::env::var("SPOTLIGHT_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let seed: u64 = std::env::var("SPOTLIGHT_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!(
        "soak: seed {seed} (SPOTLIGHT_SOAK_SEED={seed} replays it), {seconds} s, {KILLS} kills"
    );
    let mut rng = Rng(seed);

    let fake = FakeSlack::start().await;
    fake.add_admin("UBOSS", "boss");
    for i in 1..=MEMBERS {
        fake.add_user(&user_id(i), &user_name(i));
    }
    let (hooks, late) = start_hooks().await;
    let mut dir = tempfile::tempdir().unwrap();
    if std::env::var_os("SPOTLIGHT_SOAK_KEEP").is_some() {
        dir.disable_cleanup(true);
        println!("soak: keeping {}", dir.path().display());
    }
    let mut bot = Bot {
        child: None,
        port: free_port(),
        dir: dir.path().to_path_buf(),
        env: vec![
            ("SPOTLIGHT_SLACK_SIGNING_SECRET".into(), SECRET.into()),
            ("SPOTLIGHT_SLACK_BOT_TOKEN".into(), "xoxb-soak".into()),
            ("SPOTLIGHT_SLACK_API_BASE_URL".into(), fake.base_url.clone()),
            ("SPOTLIGHT_SCHEDULER_TICK_MS".into(), "50".into()),
        ],
        starts: 0,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap(),
    };
    bot.start().await;

    // The workspace's clock is put near noon (a fixed-offset zone), so however long the soak
    // runs it stays on one local day: today's board and today's posts are one bucket, one date.
    let utc_hour = Utc::now().hour() as i32;
    let offset = 12 - utc_hour;
    let zone = match offset {
        0 => "Etc/GMT".to_string(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let fixed = FixedOffset::east_opt(offset * 3600).unwrap();
    let local_now = |at: DateTime<Utc>| at.with_timezone(&fixed);
    let today: NaiveDate = local_now(Utc::now()).date_naive();
    admin(
        &bot,
        &hooks,
        &format!("timezone {zone}"),
        "Time zone set to",
    )
    .await;
    admin(&bot, &hooks, "allowance 0", "Daily allowance: unlimited").await;
    admin(
        &bot,
        &hooks,
        "channel <#C1|general>",
        "Kudos will be announced in",
    )
    .await;
    for (department, members) in DEPARTMENTS {
        for i in members {
            let who = format!("<@{}|{}>", user_id(i), user_name(i));
            admin(
                &bot,
                &hooks,
                &format!("department {who} {department}"),
                "is now in",
            )
            .await;
        }
    }
    // The prompt's time has already passed: it goes out at once. The awards (and the books,
    // which follow them) fall due in the middle of the soak, at the first minute boundary at
    // least a few seconds away; the soak is stretched if that is beyond its end.
    let started = Utc::now();
    admin(
        &bot,
        &hooks,
        &format!("prompt-time {}", local_now(started).format("%H:%M")),
        "Daily prompts will be posted at",
    )
    .await;
    let margin = chrono::Duration::seconds(8);
    let mut awards = (started + margin)
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    if awards < started + margin {
        awards += chrono::Duration::minutes(1);
    }
    admin(
        &bot,
        &hooks,
        &format!("post awards {}", local_now(awards).format("%H:%M")),
        "The awards post is on",
    )
    .await;
    // Last, a one-day Customer Service Week, today: its prompt, awards and thank-you books are
    // due today, in the celebration channel and as direct messages. Everything they need is set
    // by now; the week first would let a tick post the prompt before the channel is chosen.
    admin(
        &bot,
        &hooks,
        &format!("week {today} {today}"),
        &format!("runs {today} to {today}"),
    )
    .await;
    let awards_in = (awards - Utc::now()).to_std().unwrap_or_default();
    let soak = Duration::from_secs(seconds).max(awards_in + Duration::from_secs(8));
    println!(
        "soak: workspace zone {zone}, local day {today}, awards due at {} local (in {:.1} s), soaking {:.0} s",
        local_now(awards).format("%H:%M"),
        awards_in.as_secs_f64(),
        soak.as_secs_f64()
    );

    // Kill moments: random over the soak, one of them just after the awards fall due so a kill
    // can land while the books are being claimed and sent.
    let soak_ms = soak.as_millis() as u64;
    let mut kill_at: Vec<Duration> = (0..KILLS)
        .map(|_| Duration::from_millis(rng.range(soak_ms / 20, soak_ms * 19 / 20)))
        .collect();
    kill_at[0] = awards_in + Duration::from_millis(rng.range(0, 1500));
    kill_at.sort();

    let tally: Arc<Mutex<Tally>> = Arc::default();
    let next = Arc::new(AtomicU64::new(1));
    let stop = Arc::new(AtomicBool::new(false));
    let (up_tx, up_rx) = watch::channel(true);
    let members: Vec<_> = (1..=MEMBERS)
        .map(|me| {
            tokio::spawn(member(
                me,
                Rng(seed ^ (me as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
                bot.port,
                hooks.clone(),
                next.clone(),
                tally.clone(),
                up_rx.clone(),
                stop.clone(),
            ))
        })
        .collect();

    let t0 = Instant::now();
    let mut kills = 0;
    let mut restarts = 0;
    let mut up_since = Instant::now();
    for at in &kill_at {
        // Some traffic between two kills, however close their moments were drawn.
        let when = (t0 + *at).max(up_since + Duration::from_millis(200));
        tokio::time::sleep_until(when.into()).await;
        up_tx.send_replace(false);
        bot.kill();
        kills += 1;
        bot.start().await;
        restarts += 1;
        up_since = Instant::now();
        up_tx.send_replace(true);
    }
    tokio::time::sleep_until((t0 + soak).max(up_since + Duration::from_secs(2)).into()).await;
    stop.store(true, Ordering::SeqCst);
    for m in members {
        m.await.unwrap();
    }
    let elapsed = t0.elapsed();

    // Late replies still on their way, then a clean stop.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let waiting = {
            let tally = tally.lock().unwrap();
            let late = late.lock().unwrap();
            tally
                .pending
                .iter()
                .filter(|n| !late.contains_key(n))
                .count()
        };
        if waiting == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = bot.terminate().await;
    assert!(
        status.success(),
        "spotlight run ended with {status} after SIGTERM:\n{}",
        tail(&bot.log())
    );

    let mut tally = Arc::try_unwrap(tally)
        .ok()
        .expect("members are done")
        .into_inner()
        .unwrap();
    let mut acked_late = 0;
    for n in std::mem::take(&mut tally.pending) {
        let body = late.lock().unwrap().get(&n).cloned();
        match body
            .as_deref()
            .map(reply_text)
            .as_deref()
            .and_then(kudos_id)
        {
            Some(id) => {
                tally.acked.insert(n, id);
                acked_late += 1;
            }
            None => tally.other.push((n, 0, body.unwrap_or_default())),
        }
    }
    // Any other answer (an apology, an error status) is not an acknowledgement; it is reported
    // below, with whether that kudos was stored anyway.

    // The boards are folded lazily: the leaderboard command folds before it reads, as a user
    // looking at it would. Its output is checked against the recount below.
    let board = |period: &str, board: &str| {
        let out = bot
            .command(&[
                "leaderboard",
                "--workspace",
                "acme",
                "--period",
                period,
                "--board",
                board,
                "--limit",
                "100",
            ])
            .env("SPOTLIGHT_SERVER_LISTEN", "127.0.0.1:0")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "leaderboard {period} {board}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let printed_all = board("all", "received");
    let printed: Vec<((String, String), BTreeMap<String, i64>)> = [
        ("all", "received"),
        ("all", "given"),
        ("today", "received"),
        ("today", "given"),
        ("all", "departments"),
        ("all", "values"),
        ("all", "crossteam"),
    ]
    .into_iter()
    .map(|(p, b)| ((p.to_string(), b.to_string()), board_lines(&board(p, b))))
    .collect();

    let mut db = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(bot.db())
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let broken_keys: Vec<(String, Option<i64>, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert!(broken_keys.is_empty(), "{broken_keys:?}");
    let ws: i64 = sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE platform = 'slack' AND external_id = 'T1'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let members: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT external_id, id FROM members WHERE workspace_id = ?",
    )
    .bind(ws)
    .fetch_all(&mut db)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let member_id = |i: usize| members[&user_id(i)];

    // (1) Every acknowledged kudos is stored exactly once, as it was sent; nothing is stored
    // that was not sent, and nothing twice.
    let rows: Vec<(i64, String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, message, status, giver_id, recipient_count, value_tag FROM kudos \
         WHERE workspace_id = ? ORDER BY id",
    )
    .bind(ws)
    .fetch_all(&mut db)
    .await
    .unwrap();
    let recipients_of: BTreeMap<i64, BTreeSet<i64>> = {
        let mut map: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        let pairs: Vec<(i64, i64)> =
            sqlx::query_as("SELECT kudos_id, member_id FROM kudos_recipients")
                .fetch_all(&mut db)
                .await
                .unwrap();
        for (k, m) in pairs {
            map.entry(k).or_default().insert(m);
        }
        map
    };
    let mut stored: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    for (id, message, status, giver, count, value) in &rows {
        let n: u64 = message
            .strip_prefix("soak-")
            .and_then(|m| m.strip_suffix(" thanks"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("kudos #{id} has a message nobody sent: {message:?}"));
        let sent = tally
            .sent
            .get(&n)
            .unwrap_or_else(|| panic!("kudos #{id} ({message}) was never sent"));
        assert_eq!(status, "active", "kudos #{id}");
        assert_eq!(*giver, member_id(sent.giver), "kudos #{id}'s giver");
        assert_eq!(*count as usize, sent.recipients.len(), "kudos #{id}");
        let want: BTreeSet<i64> = sent.recipients.iter().map(|&r| member_id(r)).collect();
        assert_eq!(
            recipients_of.get(id),
            Some(&want),
            "kudos #{id}'s recipients"
        );
        assert_eq!(value.as_deref(), sent.value, "kudos #{id}'s value");
        stored.entry(n).or_default().push(*id);
    }
    let twice: Vec<_> = stored.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    for (n, id) in &tally.acked {
        assert_eq!(
            stored.get(n),
            Some(&vec![*id]),
            "soak-{n} was acknowledged as #{id} but the database has {:?}",
            stored.get(n)
        );
    }
    let stored_unacked = stored
        .keys()
        .filter(|n| !tally.acked.contains_key(n))
        .count();
    let other_stored: Vec<_> = tally
        .other
        .iter()
        .filter(|(n, _, _)| stored.contains_key(n))
        .collect();

    // (2) Nothing is half-written: each kudos has all its recipients, and no recipient row
    // outlives its kudos.
    let short: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, wanted, n FROM (SELECT k.id, k.recipient_count AS wanted, \
           json_array_length(k.recipient_ids) AS named, \
           (SELECT COUNT(*) FROM kudos_recipients r WHERE r.kudos_id = k.id) AS n FROM kudos k) \
         WHERE n <> wanted OR named <> wanted",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(
        short.is_empty(),
        "kudos without all their recipients: {short:?}"
    );
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM kudos_recipients r LEFT JOIN kudos k ON k.id = r.kudos_id WHERE k.id IS NULL",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "recipient rows without their kudos");

    // (3) Every board equals a recount from the raw thank-yous. First independently of the
    // stored buckets, for all time ('a') and today ('d:…', from local_date); then for every
    // bucket a thank-you names (week, month, year, the week of weeks).
    let folded: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT folded_upto FROM stats_watermark WHERE workspace_id = ?), 0)",
    )
    .bind(ws)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let last = rows.last().map(|r| r.0).unwrap_or(0);
    assert_eq!(folded, last, "the leaderboard command folded every kudos");
    let day = format!("d:{today}");
    let active = "FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id \
                  WHERE k.workspace_id = ?1 AND k.status = 'active' AND k.kind = 'kudos'";
    let stored_sql = |column: &str, key: &str, table: &str| {
        format!("SELECT bucket, {key}, {column} FROM {table} WHERE workspace_id = ?1")
    };
    let checks: Vec<(&str, String, String)> = vec![
        (
            "received",
            format!(
                "SELECT 'a', CAST(r.member_id AS TEXT), COUNT(*) {active} GROUP BY r.member_id \
                 UNION ALL SELECT 'd:' || k.local_date, CAST(r.member_id AS TEXT), COUNT(*) {active} \
                 GROUP BY k.local_date, r.member_id"
            ),
            stored_sql("received", "CAST(member_id AS TEXT)", "member_stats"),
        ),
        (
            "given",
            format!(
                "SELECT 'a', CAST(k.giver_id AS TEXT), COUNT(*) {active} GROUP BY k.giver_id \
                 UNION ALL SELECT 'd:' || k.local_date, CAST(k.giver_id AS TEXT), COUNT(*) {active} \
                 GROUP BY k.local_date, k.giver_id"
            ),
            stored_sql("given", "CAST(member_id AS TEXT)", "member_stats"),
        ),
    ];
    let mut compared = 0;
    for (what, recount_sql, stored_sql) in &checks {
        let recount = counts(&mut db, recount_sql, ws).await;
        let stored: BTreeMap<_, _> = counts(&mut db, stored_sql, ws)
            .await
            .into_iter()
            .filter(|((b, _), _)| b == "a" || b == &day)
            .collect();
        assert_eq!(
            stored, recount,
            "member_stats.{what} (all time and today) against a recount"
        );
        compared += recount.len();
    }
    let every =
        "FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, json_each(k.buckets) b \
                 WHERE k.workspace_id = ?1 AND k.status = 'active'";
    let boards: Vec<(&str, String, String)> = vec![
        (
            "member_stats.received",
            format!("SELECT b.value, CAST(r.member_id AS TEXT), SUM(k.kind = 'kudos') {every} GROUP BY 1, 2"),
            stored_sql("received", "CAST(member_id AS TEXT)", "member_stats"),
        ),
        (
            "member_stats.feedback",
            format!("SELECT b.value, CAST(r.member_id AS TEXT), SUM(k.kind = 'feedback') {every} GROUP BY 1, 2"),
            stored_sql("feedback", "CAST(member_id AS TEXT)", "member_stats"),
        ),
        (
            "member_stats.given",
            format!("SELECT b.value, CAST(k.giver_id AS TEXT), COUNT(*) {every} AND k.kind = 'kudos' GROUP BY 1, 2"),
            stored_sql("given", "CAST(member_id AS TEXT)", "member_stats"),
        ),
        (
            "department_stats",
            format!(
                "SELECT b.value, CAST(r.department_id AS TEXT), COUNT(*) {every} AND k.kind = 'kudos' \
                 AND r.department_id IS NOT NULL GROUP BY 1, 2"
            ),
            stored_sql("received", "CAST(department_id AS TEXT)", "department_stats"),
        ),
        (
            "value_stats",
            format!(
                "SELECT b.value, k.value_tag, COUNT(*) {every} AND k.kind = 'kudos' \
                 AND k.value_tag IS NOT NULL GROUP BY 1, 2"
            ),
            stored_sql("count", "value_tag", "value_stats"),
        ),
        (
            "pair_stats",
            format!(
                "SELECT b.value, k.giver_department_id || '>' || r.department_id, COUNT(*) {every} \
                 AND k.kind = 'kudos' AND k.giver_department_id IS NOT NULL AND r.department_id IS NOT NULL \
                 AND k.giver_department_id <> r.department_id GROUP BY 1, 2"
            ),
            stored_sql("count", "from_department_id || '>' || to_department_id", "pair_stats"),
        ),
    ];
    for (what, recount_sql, stored_sql) in &boards {
        let recount = counts(&mut db, recount_sql, ws).await;
        let stored = counts(&mut db, stored_sql, ws).await;
        assert_eq!(&stored, &recount, "{what} against a recount from the kudos");
        assert!(
            *what == "member_stats.feedback" || !recount.is_empty(),
            "{what} has something to compare"
        );
        compared += recount.len();
    }
    // What the leaderboard command printed is the recount too, name by name.
    let names: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT CAST(id AS TEXT), display_name FROM members WHERE workspace_id = ?1 \
         UNION ALL SELECT 'dept:' || id, name FROM departments WHERE workspace_id = ?1",
    )
    .bind(ws)
    .fetch_all(&mut db)
    .await
    .unwrap()
    .into_iter()
    .collect();
    for ((period, board), lines) in &printed {
        let bucket = if period == "all" { "a" } else { &day };
        let (_, recount_sql, _) = boards
            .iter()
            .find(|(what, _, _)| match board.as_str() {
                "received" => *what == "member_stats.received",
                "given" => *what == "member_stats.given",
                "departments" => *what == "department_stats",
                "values" => *what == "value_stats",
                _ => *what == "pair_stats",
            })
            .unwrap();
        let want: BTreeMap<String, i64> = counts(&mut db, recount_sql, ws)
            .await
            .into_iter()
            .filter(|((b, _), _)| b == bucket)
            .map(|((_, key), n)| {
                let label = match board.as_str() {
                    "received" | "given" => names[&key].clone(),
                    "departments" => names[&format!("dept:{key}")].clone(),
                    "values" => key,
                    _ => {
                        let (from, to) = key.split_once('>').unwrap();
                        format!(
                            "{} → {}",
                            names[&format!("dept:{from}")],
                            names[&format!("dept:{to}")]
                        )
                    }
                };
                (label, n)
            })
            .collect();
        assert_eq!(
            lines, &want,
            "`spotlight leaderboard --period {period} --board {board}` against a recount"
        );
    }

    // (4) The scheduler's ledger. Its key (workspace, kind, local date, target) is the table's
    // primary key, and a post is claimed there before it is sent, so across kills a post can
    // be lost (killed between the claim and the send: the row stays 'sending' and is never
    // claimed again) or sent without being recorded as delivered (killed between the send and
    // the record), but never sent twice. The fake never fails a post here, so there are no
    // retries, and each delivered row matches exactly one post Slack received.
    let ledger: Vec<(String, String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT kind, local_date, target, status, attempts, last_error FROM post_ledger \
         WHERE workspace_id = ?",
    )
    .bind(ws)
    .fetch_all(&mut db)
    .await
    .unwrap();
    let dup_keys: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM post_ledger \
         GROUP BY workspace_id, kind, local_date, target HAVING COUNT(*) > 1)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(dup_keys, 0, "a ledger key twice");
    let mut posts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut longest = 0;
    for call in fake.calls("chat.postMessage") {
        let text = call.body["text"].as_str().unwrap_or_default();
        let channel = call.body["channel"].as_str().unwrap_or_default();
        let kind = if text.starts_with("Customer Service Week, day") {
            "prompt"
        } else if text.starts_with("Customer Service Week") && text.contains(": the awards") {
            "awards"
        } else if text.starts_with("Your thank-you book") {
            "book"
        } else {
            continue; // an announcement of a new kudos
        };
        let target = if kind == "book" {
            members
                .get(channel)
                .unwrap_or_else(|| panic!("a book to {channel}, who is no member"))
                .to_string()
        } else {
            assert_eq!(
                channel, "C1",
                "the {kind} post goes to the celebration channel"
            );
            String::new()
        };
        *posts.entry((kind.to_string(), target)).or_default() += 1;
        longest = longest.max(text.chars().count());
    }
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut lost = Vec::new();
    let mut unrecorded = 0;
    for (kind, date, target, status, attempts, error) in &ledger {
        *by_status.entry(status.clone()).or_default() += 1;
        assert_eq!(
            date,
            &today.to_string(),
            "{kind} {target}: only today's posts are due"
        );
        let sent = posts
            .get(&(kind.clone(), target.clone()))
            .copied()
            .unwrap_or(0);
        assert_eq!(
            *attempts, 1,
            "{kind} {target}: no post failed, so none was retried"
        );
        match status.as_str() {
            "delivered" => assert_eq!(sent, 1, "{kind} {target} is delivered: sent once"),
            "sending" if sent == 0 => lost.push(format!("{kind} {target}")),
            "sending" => {
                assert_eq!(sent, 1, "{kind} {target} was sent twice");
                unrecorded += 1;
            }
            other => panic!("{kind} {target} is {other} ({error:?}) though Slack never failed"),
        }
    }
    for ((kind, target), n) in &posts {
        assert!(
            ledger
                .iter()
                .any(|(k, _, t, _, _, _)| k == kind && t == target),
            "{kind} {target} was posted {n} time(s) without a claim in the ledger"
        );
    }
    let post_count: usize = posts.values().sum();

    println!("soak: board (all time, received):\n{printed_all}");
    println!(
        "soak: {:.0} s, seed {seed}: sent {}, acknowledged {} ({} late, through response_url), \
         stored {} ({} of them unacknowledged: committed just before a kill), dropped in flight {}, \
         kills {kills}, restarts {restarts} (process starts {}), posts {post_count} \
         (ledger {:?}; lost to a kill: {:?}; sent but not recorded: {unrecorded}; longest {longest} characters), \
         board rows compared {compared}, other answers {} (stored anyway: {})",
        elapsed.as_secs_f64(),
        tally.sent.len(),
        tally.acked.len(),
        acked_late,
        stored.len(),
        stored_unacked,
        tally.failed,
        bot.starts,
        by_status,
        lost,
        tally.other.len(),
        other_stored.len(),
    );
    for (n, status, text) in tally.other.iter().take(5) {
        let fate = if stored.contains_key(n) {
            "stored"
        } else {
            "not stored"
        };
        println!("soak: soak-{n} got {status} {text:?} ({fate})");
    }
    assert_eq!(kills, KILLS);
    assert!(!tally.acked.is_empty(), "the soak acknowledged some kudos");
}
