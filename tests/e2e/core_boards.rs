//! Leaderboards, coverage and personal stats as members would see them.

use spotlight::domain::model::{Actor, KudosRequest};
use spotlight::domain::period::{Board, Period};
use spotlight::service::{Line, Mine};

use crate::support::TestApp;

fn lines(lb: &spotlight::service::Leaderboard) -> Vec<(i64, String, i64)> {
    lb.lines
        .iter()
        .map(|Line { rank, label, count }| (*rank, label.clone(), *count))
        .collect()
}

#[tokio::test]
async fn ties_share_a_rank_and_are_ordered_by_name() {
    crate::skip_without_postgres!();
    let app =
        TestApp::with_config("2026-10-05T09:00:00Z", |c| c.defaults.daily_allowance = 0).await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let zoe = app.member(&ws, "Zoe").await;
    let bea = app.member(&ws, "bea").await;
    let carl = app.member(&ws, "carl").await;
    let dan = app.member(&ws, "dan").await;
    // Zoe 2, bea 2, carl 1, dan 3.
    for (to, n) in [(&zoe, 2), (&bea, 2), (&carl, 1), (&dan, 3)] {
        for i in 0..n {
            app.thank(&ws, &ana, &[to], &format!("thanks {i}"))
                .await
                .unwrap();
        }
    }
    let lb = app
        .core()
        .leaderboard(&ws, Some(&bea), Period::All, Board::Received, 10)
        .await
        .unwrap();
    assert_eq!(
        lines(&lb),
        [
            (1, "dan".into(), 3),
            (2, "bea".into(), 2),
            (2, "Zoe".into(), 2),
            (4, "carl".into(), 1)
        ]
    );
    assert_eq!(
        lb.mine,
        Some(Mine::Ranked {
            label: "You".into(),
            rank: 2,
            count: 2
        })
    );
    // A cut inside a tie keeps the order by name.
    let top2 = app
        .core()
        .leaderboard(&ws, Some(&ana), Period::All, Board::Received, 2)
        .await
        .unwrap();
    assert_eq!(lines(&top2), [(1, "dan".into(), 3), (2, "bea".into(), 2)]);
    assert_eq!(
        top2.mine,
        Some(Mine::Unranked {
            label: "You".into()
        })
    );
    let given = app
        .core()
        .leaderboard(&ws, Some(&ana), Period::All, Board::Given, 10)
        .await
        .unwrap();
    assert_eq!(lines(&given), [(1, "ana".into(), 8)]);
    assert_eq!(
        given.mine,
        Some(Mine::Ranked {
            label: "You".into(),
            rank: 1,
            count: 8
        })
    );
}

#[tokio::test]
async fn periods_follow_the_workspace_time_zone() {
    crate::skip_without_postgres!();
    // 12:00 UTC on Sunday 4 October is 01:00 on Monday 5 October in Auckland (NZDT, +13).
    let app = TestApp::at("2026-10-04T12:00:00Z").await;
    let admin_ws = app.workspace("kiwi").await;
    let admin = app.admin(&admin_ws, "boss").await;
    let kiwi = app
        .core()
        .set_timezone(&admin_ws, &admin, "Pacific/Auckland")
        .await
        .unwrap();
    let utc = app.workspace("plain").await;
    for ws in [&kiwi, &utc] {
        let a = app.member(ws, "a").await;
        let b = app.member(ws, "b").await;
        app.thank(ws, &a, &[&b], "early bird").await.unwrap();
    }
    let count = |lb: spotlight::service::Leaderboard| lb.lines.iter().map(|l| l.count).sum::<i64>();
    let core = app.core();
    // In Auckland it is already Customer Service Week; in UTC it is the Sunday before.
    assert_eq!(
        count(
            core.leaderboard(&kiwi, None, Period::Csw(Some(2026)), Board::Received, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        count(
            core.leaderboard(&utc, None, Period::Csw(Some(2026)), Board::Received, 10)
                .await
                .unwrap()
        ),
        0
    );
    let kiwi_week = core
        .leaderboard(&kiwi, None, Period::Week, Board::Received, 10)
        .await
        .unwrap();
    assert_eq!(kiwi_week.period.dates.unwrap().0.to_string(), "2026-10-05");
    let utc_week = core
        .leaderboard(&utc, None, Period::Week, Board::Received, 10)
        .await
        .unwrap();
    assert_eq!(utc_week.period.dates.unwrap().0.to_string(), "2026-09-28");
    assert_eq!(count(kiwi_week), 1);
    assert_eq!(count(utc_week), 1);
    // A day later in UTC, "today" in Auckland is the 6th: the kudos is no longer today's.
    app.set_time("2026-10-05T12:00:00Z");
    assert_eq!(
        count(
            core.leaderboard(&kiwi, None, Period::Today, Board::Received, 10)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        count(
            core.leaderboard(&kiwi, None, Period::Week, Board::Received, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        count(
            core.leaderboard(&kiwi, None, Period::Month, Board::Received, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        count(
            core.leaderboard(&utc, None, Period::Month, Board::Received, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        count(
            core.leaderboard(&utc, None, Period::Year, Board::Received, 10)
                .await
                .unwrap()
        ),
        1
    );
}

#[tokio::test]
async fn departments_values_and_cross_team_boards() {
    crate::skip_without_postgres!();
    let app =
        TestApp::with_config("2026-10-06T09:00:00Z", |c| c.defaults.daily_allowance = 0).await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let ana = app.member(&ws, "ana").await;
    let li = app.member(&ws, "li").await;
    let sam = app.member(&ws, "sam").await;
    let ana = app
        .core()
        .set_department(&ws, &admin, &ana, Some("Support"))
        .await
        .unwrap();
    let li = app
        .core()
        .set_department(&ws, &admin, &li, Some("Billing"))
        .await
        .unwrap();
    let sam = app
        .core()
        .set_department(&ws, &admin, &sam, Some("support"))
        .await
        .unwrap();
    assert_eq!(
        sam.department.as_deref(),
        Some("Support"),
        "department names match case-insensitively"
    );
    async fn give(
        app: &TestApp,
        ws: &spotlight::domain::model::Workspace,
        giver: &spotlight::domain::model::Member,
        to: &spotlight::domain::model::Member,
        value: &str,
    ) {
        app.core()
            .give_kudos(
                ws,
                giver,
                KudosRequest {
                    recipients: vec![to.id.into()],
                    message: "thanks".into(),
                    value: Some(value.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    give(&app, &ws, &ana, &li, "Teamwork").await;
    give(&app, &ws, &sam, &li, "Teamwork").await;
    give(&app, &ws, &li, &ana, "Patience").await;
    give(&app, &ws, &ana, &sam, "Integrity").await;
    let core = app.core();
    let depts = core
        .leaderboard(&ws, Some(&sam), Period::Csw(None), Board::Departments, 10)
        .await
        .unwrap();
    assert_eq!(
        lines(&depts),
        [(1, "Billing".into(), 2), (1, "Support".into(), 2)]
    );
    assert_eq!(
        depts.mine,
        Some(Mine::Ranked {
            label: "Support".into(),
            rank: 1,
            count: 2
        })
    );
    let values = core
        .leaderboard(&ws, None, Period::Week, Board::Values, 10)
        .await
        .unwrap();
    assert_eq!(
        lines(&values),
        [
            (1, "Teamwork".into(), 2),
            (2, "Integrity".into(), 1),
            (2, "Patience".into(), 1)
        ]
    );
    let cross = core
        .leaderboard(&ws, None, Period::Today, Board::CrossTeam, 10)
        .await
        .unwrap();
    assert_eq!(
        lines(&cross),
        [
            (1, "Support → Billing".into(), 2),
            (2, "Billing → Support".into(), 1)
        ]
    );
}

#[tokio::test]
async fn coverage_shows_the_share_and_only_admins_see_who_is_missing() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    let _li = app.member(&ws, "li").await;
    let _bot = app.core().member(&ws, "b", "bot", true).await.unwrap();
    app.thank(&ws, &ana, &[&dana], "thanks").await.unwrap();
    let admin = Actor {
        member: ana.clone(),
        is_admin: true,
    };
    let c = app
        .core()
        .coverage(&ws, &admin, Period::Week)
        .await
        .unwrap();
    assert_eq!((c.thanked, c.active, c.percent()), (1, 3, 33));
    assert_eq!(
        c.not_thanked,
        Some(vec!["ana".to_string(), "li".to_string()])
    );
    let member = Actor {
        member: dana.clone(),
        is_admin: false,
    };
    let c = app
        .core()
        .coverage(&ws, &member, Period::Week)
        .await
        .unwrap();
    assert_eq!(c.not_thanked, None);
}

#[tokio::test]
async fn personal_stats_show_totals_values_first_and_latest() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let bo = app.member(&ws, "bo").await;
    let li = app.member(&ws, "li").await;
    for (giver, value, msg) in [
        (&ana, "Teamwork", "first"),
        (&bo, "Teamwork", "second"),
        (&ana, "Patience", "third"),
    ] {
        app.clock.advance(chrono::Duration::minutes(1));
        app.core()
            .give_kudos(
                &ws,
                giver,
                KudosRequest {
                    recipients: vec![li.id.into()],
                    message: msg.into(),
                    value: Some(value.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let s = app.core().stats(&ws, &li).await.unwrap();
    assert_eq!((s.totals.received, s.totals.given), (3, 0));
    assert_eq!(s.top_values[0].value, "Teamwork");
    assert_eq!(s.top_values[0].count, 2);
    assert_eq!(s.first.unwrap().message, "first");
    assert_eq!(s.latest.unwrap().message, "third");
    let a = app.core().stats(&ws, &ana).await.unwrap();
    assert_eq!((a.totals.given, a.left_today), (2, Some(3)));
}

#[tokio::test]
async fn moving_the_week_refiles_kudos_and_boards_match_a_full_rebuild() {
    crate::skip_without_postgres!();
    let app =
        TestApp::with_config("2026-10-12T09:00:00Z", |c| c.defaults.daily_allowance = 0).await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let people = [
        app.member(&ws, "a").await,
        app.member(&ws, "b").await,
        app.member(&ws, "c").await,
    ];
    app.core()
        .set_department(&ws, &admin, &people[0], Some("One"))
        .await
        .unwrap();
    app.core()
        .set_department(&ws, &admin, &people[1], Some("Two"))
        .await
        .unwrap();
    let ws = app.reload(&ws).await;
    let people = [
        app.core().refresh_member(&people[0]).await.unwrap(),
        app.core().refresh_member(&people[1]).await.unwrap(),
        people[2].clone(),
    ];
    for i in 0..12usize {
        let ids = [i % 3, (i + 1) % 3];
        app.thank(&ws, &people[ids[0]], &[&people[ids[1]]], &format!("t{i}"))
            .await
            .unwrap();
        if i % 4 == 0 {
            let _ = app
                .core()
                .leaderboard(&ws, None, Period::All, Board::Received, 10)
                .await
                .unwrap();
        }
        if i % 5 == 0 {
            app.core().undo(&ws, &people[ids[0]]).await.unwrap();
        }
    }
    let csw = |ws: spotlight::domain::model::Workspace| {
        let core = app.core().clone();
        async move {
            core.leaderboard(&ws, None, Period::Csw(Some(2026)), Board::Received, 10)
                .await
                .unwrap()
                .lines
                .iter()
                .map(|l| l.count)
                .sum::<i64>()
        }
    };
    assert_eq!(
        csw(ws.clone()).await,
        0,
        "12 October is after the standard week"
    );
    app.core()
        .set_week(&ws, &admin, "2026-10-12".parse().unwrap(), None)
        .await
        .unwrap();
    let ws = app.reload(&ws).await;
    assert_eq!(ws.settings.week(2026).end.to_string(), "2026-10-16");
    assert_eq!(csw(ws.clone()).await, 9, "12 kudos, 3 undone");

    let snapshot = |ws: spotlight::domain::model::Workspace| {
        let core = app.core().clone();
        async move { crate::support::every_board(&core, &ws).await }
    };
    let before = snapshot(ws.clone()).await;
    app.core().store().rebuild_stats(ws.id).await.unwrap();
    assert_eq!(snapshot(ws.clone()).await, before);

    app.core().reset_week(&ws, &admin, 2026).await.unwrap();
    let ws = app.reload(&ws).await;
    assert_eq!(csw(ws).await, 0);
}
