//! The pages in a real headless Chromium: live cards, escaping under the page's CSP, TV mode,
//! the printable book, a phone-sized wall. Screenshots go to target/screenshots/.

use std::path::PathBuf;
use std::time::Duration;

use spotlight::domain::model::KudosRequest;
use spotlight::service::WallCommand;

use super::browser::Browser;
use super::Site;

const MONDAY: &str = "2026-10-05T09:00:00Z";
const WAIT: Duration = Duration::from_secs(10);

fn screenshot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(name)
}

fn card(id: i64) -> String {
    format!("document.getElementById('k-{id}') !== null")
}

fn no_card(id: i64) -> String {
    format!("document.getElementById('k-{id}') === null")
}

#[tokio::test]
async fn a_kudos_appears_on_open_walls_live_and_leaves_when_undone_even_across_a_restart() {
    let mut site = Site::start(MONDAY).await;
    let core = site.test.core().clone();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let li = site.test.member(&acme, "li").await;
    let dana = site.test.member(&acme, "dana").await;
    let first = site
        .test
        .thank(&acme, &ana.member, &[&li], "Before the wall opened")
        .await
        .unwrap();
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let url = format!("{}{}", site.base, Site::path(&link));

    let browser = Browser::launch().await.unwrap();
    let wall = browser.open(&url, 1280, 900).await.unwrap();
    let other = browser
        .open(&format!("{url}?period=today"), 1280, 900)
        .await
        .unwrap();
    for page in [&wall, &other] {
        page.wait_for(&card(first), WAIT).await.unwrap();
        page.wait_for("document.body.dataset.live === 'on'", WAIT)
            .await
            .unwrap();
    }

    let reload_marker = "window.__notReloaded = true";
    wall.eval(reload_marker).await.unwrap();
    let second = site
        .test
        .thank(&acme, &dana, &[&li], "Given while the wall is open")
        .await
        .unwrap();
    for page in [&wall, &other] {
        page.wait_for(&card(second), WAIT).await.unwrap();
    }
    assert_eq!(
        wall.eval("window.__notReloaded === true").await.unwrap(),
        true,
        "the card arrived without a reload"
    );
    let text = wall
        .eval(&format!("document.getElementById('k-{second}').innerText"))
        .await
        .unwrap();
    let text = text.as_str().unwrap();
    assert!(
        text.contains("dana") && text.contains("Given while the wall is open"),
        "{text}"
    );
    assert_eq!(
        wall.eval("document.querySelector('#cards .card').id")
            .await
            .unwrap(),
        format!("k-{second}"),
        "newest first"
    );

    core.undo(&acme, &dana).await.unwrap();
    for page in [&wall, &other] {
        page.wait_for(&no_card(second), WAIT).await.unwrap();
    }
    let revoked = core
        .revoke(&acme, &ana, first, "posted twice")
        .await
        .unwrap();
    wall.wait_for(&no_card(revoked.id), WAIT).await.unwrap();

    // The server restarts; the page reconnects by itself and catches up on what it missed.
    site.stop_server().await;
    wall.wait_for("document.body.dataset.live === 'off'", WAIT)
        .await
        .unwrap();
    let missed = site
        .test
        .thank(
            &acme,
            &ana.member,
            &[&dana],
            "Given while the server was down",
        )
        .await
        .unwrap();
    site.restart_server().await;
    wall.wait_for(
        "document.body.dataset.live === 'on'",
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    wall.wait_for(&card(missed), WAIT).await.unwrap();
    let third = site
        .test
        .thank(&acme, &li, &[&dana], "After the restart")
        .await
        .unwrap();
    wall.wait_for(&card(third), WAIT).await.unwrap();
    assert_eq!(
        wall.eval("window.__notReloaded === true").await.unwrap(),
        true
    );
    wall.wait_for(
        "document.querySelector('#side').innerText.includes('dana')",
        WAIT,
    )
    .await
    .unwrap();
    wall.screenshot(&screenshot("wall.png")).await.unwrap();

    let errors: Vec<String> = wall
        .console()
        .into_iter()
        .filter(|l| l.contains("Content Security Policy") || l.contains("Uncaught"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_kudos_written_as_html_shows_as_text_and_runs_nothing() {
    let site = Site::start(MONDAY).await;
    let core = site.test.core().clone();
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let li = site.test.member(&acme, "li").await;
    let xss = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script> thanks!";
    let before = site
        .test
        .thank(&acme, &ana.member, &[&li], xss)
        .await
        .unwrap();
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let url = format!("{}{}", site.base, Site::path(&link));

    let browser = Browser::launch().await.unwrap();
    let wall = browser.open(&url, 1280, 900).await.unwrap();
    wall.wait_for(&card(before), WAIT).await.unwrap();
    wall.wait_for("document.body.dataset.live === 'on'", WAIT)
        .await
        .unwrap();
    let live = core
        .give_kudos(
            &acme,
            &li,
            KudosRequest {
                recipients: vec![ana.member.id.into()],
                message: "<svg onload=\"window.__xss=3\"></svg><b>bold?</b>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .kudos
        .id;
    wall.wait_for(&card(live), WAIT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(wall.eval("window.__xss === undefined").await.unwrap(), true);
    assert_eq!(
        wall.eval(
            "document.querySelectorAll('#cards img, #cards script, #cards svg, #cards b').length"
        )
        .await
        .unwrap(),
        0,
        "no element came from a kudos' text"
    );
    let shown = wall
        .eval(&format!(
            "document.querySelector('#k-{before} .message').textContent"
        ))
        .await
        .unwrap();
    assert_eq!(shown, xss, "the text is shown as typed");
    let shown = wall
        .eval(&format!(
            "document.querySelector('#k-{live} .message').textContent"
        ))
        .await
        .unwrap();
    assert_eq!(shown, "<svg onload=\"window.__xss=3\"></svg><b>bold?</b>");
    wall.screenshot(&screenshot("wall-escaped.png"))
        .await
        .unwrap();
}

#[tokio::test]
async fn tv_mode_a_phone_and_the_printed_book_render() {
    let site = Site::start(MONDAY).await;
    let acme = site.test.workspace("acme").await;
    let ana = site.test.admin(&acme, "ana").await;
    let core = site.test.core().clone();
    let mut people = Vec::new();
    for name in ["li", "dana", "sam", "kim"] {
        people.push(site.test.member(&acme, name).await);
    }
    core.set_department(&acme, &ana, people[0].id, Some("Support"))
        .await
        .unwrap();
    core.set_department(&acme, &ana, people[1].id, Some("Billing"))
        .await
        .unwrap();
    let words = [
        "Stayed late to clear the refund queue",
        "Walked a new customer through setup with endless patience",
        "Covered my shift at no notice",
        "Turned an angry call into a thank-you email",
        "Rewrote the macro everyone uses",
        "Found the bug that had been haunting billing",
        "Made the onboarding doc actually readable",
        "Brought coffee on the worst day of the quarter",
    ];
    for (i, text) in words.iter().enumerate() {
        let giver = &people[i % 4];
        let to = &people[(i + 1) % 4];
        site.test
            .set_time(&format!("2026-10-05T{:02}:00:00Z", 9 + i));
        core.give_kudos(
            &acme,
            giver,
            KudosRequest {
                recipients: vec![to.id.into()],
                message: (*text).into(),
                value: Some(["teamwork", "patience", "customer first"][i % 3].into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let link = site.wall(&acme, &ana, WallCommand::On).await.unwrap();
    let url = format!("{}{}", site.base, Site::path(&link));
    let browser = Browser::launch().await.unwrap();

    let tv = browser
        .open(&format!("{url}?tv=1"), 1920, 1080)
        .await
        .unwrap();
    tv.wait_for("document.querySelector('.card.current') !== null", WAIT)
        .await
        .unwrap();
    assert_eq!(
        tv.eval("document.querySelector('nav') === null")
            .await
            .unwrap(),
        true
    );
    let visible = tv
        .eval("Array.from(document.querySelectorAll('.card')).filter(c => c.offsetParent !== null).length")
        .await
        .unwrap();
    assert_eq!(visible, 6, "the six newest rotate on the TV");
    let size = tv
        .eval("parseFloat(getComputedStyle(document.querySelector('.card .message')).fontSize)")
        .await
        .unwrap();
    assert!(
        size.as_f64().unwrap() >= 30.0,
        "large type on the TV: {size}"
    );
    tv.screenshot(&screenshot("wall-tv.png")).await.unwrap();

    let phone = browser.open(&url, 390, 844).await.unwrap();
    phone
        .wait_for("document.querySelectorAll('.card').length === 8", WAIT)
        .await
        .unwrap();
    let overflow = phone
        .eval("document.documentElement.scrollWidth <= window.innerWidth + 1")
        .await
        .unwrap();
    assert_eq!(overflow, true, "nothing wider than the phone");
    let chart = phone
        .eval("Math.max(...Array.from(document.querySelectorAll('svg.chart')).map(s => s.getBoundingClientRect().width))")
        .await
        .unwrap();
    assert!(
        chart.as_f64().unwrap() <= 390.0,
        "charts fit the phone: {chart}"
    );
    assert_eq!(
        phone
            .eval("document.querySelectorAll('svg.chart').length")
            .await
            .unwrap(),
        3,
        "per day, values mix, departments"
    );
    phone
        .screenshot(&screenshot("wall-phone.png"))
        .await
        .unwrap();

    let book_url = format!(
        "{}{}?period=all",
        site.base,
        Site::path(&site.book_link(&acme, &people[1]).await)
    );
    let book = browser.open(&book_url, 900, 1200).await.unwrap();
    let title = book
        .eval("document.querySelector('h1').textContent")
        .await
        .unwrap();
    assert_eq!(title, "Thank you, dana");
    assert_eq!(
        book.eval("document.querySelectorAll('.entry').length")
            .await
            .unwrap(),
        2
    );
    let pages = book.pdf_pages().await.unwrap();
    assert!(
        pages >= 2,
        "the cover has a page of its own, then the thank-yous: {pages} pages"
    );
    book.screenshot(&screenshot("book.png")).await.unwrap();
    let problems: Vec<String> = [&tv, &phone, &book]
        .iter()
        .flat_map(|p| p.console())
        .filter(|l| l.contains("Content Security Policy") || l.contains("Uncaught"))
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}
