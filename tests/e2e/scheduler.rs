//! The week's scheduler through a whole simulated week, across time zones and daylight saving,
//! restarts, outages, config changes and delivery failures.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::Duration;
use spotlight::clock::{Clock, ManualClock};
use spotlight::domain::model::{Actor, Workspace};
use spotlight::domain::schedule::PostKind;
use spotlight::scheduler::{DeliveryError, Post, Recipient, Scheduler, Sink};

use crate::support::{t, TestApp};

/// (workspace, kind, UTC minute, late, "to title\nbody") of one delivered post.
type Seen = (String, PostKind, String, bool, String);

/// Records what would be posted, when; fails deliveries on demand.
struct Recorder {
    clock: ManualClock,
    posts: Mutex<Vec<Seen>>,
    failures: Mutex<VecDeque<DeliveryError>>,
}

impl Recorder {
    fn new(clock: &ManualClock) -> Self {
        Self {
            clock: clock.clone(),
            posts: Mutex::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
        }
    }

    fn fail_next(&self, e: DeliveryError) {
        self.failures.lock().unwrap().push_back(e);
    }

    /// (workspace, kind, UTC instant) of every post.
    fn seen(&self) -> Vec<(String, PostKind, String)> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .map(|(w, k, at, _, _)| (w.clone(), *k, at.clone()))
            .collect()
    }

    /// (kind, UTC instant) of every post, for a single-workspace test.
    fn timeline(&self) -> Vec<(PostKind, String)> {
        self.seen().into_iter().map(|(_, k, at)| (k, at)).collect()
    }

    fn all(&self) -> Vec<Seen> {
        self.posts.lock().unwrap().clone()
    }
}

impl Sink for Recorder {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        let to = match &post.to {
            Recipient::Channel => "channel".to_string(),
            Recipient::Member { name, .. } => format!("dm:{name}"),
        };
        let at = self.clock.now().format("%Y-%m-%dT%H:%MZ").to_string();
        self.posts.lock().unwrap().push((
            ws.name.clone(),
            post.kind,
            at,
            post.late,
            format!("{to} {}\n{}", post.title, post.body),
        ));
        Ok(())
    }
}

/// Ticks once a minute, as the running bot would, until `until`.
async fn run_until(app: &TestApp, sink: &Recorder, until: &str) {
    let scheduler = Scheduler::new(app.core().clone());
    let until = t(until);
    while app.clock.now() < until {
        scheduler.tick("test", sink).await.unwrap();
        app.clock.advance(Duration::minutes(1));
    }
}

async fn zoned(app: &TestApp, name: &str, zone: &str) -> Workspace {
    let ws = app.workspace(name).await;
    let admin = app.admin(&ws, "boss").await;
    app.core().set_timezone(&ws, &admin, zone).await.unwrap()
}

fn expected(ws: &str, posts: &[(PostKind, &str)]) -> Vec<(String, PostKind, String)> {
    posts
        .iter()
        .map(|(k, at)| (ws.to_string(), *k, at.to_string()))
        .collect()
}

#[tokio::test]
async fn the_2026_week_in_four_time_zones_posts_exactly_once_at_the_right_instants() {
    crate::skip_without_postgres!();
    use PostKind::*;
    let app = TestApp::at("2026-10-01T00:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    zoned(&app, "sydney", "Australia/Sydney").await;
    zoned(&app, "auckland", "Pacific/Auckland").await;
    let london = zoned(&app, "london", "Europe/London").await;
    zoned(&app, "la", "America/Los_Angeles").await;
    run_until(&app, &sink, "2026-10-05T12:00:00Z").await;
    // A thank-you in London on Monday, so London's book has a page.
    let ana = app.member(&london, "ana").await;
    let li = app.member(&london, "li").await;
    app.thank(&london, &ana, &[&li], "Thanks for the handover")
        .await
        .unwrap();
    run_until(&app, &sink, "2026-10-10T00:00:00Z").await;

    let seen = sink.seen();
    let of = |ws: &str| {
        seen.iter()
            .filter(|(w, _, _)| w == ws)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Sydney: AEST (+10) for Friday's heads-up, AEDT (+11) from Sunday 4 October.
    assert_eq!(
        of("sydney"),
        expected(
            "sydney",
            &[
                (HeadsUp, "2026-10-01T23:00Z"),
                (Prompt, "2026-10-04T22:00Z"),
                (Recap, "2026-10-05T06:00Z"),
                (Prompt, "2026-10-05T22:00Z"),
                (Recap, "2026-10-06T06:00Z"),
                (Prompt, "2026-10-06T22:00Z"),
                (Recap, "2026-10-07T06:00Z"),
                (Prompt, "2026-10-07T22:00Z"),
                (Recap, "2026-10-08T06:00Z"),
                (Prompt, "2026-10-08T22:00Z"),
                (Awards, "2026-10-09T05:00Z"),
            ]
        )
    );
    assert_eq!(
        of("auckland"),
        expected(
            "auckland",
            &[
                (HeadsUp, "2026-10-01T20:00Z"),
                (Prompt, "2026-10-04T20:00Z"),
                (Recap, "2026-10-05T04:00Z"),
                (Prompt, "2026-10-05T20:00Z"),
                (Recap, "2026-10-06T04:00Z"),
                (Prompt, "2026-10-06T20:00Z"),
                (Recap, "2026-10-07T04:00Z"),
                (Prompt, "2026-10-07T20:00Z"),
                (Recap, "2026-10-08T04:00Z"),
                (Prompt, "2026-10-08T20:00Z"),
                (Awards, "2026-10-09T03:00Z"),
            ]
        )
    );
    assert_eq!(
        of("london"),
        expected(
            "london",
            &[
                (HeadsUp, "2026-10-02T08:00Z"),
                (Prompt, "2026-10-05T08:00Z"),
                (Recap, "2026-10-05T16:00Z"),
                (Prompt, "2026-10-06T08:00Z"),
                (Recap, "2026-10-06T16:00Z"),
                (Prompt, "2026-10-07T08:00Z"),
                (Recap, "2026-10-07T16:00Z"),
                (Prompt, "2026-10-08T08:00Z"),
                (Recap, "2026-10-08T16:00Z"),
                (Prompt, "2026-10-09T08:00Z"),
                (Awards, "2026-10-09T15:00Z"),
                (Book, "2026-10-09T15:00Z"),
            ]
        )
    );
    assert_eq!(
        of("la"),
        expected(
            "la",
            &[
                (HeadsUp, "2026-10-02T16:00Z"),
                (Prompt, "2026-10-05T16:00Z"),
                (Recap, "2026-10-06T00:00Z"),
                (Prompt, "2026-10-06T16:00Z"),
                (Recap, "2026-10-07T00:00Z"),
                (Prompt, "2026-10-07T16:00Z"),
                (Recap, "2026-10-08T00:00Z"),
                (Prompt, "2026-10-08T16:00Z"),
                (Recap, "2026-10-09T00:00Z"),
                (Prompt, "2026-10-09T16:00Z"),
                (Awards, "2026-10-09T23:00Z"),
            ]
        )
    );
    let all = sink.all();
    assert!(
        all.iter().all(|p| !p.3),
        "nothing late when the bot ran all week"
    );
    let book = all.iter().find(|p| p.1 == Book).unwrap();
    assert!(
        book.4.starts_with("dm:li Your thank-you book"),
        "{}",
        book.4
    );
    assert!(
        book.4.contains("ana (Monday): “Thanks for the handover”"),
        "{}",
        book.4
    );
    assert!(
        book.4.contains("/book/") && book.4.contains("?period=csw"),
        "the book DM links li's own printable book: {}",
        book.4
    );
    // The process-wide metrics (other tests add to them too, never take away).
    let metrics = spotlight::telemetry::metrics::render();
    let sample = |needle: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with(needle))
            .and_then(|l| l.rsplit(' ').next())
            .map_or(0.0, |v| v.parse().unwrap())
    };
    assert!(
        sample("spotlight_posts_total{platform=\"test\",kind=\"book\",outcome=\"delivered\"}")
            >= 1.0,
        "{metrics}"
    );
    assert!(sample("spotlight_scheduler_tick_seconds_count{platform=\"test\"}") >= 1.0);
    let monday = all
        .iter()
        .find(|p| p.0 == "london" && p.1 == Prompt)
        .unwrap();
    assert!(monday.4.contains("day 1: Thank a teammate"), "{}", monday.4);
    let awards = all
        .iter()
        .find(|p| p.0 == "london" && p.1 == Awards)
        .unwrap();
    assert!(awards.4.contains("Most thanked: 1. li (1)"), "{}", awards.4);
}

#[tokio::test]
async fn a_restart_mid_week_sends_nothing_twice() {
    crate::skip_without_postgres!();
    let dir_app = TestApp::at("2026-10-05T00:00:00Z").await;
    let sink = Recorder::new(&dir_app.clock);
    zoned(&dir_app, "london", "Europe/London").await;
    run_until(&dir_app, &sink, "2026-10-07T08:00:30Z").await;
    let before = sink.seen().len();
    // A second process on the same database, started while Wednesday's prompt is being sent:
    // its first tick sees the ledger and posts nothing again.
    let mut config = dir_app.app.config.clone();
    config.database.url = dir_app.core().store().location().to_string();
    let clock = dir_app.clock.clone();
    let second = spotlight::app::App::build(config, std::sync::Arc::new(clock.clone()))
        .await
        .unwrap();
    let scheduler = Scheduler::new(second.spotlight.clone());
    for _ in 0..3 {
        scheduler.tick("test", &sink).await.unwrap();
        dir_app.clock.advance(Duration::seconds(10));
    }
    dir_app.clock.set(t("2026-10-07T08:00:00Z"));
    scheduler.tick_one(1, &sink).await.unwrap();
    assert_eq!(sink.seen().len(), before, "{:#?}", sink.seen());
    run_until(&dir_app, &sink, "2026-10-10T00:00:00Z").await;
    let seen = sink.seen();
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen, unique);
    assert_eq!(seen.len(), 10, "5 prompts, 4 recaps, the awards: {seen:#?}");
}

#[tokio::test]
async fn an_outage_catches_up_the_same_day_late_and_skips_earlier_days() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-06T00:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    zoned(&app, "london", "Europe/London").await;
    run_until(&app, &sink, "2026-10-06T07:00:00Z").await;
    // Away from 08:00 to 11:00 on Tuesday: back the same day.
    app.set_time("2026-10-06T11:00:00Z");
    run_until(&app, &sink, "2026-10-07T07:00:00Z").await;
    // Away from Wednesday 08:00 (UTC) to Thursday 10:00: Wednesday's posts are skipped.
    app.set_time("2026-10-08T10:00:00Z");
    run_until(&app, &sink, "2026-10-08T12:00:00Z").await;
    let all = sink.all();
    let summary: Vec<(PostKind, String, bool)> =
        all.iter().map(|p| (p.1, p.2.clone(), p.3)).collect();
    assert_eq!(
        summary,
        vec![
            (PostKind::Prompt, "2026-10-06T11:00Z".to_string(), true),
            (PostKind::Recap, "2026-10-06T16:00Z".to_string(), false),
            (PostKind::Prompt, "2026-10-08T10:00Z".to_string(), true),
        ]
    );
    assert!(
        all[0]
            .4
            .contains("(Posted late: the bot was away at 09:00.)"),
        "{}",
        all[0].4
    );
}

#[tokio::test]
async fn settings_changed_mid_week_apply_to_the_next_post() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T00:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    let ws = zoned(&app, "team", "Europe/London").await;
    let admin = app.admin(&ws, "boss").await;
    run_until(&app, &sink, "2026-10-06T12:00:00Z").await;
    let ws = app
        .core()
        .set_prompt_time(&ws, &admin, "10:30")
        .await
        .unwrap();
    app.core()
        .set_post(&ws, &admin, PostKind::Recap, Some(false), None)
        .await
        .unwrap();
    run_until(&app, &sink, "2026-10-07T12:00:00Z").await;
    // And a move to New York on Wednesday: Thursday's prompt is 10:30 there.
    app.core()
        .set_timezone(&ws, &admin, "America/New_York")
        .await
        .unwrap();
    run_until(&app, &sink, "2026-10-08T16:00:00Z").await;
    let seen = sink.timeline();
    assert_eq!(
        seen,
        vec![
            (PostKind::Prompt, "2026-10-05T08:00Z".into()),
            (PostKind::Recap, "2026-10-05T16:00Z".into()),
            (PostKind::Prompt, "2026-10-06T08:00Z".into()),
            (PostKind::Prompt, "2026-10-07T09:30Z".into()),
            (PostKind::Prompt, "2026-10-08T14:30Z".into()),
        ]
    );
}

#[tokio::test]
async fn failures_are_retried_with_backoff_or_recorded_when_permanent() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T07:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    let ws = zoned(&app, "london", "Europe/London").await;
    sink.fail_next(DeliveryError::Transient("Discord answered 502".into()));
    sink.fail_next(DeliveryError::Transient("Discord answered 502".into()));
    run_until(&app, &sink, "2026-10-05T12:00:00Z").await;
    // Failed at 08:00, retried after 1 minute (failed again), then after 5 more.
    let seen = sink.seen();
    assert_eq!(seen[0].1, PostKind::Prompt);
    assert_eq!(seen[0].2, "2026-10-05T08:06Z");
    let ledger = app.core().store().ledger(ws.id).await.unwrap();
    assert_eq!((ledger[0].3.as_str(), ledger[0].4), ("delivered", 3));

    sink.fail_next(DeliveryError::Permanent(
        "missing permission to post there (403)".into(),
    ));
    run_until(&app, &sink, "2026-10-05T23:00:00Z").await;
    assert_eq!(
        sink.seen().len(),
        1,
        "the recap failed for good and was not retried"
    );
    let admin = Actor {
        member: app.member(&ws, "boss").await,
        is_admin: true,
    };
    let failures = app.core().recent_failures(&ws, &admin).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].what, "recap post of 2026-10-05");
    assert_eq!(failures[0].reason, "missing permission to post there (403)");
    let ledger = app.core().store().ledger(ws.id).await.unwrap();
    assert!(
        ledger.iter().any(|r| r.0 == "recap" && r.3 == "failed"),
        "{ledger:?}"
    );
}

#[tokio::test]
async fn a_prompt_time_in_a_skipped_hour_posts_at_the_next_valid_minute() {
    crate::skip_without_postgres!();
    // The week moved to start on Sunday 4 October, when Sydney's clocks skip 02:00-03:00.
    let app = TestApp::at("2026-10-03T00:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    let ws = zoned(&app, "sydney", "Australia/Sydney").await;
    let admin = app.admin(&ws, "boss").await;
    app.core()
        .set_week(&ws, &admin, "2026-10-04".parse().unwrap(), None)
        .await
        .unwrap();
    let ws = app.core().reload(&ws).await.unwrap();
    app.core()
        .set_prompt_time(&ws, &admin, "02:30")
        .await
        .unwrap();
    run_until(&app, &sink, "2026-10-05T00:00:00Z").await;
    let prompts: Vec<String> = sink
        .seen()
        .into_iter()
        .filter(|p| p.1 == PostKind::Prompt)
        .map(|p| p.2)
        .collect();
    // 03:00 AEDT on the 4th is 16:00 UTC on the 3rd; the next day's 02:30 AEDT is 15:30 UTC.
    assert_eq!(prompts, ["2026-10-03T16:00Z", "2026-10-04T15:30Z"]);
}

#[tokio::test]
async fn moving_the_week_mid_week_moves_the_next_posts() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T00:00:00Z").await;
    let sink = Recorder::new(&app.clock);
    let ws = zoned(&app, "team", "Europe/London").await;
    let admin = app.admin(&ws, "boss").await;
    run_until(&app, &sink, "2026-10-06T12:00:00Z").await;
    // On Tuesday the organisation moves its week to 12-16 October.
    app.core()
        .set_week(&ws, &admin, "2026-10-12".parse().unwrap(), None)
        .await
        .unwrap();
    run_until(&app, &sink, "2026-10-12T12:00:00Z").await;
    let seen = sink.timeline();
    assert_eq!(
        seen,
        vec![
            (PostKind::Prompt, "2026-10-05T08:00Z".into()),
            (PostKind::Recap, "2026-10-05T16:00Z".into()),
            (PostKind::Prompt, "2026-10-06T08:00Z".into()),
            // Tuesday's recap is gone with the old week; the new week's heads-up and Monday follow.
            (PostKind::HeadsUp, "2026-10-09T08:00Z".into()),
            (PostKind::Prompt, "2026-10-12T08:00Z".into()),
        ]
    );
}
