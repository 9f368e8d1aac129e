//! Service medallions on the wall: cards with their own look among the kudos, live over the
//! feed, gone when undone, and the year's medallions board beside them.

use std::time::Duration;

use spotlight::domain::model::MedallionRequest;
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
