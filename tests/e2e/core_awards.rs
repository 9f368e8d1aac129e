//! The Excellence in Service awards at the core: opening and closing nominations, the
//! nomination rules, the shortlists' weights and ties, picks, the ceremony through the
//! scheduler's ledger (exactly once, across a restart too) and the export.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::Duration;
use spotlight::clock::Clock;
use spotlight::domain::awards::{QuoteKind, Stage};
use spotlight::domain::error::Refusal;
use spotlight::domain::model::{
    Actor, FeedbackRequest, MedallionRequest, Member, MemberRef, PlatformUser, Workspace,
};
use spotlight::domain::schedule::PostKind;
use spotlight::scheduler::{DeliveryError, Post, Recipient, Scheduler, Sink};
use spotlight::service::{awards_export_rows, awards_export_text, ExportFormat, Shortlists};

use crate::support::{refusal, t, TestApp};

/// A workspace in London with an admin and people in departments.
struct Team {
    ws: Workspace,
    admin: Actor,
    people: Vec<Member>,
}

impl Team {
    fn get(&self, name: &str) -> &Member {
        self.people
            .iter()
            .find(|m| m.display_name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }
}

/// `people` as (name, department); "" for none.
async fn team(app: &TestApp, people: &[(&str, &str)]) -> Team {
    let ws = app.workspace("acme").await;
    let admin = app.admin(&ws, "boss").await;
    let ws = app
        .core()
        .set_timezone(&ws, &admin, "Europe/London")
        .await
        .unwrap();
    let mut members = Vec::new();
    for (name, department) in people {
        let m = app.member(&ws, name).await;
        let m = match *department {
            "" => m,
            d => app
                .core()
                .set_department(&ws, &admin, m.id, Some(d))
                .await
                .unwrap(),
        };
        members.push(m);
    }
    Team {
        ws,
        admin,
        people: members,
    }
}

fn awards_refusal(r: Refusal) -> String {
    match r {
        Refusal::Awards(s) => s,
        other => panic!("expected an awards refusal, got {other:?}"),
    }
}

async fn nominate(
    app: &TestApp,
    team: &Team,
    by: &str,
    who: &str,
    why: &str,
) -> Result<spotlight::service::Nominated, spotlight::domain::error::Error> {
    app.core()
        .nominate(
            &team.ws,
            team.get(by),
            &MemberRef::Id(team.get(who).id),
            why,
        )
        .await
}

async fn medallion(app: &TestApp, team: &Team, by: &str, to: &str, why: &str) -> i64 {
    app.core()
        .give_medallion(
            &team.ws,
            team.get(by),
            MedallionRequest {
                recipient: team.get(to).id.into(),
                message: why.into(),
                channel: None,
                event_id: None,
            },
        )
        .await
        .unwrap()
        .medallion
        .id
}

/// (place, name, score) of each place of a department's shortlist.
type Department = (String, Vec<(String, String, u32)>);

fn places(s: &Shortlists) -> Vec<Department> {
    s.lists
        .iter()
        .map(|l| {
            (
                l.name().to_string(),
                l.places
                    .iter()
                    .map(|p| {
                        (
                            spotlight::render::awards::place(p),
                            p.candidate.person.name.clone(),
                            p.candidate.score(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn nominations_open_until_their_time_one_per_department_with_the_kudos_rules() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-12-01T09:00:00Z").await;
    let team = team(
        &app,
        &[
            ("ana", "Support"),
            ("dana", "Billing"),
            ("li", "Billing"),
            ("sam", "Sales"),
            ("zoe", ""),
        ],
    )
    .await;
    let core = app.core();
    let (ws, admin) = (&team.ws, &team.admin);
    let member = Actor {
        member: team.get("ana").clone(),
        is_admin: false,
    };

    // Nothing is open yet; only admins open, in the future, once.
    let r = awards_refusal(refusal(nominate(&app, &team, "ana", "dana", "great").await));
    assert!(
        r.contains("have not been opened") || r.contains("not open"),
        "{r}"
    );
    assert!(matches!(
        refusal(core.awards_open(ws, &member, "2026-12-15").await),
        Refusal::NotAdmin(_)
    ));
    let r = awards_refusal(refusal(core.awards_open(ws, admin, "2026-11-30").await));
    // The day typed, not the midnight after it.
    assert!(
        r.contains("close at the end of Mon 30 Nov 2026, which has passed"),
        "{r}"
    );
    let r = awards_refusal(refusal(core.awards_open(ws, admin, "15/12/2026").await));
    assert!(r.contains("is not a date"), "{r}");
    let round = core
        .awards_open(ws, admin, "2026-12-15 17:00")
        .await
        .unwrap();
    assert_eq!(round.year, 2026);
    assert_eq!(round.closes_at, t("2026-12-15T17:00:00Z"));
    let r = awards_refusal(refusal(core.awards_open(ws, admin, "2026-12-20").await));
    assert!(
        r.contains("already open, until Tue 15 Dec 2026 17:00"),
        "{r}"
    );

    // Not yourself, not a bot (named by the platform or on record), a reason of 1 to 500.
    assert_eq!(
        refusal(nominate(&app, &team, "ana", "ana", "me").await),
        Refusal::SelfNomination
    );
    let bot = PlatformUser {
        external_id: "b1".into(),
        name: "helper-bot".into(),
        is_bot: true,
    };
    assert_eq!(
        refusal(
            core.nominate(ws, team.get("ana"), &MemberRef::User(bot.clone()), "beep")
                .await
        ),
        Refusal::NominateBot("helper-bot".into())
    );
    let on_record = core.member(ws, "b2", "other-bot", true).await.unwrap();
    assert_eq!(
        refusal(
            core.nominate(ws, team.get("ana"), &MemberRef::Id(on_record.id), "beep")
                .await
        ),
        Refusal::NominateBot("other-bot".into())
    );
    assert_eq!(
        awards_refusal(refusal(nominate(&app, &team, "ana", "dana", "   ").await)),
        "Say why you nominate them, e.g. /nominate @dana answers Billing's questions the same day."
    );
    assert_eq!(
        refusal(nominate(&app, &team, "ana", "dana", &"x".repeat(501)).await),
        Refusal::MessageTooLong { len: 501, max: 500 }
    );
    nominate(&app, &team, "ana", "dana", &"x".repeat(500))
        .await
        .unwrap();

    // One nominee per department: a new one there replaces the old; another department adds.
    let n = nominate(
        &app,
        &team,
        "ana",
        "dana",
        "Answers us the same day @everyone",
    )
    .await
    .unwrap();
    assert_eq!(n.replaced.as_ref().map(|p| p.name.as_str()), Some("dana"));
    assert_eq!(n.nominee.department.as_deref(), Some("Billing"));
    let n = nominate(&app, &team, "ana", "li", "Fixed our refunds")
        .await
        .unwrap();
    assert_eq!(n.replaced.map(|p| p.name), Some("dana".to_string()));
    let n = nominate(&app, &team, "ana", "sam", "Shared the Sales pipeline")
        .await
        .unwrap();
    assert!(n.replaced.is_none());
    let n = nominate(&app, &team, "ana", "zoe", "Always there")
        .await
        .unwrap();
    assert_eq!(n.nominee.department, None);
    nominate(&app, &team, "li", "dana", "Answers us the same day @here")
        .await
        .unwrap();
    // A newcomer nominated by their platform name becomes a member (no department).
    let newcomer = PlatformUser {
        external_id: "u-new".into(),
        name: "nia".into(),
        is_bot: false,
    };
    core.nominate(
        ws,
        team.get("sam"),
        &MemberRef::User(newcomer),
        "Welcomed us",
    )
    .await
    .unwrap();

    // The department is the nominee's at nomination time.
    core.set_department(ws, admin, team.get("dana").id, Some("Sales"))
        .await
        .unwrap();

    // Admins see it privately, per department ("No department" last).
    assert!(matches!(
        refusal(core.awards_status(ws, &member).await),
        Refusal::NotAdmin(_)
    ));
    let status = core.awards_status(ws, admin).await.unwrap();
    assert_eq!(status.nominators, 3);
    let listed: Vec<(String, Vec<(String, usize)>)> = status
        .departments
        .iter()
        .map(|d| {
            (
                d.department.clone().unwrap_or_else(|| "-".into()),
                d.nominees
                    .iter()
                    .map(|n| (n.person.name.clone(), n.reasons.len()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Billing".into(), vec![("dana".into(), 1), ("li".into(), 1)]),
            ("Sales".into(), vec![("sam".into(), 1)]),
            ("-".into(), vec![("nia".into(), 1), ("zoe".into(), 1)]),
        ]
    );
    let text = spotlight::render::awards::status(&status);
    assert!(
        text.contains("• li: “Answers us the same day @\u{200B}here”"),
        "{text}"
    );
    assert!(
        text.contains("\nNo department\n   nia — 1 nomination"),
        "{text}"
    );

    // Shortlists wait for the close; the close comes at its time, by the clock alone.
    let r = awards_refusal(refusal(core.awards_shortlists(ws, admin).await));
    assert!(r.contains("open until Tue 15 Dec 2026 17:00"), "{r}");
    app.set_time("2026-12-15T16:59:59Z");
    nominate(&app, &team, "dana", "sam", "Last minute")
        .await
        .unwrap();
    app.set_time("2026-12-15T17:00:00Z");
    let r = awards_refusal(refusal(
        nominate(&app, &team, "sam", "li", "Too late").await,
    ));
    assert_eq!(
        r,
        "Nominations for the Excellence in Service awards closed on Tue 15 Dec 2026 17:00."
    );
    let (_, stage) = core.awards_round(ws).await.unwrap().unwrap();
    assert_eq!(stage, Stage::Closed);
    assert!(core.awards_shortlists(ws, admin).await.is_ok());
    assert_eq!(
        awards_refusal(refusal(core.awards_close(ws, admin).await)),
        "Nominations are not open."
    );

    // Opening again reopens the same round (nominations kept); closing early closes it.
    let again = core.awards_open(ws, admin, "2026-12-16").await.unwrap();
    assert_eq!(again.id, round.id);
    assert_eq!(again.closes_at, t("2026-12-17T00:00:00Z"));
    nominate(&app, &team, "sam", "li", "Now in time")
        .await
        .unwrap();
    app.set_time("2026-12-16T10:00:00Z");
    let closed = core.awards_close(ws, admin).await.unwrap();
    assert_eq!(closed.closed_at, Some(t("2026-12-16T10:00:00Z")));
    assert!(nominate(&app, &team, "zoe", "li", "no").await.is_err());
    let status = core.awards_status(ws, admin).await.unwrap();
    let total: usize = status
        .departments
        .iter()
        .flat_map(|d| &d.nominees)
        .map(|n| n.reasons.len())
        .sum();
    assert_eq!(total, 7);
}

/// Billing's three nominees tie at 6 points, each a different way; Sales leads clearly.
async fn tied_shortlists(app: &TestApp) -> Team {
    let team = team(
        app,
        &[
            ("ana", "Support"),
            ("bea", "Support"),
            ("cy", "Support"),
            ("dana", "Billing"),
            ("li", "Billing"),
            ("kim", "Billing"),
            ("sam", "Sales"),
            ("tom", "Sales"),
        ],
    )
    .await;
    let core = app.core();
    let ws = &team.ws;
    // Last year's thanks and same-department thanks never count.
    app.set_time("2025-12-30T12:00:00Z");
    app.thank(ws, team.get("ana"), &[team.get("dana")], "Last year's help")
        .await
        .unwrap();
    app.set_time("2026-06-01T12:00:00Z");
    app.thank(ws, team.get("li"), &[team.get("dana")], "Teammate thanks")
        .await
        .unwrap();
    medallion(app, &team, "kim", "dana", "Teammate medallion").await;
    // dana: 1 nomination (3) + 2 kudos and 1 customer compliment from other departments (3).
    app.thank(
        ws,
        team.get("ana"),
        &[team.get("dana")],
        "Sorted my invoice",
    )
    .await
    .unwrap();
    app.thank(
        ws,
        team.get("sam"),
        &[team.get("dana"), team.get("tom")],
        "Fast answers",
    )
    .await
    .unwrap();
    core.record_feedback(
        ws,
        team.get("bea"),
        FeedbackRequest {
            recipients: vec![team.get("dana").id.into()],
            message: "The customer loved her call".into(),
            customer: Some("Acme".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // li: 1 nomination (3) + 1 medallion (3); an undone medallion does not count.
    app.set_time("2026-06-02T12:00:00Z");
    medallion(app, &team, "ana", "li", "Untangled the refund").await;
    medallion(app, &team, "sam", "li", "Changed my mind").await;
    core.undo_latest(ws, team.get("sam")).await.unwrap();
    app.set_time("2026-12-01T09:00:00Z");
    core.awards_open(ws, &team.admin, "2026-12-10")
        .await
        .unwrap();
    // kim: 2 nominations (6).
    nominate(app, &team, "ana", "li", "Knows every refund rule")
        .await
        .unwrap();
    nominate(app, &team, "bea", "dana", "Never leaves us waiting")
        .await
        .unwrap();
    nominate(app, &team, "cy", "kim", "Trained our new starters")
        .await
        .unwrap();
    nominate(app, &team, "sam", "kim", "Rebuilt the billing FAQ")
        .await
        .unwrap();
    // Sales: sam 2 nominations (6) + 1 kudos (1) = 7; tom 1 nomination (3): the kudos sam
    // gave dana and tom together counts for dana only (tom is in sam's department).
    nominate(app, &team, "ana", "sam", "Shared the pipeline")
        .await
        .unwrap();
    nominate(app, &team, "dana", "sam", "Explains every deal")
        .await
        .unwrap();
    nominate(app, &team, "li", "tom", "Helpful").await.unwrap();
    app.thank(
        ws,
        team.get("cy"),
        &[team.get("sam")],
        "Thanks for the intro",
    )
    .await
    .unwrap();
    app.set_time("2026-12-11T00:00:00Z");
    team
}

#[tokio::test]
async fn shortlists_weigh_nominations_and_thanks_from_other_departments_and_show_ties() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-06-01T09:00:00Z").await;
    let team = tied_shortlists(&app).await;
    let core = app.core();
    let s = core.awards_shortlists(&team.ws, &team.admin).await.unwrap();
    let row = |p: &str, n: &str, s: u32| (p.to_string(), n.to_string(), s);
    assert_eq!(
        places(&s),
        [
            (
                "Billing".to_string(),
                // A tie at 6: more nominations first, then more medallions, then the name.
                vec![
                    row("=1.", "kim", 6),
                    row("=1.", "li", 6),
                    row("=1.", "dana", 6)
                ]
            ),
            (
                "Sales".to_string(),
                vec![row("1.", "sam", 7), row("2.", "tom", 3)]
            ),
        ]
    );
    let dana = &s.lists[0].places[2].candidate;
    assert_eq!(
        (dana.nominations, dana.medallions, dana.kudos, dana.feedback),
        (1, 0, 2, 1)
    );
    let quotes: Vec<(QuoteKind, Option<&str>, &str)> = dana
        .quotes
        .iter()
        .map(|q| (q.kind, q.from.as_deref(), q.text.as_str()))
        .collect();
    assert_eq!(
        quotes,
        [
            (QuoteKind::Nomination, None, "Never leaves us waiting"),
            (
                QuoteKind::Feedback,
                Some("bea"),
                "The customer loved her call"
            ),
            (QuoteKind::Kudos, Some("sam"), "Fast answers"),
            (QuoteKind::Kudos, Some("ana"), "Sorted my invoice"),
        ]
    );
    let li = &s.lists[0].places[1].candidate;
    assert_eq!((li.nominations, li.medallions, li.kudos), (1, 1, 0));
    assert_eq!(li.quotes[1].from_department.as_deref(), Some("Support"));
    let text = spotlight::render::awards::shortlists(&s);
    assert!(
        text.contains("   =1. kim — 6 (2 nominations, 0 medallions, 0 kudos, 0 compliments)"),
        "{text}"
    );
    assert!(
        text.contains("      “Untangled the refund” — ana (Support)"),
        "{text}"
    );

    // accept takes a clear top and leaves a tie for an admin; pick settles it.
    let member = Actor {
        member: team.get("ana").clone(),
        is_admin: false,
    };
    assert!(matches!(
        refusal(core.awards_accept(&team.ws, &member).await),
        Refusal::NotAdmin(_)
    ));
    let accepted = core.awards_accept(&team.ws, &team.admin).await.unwrap();
    assert_eq!(
        accepted
            .picked
            .iter()
            .map(|(d, p)| (d.as_str(), p.name.as_str()))
            .collect::<Vec<_>>(),
        [("Sales", "sam")]
    );
    assert_eq!(accepted.tied.len(), 1);
    assert_eq!(
        spotlight::render::awards::accepted(&accepted),
        "🏆 Winners:\n   Sales: sam (top of the shortlist)\n   Billing: a tie between kim, li and dana; pick one with `awards pick @name`"
    );
    let r = awards_refusal(refusal(
        core.awards_ceremony(&team.ws, &team.admin, "2026-12-18")
            .await,
    ));
    assert!(r.starts_with("Pick a winner for Billing first"), "{r}");
    let r = awards_refusal(refusal(
        core.awards_pick(&team.ws, &team.admin, &team.get("ana").id.into(), None)
            .await,
    ));
    assert_eq!(
        r,
        "ana is not on any shortlist: a winner is one of their department's nominees."
    );
    let r = awards_refusal(refusal(
        core.awards_pick(
            &team.ws,
            &team.admin,
            &team.get("li").id.into(),
            Some("Sales"),
        )
        .await,
    ));
    assert!(r.starts_with("li is not on the Sales shortlist"), "{r}");
    let (d, p) = core
        .awards_pick(
            &team.ws,
            &team.admin,
            &team.get("li").id.into(),
            Some("billing"),
        )
        .await
        .unwrap();
    assert_eq!((d.as_str(), p.name.as_str()), ("Billing", "li"));
    // A later accept keeps both picks.
    let again = core.awards_accept(&team.ws, &team.admin).await.unwrap();
    assert!(again.picked.is_empty() && again.tied.is_empty());
    assert_eq!(again.kept.len(), 2);

    // The export: one row per quote, in shortlist order, nominators never named.
    let s = core.awards_export(&team.ws, &team.admin).await.unwrap();
    let rows = awards_export_rows(&s);
    assert_eq!(
        rows.len(),
        s.lists
            .iter()
            .flat_map(|l| &l.places)
            .map(|p| p.candidate.quotes.len())
            .sum::<usize>()
    );
    assert!(rows
        .iter()
        .filter(|r| r.quote_kind == QuoteKind::Nomination)
        .all(|r| r.quote_from.is_empty()));
    let csv = awards_export_text(&s, ExportFormat::Csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "year,department,rank,tied,member,score,nominations,medallions,kudos,feedback,winner,quote_kind,quote_from,quote_from_department,quote_date,quote"
    );
    assert!(csv.contains(
        "2026,Billing,1,true,li,6,1,1,0,0,true,medallion,ana,Support,2026-06-02,Untangled the refund"
    ), "{csv}");
    assert!(
        csv.contains("2026,Sales,2,false,tom,3,1,0,0,0,false,nomination,,,"),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&awards_export_text(&s, ExportFormat::Json).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), rows.len());
    assert_eq!(json[0]["department"], "Billing");
    assert_eq!(json[0]["quote_kind"], "nomination");
}

#[derive(Default)]
struct Posts {
    sent: Mutex<Vec<Post>>,
    failures: Mutex<VecDeque<DeliveryError>>,
}

impl Sink for Posts {
    async fn deliver(&self, _ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        self.sent.lock().unwrap().push(post.clone());
        Ok(())
    }
}

impl Posts {
    fn ceremony(&self) -> Vec<Post> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.kind == PostKind::Ceremony)
            .cloned()
            .collect()
    }
}

async fn tick_until(app: &TestApp, scheduler: &Scheduler, sink: &Posts, until: &str) {
    let until = t(until);
    while app.clock.now() < until {
        scheduler.tick("test", sink).await.unwrap();
        app.clock.advance(Duration::minutes(1));
    }
}

#[tokio::test]
async fn the_ceremony_is_posted_once_at_its_time_with_a_dm_per_winner_across_a_restart() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-06-01T09:00:00Z").await;
    let team = tied_shortlists(&app).await;
    let core = app.core();
    let (ws, admin) = (&team.ws, &team.admin);
    core.awards_pick(ws, admin, &team.get("dana").id.into(), None)
        .await
        .unwrap();
    core.awards_accept(ws, admin).await.unwrap();
    let r = awards_refusal(refusal(
        core.awards_ceremony(ws, admin, "2026-12-10 16:00").await,
    ));
    assert_eq!(
        r,
        "Thu 10 Dec 2026 16:00 has passed: schedule the ceremony in the future."
    );
    // A date alone is at 16:00; scheduling again moves it.
    let plan = core.awards_ceremony(ws, admin, "2026-12-17").await.unwrap();
    assert_eq!(plan.at.to_rfc3339(), "2026-12-17T16:00:00+00:00");
    let plan = core
        .awards_ceremony(ws, admin, "2026-12-18 10:30")
        .await
        .unwrap();
    assert_eq!(
        spotlight::render::awards::ceremony_scheduled(&plan),
        "🏆 The 2026 Excellence in Service ceremony will be posted Fri 18 Dec 2026 10:30 (Europe/London), with a direct message to each winner. Winners: Billing: dana; Sales: sam."
    );

    let sink = Posts::default();
    let scheduler = Scheduler::new(core.clone());
    tick_until(&app, &scheduler, &sink, "2026-12-18T10:29:00Z").await;
    assert!(sink.ceremony().is_empty());
    // The channel post fails once (a server error) and goes out on the retry, once.
    sink.failures
        .lock()
        .unwrap()
        .push_back(DeliveryError::Transient("Discord answered 500".into()));
    tick_until(&app, &scheduler, &sink, "2026-12-18T10:45:00Z").await;
    let posts = sink.ceremony();
    let to: Vec<String> = posts
        .iter()
        .map(|p| match &p.to {
            Recipient::Channel => "channel".to_string(),
            Recipient::Member { name, .. } => format!("dm:{name}"),
        })
        .collect();
    assert_eq!(
        to,
        ["dm:dana", "dm:sam", "channel"],
        "the DMs went out while the channel post waited a minute"
    );
    let channel = &posts[2];
    assert_eq!(channel.title, "🏆 Excellence in Service awards 2026");
    assert_eq!(
        channel.mentions,
        ["dana", "sam"],
        "the winners' platform ids, to mention"
    );
    assert_eq!(
        channel.body,
        "One person in every department, for the service they gave the rest of us, their internal customers:\n\n\
         🏆 Billing: dana\n    “The customer loved her call” — bea (Support)\n    “Fast answers” — sam (Sales)\n    “Sorted my invoice” — ana (Support)\n\n\
         🏆 Sales: sam\n    “Thanks for the intro” — cy (Support)\n\n\
         Congratulations to all of them, and thank you to everyone who nominated."
    );
    assert!(!channel.late);
    let dm = &posts[0];
    assert_eq!(dm.title, "🏆 You won the Excellence in Service award 2026");
    assert!(dm.body.starts_with("Congratulations, dana! You are the Billing winner of the 2026 Excellence in Service awards.\n\nWhat colleagues in other departments said about you this year:\n• “The customer loved her call” — bea (Support)"), "{}", dm.body);
    assert!(
        dm.body
            .ends_with("Why you were nominated:\n• “Never leaves us waiting”"),
        "{}",
        dm.body
    );
    assert!(dm.mentions.is_empty());
    let ledger = core.store().ledger(ws.id).await.unwrap();
    let ceremony: Vec<_> = ledger.iter().filter(|l| l.0 == "ceremony").collect();
    assert_eq!(ceremony.len(), 3);
    assert!(ceremony
        .iter()
        .all(|l| l.1 == "2026-12-18" && l.3 == "delivered"));
    let (_, stage) = core.awards_round(ws).await.unwrap().unwrap();
    assert_eq!(stage, Stage::Celebrated);

    // A second process on the same database sends nothing again.
    let mut config = app.app.config.clone();
    config.database.url = core.store().location().to_string();
    let second = spotlight::app::App::build(config, std::sync::Arc::new(app.clock.clone()))
        .await
        .unwrap();
    let again = Scheduler::new(second.spotlight.clone());
    let other = Posts::default();
    for _ in 0..3 {
        again.tick("test", &other).await.unwrap();
        again.tick_one(ws.id, &other).await.unwrap();
        app.clock.advance(Duration::hours(1));
    }
    assert!(other.ceremony().is_empty());
    assert_eq!(sink.ceremony().len(), 3);

    // The round is over: no more picks; the next year's awards open afresh.
    let r = awards_refusal(refusal(core.awards_accept(ws, admin).await));
    assert!(r.contains("have had their ceremony"), "{r}");
    let next = core.awards_open(ws, admin, "2027-01-10").await.unwrap();
    assert_ne!(next.id, plan.year as i64);
    assert!(core
        .awards_status(ws, admin)
        .await
        .unwrap()
        .departments
        .is_empty());
}

#[tokio::test]
async fn a_ceremony_missed_while_away_goes_out_late_once_and_a_claim_survives_a_restart() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-06-01T09:00:00Z").await;
    let team = tied_shortlists(&app).await;
    let core = app.core();
    let (ws, admin) = (&team.ws, &team.admin);
    core.awards_pick(ws, admin, &team.get("kim").id.into(), None)
        .await
        .unwrap();
    core.awards_accept(ws, admin).await.unwrap();
    core.awards_ceremony(ws, admin, "2026-12-18 16:00")
        .await
        .unwrap();
    // Away from before the ceremony until the next morning.
    app.set_time("2026-12-19T09:00:00Z");
    let sink = Posts::default();
    Scheduler::new(core.clone())
        .tick("test", &sink)
        .await
        .unwrap();
    let posts = sink.ceremony();
    assert_eq!(posts.len(), 3);
    let channel = posts.iter().find(|p| p.to == Recipient::Channel).unwrap();
    assert!(channel.late);
    assert!(
        channel
            .body
            .contains("🏆 Billing: kim\n    Nominated by 2 colleagues."),
        "{}",
        channel.body
    );
    Scheduler::new(core.clone())
        .tick_one(ws.id, &sink)
        .await
        .unwrap();
    assert_eq!(sink.ceremony().len(), 3);
}

#[tokio::test]
async fn the_team_is_told_once_when_nominations_close_at_their_time_or_early() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-12-01T09:00:00Z").await;
    let team = team(
        &app,
        &[
            ("ana", "Support"),
            ("bea", "Support"),
            ("dana", "Billing"),
            ("sam", "Sales"),
        ],
    )
    .await;
    let core = app.core();
    let (ws, admin) = (&team.ws, &team.admin);
    core.awards_open(ws, admin, "2026-12-10").await.unwrap();
    nominate(&app, &team, "ana", "dana", "Never leaves us waiting")
        .await
        .unwrap();
    nominate(&app, &team, "bea", "dana", "Fixes invoices fast")
        .await
        .unwrap();
    nominate(&app, &team, "ana", "sam", "Shared the pipeline")
        .await
        .unwrap();
    let closed_posts = |sink: &Posts| -> Vec<Post> {
        sink.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.kind == PostKind::NominationsClosed)
            .cloned()
            .collect()
    };

    let sink = Posts::default();
    let scheduler = Scheduler::new(core.clone());
    // The end of Thu 10 Dec in London is midnight UTC.
    tick_until(&app, &scheduler, &sink, "2026-12-10T23:59:00Z").await;
    assert!(closed_posts(&sink).is_empty(), "not before they close");
    tick_until(&app, &scheduler, &sink, "2026-12-11T03:00:00Z").await;
    let posts = closed_posts(&sink);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(
        posts[0].title,
        "🏆 Nominations for the Excellence in Service awards 2026 are closed"
    );
    assert_eq!(
        posts[0].body,
        "Thank you: 3 nominations from 2 colleagues for 2 people. The winners, one in each \
         department, will be celebrated at the ceremony."
    );
    assert!(posts[0].mentions.is_empty());
    assert!(matches!(posts[0].to, Recipient::Channel));
    // Nobody's reasons or names reach the channel.
    assert!(!posts[0].body.contains("dana") && !posts[0].body.contains("waiting"));
    // A restart (a new scheduler on the same database) does not say it again.
    let again = Scheduler::new(core.clone());
    tick_until(&app, &again, &sink, "2026-12-11T06:00:00Z").await;
    assert_eq!(closed_posts(&sink).len(), 1);

    // Opened again before a ceremony, then closed early by an admin: told at the next tick.
    core.awards_open(ws, admin, "2026-12-20").await.unwrap();
    nominate(&app, &team, "sam", "ana", "Covers my calls")
        .await
        .unwrap();
    app.set_time("2026-12-12T10:00:00Z");
    core.awards_close(ws, admin).await.unwrap();
    tick_until(&app, &again, &sink, "2026-12-12T10:02:00Z").await;
    let posts = closed_posts(&sink);
    assert_eq!(posts.len(), 2, "{posts:#?}");
    assert!(
        posts[1]
            .body
            .starts_with("Thank you: 4 nominations from 3 colleagues for 3 people."),
        "{}",
        posts[1].body
    );
}

/// An admin who schedules the ceremony while the scheduler is posting (here: from inside the
/// post's delivery) must not have it forgotten when the tick records its next due time.
struct SchedulesCeremonyMidTick {
    core: spotlight::service::Spotlight,
    team: Team,
    posts: Posts,
    done: Mutex<bool>,
}

impl Sink for SchedulesCeremonyMidTick {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let first = !std::mem::replace(&mut *self.done.lock().unwrap(), true);
        if first && post.kind == PostKind::NominationsClosed {
            let admin = &self.team.admin;
            self.core.awards_accept(ws, admin).await.unwrap();
            self.core
                .awards_ceremony(ws, admin, "2026-12-18 10:30")
                .await
                .unwrap();
        }
        self.posts.deliver(ws, post).await
    }
}

#[tokio::test]
async fn a_ceremony_scheduled_while_the_scheduler_posts_is_not_forgotten() {
    crate::skip_without_postgres!();
    let app = TestApp::at("2026-12-01T09:00:00Z").await;
    let team = team(&app, &[("ana", "Support"), ("dana", "Billing")]).await;
    let core = app.core();
    core.awards_open(&team.ws, &team.admin, "2026-12-10")
        .await
        .unwrap();
    nominate(&app, &team, "ana", "dana", "Never leaves us waiting")
        .await
        .unwrap();
    let sink = SchedulesCeremonyMidTick {
        core: core.clone(),
        team,
        posts: Posts::default(),
        done: Mutex::new(false),
    };
    let scheduler = Scheduler::new(core.clone());
    app.set_time("2026-12-11T00:01:00Z");
    scheduler.tick("test", &sink).await.unwrap();
    assert_eq!(sink.posts.sent.lock().unwrap().len(), 1, "the closing post");
    app.set_time("2026-12-18T10:31:00Z");
    scheduler.tick("test", &sink).await.unwrap();
    assert_eq!(
        sink.posts.ceremony().len(),
        2,
        "the ceremony and dana's DM, though it was scheduled during an earlier tick"
    );
}
