//! Every route over HTTP: the wall's link secrets, what it shows, the books' privacy, escaping,
//! health and readiness.

use spotlight::domain::error::Refusal;
use spotlight::domain::model::{Actor, FeedbackRequest, KudosRequest};
use spotlight::service::WallCommand;

use super::Site;
use crate::support::refusal;

const MONDAY: &str = "2026-10-05T09:00:00Z";

#[tokio::test]
async fn the_wall_answers_only_its_current_link_and_leaks_nothing_otherwise() {
    let site = Site::start(MONDAY).await;
    let core = site.test.core();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let li = site.test.member(&acme, "li").await;
    site.test
        .thank(&acme, &ana.member, &[&li], "Thanks for covering the phones")
        .await
        .unwrap();
    let globex = site.test.workspace("globex").await;
    let gus = site.test.admin(&globex, "gus").await;
    let hal = site.test.member(&globex, "hal").await;
    site.test
        .thank(&globex, &gus.member, &[&hal], "Globex private words")
        .await
        .unwrap();

    assert_eq!(
        core.wall_settings(&acme).await.unwrap().link,
        None,
        "a workspace's wall is off until an admin turns it on"
    );
    let member = Actor {
        member: li.clone(),
        is_admin: false,
    };
    assert_eq!(
        refusal(core.set_wall(&acme, &member, WallCommand::On).await),
        Refusal::NotAdmin("change the wall of thanks".into())
    );

    let first = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    assert!(first.starts_with("http://localhost:"), "{first}");
    let token = first.rsplit('/').next().unwrap().to_string();
    assert_eq!(token.len(), 32, "128 random bits as hex: {token}");
    let page = site.get(&Site::path(&first)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Thanks for covering the phones"),
        "{}",
        page.body
    );
    assert!(page.body.contains("acme"));
    assert!(
        !page.body.contains("Globex private words"),
        "only this workspace's kudos"
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(
        !page.body.contains("<script>"),
        "no inline script: {}",
        page.body
    );

    // Turning it on again keeps the link; rotating replaces it at once.
    assert_eq!(
        site.wall(&acme, &ana, WallCommand::On).await.unwrap(),
        first
    );
    let second = site.wall(&acme, &ana, WallCommand::Rotate).await.unwrap();
    assert_ne!(second, first);
    let gone = site.get(&Site::path(&first)).await;
    assert_eq!(gone.status, 404);
    for leak in ["acme", ">ana<", ">li<", "Thanks for covering"] {
        assert!(
            !gone.body.contains(leak),
            "a dead link shows nothing of {leak}: {}",
            gone.body
        );
    }
    assert_eq!(site.get(&Site::path(&second)).await.status, 200);
    for part in ["cards", "side", "events"] {
        let old = site.get(&format!("{}/{part}", Site::path(&first))).await;
        assert_eq!(old.status, 404, "{part} of a rotated link");
    }
    assert_eq!(
        site.get(&format!("{}/cards", Site::path(&second)))
            .await
            .status,
        200
    );

    // Off: no link works; on again: a new one.
    assert_eq!(site.wall(&acme, &ana, WallCommand::Off).await, None);
    assert_eq!(site.get(&Site::path(&second)).await.status, 404);
    let third = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    assert_ne!(third, second);
    assert_eq!(site.get(&Site::path(&third)).await.status, 200);
    assert_eq!(site.get(&Site::path(&second)).await.status, 404);

    // Another workspace's link shows only its own thanks.
    let other = site.wall(&globex, &gus, WallCommand::On).await.unwrap();
    let page = site.get(&Site::path(&other)).await;
    assert!(page.body.contains("Globex private words"));
    assert!(!page.body.contains("Thanks for covering the phones"));

    for guess in [
        "/wall/00000000000000000000000000000000",
        "/wall/not-a-token",
        "/wall/",
        "/wall/%27%20OR%201%3D1",
        "/book/1-00000000000000000000000000000000",
        "/nowhere",
    ] {
        let page = site.get(guess).await;
        assert_eq!(page.status, 404, "{guess}");
        assert!(
            !page.body.contains("acme") && !page.body.contains("globex"),
            "{guess}"
        );
    }
}

#[tokio::test]
async fn the_wall_shows_cards_boards_coverage_and_the_days_theme_in_the_workspaces_zone() {
    let site = Site::start("2026-10-04T15:00:00Z").await;
    let core = site.test.core();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let acme = core
        .set_timezone(&acme, &ana, "America/New_York")
        .await
        .unwrap();
    let li = site.test.member(&acme, "li").await;
    let dana = site.test.member(&acme, "dana").await;
    // Sunday: before the week.
    site.test
        .thank(&acme, &ana.member, &[&dana], "Sunday shift, thank you")
        .await
        .unwrap();
    site.test.set_time("2026-10-05T13:30:00Z");
    core.give_kudos(
        &acme,
        &ana.member,
        KudosRequest {
            recipients: vec![li.id.into()],
            message: "Monday rescue".into(),
            value: Some("teamwork".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    core.record_feedback(
        &acme,
        &dana,
        FeedbackRequest {
            recipients: vec![li.id.into()],
            message: "Li was wonderful".into(),
            customer: Some("Acme Corp buyer".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let path = Site::path(&link);

    let week = site.get(&path).await.body;
    assert!(week.contains("Monday rescue"), "{week}");
    assert!(
        !week.contains("Sunday shift"),
        "Sunday was last week (weeks start on Monday)"
    );
    assert!(
        week.contains("Mon 5 Oct, 09:30"),
        "the time in New York: {week}"
    );
    assert!(week.contains("Teamwork"));
    assert!(
        week.contains("Thank a teammate"),
        "Monday's theme on the wall: {week}"
    );
    assert!(week.contains("day 1"));
    assert!(
        week.find("Li was wonderful").unwrap() < week.find("Monday rescue").unwrap(),
        "newest first"
    );
    assert!(
        week.contains("A customer"),
        "customers' names are hidden by default"
    );
    assert!(!week.contains("Acme Corp buyer"));
    assert!(week.contains("Coverage this week"));
    assert!(week.contains("1 of 3 people thanked"), "{week}");
    assert!(week.contains("<svg"), "the pictures are drawn server-side");
    assert!(week.contains("Most thanked"));

    let today = site.get(&format!("{path}?period=today")).await.body;
    assert!(today.contains("Monday rescue") && !today.contains("Sunday shift"));
    let csw = site.get(&format!("{path}?period=csw")).await.body;
    assert!(csw.contains("Customer Service Week 2026"), "{csw}");
    assert!(csw.contains("Monday rescue") && !csw.contains("Sunday shift"));
    let all = site.get(&format!("{path}?period=all")).await.body;
    assert!(
        all.find("Monday rescue").unwrap() < all.find("Sunday shift").unwrap(),
        "all time, newest first: {all}"
    );
    // An unknown period is the default week, not an error.
    assert_eq!(site.get(&format!("{path}?period=never")).await.status, 200);

    site.wall(&acme, &ana, WallCommand::Customers(true)).await;
    let shown = site.get(&path).await.body;
    assert!(
        shown.contains("Acme Corp buyer"),
        "the admin chose to show customers"
    );

    // Undone: off the wall.
    core.undo(&acme, &ana.member).await.unwrap();
    let after = site.get(&path).await.body;
    assert!(
        !after.contains("Monday rescue"),
        "an undone kudos leaves the wall"
    );
    assert!(after.contains("Li was wonderful"));

    let tv = site
        .get(&format!("{path}&tv=1").replacen('&', "?", 1))
        .await
        .body;
    assert!(tv.contains("class=\"wall tv\""), "{tv}");
    assert!(
        !tv.contains("aria-label=\"Period\""),
        "no controls in TV mode"
    );
}

#[tokio::test]
async fn user_text_is_escaped_everywhere_it_is_shown() {
    let site = Site::start(MONDAY).await;
    let core = site.test.core();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let eve = core
        .member(&acme, "U-EVE", "<b onmouseover=alert(1)>Eve</b>", false)
        .await
        .unwrap();
    let xss = "<script>alert('x')</script><img src=x onerror=\"alert(2)\"> & \"quotes\"";
    site.test
        .thank(&acme, &eve, &[&ana.member], xss)
        .await
        .unwrap();
    core.record_feedback(
        &acme,
        &eve,
        FeedbackRequest {
            recipients: vec![ana.member.id.into()],
            message: "fine".into(),
            customer: Some("<i>Mallory</i>".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    site.wall(&acme, &ana, WallCommand::Customers(true)).await;
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let book = site.book_link(&acme, &ana.member).await;
    for (what, path) in [
        ("wall", Site::path(&link)),
        ("cards", format!("{}/cards", Site::path(&link))),
        ("side", format!("{}/side", Site::path(&link))),
        ("book", Site::path(&book)),
    ] {
        let body = site.get(&path).await.body;
        for raw in [
            "<script>alert",
            "<img src=x",
            "<b onmouseover",
            "<i>Mallory",
        ] {
            assert!(!body.contains(raw), "{what} shows {raw} unescaped: {body}");
        }
        if what != "side" {
            assert!(
                body.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
                "{what}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn a_book_opens_only_for_its_member_and_shows_what_they_received() {
    let site = Site::start(MONDAY).await;
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let li = site.test.member(&acme, "li").await;
    let dana = site.test.member(&acme, "dana").await;
    site.test
        .thank(&acme, &ana.member, &[&li], "For li: great handover")
        .await
        .unwrap();
    site.test
        .thank(&acme, &ana.member, &[&dana], "For dana only")
        .await
        .unwrap();
    site.test
        .thank(&acme, &li, &[&dana], "Given by li")
        .await
        .unwrap();
    site.test
        .thank(&acme, &dana, &[&li, &ana.member], "For li and ana")
        .await
        .unwrap();

    let link = site.book_link(&acme, &li).await;
    assert_eq!(link, site.book_link(&acme, &li).await, "the link is stable");
    let path = Site::path(&link);
    let page = site.get(&path).await;
    assert_eq!(page.status, 200);
    let body = page.body;
    assert!(body.contains("Thank you, li"), "{body}");
    assert!(body.contains("For li: great handover") && body.contains("For li and ana"));
    assert!(!body.contains("For dana only"), "nobody else's thanks");
    assert!(!body.contains("Given by li"), "only what li received");
    assert!(body.contains("2 thank-yous"));
    assert!(
        !body.contains("/book/")
            || !body.contains(&Site::path(&site.book_link(&acme, &dana).await))
    );
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));

    // Every other spelling is refused: another member's id with li's tag, a changed tag, a
    // member of another workspace.
    let (id, tag) = path.trim_start_matches("/book/").split_once('-').unwrap();
    let dana_path = Site::path(&site.book_link(&acme, &dana).await);
    assert_ne!(dana_path, path);
    let mut flipped = tag.to_string();
    flipped.replace_range(0..1, if tag.starts_with('0') { "1" } else { "0" });
    let globex = site.test.workspace("globex").await;
    let gus = site.test.member(&globex, "gus").await;
    for forged in [
        format!("/book/{}-{tag}", dana.id),
        format!("/book/{}-{tag}", gus.id),
        format!("/book/{id}-{flipped}"),
        format!("/book/{id}-{}", &tag[..16]),
        format!("/book/{id}"),
    ] {
        let page = site.get(&forged).await;
        assert_eq!(page.status, 404, "{forged}");
        assert!(
            !page.body.contains("li") || !page.body.contains("handover"),
            "{forged}"
        );
    }

    // Periods: a thank-you from last year is in all time only.
    site.test.set_time("2027-01-04T10:00:00Z");
    site.test
        .thank(&acme, &ana.member, &[&li], "New year thanks")
        .await
        .unwrap();
    let year = site.get(&path).await.body;
    assert!(
        year.contains("New year thanks") && !year.contains("great handover"),
        "{year}"
    );
    let all = site.get(&format!("{path}?period=all")).await.body;
    assert!(all.contains("New year thanks") && all.contains("great handover"));
    assert!(all.contains("3 thank-yous"));
}

#[tokio::test]
async fn health_readiness_and_metrics_answer_as_operators_expect() {
    let site = Site::start(MONDAY).await;
    let health = site.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let ready = site.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(json["ready"], true);
    assert_eq!(json["database"], "ok");

    site.test.app.health.expect("discord");
    let waiting = site.get("/readyz").await;
    assert_eq!(waiting.status, 503);
    let json: serde_json::Value = serde_json::from_str(&waiting.body).unwrap();
    assert_eq!(json["platforms"]["discord"], "disconnected");
    site.test.app.health.set("discord", true);
    assert_eq!(site.get("/readyz").await.status, 200);

    let metrics = site.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(
        metrics
            .body
            .contains("spotlight_db_pool_connections{state=\"open\"}"),
        "{}",
        metrics.body
    );
    assert!(metrics
        .body
        .contains("spotlight_platform_connected{platform=\"discord\"}"));

    let js = site.get("/assets/wall.js").await;
    assert_eq!(js.status, 200);
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert!(js.body.contains("EventSource"));
    assert_eq!(site.get("/assets/spotlight.css").await.status, 200);
    assert_eq!(site.get("/assets/../Cargo.toml").await.status, 404);

    // The database gone: not ready, and the body says what is wrong.
    site.test.app.shutdown().await;
    let down = site.get("/readyz").await;
    assert_eq!(down.status, 503);
    let json: serde_json::Value = serde_json::from_str(&down.body).unwrap();
    assert_eq!(json["database"], "unavailable");
    assert_eq!(
        site.get("/healthz").await.status,
        200,
        "the process itself is up"
    );
}

#[tokio::test]
async fn metrics_can_have_their_own_address() {
    let test = crate::support::TestApp::at(MONDAY).await;
    let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let side = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (main_addr, side_addr) = (main.local_addr().unwrap(), side.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    spotlight::run::Listeners {
        http: main,
        metrics: Some(side),
    }
    .serve(&test.app, None, &stopped, &mut tasks)
    .unwrap();
    let http = reqwest::Client::new();
    let on_main = http
        .get(format!("http://{main_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_main.status(), 404, "not on the public address");
    let on_side = http
        .get(format!("http://{side_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_side.status(), 200);
    assert!(on_side
        .text()
        .await
        .unwrap()
        .contains("spotlight_db_pool_connections"));
    let ready = http
        .get(format!("http://{main_addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
}
