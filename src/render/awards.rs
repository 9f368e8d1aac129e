//! The Excellence in Service awards as plain text: replies, the admins' private lists, the
//! ceremony post and each winner's direct message. Shared by every platform.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::awards::{
    Candidate, Place, Quote, QuoteKind, Round, Stage, FEEDBACK_POINTS, KUDOS_POINTS,
    MEDALLION_POINTS, NOMINATION_POINTS,
};
use crate::service::{Accepted, AwardsStatus, CeremonyPlan, Nominated, Shortlists, Winner};

/// Quotes under each winner in the ceremony post.
pub const CEREMONY_QUOTES: usize = 3;
/// Quotes in a winner's direct message.
pub const DM_QUOTES: usize = 20;
/// Places shown per department in chat (the export has them all).
pub const SHORTLIST_PLACES: usize = 5;
/// Quotes shown per place in chat.
pub const SHORTLIST_QUOTES: usize = 2;

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}

/// When nominations close, as the admin typed it: `UNTIL 2026-12-15` closes at midnight after
/// that day, which reads as the end of the 15th rather than "Wed 16 Dec 00:00".
pub fn deadline(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    if local.format("%H:%M").to_string() == "00:00" {
        let day = local.date_naive().pred_opt().unwrap_or(local.date_naive());
        format!("the end of {}", day.format("%a %-d %b %Y"))
    } else {
        when(t, tz)
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `“text” — li (Support)`, or the bare reason for a nomination.
pub fn quote(q: &Quote) -> String {
    match (&q.from, &q.from_department) {
        (Some(from), Some(d)) => format!("“{}” — {from} ({d})", q.text),
        (Some(from), None) => format!("“{}” — {from}", q.text),
        _ => format!("“{}” (nomination)", q.text),
    }
}

/// What the score is made of.
pub fn score_rule() -> String {
    format!(
        "score = {NOMINATION_POINTS} per nomination + {MEDALLION_POINTS} per medallion + \
         {KUDOS_POINTS} per kudos + {FEEDBACK_POINTS} per customer compliment received this year \
         from other departments; = marks a tie"
    )
}

/// "2 nominations, 1 medallion, 3 kudos, 1 compliment".
pub fn breakdown(c: &Candidate) -> String {
    format!(
        "{}, {}, {} kudos, {}",
        plural(c.nominations, "nomination", "nominations"),
        plural(c.medallions, "medallion", "medallions"),
        c.kudos,
        plural(c.feedback, "compliment", "compliments")
    )
}

/// "1.", "=2."
pub fn place(p: &Place) -> String {
    format!("{}{}.", if p.tied { "=" } else { "" }, p.rank)
}

/// The announcement when nominations open.
pub fn opened(round: &Round, tz: Tz) -> String {
    format!(
        "🏆 Nominations for the Excellence in Service awards {} are open until {} ({}). \
         Who in another department gave you great service this year? Nominate them: \
         /nominate @name why (one colleague per department; nominations are private).",
        round.year,
        deadline(round.closes_at, tz),
        tz.name()
    )
}

/// The admin's reply to `awards open`.
pub fn open_reply(round: &Round, tz: Tz) -> String {
    format!(
        "Nominations for the {} awards are open until {} ({}); the announcement is posted.",
        round.year,
        deadline(round.closes_at, tz),
        tz.name()
    )
}

pub fn closed_reply(round: &Round, now: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "Nominations for the {} awards closed at {}. See the shortlists with `awards shortlist`.",
        round.year,
        when(round.closed(now).unwrap_or(now), tz)
    )
}

/// The nominator's private reply.
pub fn nominated(n: &Nominated) -> String {
    let department = n
        .nominee
        .department
        .as_deref()
        .unwrap_or(crate::domain::awards::NO_DEPARTMENT);
    let mut s = format!(
        "🏆 You nominated {} for the Excellence in Service award ({department}).",
        n.nominee.name
    );
    match &n.replaced {
        Some(r) if r.id == n.nominee.id => s.push_str(" Your reason is updated."),
        Some(r) => {
            let _ = write!(
                s,
                " It replaces your nomination of {} (one nominee per department).",
                r.name
            );
        }
        None => {}
    }
    let _ = write!(
        s,
        " Nominations close at {}.",
        deadline(n.until.with_timezone(&Utc), n.until.timezone())
    );
    s
}

fn stage_line(round: &Round, stage: Stage, tz: Tz) -> String {
    match stage {
        Stage::Open { until } => format!("nominations open until {}", deadline(until, tz)),
        Stage::Closed => format!(
            "nominations closed {}",
            when(round.closed_at.unwrap_or(round.closes_at), tz)
        ),
        Stage::Scheduled { at } => format!("ceremony scheduled for {}", when(at, tz)),
        Stage::Celebrated => "the ceremony was posted".to_string(),
    }
}

/// The admins' private list of nominees per department, with counts, nominators and reasons.
pub fn status(s: &AwardsStatus) -> String {
    let total: usize = s
        .departments
        .iter()
        .flat_map(|d| d.nominees.iter())
        .map(|n| n.reasons.len())
        .sum();
    let mut out = format!(
        "🏆 Excellence in Service awards {}: {}; {} by {} (private to admins)",
        s.round.year,
        stage_line(&s.round, s.stage, s.tz),
        plural(total as u32, "nomination", "nominations"),
        plural(s.nominators as u32, "member", "members"),
    );
    if s.departments.is_empty() {
        out.push_str("\n   No nominations yet.");
    }
    for d in &s.departments {
        let _ = write!(
            out,
            "\n{}",
            d.department
                .as_deref()
                .unwrap_or(crate::domain::awards::NO_DEPARTMENT)
        );
        for n in &d.nominees {
            let _ = write!(
                out,
                "\n   {} — {}",
                n.person.name,
                plural(n.reasons.len() as u32, "nomination", "nominations")
            );
            for (by, why) in &n.reasons {
                let _ = write!(out, "\n      • {by}: “{why}”");
            }
        }
    }
    out
}

/// Every department's shortlist, ranked, with a few quotes each.
pub fn shortlists(s: &Shortlists) -> String {
    let mut out = format!(
        "🏆 Excellence in Service awards {}: shortlists\n({})",
        s.round.year,
        score_rule()
    );
    if s.lists.is_empty() {
        out.push_str("\n   Nobody was nominated.");
    }
    for list in &s.lists {
        let _ = write!(out, "\n{}", list.name());
        for p in list.places.iter().take(SHORTLIST_PLACES) {
            let c = &p.candidate;
            let winner = list.winner.as_ref().is_some_and(|w| w.id == c.person.id);
            let _ = write!(
                out,
                "\n   {} {} — {} ({}){}",
                place(p),
                c.person.name,
                c.score(),
                breakdown(c),
                if winner { " 🏆 winner" } else { "" }
            );
            for q in c.quotes.iter().take(SHORTLIST_QUOTES) {
                let _ = write!(out, "\n      {}", quote(q));
            }
        }
        if list.places.len() > SHORTLIST_PLACES {
            let _ = write!(
                out,
                "\n   … and {} more (awards export has them all)",
                list.places.len() - SHORTLIST_PLACES
            );
        }
    }
    out
}

pub fn picked(department: &str, name: &str) -> String {
    format!("🏆 {name} is the {department} winner of the Excellence in Service awards.")
}

pub fn accepted(a: &Accepted) -> String {
    let mut out = String::from("🏆 Winners:");
    for (d, p) in &a.picked {
        let _ = write!(out, "\n   {d}: {} (top of the shortlist)", p.name);
    }
    for (d, p) in &a.kept {
        let _ = write!(out, "\n   {d}: {} (already picked)", p.name);
    }
    for (d, tied) in &a.tied {
        let names: Vec<&str> = tied.iter().map(|p| p.name.as_str()).collect();
        let _ = write!(
            out,
            "\n   {d}: a tie between {}; pick one with `awards pick @name`",
            crate::render::names(&names)
        );
    }
    if a.picked.is_empty() && a.kept.is_empty() && a.tied.is_empty() {
        out.push_str("\n   Nobody was nominated.");
    }
    out
}

pub fn ceremony_scheduled(c: &CeremonyPlan) -> String {
    let winners: Vec<String> = c
        .winners
        .iter()
        .map(|(d, p)| format!("{d}: {}", p.name))
        .collect();
    format!(
        "🏆 The {} Excellence in Service ceremony will be posted {} ({}), with a direct message \
         to each winner. Winners: {}.",
        c.year,
        c.at.format("%a %-d %b %Y %H:%M"),
        c.at.timezone().name(),
        winners.join("; ")
    )
}

/// The ceremony post: one person per department with a few of the thank-yous that earned it.
pub fn ceremony(year: i32, winners: &[Winner]) -> (String, String) {
    let title = format!("🏆 Excellence in Service awards {year}");
    let mut body = String::from(
        "One person in every department, for the service they gave the rest of us, their internal customers:",
    );
    for w in winners {
        let c = &w.candidate;
        let _ = write!(body, "\n\n🏆 {}: {}", w.department, c.person.name);
        let mut any = false;
        for q in c.thank_yous().take(CEREMONY_QUOTES) {
            let _ = write!(body, "\n    {}", quote(q));
            any = true;
        }
        if !any {
            let _ = write!(
                body,
                "\n    Nominated by {}.",
                plural(c.nominations, "colleague", "colleagues")
            );
        }
    }
    body.push_str("\n\nCongratulations to all of them, and thank you to everyone who nominated.");
    (title, body)
}

/// The post when nominations close: how many there were, never who nominated whom.
pub fn nominations_closed(
    year: i32,
    nominations: &[crate::store::NominationRow],
) -> (String, String) {
    let title = format!("🏆 Nominations for the Excellence in Service awards {year} are closed");
    let nominators: std::collections::BTreeSet<_> =
        nominations.iter().map(|n| n.nominator.id).collect();
    let nominees: std::collections::BTreeSet<_> =
        nominations.iter().map(|n| n.nominee.id).collect();
    let body = if nominations.is_empty() {
        "No one was nominated this time. Thank you all the same for the service you give each \
         other all year."
            .to_string()
    } else {
        format!(
            "Thank you: {} from {} for {}. The winners, one in each department, will be \
             celebrated at the ceremony.",
            plural(nominations.len() as u32, "nomination", "nominations"),
            plural(nominators.len() as u32, "colleague", "colleagues"),
            plural(nominees.len() as u32, "person", "people"),
        )
    };
    (title, body)
}

/// A winner's direct message: their award and every thank-you (and nomination) behind it.
pub fn winner_dm(year: i32, w: &Winner) -> (String, String) {
    let c = &w.candidate;
    let title = format!("🏆 You won the Excellence in Service award {year}");
    let mut body = format!(
        "Congratulations, {}! You are the {} winner of the {year} Excellence in Service awards.",
        c.person.name, w.department
    );
    let thanks: Vec<&Quote> = c.thank_yous().take(DM_QUOTES).collect();
    if !thanks.is_empty() {
        body.push_str("\n\nWhat colleagues in other departments said about you this year:");
        for q in thanks {
            let _ = write!(body, "\n• {}", quote(q));
        }
    }
    let reasons: Vec<&Quote> = c
        .quotes
        .iter()
        .filter(|q| q.kind == QuoteKind::Nomination)
        .collect();
    if !reasons.is_empty() {
        body.push_str("\n\nWhy you were nominated:");
        for q in reasons {
            let _ = write!(body, "\n• “{}”", q.text);
        }
    }
    (title, body)
}
