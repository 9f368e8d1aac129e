//! Several Spotlight processes on one PostgreSQL: the rules hold across them. Kudos go through
//! two real `spotlight run` binaries, each on its own fake Discord gateway; the week is ticked
//! by two apps built in this process on one database and one simulated clock (the binary reads
//! the real clock), one of which dies in the middle of a post.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use spotlight::clock::{Clock, ManualClock};
use spotlight::config::Config;
use spotlight::domain::model::Workspace;
use spotlight::domain::schedule::PostKind;
use spotlight::scheduler::{DeliveryError, Post, Scheduler, Sink};
use sqlx::{Connection, PgConnection};

use crate::discord::fake::{FakeDiscord, GUILD_ID};
use crate::discord::payloads::{kudos, user};
use crate::process::{free_port, Process};
use crate::support::t;

fn skipped() -> bool {
    if crate::backends::server().is_none() {
        eprintln!(
            "skipped: needs PostgreSQL; set SPOTLIGHT_TEST_POSTGRES_URL (scripts/with-postgres does)"
        );
        return true;
    }
    false
}

/// `spotlight run` on `database`, connected to `fake`, with the week's posts off.
async fn bot(fake: &FakeDiscord, database: &str, allowance: &str) -> Process {
    let guild = GUILD_ID.to_string();
    let bot = Process::start(
        &["run"],
        free_port(),
        &[
            ("SPOTLIGHT_DATABASE_URL", database),
            ("SPOTLIGHT_DISCORD_TOKEN", "fake-token"),
            ("SPOTLIGHT_DISCORD_API_BASE_URL", &fake.base_url),
            ("SPOTLIGHT_DISCORD_DEV_GUILD_ID", &guild),
            ("SPOTLIGHT_DEFAULTS_PROMPTS_ENABLED", "false"),
            ("SPOTLIGHT_DEFAULTS_DAILY_ALLOWANCE", allowance),
        ],
    );
    fake.wait_identified().await;
    fake.wait_for("command registration", |r| {
        r.method == "PUT" && r.path.ends_with("/commands")
    })
    .await;
    bot
}

/// The text of the bot's answer to interaction `id`, once it has come.
async fn answer(fake: &FakeDiscord, id: u64) -> String {
    let marker = format!("/interactions/{id}/");
    let reply = fake
        .wait_for("the answer", |r| r.path.contains(&marker))
        .await;
    reply.body.to_string()
}

#[tokio::test]
async fn two_processes_share_the_allowance_and_store_an_interaction_delivered_to_both_once() {
    if skipped() {
        return;
    }
    let database = crate::backends::fresh_database().await;
    let (fake_a, fake_b) = (FakeDiscord::start().await, FakeDiscord::start().await);
    let mut a = bot(&fake_a, &database, "3").await;
    let _b = bot(&fake_b, &database, "3").await;
    let ana = user(1, "ana");
    let li = user(2, "li");

    // Discord redelivers one interaction, and each process receives it.
    let same = kudos(500, &ana, &li, "Thanks for the handover");
    fake_a.dispatch("INTERACTION_CREATE", same.clone());
    fake_b.dispatch("INTERACTION_CREATE", same);
    answer(&fake_a, 500).await;
    answer(&fake_b, 500).await;

    // Then ten more from the same giver at the same instant, spread over both processes.
    let colleagues: Vec<_> = (0..10).map(|i| user(10 + i, &format!("mate{i}"))).collect();
    for (i, mate) in colleagues.iter().enumerate() {
        let fake = if i % 2 == 0 { &fake_a } else { &fake_b };
        fake.dispatch(
            "INTERACTION_CREATE",
            kudos(600 + i as u64, &ana, mate, "Thanks for the help"),
        );
    }
    let mut answers = Vec::new();
    for i in 0..10 {
        let fake = if i % 2 == 0 { &fake_a } else { &fake_b };
        answers.push(answer(fake, 600 + i).await);
    }
    let sent = answers.iter().filter(|a| a.contains("Kudos sent")).count();
    let refused = answers
        .iter()
        .filter(|a| a.contains("Daily allowance reached"))
        .count();
    assert_eq!((sent, refused), (2, 8), "{answers:#?}");

    let mut db = PgConnection::connect(&database).await.unwrap();
    let (rows, recipients): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(k.recipient_count), 0) AS BIGINT) FROM kudos k \
         JOIN members m ON m.id = k.giver_id WHERE m.external_id = '1'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (rows, recipients),
        (3, 3),
        "the allowance of 3 holds across processes"
    );
    let handover: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM kudos WHERE message = 'Thanks for the handover'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(handover, 1, "one interaction, one kudos");

    // A process killed in the middle of writes holds nothing the other needs: PostgreSQL ends
    // its transaction, and with it the write lock.
    let sam = user(3, "sam");
    for i in 0..5 {
        fake_a.dispatch(
            "INTERACTION_CREATE",
            kudos(700 + i, &sam, &colleagues[i as usize], "Cheers"),
        );
    }
    a.kill();
    let bo = user(4, "bo");
    fake_b.dispatch("INTERACTION_CREATE", kudos(800, &bo, &li, "Still here"));
    assert!(answer(&fake_b, 800).await.contains("Kudos sent"));
}

/// Apps, each a process's worth (its own pool, writer, caches and change feed), on one fresh
/// PostgreSQL database, all reading one simulated clock; the allowance is off.
struct Shared {
    database: String,
    clock: ManualClock,
}

impl Shared {
    async fn at(time: &str) -> Self {
        Self {
            database: crate::backends::fresh_database().await,
            clock: ManualClock::at(t(time)),
        }
    }

    async fn app(&self) -> spotlight::app::App {
        let mut config = Config::defaults();
        config.database.url = self.database.clone();
        config.defaults.daily_allowance = 0;
        spotlight::app::App::build(config, Arc::new(self.clock.clone()))
            .await
            .unwrap()
    }
}

/// The workspace `name`, and an admin of it, made through `app`.
async fn workspace_and_admin(
    app: &spotlight::app::App,
    name: &str,
) -> (Workspace, spotlight::domain::model::Actor) {
    let ws = app
        .spotlight
        .workspace("test", name, Some(name))
        .await
        .unwrap();
    let boss = app
        .spotlight
        .member(&ws, "boss", "boss", false)
        .await
        .unwrap();
    let admin = spotlight::domain::model::Actor {
        member: boss,
        is_admin: true,
    };
    (ws, admin)
}

/// Records every post delivered, by either app.
#[derive(Clone)]
struct Posted {
    clock: ManualClock,
    posts: Arc<Mutex<Vec<(PostKind, String, String)>>>,
}

impl Sink for Posted {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let at = self.clock.now().format("%Y-%m-%dT%H:%MZ").to_string();
        self.posts
            .lock()
            .unwrap()
            .push((post.kind, at, ws.name.clone()));
        Ok(())
    }
}

/// A process that stops for good in the middle of sending.
struct DiesWhileSending;

impl Sink for DiesWhileSending {
    async fn deliver(&self, _: &Workspace, _: &Post) -> Result<(), DeliveryError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_week_ticked_by_two_processes_posts_each_post_once_even_when_one_dies_mid_post() {
    if skipped() {
        return;
    }
    let shared = Shared::at("2026-10-05T00:00:00Z").await;
    let clock = shared.clock.clone();
    let (a, b) = (shared.app().await, shared.app().await);
    let (ws, admin) = workspace_and_admin(&a, "london").await;
    a.spotlight
        .set_timezone(&ws, &admin, "Europe/London")
        .await
        .unwrap();
    let sink = Posted {
        clock: clock.clone(),
        posts: Default::default(),
    };
    let (ticks_a, ticks_b) = (
        Scheduler::new(a.spotlight.clone()),
        Scheduler::new(b.spotlight.clone()),
    );
    // Both tick every minute, at the same moment, until Wednesday's prompt is due.
    while clock.now() < t("2026-10-07T08:00:00Z") {
        let (ra, rb) = tokio::join!(ticks_a.tick("test", &sink), ticks_b.tick("test", &sink));
        ra.unwrap();
        rb.unwrap();
        clock.advance(Duration::minutes(1));
    }
    // Process A claims Wednesday's prompt and dies while sending it; B keeps ticking alone.
    let dying = tokio::spawn({
        let ticks = Scheduler::new(a.spotlight.clone());
        async move {
            let _ = ticks.tick("test", &DiesWhileSending).await;
        }
    });
    let mut claimed = false;
    for _ in 0..500 {
        claimed = a.spotlight.store().ledger(ws.id).await.unwrap().iter().any(
            |(kind, date, _, status, _, _)| {
                kind == "prompt" && date == "2026-10-07" && status == "sending"
            },
        );
        if claimed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(claimed, "process A claimed Wednesday's prompt");
    dying.abort();
    while clock.now() < t("2026-10-10T00:00:00Z") {
        ticks_b.tick("test", &sink).await.unwrap();
        clock.advance(Duration::minutes(1));
    }

    let posts = sink.posts.lock().unwrap().clone();
    let mut keys: Vec<(PostKind, String)> = posts
        .iter()
        .map(|(kind, at, _)| (*kind, at[..10].to_string()))
        .collect();
    let total = keys.len();
    keys.sort_by(|x, y| (format!("{:?}", x.0), &x.1).cmp(&(format!("{:?}", y.0), &y.1)));
    keys.dedup();
    assert_eq!(keys.len(), total, "a post went out twice: {posts:#?}");
    assert_eq!(total, 10, "5 prompts, 4 recaps, the awards: {posts:#?}");
    let wednesday = posts
        .iter()
        .find(|(kind, at, _)| *kind == PostKind::Prompt && at.starts_with("2026-10-07"))
        .expect("Wednesday's prompt was sent by the process still running");
    let lease_end = (t("2026-10-07T08:00:00Z") + spotlight::store::CLAIM_LEASE)
        .format("%Y-%m-%dT%H:%MZ")
        .to_string();
    assert!(
        wednesday.1 >= lease_end && wednesday.1.as_str() < "2026-10-07T09:00Z",
        "retried once the dead process's claim lapsed, the same morning: {wednesday:?}"
    );
}

#[tokio::test]
async fn a_change_made_through_one_process_reaches_the_others_cache() {
    if skipped() {
        return;
    }
    let shared = Shared::at("2026-10-05T09:00:00Z").await;
    let (a, b) = (shared.app().await, shared.app().await);
    let (ws, admin) = workspace_and_admin(&a, "acme").await;
    // B has both cached before A changes them.
    b.spotlight.workspace("test", "acme", None).await.unwrap();
    let dana = b
        .spotlight
        .member(&ws, "dana", "dana", false)
        .await
        .unwrap();
    assert_eq!(dana.department, None);

    a.spotlight
        .set_timezone(&ws, &admin, "Asia/Tokyo")
        .await
        .unwrap();
    a.spotlight
        .set_department(&ws, &admin, dana.id, Some("Billing"))
        .await
        .unwrap();

    let mut seen = (String::new(), None);
    for _ in 0..100 {
        let ws = b.spotlight.workspace("test", "acme", None).await.unwrap();
        let dana = b
            .spotlight
            .member(&ws, "dana", "dana", false)
            .await
            .unwrap();
        seen = (ws.settings.timezone.name().to_string(), dana.department);
        if seen == ("Asia/Tokyo".to_string(), Some("Billing".to_string())) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        seen,
        ("Asia/Tokyo".to_string(), Some("Billing".to_string())),
        "process B still serves what it cached before A's change"
    );
}

#[tokio::test]
async fn processes_starting_at_once_apply_the_migrations_once() {
    if skipped() {
        return;
    }
    let database = crate::backends::fresh_database().await;
    let mut config = spotlight::config::Config::defaults().database;
    config.url = database.clone();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    let starts = (0..4).map(|_| spotlight::store::Store::connect(&config));
    let stores = futures_util::future::join_all(starts).await;
    for store in &stores {
        let store = store.as_ref().expect("every process starts");
        assert_eq!(store.applied_migrations().await.unwrap(), shipped);
    }
    let mut db = PgConnection::connect(&database).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(rows, shipped);
}

#[tokio::test]
async fn a_wall_served_by_one_process_shows_thanks_given_through_the_other() {
    if skipped() {
        return;
    }
    let shared = Shared::at("2026-10-05T09:00:00Z").await;
    let (a, b) = (shared.app().await, shared.app().await);
    let mut wall_a = a.spotlight.subscribe();
    let mut wall_b = b.spotlight.subscribe();
    let ws = a
        .spotlight
        .workspace("test", "acme", Some("acme"))
        .await
        .unwrap();
    let ana = a.spotlight.member(&ws, "ana", "ana", false).await.unwrap();
    let li = a.spotlight.member(&ws, "li", "li", false).await.unwrap();
    let given = a
        .spotlight
        .give_kudos(
            &ws,
            &ana,
            spotlight::domain::model::KudosRequest {
                recipients: vec![li.id.into()],
                message: "Thanks for the handover".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), wall_b.recv())
        .await
        .expect("process B's walls hear a kudos given through A")
        .unwrap();
    assert_eq!(heard.workspace, ws.id);
    match &heard.change {
        spotlight::service::WallChange::Added(k) => {
            assert_eq!(
                (k.id, k.message.as_str()),
                (given.kudos.id, "Thanks for the handover")
            );
            assert_eq!(k.recipients[0].name, "li");
        }
        other => panic!("expected the new card, got {other:?}"),
    }
    a.spotlight.undo(&ws, &ana).await.unwrap();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), wall_b.recv())
        .await
        .expect("and its undoing")
        .unwrap();
    assert!(
        matches!(heard.change, spotlight::service::WallChange::Removed(id) if id == given.kudos.id),
        "{heard:?}"
    );
    // A's own walls heard each change once: its own announcements are not relayed back.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut own = Vec::new();
    while let Ok(event) = wall_a.try_recv() {
        own.push(event.change);
    }
    assert_eq!(own.len(), 2, "{own:?}");
}

#[tokio::test]
async fn boards_stay_true_while_two_processes_give_undo_revoke_and_move_the_week() {
    use spotlight::domain::period::{Board, Period};
    if skipped() {
        return;
    }
    let shared = Shared::at("2026-10-12T09:00:00Z").await;
    let (a, b) = (shared.app().await, shared.app().await);
    let (ws, admin) = workspace_and_admin(&a, "acme").await;
    let mut people = Vec::new();
    for (i, name) in ["ana", "bo", "cy", "dee", "eli", "fay"].iter().enumerate() {
        let m = a.spotlight.member(&ws, name, name, false).await.unwrap();
        let dept = ["Billing", "Support", "Sales"][i % 3];
        people.push(
            a.spotlight
                .set_department(&ws, &admin, m.id, Some(dept))
                .await
                .unwrap(),
        );
    }
    let ws = a.spotlight.reload(&ws).await.unwrap();
    // Each process: its givers thank, read the boards (which folds), undo every third.
    let work = |core: spotlight::service::Spotlight, givers: Vec<usize>| {
        let (ws, people) = (ws.clone(), people.clone());
        async move {
            for round in 0..8 {
                for &g in &givers {
                    let to = &people[(g + 1 + round) % people.len()];
                    if to.id == people[g].id {
                        continue;
                    }
                    core.give_kudos(
                        &ws,
                        &people[g],
                        spotlight::domain::model::KudosRequest {
                            recipients: vec![to.id.into()],
                            message: format!("round {round}"),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                    if round % 3 == 2 {
                        core.undo(&ws, &people[g]).await.unwrap();
                    }
                }
                core.leaderboard(&ws, None, Period::All, Board::Received, 10)
                    .await
                    .unwrap();
            }
        }
    };
    let mover = async {
        // Meanwhile an admin on B stretches the week over these days, and a revoke lands on A.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        b.spotlight
            .set_week(&ws, &admin, "2026-10-12".parse().unwrap(), None)
            .await
            .unwrap();
        let first = a
            .spotlight
            .store()
            .kudos_list(ws.id, &Default::default())
            .await
            .unwrap();
        if let Some(k) = first.first() {
            a.spotlight
                .revoke(&ws, &admin, k.id, "posted by mistake")
                .await
                .unwrap();
        }
    };
    tokio::join!(
        work(a.spotlight.clone(), vec![0, 1, 2]),
        work(b.spotlight.clone(), vec![3, 4, 5]),
        mover
    );
    let ws = a.spotlight.reload(&ws).await.unwrap();
    let on_a = crate::support::every_board(&a.spotlight, &ws).await;
    let on_b = crate::support::every_board(&b.spotlight, &ws).await;
    assert_eq!(on_a, on_b, "both processes show the same boards");
    a.spotlight.store().rebuild_stats(ws.id).await.unwrap();
    let rebuilt = crate::support::every_board(&a.spotlight, &ws).await;
    assert_eq!(
        on_a, rebuilt,
        "the boards equal a recount from the thank-yous"
    );
    // Customer Service Week 2026, people thanked: the week moved over these days.
    let counted: i64 = rebuilt[10].iter().map(|l| l.count).sum();
    assert!(
        counted > 0,
        "the moved week counts this week's thanks: {rebuilt:?}"
    );
}

#[tokio::test]
async fn a_process_carries_on_after_the_database_drops_its_connections() {
    if skipped() {
        return;
    }
    let shared = Shared::at("2026-10-05T09:00:00Z").await;
    let database = shared.database.clone();
    let app = shared.app().await;
    let core = &app.spotlight;
    let ws = core.workspace("test", "acme", Some("acme")).await.unwrap();
    let ana = core.member(&ws, "ana", "ana", false).await.unwrap();
    let li = core.member(&ws, "li", "li", false).await.unwrap();
    let thank = |text: &str| {
        core.give_kudos(
            &ws,
            &ana,
            spotlight::domain::model::KudosRequest {
                recipients: vec![li.id.into()],
                message: text.into(),
                ..Default::default()
            },
        )
    };
    thank("before").await.unwrap();
    // A failover, as the process sees it: every connection to the database is cut.
    let mut admin = PgConnection::connect(&database).await.unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    // A write caught on a dead connection is refused (its giver is told), never half-kept;
    // the next ones go through.
    let mut outcomes = Vec::new();
    for i in 0..4 {
        outcomes.push(thank(&format!("after {i}")).await.is_ok());
    }
    assert!(outcomes[1..].iter().all(|ok| *ok), "{outcomes:?}");
    let stored = core
        .store()
        .kudos_list(ws.id, &Default::default())
        .await
        .unwrap();
    let told_ok = 1 + outcomes.iter().filter(|ok| **ok).count();
    assert_eq!(
        stored.len(),
        told_ok,
        "what was acknowledged is what is stored"
    );
}

#[tokio::test]
async fn slack_requests_can_land_on_any_process_behind_a_load_balancer() {
    if skipped() {
        return;
    }
    let database = crate::backends::fresh_database().await;
    let at = "2026-10-05T09:00:00Z";
    let a = crate::slack::SlackBot::start_oauth_on(at, &database).await;
    let b = crate::slack::SlackBot::start_oauth_on(at, &database).await;
    // The install starts on A and Slack sends the browser back to B.
    let (status, location, _) = a.get("/slack/install").await;
    assert_eq!(status, 302);
    let state = location
        .unwrap()
        .rsplit("state=")
        .next()
        .unwrap()
        .to_string();
    let (status, _, page) = b
        .get(&format!("/slack/oauth/callback?code=abc&state={state}"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Spotlight is installed in Acme"), "{page}");
    // The one-time state is spent for both.
    let (status, _, _) = a
        .get(&format!("/slack/oauth/callback?code=abc&state={state}"))
        .await;
    assert_eq!(status, 400);
    // Commands then land on either, with the token B stored.
    let reply = a.command("UANA", "/kudos", "<@UDANA> thanks from A").await;
    assert!(
        reply.text().contains("Kudos sent to dana"),
        "{}",
        reply.body
    );
    let reply = b.command("UANA", "/kudos", "<@ULI> thanks from B").await;
    assert!(reply.text().contains("Kudos sent to li"), "{}", reply.body);
    let post = a
        .fake
        .wait_for("chat.postMessage", |c| {
            c.body.to_string().contains("thanks from A")
        })
        .await;
    assert_eq!(post.auth.as_deref(), Some("Bearer xoxb-installed"));
    a.stop().await;
    b.stop().await;
}
