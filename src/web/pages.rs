//! The pages' HTML, from maud's compile-time templates: every piece of text is escaped.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup, DOCTYPE};

use super::charts;
use crate::domain::model::{Kudos, KudosKind, Medallion, Person};
use crate::domain::period::Period;
use crate::service::{Book, WallView};

/// The periods a wall can show, with their links' words.
pub const WALL_PERIODS: &[(&str, &str)] = &[
    ("today", "Today"),
    ("week", "This week"),
    ("csw", "Customer Service Week"),
    ("all", "All time"),
];

/// The periods a book can cover.
pub const BOOK_PERIODS: &[(&str, &str)] = &[
    ("week", "This week"),
    ("csw", "Customer Service Week"),
    ("year", "This year"),
    ("all", "All time"),
];

pub fn period_key(period: Period) -> &'static str {
    match period {
        Period::Today => "today",
        Period::Week => "week",
        Period::Csw(_) => "csw",
        Period::Month => "month",
        Period::Year => "year",
        Period::All => "all",
    }
}

fn page(
    title: &str,
    body_class: &str,
    data: Option<(&str, &str, &str)>,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/assets/spotlight.css";
                script src="/assets/wall.js" defer {}
            }
            body class=(body_class) data-events=[data.map(|d| d.0)] data-cards=[data.map(|d| d.1)]
                data-side=[data.map(|d| d.2)] { (content) }
        }
    }
}

pub fn not_found() -> Markup {
    page(
        "Not found",
        "plain",
        None,
        html! {
            main class="notice" {
                h1 { "Nothing here" }
                p { "This link is not (or no longer) in use. Ask an admin for the current one." }
            }
        },
    )
}

pub fn unavailable() -> Markup {
    page(
        "Try again shortly",
        "plain",
        None,
        html! {
            main class="notice" {
                h1 { "Back in a moment" }
                p { "Something went wrong on our side. It has been logged; please reload in a moment." }
            }
        },
    )
}

pub fn wall(view: &WallView, token: &str, tv: bool) -> Markup {
    let key = period_key(view.period);
    let tv_query = if tv { "&tv=1" } else { "" };
    let events = format!("/wall/{token}/events?period={key}");
    let cards_url = format!("/wall/{token}/cards?period={key}{tv_query}");
    let side_url = format!("/wall/{token}/side?period={key}");
    let title = format!("Wall of thanks · {}", view.workspace.name);
    let class = if tv { "wall tv" } else { "wall" };
    page(
        &title,
        class,
        Some((&events, &cards_url, &side_url)),
        html! {
            header class="top" {
                div {
                    h1 { "Wall of thanks" }
                    p class="sub" { (view.workspace.name) " · " (view.resolved.label) }
                }
                @if !tv {
                    nav class="periods" aria-label="Period" {
                        @for (k, words) in WALL_PERIODS {
                            @if *k == key {
                                a href=(format!("?period={k}")) aria-current="page" { (words) }
                            } @else {
                                a href=(format!("?period={k}")) { (words) }
                            }
                        }
                        a href=(format!("?period={key}&tv=1")) class="tv-link" { "TV mode" }
                    }
                }
                span class="live" id="live" title="Live updates" { "live" }
            }
            @if let Some((day, theme)) = &view.today {
                section class="theme" {
                    p class="day" { "Customer Service Week · day " (day) }
                    h2 { (theme.title) }
                    p { (theme.prompt) }
                }
            }
            @if tv {
                @let (active, thanked) = view.coverage;
                p class="tally" {
                    span { strong { (view.week_total) } " thank-yous this week" }
                    span { strong { (thanked) } " of " (active) " colleagues thanked" }
                }
            }
            div class="layout" {
                section class="cards" id="cards" aria-live="polite" aria-label="Thank-yous" {
                    (cards(view, tv))
                }
                @if !tv {
                    aside class="side" id="side" { (side(view)) }
                }
            }
        },
    )
}

/// The cards, newest first; also what a reconnecting wall reloads.
pub fn cards(view: &WallView, tv: bool) -> Markup {
    let tz = view.workspace.settings.timezone;
    html! {
        @if view.cards.is_empty() && view.medallions.is_empty() {
            p class="empty" id="empty" {
                "No thank-yous here yet. The first one given appears right away."
            }
        }
        // Newest first, medallions among the kudos by when they were given.
        @let mut medallions = view.medallions.iter().rev().peekable();
        @for k in &view.cards {
            @while let Some(m) = medallions.next_if(|m| m.created_at >= k.created_at) {
                (medallion_card(m, tz))
            }
            (card(k, tz, view.show_customers, tv))
        }
        @for m in medallions {
            (medallion_card(m, tz))
        }
    }
}

/// A service medallion's card: its own look, apart from kudos.
pub fn medallion_card(m: &Medallion, tz: Tz) -> Markup {
    html! {
        article class="card medallion" id=(format!("k-m{}", m.id)) data-id=(format!("m{}", m.id)) {
            p class="who" {
                "🏅 " strong { (m.giver.name) } " gives a service medallion to " strong { (m.recipient.name) }
            }
            blockquote class="message" { (m.message) }
            p class="meta" {
                span class="tag medallion-tag" { "Service medallion " (m.year) }
                (when(m.created_at, tz))
            }
        }
    }
}

pub fn card(k: &Kudos, tz: Tz, show_customers: bool, _tv: bool) -> Markup {
    let class = match k.kind {
        KudosKind::Kudos => "card kudos",
        KudosKind::Feedback => "card feedback",
    };
    html! {
        article class=(class) id=(format!("k-{}", k.id)) data-id=(k.id) {
            p class="who" {
                @match k.kind {
                    KudosKind::Kudos => {
                        strong { (k.giver.name) } " thanked " strong { (names(&k.recipients)) }
                    }
                    KudosKind::Feedback => {
                        @match (&k.customer, show_customers) {
                            (Some(c), true) => { strong { (c) } }
                            _ => { "A customer" }
                        }
                        " praised " strong { (names(&k.recipients)) }
                    }
                }
            }
            blockquote class="message" { (k.message) }
            p class="meta" {
                @if let Some(v) = &k.value { span class="tag value" { (v) } }
                @if let Some(t) = &k.theme { span class="tag theme-tag" { (t) } }
                @if k.kind == KudosKind::Feedback {
                    span class="tag shared" { "shared by " (k.giver.name) }
                }
                (when(k.created_at, tz))
            }
        }
    }
}

fn when(at: DateTime<Utc>, tz: Tz) -> Markup {
    let local = at.with_timezone(&tz);
    html! {
        time datetime=(local.to_rfc3339()) { (local.format("%a %-d %b, %H:%M")) }
    }
}

fn names(people: &[Person]) -> String {
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Boards, coverage and pictures beside the cards; reloaded after changes.
pub fn side(view: &WallView) -> Markup {
    let (active, thanked) = view.coverage;
    let percent = if active == 0 {
        0
    } else {
        (thanked * 100 + active / 2) / active
    };
    html! {
        section class="panel coverage" {
            h2 { "Coverage this week" }
            p class="big" { (percent) "%" }
            progress value=(thanked) max=(active.max(1)) { (percent) "%" }
            p { (thanked) " of " (active) " people thanked at least once" }
        }
        (customers_panel(view))
        @if let Some(awards) = &view.awards {
            (awards_panel(awards))
        }
        section class="panel" {
            h2 { "Thank-yous per day" }
            (charts::per_day(&view.days))
        }
        @for lb in &view.boards {
            section class="panel board" {
                h2 { (board_title(lb.board)) @if lb.board == crate::domain::period::Board::Medallions { " · this year" } @else { " · this week" } }
                @if lb.lines.is_empty() {
                    p class="quiet" { "Nobody yet." }
                } @else {
                    ol {
                        @for line in &lb.lines {
                            li { span class="rank" { (line.rank) "." } " " span class="label" { (line.label) } " " span class="count" { (line.count) } }
                        }
                    }
                }
            }
        }
        section class="panel" {
            h2 { "Values mix" }
            (charts::values(&view.values))
        }
        section class="panel" {
            h2 { "Who thanked whom" }
            (charts::departments(&view.flows))
        }
    }
}

/// Counts only: who was thanked and what the notes say stay private.
fn customers_panel(view: &WallView) -> Markup {
    let (week, week_people) = view.customers_week;
    html! {
        section class="panel customers" {
            h2 { "Customers thanked" }
            @if let Some((today, today_people)) = view.customers_today {
                p class="big customers-today" { (today) }
                p { (notes(today)) " today, by " (people(today_people)) }
            }
            p class="customers-week" { (notes(week)) " this week, by " (people(week_people)) }
        }
    }
}

fn notes(n: i64) -> String {
    if n == 1 {
        "1 thank-you note to a customer".into()
    } else {
        format!("{n} thank-you notes to customers")
    }
}

fn people(n: i64) -> String {
    if n == 1 {
        "1 person".into()
    } else {
        format!("{n} people")
    }
}

/// The winners once their ceremony has been posted: a department and a name each.
fn awards_panel(awards: &crate::service::WallAwards) -> Markup {
    html! {
        section class="panel awards" {
            h2 { "Excellence in Service " (awards.year) }
            @if awards.winners.is_empty() {
                p class="quiet" { "No winners were named." }
            } @else {
                ul {
                    @for (department, name) in &awards.winners {
                        li { "🏆 " span class="department" { (department) } ": " strong class="winner" { (name) } }
                    }
                }
            }
        }
    }
}

fn board_title(board: crate::domain::period::Board) -> &'static str {
    use crate::domain::period::Board;
    match board {
        Board::Received => "Most thanked",
        Board::Given => "Most thankful",
        Board::Departments => "Departments",
        Board::Values => "Values",
        Board::CrossTeam => "Across teams",
        Board::Medallions => "Service medallions",
    }
}

pub fn book(book: &Book, token: &str) -> Markup {
    let key = period_key(book.period);
    let tz = book.workspace.settings.timezone;
    let count = book.kudos.len();
    let title = format!("{}'s thank-you book", book.member.display_name);
    page(
        &title,
        "book",
        None,
        html! {
            nav class="periods no-print" aria-label="Period" {
                @for (k, words) in BOOK_PERIODS {
                    @if *k == key {
                        a href=(format!("/book/{token}?period={k}")) aria-current="page" { (words) }
                    } @else {
                        a href=(format!("/book/{token}?period={k}")) { (words) }
                    }
                }
                button type="button" id="print" { "Print or save as PDF" }
            }
            section class="cover" {
                p class="kicker" { (book.workspace.name) }
                h1 { "Thank you, " (book.member.display_name) }
                p class="sub" {
                    @if count == 1 { "1 thank-you" } @else { (count) " thank-yous" }
                    " from your colleagues and customers, " (book.resolved.label) "."
                }
            }
            @if book.kudos.is_empty() {
                p class="empty" { "No thank-yous in this period yet. Try a longer one above." }
            }
            @for k in &book.kudos {
                article class="entry" {
                    blockquote { (k.message) }
                    p class="from" {
                        "— "
                        @match k.kind {
                            KudosKind::Kudos => { (k.giver.name) }
                            KudosKind::Feedback => {
                                @match &k.customer {
                                    Some(c) => { (c) ", a customer (shared by " (k.giver.name) ")" }
                                    None => { "a customer (shared by " (k.giver.name) ")" }
                                }
                            }
                        }
                        ", " (k.created_at.with_timezone(&tz).format("%A %-d %B %Y"))
                    }
                    @if k.value.is_some() || k.theme.is_some() {
                        p class="meta" {
                            @if let Some(v) = &k.value { span class="tag value" { (v) } }
                            @if let Some(t) = &k.theme { span class="tag theme-tag" { (t) } }
                        }
                    }
                }
            }
        },
    )
}
