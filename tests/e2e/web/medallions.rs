//! The year-round recognition on the wall: service medallions (cards with their own look among
//! the kudos, live over the feed, gone when undone, and the year's medallions board beside
//! them), the customers thanked (counts only), and the Excellence in Service winners once
//! their ceremony has been posted.

use std::time::Duration;

use spotlight::domain::model::{MedallionRequest, MemberRef, Workspace};
use spotlight::domain::schedule::PostKind;
use spotlight::scheduler::{DeliveryError, Post, Scheduler, Sink};
use spotlight::service::WallCommand;

use super::Site;

/// Reads the wall's event stream until an event of `kind` whose data contains `needle`.
async fn next_event(stream: &mut reqwest::Response, seen: &mut String, kind: &str, needle: &str) {
    let wanted = |s: &str| {
        s.split("\n\n").any(|e| {
            e.lines().any(|l| l == format!("event: {kind}"))
                && e.lines()
                    .any(|l| l.starts_with("data:") && l.contains(needle))
        })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !wanted(seen) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event with {needle}; got:\n{seen}"))
            .unwrap()
            .expect("the feed stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn medallions_show_on_the_wall_with_their_own_look_and_live() {
    let site = Site::start("2026-10-05T09:00:00Z").await;
    let core = site.test.core().clone();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let acme = core
        .set_medallions_per_year(&acme, &ana, "2")
        .await
        .unwrap();
    let li = site.test.member(&acme, "li").await;
    let dana = site.test.member(&acme, "dana").await;
    let medallion = |to: &spotlight::domain::model::Member, why: &str| MedallionRequest {
        recipient: to.into(),
        message: why.into(),
        channel: None,
        event_id: None,
    };
    let k1 = site
        .test
        .thank(&acme, &ana.member, &[&li], "First kudos")
        .await
        .unwrap();
    site.test.set_time("2026-10-05T09:01:00Z");
    let m1 = core
        .give_medallion(
            &acme,
            &ana.member,
            medallion(&dana, "<b>Saved</b> the launch"),
        )
        .await
        .unwrap()
        .medallion;
    site.test.set_time("2026-10-05T09:02:00Z");
    let k2 = site
        .test
        .thank(&acme, &dana, &[&li], "Second kudos")
        .await
        .unwrap();

    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let page = site.get(&Site::path(&link)).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    let at = |id: String| {
        body.find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} in {body}"))
    };
    assert!(
        at(format!("k-{k2}")) < at(format!("k-m{}", m1.id))
            && at(format!("k-m{}", m1.id)) < at(format!("k-{k1}")),
        "newest first, the medallion among the kudos"
    );
    assert!(body.contains("class=\"card medallion\""), "its own look");
    assert!(body.contains("Service medallion 2026"));
    assert!(
        body.contains("&lt;b&gt;Saved&lt;/b&gt; the launch"),
        "typed text is escaped"
    );
    let side = site.get(&format!("{}/side", Site::path(&link))).await;
    assert!(
        side.body.contains("Service medallions · this year") && side.body.contains("dana"),
        "{}",
        side.body
    );

    // Live: a new medallion arrives as a card, and leaves when undone.
    let url = format!("{}{}/events", site.base, Site::path(&link));
    let mut stream = site.http.get(&url).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    next_event(&mut stream, &mut seen, "hello", "{}").await;
    site.test.set_time("2026-10-05T09:03:00Z");
    let m2 = core
        .give_medallion(&acme, &ana.member, medallion(&li, "Covered my queue"))
        .await
        .unwrap()
        .medallion;
    let id = format!("m{}", m2.id);
    next_event(&mut stream, &mut seen, "added", &format!("\"id\":\"{id}\"")).await;
    assert!(
        seen.contains("card medallion") && seen.contains("Covered my queue"),
        "{seen}"
    );
    core.undo_latest(&acme, &ana.member).await.unwrap();
    next_event(
        &mut stream,
        &mut seen,
        "removed",
        &format!("\"id\":\"{id}\""),
    )
    .await;
    let page = site.get(&Site::path(&link)).await;
    assert!(!page.body.contains(&format!("k-{id}")), "undone: gone");
}

/// The wall's side panel as served.
async fn side(site: &Site, link: &str) -> String {
    let page = site.get(&format!("{}/side", Site::path(link))).await;
    assert_eq!(page.status, 200);
    page.body
}

#[tokio::test]
async fn customers_thanked_show_as_counts_never_as_notes() {
    // Monday of Customer Service Week: today's count shows too.
    let site = Site::start("2026-10-05T09:00:00Z").await;
    let core = site.test.core().clone();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let li = site.test.member(&acme, "li").await;
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();

    let body = side(&site, &link).await;
    assert!(body.contains("Customers thanked"), "{body}");
    assert!(
        body.contains("0 thank-you notes to customers today, by 0 people")
            && body.contains("0 thank-you notes to customers this week, by 0 people"),
        "{body}"
    );

    core.thanked_customer(&acme, &li, Some("Mrs Patel, <i>so</i> patient"), None)
        .await
        .unwrap();
    core.thanked_customer(&acme, &li, Some("The Okafor account"), None)
        .await
        .unwrap();
    core.thanked_customer(&acme, &ana.member, None, None)
        .await
        .unwrap();
    // A redelivered event counts once.
    core.thanked_customer(&acme, &ana.member, Some("Globex"), Some("ev-1"))
        .await
        .unwrap();
    core.thanked_customer(&acme, &ana.member, Some("Globex"), Some("ev-1"))
        .await
        .unwrap();
    let body = side(&site, &link).await;
    assert!(
        body.contains("4 thank-you notes to customers today, by 2 people")
            && body.contains("4 thank-you notes to customers this week, by 2 people"),
        "{body}"
    );
    let page = site.get(&Site::path(&link)).await;
    for text in [&body, &page.body] {
        for note in ["Patel", "patient", "Okafor", "Globex"] {
            assert!(!text.contains(note), "notes are private: {note} in {text}");
        }
    }

    // The next day: today starts again, the week keeps counting.
    site.test.set_time("2026-10-06T09:00:00Z");
    core.thanked_customer(&acme, &li, Some("Mr Chen"), None)
        .await
        .unwrap();
    let body = side(&site, &link).await;
    assert!(
        body.contains("1 thank-you note to a customer today, by 1 person")
            && body.contains("5 thank-you notes to customers this week, by 2 people")
            && !body.contains("Chen"),
        "{body}"
    );

    // After Customer Service Week: the week's count alone; last week's notes are not in it.
    site.test.set_time("2026-10-13T09:00:00Z");
    core.thanked_customer(&acme, &li, None, None).await.unwrap();
    let body = side(&site, &link).await;
    assert!(
        body.contains("1 thank-you note to a customer this week, by 1 person")
            && !body.contains("today, by"),
        "{body}"
    );
}

#[derive(Default)]
struct Posts(std::sync::Mutex<Vec<Post>>);

impl Sink for Posts {
    async fn deliver(&self, _ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        self.0.lock().unwrap().push(post.clone());
        Ok(())
    }
}

#[tokio::test]
async fn the_awards_winners_show_only_once_their_ceremony_has_been_posted() {
    let site = Site::start("2026-12-01T09:00:00Z").await;
    let core = site.test.core().clone();
    let acme = site.test.workspace("acme").await;
    let boss = site.test.admin(&acme, "boss").await;
    let mut people = Vec::new();
    for (id, name, department) in [
        ("ana", "ana", "Support"),
        ("bea", "bea", "Support"),
        ("dana", "Dana <b>D</b>", "R&D"),
        ("li", "li", "R&D"),
        ("sam", "sam", "Sales"),
    ] {
        let m = core.member(&acme, id, name, false).await.unwrap();
        people.push(
            core.set_department(&acme, &boss, m.id, Some(department))
                .await
                .unwrap(),
        );
    }
    let who = |id: &str| people.iter().find(|m| m.external_id == id).unwrap();
    let link = site.wall(&acme, &boss, WallCommand::On).await.unwrap();
    let nothing_yet = |body: &str, when: &str| {
        for private in [
            "Excellence in Service",
            "Untangled every refund",
            "Closed the big deal",
            "Nominat",
            "shortlist",
        ] {
            assert!(!body.contains(private), "{when}: {private} in {body}");
        }
    };
    nothing_yet(&side(&site, &link).await, "never opened");

    core.awards_open(&acme, &boss, "2026-12-10").await.unwrap();
    core.nominate(
        &acme,
        who("ana"),
        &MemberRef::Id(who("dana").id),
        "Untangled every refund",
    )
    .await
    .unwrap();
    core.nominate(
        &acme,
        who("li"),
        &MemberRef::Id(who("sam").id),
        "Closed the big deal",
    )
    .await
    .unwrap();
    for path in [format!("{}/side", Site::path(&link)), Site::path(&link)] {
        nothing_yet(&site.get(&path).await.body, "nominations open");
    }

    // Closed, picked, scheduled: still the admins' alone.
    site.test.set_time("2026-12-11T09:00:00Z");
    core.awards_accept(&acme, &boss).await.unwrap();
    core.awards_ceremony(&acme, &boss, "2026-12-18 10:30")
        .await
        .unwrap();
    nothing_yet(&side(&site, &link).await, "ceremony scheduled");

    // Its time has come but the scheduler has not posted it yet.
    site.test.set_time("2026-12-18T10:31:00Z");
    nothing_yet(&side(&site, &link).await, "ceremony not yet posted");

    let sink = Posts::default();
    Scheduler::new(core.clone())
        .tick("test", &sink)
        .await
        .unwrap();
    assert!(
        sink.0
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.kind == PostKind::Ceremony),
        "the ceremony was posted"
    );
    let body = side(&site, &link).await;
    assert!(body.contains("Excellence in Service 2026"), "{body}");
    let winners: Vec<usize> = [
        "R&amp;D</span>: <strong class=\"winner\">Dana &lt;b&gt;D&lt;/b&gt;</strong>",
        "Sales</span>: <strong class=\"winner\">sam</strong>",
    ]
    .iter()
    .map(|w| body.find(w).unwrap_or_else(|| panic!("{w} in {body}")))
    .collect();
    assert!(winners[0] < winners[1], "departments by name: {body}");
    assert!(!body.contains("<b>D</b>"), "names are escaped");
    for private in ["Untangled every refund", "Closed the big deal"] {
        assert!(!body.contains(private), "reasons stay private: {body}");
    }
    let page = site.get(&Site::path(&link)).await;
    assert!(page.body.contains("Excellence in Service 2026"));

    // A new round's nominations do not replace the posted winners, nor show.
    site.test.set_time("2027-11-20T09:00:00Z");
    core.awards_open(&acme, &boss, "2027-12-10").await.unwrap();
    core.nominate(
        &acme,
        who("sam"),
        &MemberRef::Id(who("bea").id),
        "Next year's secret",
    )
    .await
    .unwrap();
    let body = side(&site, &link).await;
    assert!(
        body.contains("Excellence in Service 2026")
            && !body.contains("2027")
            && !body.contains("Next year's secret"),
        "{body}"
    );
}
