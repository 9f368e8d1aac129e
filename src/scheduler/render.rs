//! The scheduled posts' words, from `config/prompts.toml` and the boards.

use chrono::{DateTime, Datelike, Utc};

use super::Recipient;
use crate::domain::calendar::{weekday_name, WeekDates};
use crate::domain::model::{KudosKind, Workspace};
use crate::domain::period::{csw_bucket, day_bucket, Board, Period};
use crate::domain::schedule::{Planned, PostKind};
use crate::domain::themes::{fill, MAX_DAYS};
use crate::service::Spotlight;
use crate::store::KudosFilter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

/// "1 customer shout-out", "3 customer shout-outs".
fn shout_outs(n: i64) -> String {
    if n == 1 {
        "1 customer shout-out".to_string()
    } else {
        format!("{n} customer shout-outs")
    }
}

fn date_words(d: chrono::NaiveDate) -> String {
    format!("{} {}", weekday_name(d), d.format("%-d %B"))
}

/// Thank-yous quoted in the book's direct message; the rest are in the book it links.
const BOOK_DM_ENTRIES: usize = 30;

/// Places the awards and the digest name.
const PODIUM: usize = 3;
/// Rows read to see who else ties at the cut.
const TIE_SCAN: u32 = 100;
/// Beyond this many extra people tied at the cut, they are counted rather than named.
const TIES_NAMED: usize = 2;

/// The top `places` lines, never cutting a tie in two: everyone tied at the cut is named, or
/// counted ("and 5 more with 1") when there are many.
fn podium(lines: &[crate::service::Line], places: usize) -> Vec<String> {
    let Some(cut) = lines.get(places.saturating_sub(1)) else {
        return lines.iter().map(line_text).collect();
    };
    let tied = lines.iter().filter(|l| l.rank <= cut.rank).count();
    if tied - places <= TIES_NAMED {
        return lines[..tied].iter().map(line_text).collect();
    }
    let mut shown: Vec<String> = lines[..places].iter().map(line_text).collect();
    shown.push(format!("and {} more with {}", tied - places, cut.count));
    shown
}

fn line_text(l: &crate::service::Line) -> String {
    format!("{}. {} ({})", l.rank, l.label, l.count)
}

/// Why a post goes out after its time: the bot was away then, or a settings change made after
/// that time moved the post into the past.
pub fn late_note(core: &Spotlight, ws: &Workspace, due: DateTime<Utc>, moved: bool) -> String {
    let tz = ws.settings.timezone;
    let texts = &core.plan_for(ws).posts;
    fill(
        if moved {
            &texts.moved_note
        } else {
            &texts.late_note
        },
        &[
            ("time", due.with_timezone(&tz).format("%H:%M").to_string()),
            (
                "now",
                core.now().with_timezone(&tz).format("%H:%M").to_string(),
            ),
        ],
    )
}

/// The awards' lines for the year-round recognition: the service medallions given during the
/// week and so far this year, and the customers thanked during the week.
async fn year_round(core: &Spotlight, ws: &Workspace, week: &WeekDates) -> anyhow::Result<String> {
    let mut s = String::new();
    let in_week = core
        .medallions_between(ws, Some((week.start, week.end)))
        .await?;
    let year_start = chrono::NaiveDate::from_ymd_opt(week.start.year(), 1, 1).unwrap_or(week.start);
    let in_year = core
        .medallions_between(ws, Some((year_start, week.end)))
        .await?;
    if !in_year.is_empty() {
        s.push_str(&format!(
            "\n🏅 Service medallions: {} this week, {} so far in {}.",
            in_week.len(),
            in_year.len(),
            week.start.year()
        ));
        for m in &in_week {
            s.push_str(&format!(
                "\n• {} to {}: “{}”",
                m.giver.name, m.recipient.name, m.message
            ));
        }
    }
    let (customers, people) = core.customers_thanked(ws, (week.start, week.end)).await?;
    if customers > 0 {
        s.push_str(&format!(
            "\n💌 Customers thanked this week: {} ({} {}).",
            customers,
            people,
            if people == 1 {
                "person wrote"
            } else {
                "people wrote"
            }
        ));
    }
    Ok(s)
}

pub async fn render(
    core: &Spotlight,
    ws: &Workspace,
    planned: &Planned,
    week: &WeekDates,
    to: &Recipient,
) -> anyhow::Result<Rendered> {
    let plan = core.plan_for(ws);
    let texts = &plan.posts;
    let year = week.start.year().to_string();
    Ok(match planned.kind {
        PostKind::HeadsUp => {
            let mut body = fill(
                &texts.heads_up_intro,
                &[
                    ("start", date_words(week.start)),
                    ("end", date_words(week.end)),
                ],
            );
            for (i, day) in week.days().enumerate().take(MAX_DAYS) {
                body.push_str(&format!(
                    "\n• {}: {}",
                    weekday_name(day),
                    plan.days[i].title
                ));
            }
            body.push_str(&format!("\n\n{}", texts.how_to));
            Rendered {
                title: fill(
                    &texts.heads_up_title,
                    &[("start", weekday_name(week.start).to_string())],
                ),
                body,
            }
        }
        PostKind::Prompt => {
            let n = usize::from(planned.day.unwrap_or(1)).clamp(1, MAX_DAYS);
            let theme = &plan.days[n - 1];
            Rendered {
                title: format!("Customer Service Week, day {n}: {}", theme.title),
                body: format!(
                    "{}\n\nTry this: {}\n\n{}",
                    theme.prompt, theme.action, texts.how_to
                ),
            }
        }
        PostKind::Recap => {
            let n = usize::from(planned.day.unwrap_or(1)).clamp(1, MAX_DAYS);
            let bucket = day_bucket(planned.local_date);
            core.store().fold_stats(ws.id).await?;
            let (kudos, feedback, cross) = core.store().bucket_totals(ws.id, &bucket).await?;
            let mut body = format!("Today: {kudos} kudos and {}.", shout_outs(feedback));
            let (customers, _) = core
                .customers_thanked(ws, (planned.local_date, planned.local_date))
                .await?;
            if customers > 0 {
                body.push_str(&format!(
                    "\nCustomers thanked today: {customers} (a thank-you note to a customer counts: /thanked-customer)."
                ));
            }
            if kudos + feedback == 0 {
                body.push_str(&format!("\n{}", texts.recap_quiet));
            } else {
                let values = core
                    .leaderboard(ws, None, Period::Today, Board::Values, 1)
                    .await?;
                if let Some(top) = values.lines.first() {
                    body.push_str(&format!(
                        "\nValue of the day: {} ({}).",
                        top.label, top.count
                    ));
                }
                body.push_str(&format!("\nCross-team thanks: {cross}."));
                let filter = KudosFilter {
                    from: Some(planned.local_date),
                    to: Some(planned.local_date),
                    include_removed: false,
                };
                let today = core.store().kudos_list(ws.id, &filter).await?;
                if let Some(k) = today
                    .iter()
                    .filter(|k| k.kind == KudosKind::Kudos)
                    .max_by_key(|k| (k.message.chars().count(), k.id))
                {
                    let names: Vec<&str> = k.recipients.iter().map(|r| r.name.as_str()).collect();
                    body.push_str(&format!(
                        "\nFeatured: {} to {}: “{}”",
                        k.giver.name,
                        crate::render::names(&names),
                        k.message
                    ));
                }
            }
            Rendered {
                title: fill(
                    &texts.recap_title,
                    &[
                        ("day", n.to_string()),
                        ("title", plan.days[n - 1].title.clone()),
                    ],
                ),
                body,
            }
        }
        PostKind::Awards => {
            let bucket = csw_bucket(week.start.year());
            let period = Period::Csw(Some(week.start.year()));
            let received = core
                .leaderboard(ws, None, period, Board::Received, TIE_SCAN)
                .await?;
            let given = core
                .leaderboard(ws, None, period, Board::Given, TIE_SCAN)
                .await?;
            let pairs = core
                .leaderboard(ws, None, period, Board::CrossTeam, 1)
                .await?;
            let champions = core.store().department_champions(ws.id, &bucket).await?;
            let (kudos, feedback, cross) = core.store().bucket_totals(ws.id, &bucket).await?;
            let (active, thanked) = core.store().coverage_counts(ws.id, &bucket).await?;
            let lines = |lb: &crate::service::Leaderboard| podium(&lb.lines, PODIUM).join(", ");
            let mut body = texts.awards_intro.clone();
            if !received.lines.is_empty() {
                body.push_str(&format!("\nMost thanked: {}", lines(&received)));
                body.push_str(&format!("\nMost thankful: {}", lines(&given)));
            }
            if !champions.is_empty() {
                body.push_str("\nExcellence in Service:");
                for (dept, name, n) in &champions {
                    body.push_str(&format!("\n• {dept}: {name} ({n})"));
                }
            }
            if let Some(top) = pairs.lines.first() {
                body.push_str(&format!(
                    "\nMost cross-team thanks: {} ({})",
                    top.label, top.count
                ));
            }
            let share = if active == 0 {
                0
            } else {
                (thanked * 100 + active / 2) / active
            };
            body.push_str(&format!(
                "\nIn all: {kudos} kudos, {}, {cross} across teams; {thanked} of {active} people thanked ({share}%).",
                shout_outs(feedback)
            ));
            body.push_str(&year_round(core, ws, week).await?);
            Rendered {
                title: fill(&texts.awards_title, &[("year", year)]),
                body,
            }
        }
        PostKind::Book => {
            let Recipient::Member { id, .. } = to else {
                anyhow::bail!("a thank-you book goes to a member");
            };
            let filter = KudosFilter {
                from: Some(week.start),
                to: Some(week.end),
                include_removed: false,
            };
            let kudos = core.store().kudos_list(ws.id, &filter).await?;
            let mut body = texts.book_intro.clone();
            let link = core.book_link(ws, *id).await?;
            let mine: Vec<_> = kudos
                .iter()
                .filter(|k| k.kind == KudosKind::Kudos && k.recipients.iter().any(|r| r.id == *id))
                .collect();
            // A message stays readable (and within what chat platforms accept); the book has
            // them all.
            let shown = mine.len().min(BOOK_DM_ENTRIES);
            for k in &mine[..shown] {
                body.push_str(&format!(
                    "\n• {} ({}): “{}”",
                    k.giver.name,
                    weekday_name(k.local_date),
                    k.message
                ));
            }
            if mine.len() > shown {
                body.push_str(&format!(
                    "\n…and {} more: every one is in your book.",
                    mine.len() - shown
                ));
            }
            body.push_str(&format!(
                "\n\n📖 Your thank-you book, laid out to print and take home (this link is yours alone): {link}?period=csw"
            ));
            Rendered {
                title: fill(&texts.book_title, &[("year", year)]),
                body,
            }
        }
        PostKind::Ceremony | PostKind::NominationsClosed => {
            anyhow::bail!("the awards' posts are not among the week's posts")
        }
        PostKind::Digest => {
            let lb = core
                .leaderboard(ws, None, Period::Week, Board::Received, TIE_SCAN)
                .await?;
            let (kudos, feedback, _) = core.store().bucket_totals(ws.id, &lb.period.bucket).await?;
            let mut body = format!("This week: {kudos} kudos and {}.", shout_outs(feedback));
            for line in podium(&lb.lines, PODIUM) {
                body.push_str(&format!("\n{line}"));
            }
            body.push_str(&format!("\n\n{}", texts.how_to));
            Rendered {
                title: texts.digest_title.clone(),
                body,
            }
        }
    })
}
