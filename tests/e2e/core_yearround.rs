//! The year-round rules at the core: service medallions, customers thanked, the one-time welcome.

use spotlight::domain::error::Refusal;
use spotlight::domain::model::{
    Actor, GivenMedallion, KudosStatus, MedallionRequest, Member, MemberRef, PlatformUser, Undone,
    Workspace,
};
use spotlight::domain::period::{Board, Period};
use spotlight::service::{ExportKind, WelcomeReason};
use spotlight::store::KudosFilter;

use crate::support::{refusal, TestApp};

async fn give(
    app: &TestApp,
    ws: &Workspace,
    giver: &Member,
    to: impl Into<MemberRef>,
    why: &str,
) -> Result<GivenMedallion, spotlight::domain::error::Error> {
    app.core()
        .give_medallion(
            ws,
            giver,
            MedallionRequest {
                recipient: to.into(),
                message: why.into(),
                channel: None,
                event_id: None,
            },
        )
        .await
}

async fn set_per_year(app: &TestApp, ws: &Workspace, admin: &Actor, n: &str) -> Workspace {
    app.core()
        .set_medallions_per_year(ws, admin, n)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_medallion_a_year_by_default_with_the_kudos_rules_and_no_allowance() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-03-02T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let (ana, dana, li) = (
        app.member(&ws, "ana").await,
        app.member(&ws, "dana").await,
        app.member(&ws, "li").await,
    );
    let bot = app
        .core()
        .member(&ws, "b1", "helper-bot", true)
        .await
        .unwrap();
    assert_eq!(ws.settings.medallions_per_year, 1);

    // Kudos use up the daily allowance; a medallion does not need any of it.
    let admin = Actor {
        member: ana.clone(),
        is_admin: true,
    };
    let ws = app.core().set_allowance(&ws, &admin, "1").await.unwrap();
    app.thank(&ws, &ana, &[&li], "thanks").await.unwrap();

    assert_eq!(
        refusal(give(&app, &ws, &ana, &ana, "me").await),
        Refusal::SelfMedallion
    );
    let unrecorded_self = PlatformUser {
        external_id: "ana".into(),
        name: "ana".into(),
        is_bot: false,
    };
    assert_eq!(
        refusal(give(&app, &ws, &ana, unrecorded_self, "me").await),
        Refusal::SelfMedallion
    );
    assert_eq!(
        refusal(give(&app, &ws, &ana, &bot, "beep").await),
        Refusal::MedallionForBot("helper-bot".into())
    );
    let new_bot = PlatformUser {
        external_id: "b2".into(),
        name: "other-bot".into(),
        is_bot: true,
    };
    assert_eq!(
        refusal(give(&app, &ws, &ana, new_bot, "beep").await),
        Refusal::MedallionForBot("other-bot".into())
    );
    assert_eq!(
        refusal(give(&app, &ws, &ana, &dana, "   ").await),
        Refusal::EmptyMessage
    );
    assert_eq!(
        refusal(give(&app, &ws, &ana, &dana, &"x".repeat(501)).await),
        Refusal::MessageTooLong { len: 501, max: 500 }
    );
    assert!(
        app.core()
            .store()
            .medallions_list(ws.id, None, true, None)
            .await
            .unwrap()
            .is_empty(),
        "refusals store nothing"
    );

    let given = give(
        &app,
        &ws,
        &ana,
        &dana,
        "  Untangled my customer's order @everyone ",
    )
    .await
    .unwrap();
    assert!(given.created);
    assert_eq!((given.left, given.per_year), (0, 1));
    let m = &given.medallion;
    assert_eq!(m.year, 2026);
    assert_eq!(m.recipient.name, "dana");
    assert!(
        m.message.starts_with("Untangled"),
        "trimmed: {:?}",
        m.message
    );
    assert!(!m.message.contains("@everyone"), "defused: {:?}", m.message);
    assert_eq!(
        refusal(give(&app, &ws, &ana, &li, "and you").await),
        Refusal::MedallionsUsed {
            per_year: 1,
            year: 2026
        }
    );
    assert_eq!(app.core().medallions_left(&ws, &ana).await.unwrap(), (0, 1));
    assert_eq!(app.core().medallions_left(&ws, &li).await.unwrap(), (1, 1));
}

#[tokio::test]
async fn admins_set_zero_to_three_a_year() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-03-02T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let (ana, dana, li, sam, kim) = (
        app.member(&ws, "ana").await,
        app.member(&ws, "dana").await,
        app.member(&ws, "li").await,
        app.member(&ws, "sam").await,
        app.member(&ws, "kim").await,
    );
    let member = Actor {
        member: ana.clone(),
        is_admin: false,
    };
    assert!(matches!(
        refusal(app.core().set_medallions_per_year(&ws, &member, "3").await),
        Refusal::NotAdmin(_)
    ));
    for bad in ["4", "-1", "one", ""] {
        assert_eq!(
            refusal(app.core().set_medallions_per_year(&ws, &admin, bad).await),
            Refusal::InvalidMedallionCount(bad.into())
        );
    }

    let ws = set_per_year(&app, &ws, &admin, "0").await;
    assert_eq!(
        refusal(give(&app, &ws, &ana, &dana, "thanks").await),
        Refusal::MedallionsOff
    );

    let ws = set_per_year(&app, &ws, &admin, "3").await;
    assert_eq!(ws.settings.medallions_per_year, 3);
    let lefts: Vec<u32> = [&dana, &li, &sam]
        .into_iter()
        .map(|to| give(&app, &ws, &ana, to, "thanks"))
        .collect::<futures_util::future::JoinAll<_>>()
        .await
        .into_iter()
        .map(|g| g.unwrap().left)
        .collect();
    let mut sorted = lefts.clone();
    sorted.sort();
    assert_eq!(sorted, [0, 1, 2], "{lefts:?}");
    assert_eq!(
        refusal(give(&app, &ws, &ana, &kim, "one more").await),
        Refusal::MedallionsUsed {
            per_year: 3,
            year: 2026
        }
    );
}

#[tokio::test]
async fn undo_gives_the_medallion_back_within_the_window_only() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-03-02T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let (ana, dana, li) = (
        app.member(&ws, "ana").await,
        app.member(&ws, "dana").await,
        app.member(&ws, "li").await,
    );
    app.thank(&ws, &ana, &[&li], "earlier kudos").await.unwrap();
    app.set_time("2026-03-02T09:01:00Z");
    let given = give(&app, &ws, &ana, &dana, "thanks").await.unwrap();
    app.set_time("2026-03-02T09:05:00Z");
    // The medallion is newer than the kudos: /undo takes the medallion.
    let Undone::Medallion(m) = app.core().undo_latest(&ws, &ana).await.unwrap() else {
        panic!("the medallion is the latest");
    };
    assert_eq!(m.id, given.medallion.id);
    assert_eq!(m.status, KudosStatus::Undone);
    assert_eq!(app.core().medallions_left(&ws, &ana).await.unwrap(), (1, 1));
    // Then the kudos.
    assert!(matches!(
        app.core().undo_latest(&ws, &ana).await.unwrap(),
        Undone::Kudos(_)
    ));

    let again = give(&app, &ws, &ana, &li, "given again").await.unwrap();
    assert!(again.created, "the undone medallion was given back");
    app.set_time("2026-03-02T09:20:00Z");
    assert!(matches!(
        refusal(app.core().undo_latest(&ws, &ana).await),
        Refusal::UndoWindowPassed { window: 10, .. }
    ));
    let board = app
        .core()
        .leaderboard(&ws, Some(&li), Period::Year, Board::Medallions, 10)
        .await
        .unwrap();
    let lines: Vec<(String, i64)> = board
        .lines
        .iter()
        .map(|l| (l.label.clone(), l.count))
        .collect();
    assert_eq!(
        lines,
        [("li".to_string(), 1)],
        "the undone one is off the board"
    );
}

#[tokio::test]
async fn the_year_turns_at_midnight_in_the_workspace_zone() {
    crate::skip_without_postgres!();
    // 2026-12-31 11:30 UTC is already 2027-01-01 00:30 in Auckland.
    let app = TestApp::at("2026-12-31T10:30:00Z").await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let ws = app
        .core()
        .set_timezone(&ws, &admin, "Pacific/Auckland")
        .await
        .unwrap();
    let (ana, dana, li) = (
        app.member(&ws, "ana").await,
        app.member(&ws, "dana").await,
        app.member(&ws, "li").await,
    );
    let first = give(&app, &ws, &ana, &dana, "last day of 2026 here")
        .await
        .unwrap();
    assert_eq!(first.medallion.year, 2026);
    assert!(matches!(
        refusal(give(&app, &ws, &ana, &li, "still 2026").await),
        Refusal::MedallionsUsed { year: 2026, .. }
    ));
    app.set_time("2026-12-31T11:30:00Z");
    let second = give(&app, &ws, &ana, &li, "a new year in Auckland")
        .await
        .unwrap();
    assert_eq!(second.medallion.year, 2027);
    assert_eq!(second.medallion.local_date.to_string(), "2027-01-01");

    let this_year = app
        .core()
        .leaderboard(
            &ws,
            None,
            Board::Medallions.default_period(),
            Board::Medallions,
            10,
        )
        .await
        .unwrap();
    assert_eq!(this_year.lines.len(), 1);
    assert_eq!(this_year.lines[0].label, "li");
    let all = app
        .core()
        .leaderboard(&ws, None, Period::All, Board::Medallions, 10)
        .await
        .unwrap();
    assert_eq!(all.lines.len(), 2);
}

#[tokio::test]
async fn customers_thanked_are_counted_per_day_week_and_member() {
    crate::skip_without_postgres!();
    // Monday 5 October 2026.
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let (ana, dana) = (app.member(&ws, "ana").await, app.member(&ws, "dana").await);
    let core = app.core();
    let (c, created) = core
        .thanked_customer(&ws, &ana, Some("  Mrs Patel @here "), Some("ev1"))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(c.note.as_deref().map(|n| n.contains("@here")), Some(false));
    assert_eq!(
        (c.mine_today, c.mine_week, c.mine_total, c.team_today),
        (1, 1, 1, 1)
    );
    let (again, created) = core
        .thanked_customer(&ws, &ana, Some("Mrs Patel"), Some("ev1"))
        .await
        .unwrap();
    assert!(!created, "a redelivered command counts once");
    assert_eq!(again.id, c.id);
    core.thanked_customer(&ws, &dana, None, None).await.unwrap();
    assert_eq!(
        refusal(
            core.thanked_customer(&ws, &dana, Some(&"x".repeat(201)), None)
                .await
        ),
        Refusal::MessageTooLong { len: 201, max: 200 }
    );

    app.set_time("2026-10-07T09:00:00Z");
    let (c, _) = core
        .thanked_customer(&ws, &ana, Some(""), None)
        .await
        .unwrap();
    assert_eq!(c.note, None);
    assert_eq!(
        (c.mine_today, c.mine_week, c.mine_total, c.team_today),
        (1, 2, 2, 1)
    );
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        core.customers_thanked(&ws, (d("2026-10-05"), d("2026-10-05")))
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        core.customers_thanked(&ws, (d("2026-10-05"), d("2026-10-09")))
            .await
            .unwrap(),
        (3, 2)
    );
    // The next Monday starts a new week for the member's own count.
    app.set_time("2026-10-12T09:00:00Z");
    let (c, _) = core.thanked_customer(&ws, &ana, None, None).await.unwrap();
    assert_eq!((c.mine_week, c.mine_total), (1, 3));
    let st = core.stats(&ws, &ana).await.unwrap();
    assert_eq!((st.customers_week, st.customers_total), (1, 3));
}

#[tokio::test]
async fn the_welcome_comes_once_per_person_and_workspace_and_admins_can_switch_it_off() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let other = app.workspace("globex").await;
    let core = app.core();
    let ana = app.member(&ws, "ana").await;
    let w = core
        .welcome_first_use(&ws, &ana)
        .await
        .unwrap()
        .expect("first use");
    assert_eq!(w.external_id, "ana");
    assert!(
        w.text.contains("/kudos") && w.text.contains("/medallion"),
        "{}",
        w.text
    );
    assert!(
        w.text.contains("🌟"),
        "the workspace's reaction: {}",
        w.text
    );
    assert!(w.text.contains("Mon 5 Oct"), "the week's dates: {}", w.text);
    assert_eq!(core.welcome_first_use(&ws, &ana).await.unwrap(), None);
    // Stored in the database, not only remembered: it survives a restart.
    assert!(core.store().welcomed(ws.id, "ana").await.unwrap());
    // Another workspace is another welcome.
    let ana_there = app.member(&other, "ana").await;
    assert!(core
        .welcome_first_use(&other, &ana_there)
        .await
        .unwrap()
        .is_some());

    // Thanked for the first time: a welcome naming who thanked them, once.
    let dana = app.member(&ws, "dana").await;
    let bot = core.member(&ws, "b1", "helper-bot", true).await.unwrap();
    let ws_dana = core
        .welcome_thanked(&ws, "ana", &[dana.id, bot.id, ana.id])
        .await
        .unwrap();
    assert_eq!(ws_dana.len(), 1, "not the bot, not ana again: {ws_dana:?}");
    assert!(
        ws_dana[0].text.starts_with("ana just thanked you"),
        "{}",
        ws_dana[0].text
    );
    assert!(core
        .welcome_thanked(&ws, "li", &[dana.id])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(core.welcome_first_use(&ws, &dana).await.unwrap(), None);
    // Joined the workspace (Slack's team_join).
    let joined = core
        .welcome_joined(&ws, "U9", "newbie", false)
        .await
        .unwrap()
        .unwrap();
    assert!(
        joined.text.starts_with("Welcome to the team!"),
        "{}",
        joined.text
    );
    assert!(core
        .welcome_joined(&ws, "U9", "newbie", false)
        .await
        .unwrap()
        .is_none());
    assert!(core
        .welcome_joined(&ws, "B9", "a-bot", true)
        .await
        .unwrap()
        .is_none());

    // Off: nobody new is welcomed, then or later.
    let admin = app.admin(&ws, "boss").await;
    let ws = core.set_welcome(&ws, &admin, false).await.unwrap();
    assert!(!ws.settings.welcome_enabled);
    let li = app.member(&ws, "li").await;
    assert_eq!(core.welcome_first_use(&ws, &li).await.unwrap(), None);
    let ws = core.set_welcome(&ws, &admin, true).await.unwrap();
    assert_eq!(core.welcome_first_use(&ws, &li).await.unwrap(), None);
    let sam = app.member(&ws, "sam").await;
    assert!(core.welcome_first_use(&ws, &sam).await.unwrap().is_some());
    assert!(
        core.welcome_text(&ws, WelcomeReason::Thanked, Some("@everyone"))
            .contains("@\u{200B}everyone"),
        "a giver's name cannot ping"
    );
}

#[tokio::test]
async fn stats_and_the_export_carry_medallions_and_customers_thanked() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let (ana, dana) = (app.member(&ws, "ana").await, app.member(&ws, "dana").await);
    let core = app.core();
    app.thank(&ws, &ana, &[&dana], "kudos first").await.unwrap();
    app.set_time("2026-10-05T09:01:00Z");
    give(&app, &ws, &ana, &dana, "medallion second")
        .await
        .unwrap();
    app.set_time("2026-10-05T09:02:00Z");
    core.thanked_customer(&ws, &dana, Some("Mr Ito"), None)
        .await
        .unwrap();

    let mut own = core.stats(&ws, &ana).await.unwrap();
    core.attach_book(&ws, &ana, &mut own).await.unwrap();
    assert_eq!(own.medallions_left, Some((0, 1)));
    let mut theirs = core.stats(&ws, &dana).await.unwrap();
    core.attach_book(&ws, &ana, &mut theirs).await.unwrap();
    assert_eq!((theirs.medallions_year, theirs.medallions_total), (1, 1));
    assert_eq!(theirs.medallions_left, None, "only your own");
    assert_eq!(theirs.customers_total, 1);

    let rows = core
        .export_rows(&ws, &KudosFilter::default())
        .await
        .unwrap();
    let kinds: Vec<ExportKind> = rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ExportKind::Kudos,
            ExportKind::Medallion,
            ExportKind::CustomerThanks
        ]
    );
    assert_eq!(rows[1].recipients, ["dana"]);
    assert_eq!(rows[1].message, "medallion second");
    assert_eq!(rows[2].giver, "dana");
    assert!(rows[2].recipients.is_empty());
    assert_eq!(rows[2].message, "Mr Ito");
    let mut csv = Vec::new();
    spotlight::service::write_export(&rows, spotlight::service::ExportFormat::Csv, &mut csv)
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains(",medallion,") && csv.contains(",customer_thanks,"),
        "{csv}"
    );
    let later = KudosFilter {
        from: Some("2026-10-06".parse().unwrap()),
        ..Default::default()
    };
    assert!(core.export_rows(&ws, &later).await.unwrap().is_empty());
}
