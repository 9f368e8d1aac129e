//! Giving, refusing, undoing and revoking thank-yous, on a real SQLite file.

use spotlight::domain::error::Refusal;
use spotlight::domain::model::{FeedbackRequest, KudosRequest, KudosStatus};
use spotlight::domain::period::{Board, Period};
use spotlight::store::KudosFilter;

use crate::support::{refusal, TestApp};

#[tokio::test]
async fn kudos_to_three_is_stored_once_with_every_recipient() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let (ana, dana, li, sam) = (
        app.member(&ws, "ana").await,
        app.member(&ws, "dana").await,
        app.member(&ws, "li").await,
        app.member(&ws, "sam").await,
    );
    let given = app
        .core()
        .give_kudos(
            &ws,
            &ana,
            KudosRequest {
                recipients: vec![dana.id.into(), li.id.into(), sam.id.into()],
                message: "  Thanks for covering the queue  ".into(),
                value: Some("team-work".into()),
                channel: Some("celebrations".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(given.created);
    assert_eq!(given.left_today, Some(2));
    let k = &given.kudos;
    assert_eq!(k.message, "Thanks for covering the queue");
    assert_eq!(k.value.as_deref(), Some("Teamwork"));
    assert_eq!(
        k.theme.as_deref(),
        Some("Thank a teammate"),
        "Monday of the 2026 week"
    );
    let names: Vec<_> = k.recipients.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["dana", "li", "sam"]);

    let stored = app.stored(&ws).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0], given.kudos);
}

#[tokio::test]
async fn each_rule_refuses_with_its_own_message_and_stores_nothing() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    let (b, c, d) = (
        app.member(&ws, "b").await,
        app.member(&ws, "c").await,
        app.member(&ws, "d").await,
    );
    let bot = app
        .core()
        .member(&ws, "bot-1", "helper-bot", true)
        .await
        .unwrap();

    assert_eq!(
        refusal(app.thank(&ws, &ana, &[&ana], "me!").await),
        Refusal::SelfKudos
    );
    assert_eq!(
        refusal(app.thank(&ws, &ana, &[&bot], "beep").await),
        Refusal::BotRecipient("helper-bot".into())
    );
    assert_eq!(
        refusal(app.thank(&ws, &ana, &[&dana, &b, &c, &d], "all").await),
        Refusal::TooManyRecipients { max: 3, given: 4 }
    );
    assert_eq!(
        refusal(app.thank(&ws, &ana, &[], "nobody").await),
        Refusal::NoRecipients
    );
    assert_eq!(
        refusal(app.thank(&ws, &ana, &[&dana], "   ").await),
        Refusal::EmptyMessage
    );
    assert_eq!(
        refusal(app.thank(&ws, &ana, &[&dana], &"x".repeat(501)).await),
        Refusal::MessageTooLong { len: 501, max: 500 }
    );
    let unknown = refusal(
        app.core()
            .give_kudos(
                &ws,
                &ana,
                KudosRequest {
                    recipients: vec![dana.id.into()],
                    message: "thanks".into(),
                    value: Some("speed".into()),
                    ..Default::default()
                },
            )
            .await,
    );
    assert!(
        unknown
            .to_string()
            .contains("Valid values: Patience, Teamwork"),
        "{unknown}"
    );
    let stored = app.stored(&ws).await;
    assert!(stored.is_empty(), "refusals stored {stored:?}");
    // 500 characters is still fine.
    app.thank(&ws, &ana, &[&dana], &"x".repeat(500))
        .await
        .unwrap();
}

#[tokio::test]
async fn member_of_another_workspace_is_not_a_recipient() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let other = app.workspace("globex").await;
    let ana = app.member(&ws, "ana").await;
    let stranger = app.member(&other, "zed").await;
    let err = app.thank(&ws, &ana, &[&stranger], "hi").await.unwrap_err();
    assert!(
        matches!(err, spotlight::domain::error::Error::Internal(_)),
        "{err:?}"
    );
    assert!(
        !err.user_message().contains("workspace"),
        "internals leak: {}",
        err.user_message()
    );
}

#[tokio::test]
async fn allowance_counts_recipients_per_local_day_and_says_when_it_resets() {
    crate::skip_without_postgres!();
    // 22:30 in Sydney on Monday 5 October 2026 (UTC+11 after the DST change of the 4th).
    let app = TestApp::at("2026-10-05T11:30:00Z").await;
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let ws = app
        .core()
        .set_timezone(&ws, &admin, "Australia/Sydney")
        .await
        .unwrap();
    let ana = app.member(&ws, "ana").await;
    let people: Vec<_> = futures_names(&app, &ws, 6).await;
    app.thank(&ws, &ana, &[&people[0], &people[1], &people[2]], "trio")
        .await
        .unwrap();
    app.thank(&ws, &ana, &[&people[3]], "one").await.unwrap();
    let err = refusal(
        app.thank(&ws, &ana, &[&people[4], &people[5]], "two more")
            .await,
    );
    match &err {
        Refusal::AllowanceExceeded {
            allowance,
            left,
            requested,
            timezone,
            resets_in,
        } => {
            assert_eq!((*allowance, *left, *requested), (5, 1, 2));
            assert_eq!(timezone, "Australia/Sydney");
            assert_eq!(resets_in, "1h 30m");
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("1 left") && text.contains("midnight (Australia/Sydney)"),
        "{text}"
    );
    // One still fits.
    app.thank(&ws, &ana, &[&people[4]], "last").await.unwrap();
    assert!(matches!(
        refusal(app.thank(&ws, &ana, &[&people[5]], "over").await),
        Refusal::AllowanceExceeded { left: 0, .. }
    ));
    // Just after local midnight it resets, though it is still the 5th in UTC.
    app.set_time("2026-10-05T13:01:00Z");
    app.thank(&ws, &ana, &[&people[5]], "new day")
        .await
        .unwrap();
}

async fn futures_names(
    app: &TestApp,
    ws: &spotlight::domain::model::Workspace,
    n: usize,
) -> Vec<spotlight::domain::model::Member> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(app.member(ws, &format!("p{i}")).await);
    }
    out
}

#[tokio::test]
async fn allowance_holds_under_concurrent_requests_from_one_giver() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let people = futures_names(&app, &ws, 20).await;
    let mut tasks = Vec::new();
    for p in &people {
        let core = app.core().clone();
        let (ws, ana, id) = (ws.clone(), ana.clone(), p.id);
        tasks.push(tokio::spawn(async move {
            core.give_kudos(
                &ws,
                &ana,
                KudosRequest {
                    recipients: vec![id.into()],
                    message: "race".into(),
                    ..Default::default()
                },
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(spotlight::domain::error::Error::Refused(Refusal::AllowanceExceeded {
                ..
            })) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, refused), (5, 15));
    let stored = app.stored(&ws).await;
    assert_eq!(stored.len(), 5);
}

#[tokio::test]
async fn zero_allowance_is_unlimited() {
    crate::skip_without_postgres!();
    let app =
        TestApp::with_config("2026-10-05T09:00:00Z", |c| c.defaults.daily_allowance = 0).await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    for i in 0..12 {
        app.thank(&ws, &ana, &[&dana], &format!("thanks {i}"))
            .await
            .unwrap();
    }
    assert_eq!(app.core().left_today(&ws, &ana).await.unwrap(), None);
}

#[tokio::test]
async fn a_redelivered_event_is_stored_once() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    let req = KudosRequest {
        recipients: vec![dana.id.into()],
        message: "thanks".into(),
        event_id: Some("interaction-42".into()),
        ..Default::default()
    };
    let first = app.core().give_kudos(&ws, &ana, req.clone()).await.unwrap();
    let again = app.core().give_kudos(&ws, &ana, req).await.unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.kudos.id, again.kudos.id);
    assert_eq!(again.left_today, Some(4), "the allowance is charged once");
    let stored = app.stored(&ws).await;
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn undo_within_ten_minutes_gives_the_allowance_back_and_leaves_the_boards() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    assert_eq!(
        refusal(app.core().undo(&ws, &ana).await),
        Refusal::NothingToUndo
    );
    let id = app.thank(&ws, &ana, &[&dana], "thanks").await.unwrap();
    let lb = app
        .core()
        .leaderboard(&ws, None, Period::Today, Board::Received, 10)
        .await
        .unwrap();
    assert_eq!(lb.lines.len(), 1, "counted before the undo");
    app.clock.advance(chrono::Duration::minutes(9));
    let undone = app.core().undo(&ws, &ana).await.unwrap();
    assert_eq!((undone.id, undone.status), (id, KudosStatus::Undone));
    assert_eq!(app.core().left_today(&ws, &ana).await.unwrap(), Some(5));
    let lb = app
        .core()
        .leaderboard(&ws, None, Period::Today, Board::Received, 10)
        .await
        .unwrap();
    assert!(lb.lines.is_empty(), "{lb:?}");

    app.thank(&ws, &ana, &[&dana], "again").await.unwrap();
    app.clock.advance(chrono::Duration::minutes(11));
    let late = refusal(app.core().undo(&ws, &ana).await);
    assert!(
        matches!(
            late,
            Refusal::UndoWindowPassed {
                minutes_ago: 11,
                window: 10,
                ..
            }
        ),
        "{late:?}"
    );
    assert!(late.to_string().contains("Ask an admin"));
}

#[tokio::test]
async fn revoking_needs_an_admin_and_a_reason_and_keeps_the_row() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    let admin = app.admin(&ws, "boss").await;
    let id = app.thank(&ws, &ana, &[&dana], "thanks").await.unwrap();
    let not_admin = spotlight::domain::model::Actor {
        member: dana.clone(),
        is_admin: false,
    };
    assert!(matches!(
        refusal(app.core().revoke(&ws, &not_admin, id, "no").await),
        Refusal::NotAdmin(_)
    ));
    assert_eq!(
        refusal(app.core().revoke(&ws, &admin, id, "  ").await),
        Refusal::MissingReason
    );
    assert_eq!(
        refusal(app.core().revoke(&ws, &admin, 999, "x").await),
        Refusal::KudosNotFound(999)
    );
    let revoked = app
        .core()
        .revoke(&ws, &admin, id, "duplicate")
        .await
        .unwrap();
    assert_eq!(revoked.status, KudosStatus::Revoked);
    assert_eq!(
        refusal(app.core().revoke(&ws, &admin, id, "again").await),
        Refusal::AlreadyRemoved(id)
    );

    let lb = app
        .core()
        .leaderboard(&ws, None, Period::All, Board::Received, 10)
        .await
        .unwrap();
    assert!(lb.lines.is_empty());
    let stats = app.core().stats(&ws, &dana).await.unwrap();
    assert_eq!(stats.totals.received, 0);
    let kept = app
        .core()
        .store()
        .kudos_list(
            ws.id,
            &KudosFilter {
                include_removed: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].status, KudosStatus::Revoked);
    // A revoked kudos still used the giver's allowance; only undo gives it back.
    assert_eq!(app.core().left_today(&ws, &ana).await.unwrap(), Some(4));
}

#[tokio::test]
async fn feedback_is_counted_apart_from_kudos() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-07T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let li = app.member(&ws, "li").await;
    let given = app
        .core()
        .record_feedback(
            &ws,
            &ana,
            FeedbackRequest {
                recipients: vec![li.id.into()],
                message: "Li solved my billing problem in one call".into(),
                customer: Some("Maria".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(given.kudos.customer.as_deref(), Some("Maria"));
    assert_eq!(
        given.kudos.theme.as_deref(),
        Some("Celebrate customer feedback")
    );
    let lb = app
        .core()
        .leaderboard(&ws, None, Period::Week, Board::Received, 10)
        .await
        .unwrap();
    assert!(lb.lines.is_empty(), "feedback is not peer kudos");
    let stats = app.core().stats(&ws, &li).await.unwrap();
    assert_eq!((stats.totals.received, stats.totals.feedback), (0, 1));
    assert_eq!(
        app.core().left_today(&ws, &ana).await.unwrap(),
        Some(5),
        "no allowance used"
    );
}

#[tokio::test]
async fn mass_mentions_in_kudos_text_are_defused_before_storing() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let ana = app.member(&ws, "ana").await;
    let dana = app.member(&ws, "dana").await;
    app.thank(
        &ws,
        &ana,
        &[&dana],
        "hey @everyone and @here <@&42> <!channel>",
    )
    .await
    .unwrap();
    let stored = app.stored(&ws).await;
    let text = &stored[0].message;
    for ping in ["@everyone", "@here", "<@&", "<!"] {
        assert!(!text.contains(ping), "{ping} survives in {text}");
    }
}

/// A burst reaches the single writer together, so it is written as runs of kudos in one
/// statement; each caller must still get the answer it would have had alone.
#[tokio::test]
async fn a_burst_written_together_answers_each_caller_as_if_alone() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-10-05T09:00:00Z").await;
    let ws = app.workspace("acme").await;
    let other = app.workspace("elsewhere").await;
    let ana = app.member(&ws, "ana").await;
    let ben = app.member(&ws, "ben").await;
    let cy = app.member(&ws, "cy").await;
    let dana = app.member(&ws, "dana").await;
    let stranger = app.member(&other, "stranger").await;
    let people = futures_names(&app, &ws, 12).await;
    enum Ask {
        Kudos(spotlight::domain::model::Member, KudosRequest),
        Feedback(spotlight::domain::model::Member, FeedbackRequest),
    }
    let mut asks = Vec::new();
    for p in &people {
        asks.push(Ask::Kudos(
            ana.clone(),
            KudosRequest {
                recipients: vec![p.id.into(), dana.id.into()],
                message: format!("thanks {}", p.display_name),
                ..Default::default()
            },
        ));
    }
    for _ in 0..10 {
        asks.push(Ask::Kudos(
            ben.clone(),
            KudosRequest {
                recipients: vec![dana.id.into()],
                message: "the same click, delivered ten times".into(),
                event_id: Some("interaction-7".into()),
                ..Default::default()
            },
        ));
    }
    for (i, p) in people.iter().enumerate().take(6) {
        asks.push(Ask::Feedback(
            ana.clone(),
            FeedbackRequest {
                recipients: vec![p.id.into()],
                message: format!("a customer loved it {i}"),
                ..Default::default()
            },
        ));
    }
    asks.push(Ask::Kudos(
        cy.clone(),
        KudosRequest {
            recipients: vec![stranger.id.into()],
            message: "not one of us".into(),
            ..Default::default()
        },
    ));
    let tasks: Vec<_> = asks
        .into_iter()
        .map(|ask| {
            let (core, ws) = (app.core().clone(), ws.clone());
            tokio::spawn(async move {
                match ask {
                    Ask::Kudos(giver, req) => ("kudos", core.give_kudos(&ws, &giver, req).await),
                    Ask::Feedback(giver, req) => {
                        ("feedback", core.record_feedback(&ws, &giver, req).await)
                    }
                }
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let (ana_kudos, rest) = results.split_at(12);
    let (ben_kudos, rest) = rest.split_at(10);
    let (feedback, cy_kudos) = rest.split_at(6);

    // Two recipients each against an allowance of five: two get through, whichever two.
    let ok: Vec<_> = ana_kudos
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .collect();
    assert_eq!(ok.len(), 2, "{ana_kudos:#?}");
    let mut lefts: Vec<_> = ok.iter().map(|g| g.left_today).collect();
    lefts.sort();
    assert_eq!(lefts, vec![Some(1), Some(3)]);
    for g in &ok {
        let names: Vec<_> = g.kudos.recipients.iter().map(|p| p.name.as_str()).collect();
        assert!(names.contains(&"dana") && names.len() == 2, "{names:?}");
    }
    for (_, r) in ana_kudos.iter().filter(|(_, r)| r.is_err()) {
        assert!(
            matches!(
                r,
                Err(spotlight::domain::error::Error::Refused(
                    Refusal::AllowanceExceeded { .. }
                ))
            ),
            "{r:?}"
        );
    }

    let ben: Vec<_> = ben_kudos.iter().map(|(_, r)| r.as_ref().unwrap()).collect();
    assert_eq!(ben.iter().filter(|g| g.created).count(), 1);
    assert!(ben.iter().all(|g| g.kudos.id == ben[0].kudos.id));
    assert!(ben.iter().all(|g| g.left_today == Some(4)), "charged once");

    assert!(feedback.iter().all(|(_, r)| r.is_ok()), "{feedback:#?}");
    assert!(cy_kudos[0].1.is_err(), "{:?}", cy_kudos[0].1);

    let stored = app.stored(&ws).await;
    assert_eq!(stored.len(), 2 + 1 + 6, "{stored:#?}");
    let mut ids: Vec<_> = ok
        .iter()
        .chain(ben.iter().take(1))
        .map(|g| g.kudos.id)
        .collect();
    ids.sort();
    for id in ids {
        assert!(
            stored.iter().any(|k| k.id == id),
            "kudos #{id} answered but not stored"
        );
    }
}
