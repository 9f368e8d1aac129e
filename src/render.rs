//! Plain-text rendering of the core's results, for the shell and the command line.

pub mod awards;

use std::fmt::Write;

use crate::domain::calendar::weekday_name;
use crate::domain::model::{
    CustomerThanks, Given, GivenMedallion, Kudos, KudosKind, KudosStatus, Medallion, Undone,
    Workspace,
};
use crate::service::{Coverage, Leaderboard, Mine, PersonalStats, WeekPlan};

/// "dana", "dana and li", "dana, li and sam".
pub fn names<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

fn recipient_names(k: &Kudos) -> String {
    names(
        &k.recipients
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
    )
}

/// What the celebration channel shows for a new thank-you.
pub fn announcement(k: &Kudos) -> String {
    let mut s = match k.kind {
        KudosKind::Kudos => format!(
            "🌟 {} thanked {}: “{}”",
            k.giver.name,
            recipient_names(k),
            k.message
        ),
        KudosKind::Feedback => format!(
            "💬 Customer feedback for {}, shared by {}: “{}”",
            recipient_names(k),
            k.giver.name,
            k.message
        ),
    };
    if let Some(customer) = &k.customer {
        let _ = write!(s, " — {customer}");
    }
    if let Some(value) = &k.value {
        let _ = write!(s, " · {value}");
    }
    if let Some(theme) = &k.theme {
        let _ = write!(s, " · {theme}");
    }
    if let Some(link) = &k.link {
        let _ = write!(s, " · {link}");
    }
    let _ = write!(s, " (#{})", k.id);
    s
}

pub fn confirmation(given: &Given) -> String {
    let k = &given.kudos;
    if !given.created {
        return format!("That was already recorded as #{}; nothing was added.", k.id);
    }
    let mut s = match k.kind {
        KudosKind::Kudos => format!("Kudos sent to {} (#{}).", recipient_names(k), k.id),
        KudosKind::Feedback => format!(
            "Customer feedback for {} shared with the team (#{}).",
            recipient_names(k),
            k.id
        ),
    };
    if k.kind == KudosKind::Kudos {
        match given.left_today {
            Some(0) => s.push_str(" That was your last thank-you for today."),
            Some(1) => s.push_str(" You can thank 1 more person today."),
            Some(n) => {
                let _ = write!(s, " You can thank {n} more people today.");
            }
            None => {}
        }
    }
    s
}

pub fn removed(k: &Kudos) -> String {
    match k.status {
        KudosStatus::Undone => format!(
            "Undone: your kudos #{} to {} is withdrawn and your allowance is given back.",
            k.id,
            recipient_names(k)
        ),
        _ => format!(
            "Revoked #{} ({} → {}); it no longer counts on any board.",
            k.id,
            k.giver.name,
            recipient_names(k)
        ),
    }
}

pub fn leaderboard(lb: &Leaderboard) -> String {
    let mut s = format!("🏆 {} — {}\n", lb.board.title(), lb.period.label);
    if lb.lines.is_empty() {
        s.push_str("   Nothing yet. Be the first to thank someone!\n");
    }
    let unit = match lb.board {
        crate::domain::period::Board::Given => "given",
        _ => "",
    };
    for line in &lb.lines {
        let _ = writeln!(
            s,
            "{:>4}. {} — {}{}",
            line.rank,
            line.label,
            line.count,
            if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            }
        );
    }
    match &lb.mine {
        Some(Mine::Ranked { label, rank, count }) => {
            let _ = writeln!(s, "   {label}: #{rank} with {count}");
        }
        Some(Mine::Unranked { label }) => {
            let _ = writeln!(s, "   {label}: not on this board yet");
        }
        None => {}
    }
    let _ = write!(s, "   (times in {})", lb.timezone);
    s
}

pub fn coverage(c: &Coverage) -> String {
    let mut s = format!(
        "🤝 Coverage — {}: {} of {} people thanked at least once ({}%).",
        c.period.label,
        c.thanked,
        c.active,
        c.percent()
    );
    if let Some(missing) = &c.not_thanked {
        if missing.is_empty() {
            s.push_str("\n   Everyone has been thanked. 🎉");
        } else {
            let _ = write!(
                s,
                "\n   Not thanked yet (only you can see this): {}",
                missing.join(", ")
            );
        }
    }
    s
}

pub fn stats(st: &PersonalStats) -> String {
    let m = &st.member;
    let mut s = format!("📊 {}", m.display_name);
    if let Some(d) = &m.department {
        let _ = write!(s, " ({d})");
    }
    let _ = write!(
        s,
        "\n   Kudos received: {} · given: {} · customer feedback: {}",
        st.totals.received, st.totals.given, st.totals.feedback
    );
    if !st.top_values.is_empty() {
        let tops: Vec<String> = st
            .top_values
            .iter()
            .map(|v| format!("{} ({})", v.value, v.count))
            .collect();
        let _ = write!(s, "\n   Top values: {}", tops.join(", "));
    }
    if let Some(k) = &st.first {
        let _ = write!(
            s,
            "\n   First kudos: {} from {}: “{}”",
            k.local_date, k.giver.name, k.message
        );
    }
    if let Some(k) = &st.latest {
        let _ = write!(
            s,
            "\n   Latest kudos: {} from {}: “{}”",
            k.local_date, k.giver.name, k.message
        );
    }
    match st.left_today {
        Some(left) => {
            let _ = write!(s, "\n   Allowance today: {left} of {} left", st.allowance);
        }
        None => s.push_str("\n   Allowance today: unlimited"),
    }
    if st.medallions_total > 0 {
        let _ = write!(
            s,
            "\n   🏅 Service medallions received: {} this year ({} in all)",
            st.medallions_year, st.medallions_total
        );
    }
    if let Some((left, per_year)) = st.medallions_left {
        let _ = write!(s, "\n   🏅 {}", medallions_left(left, per_year));
    }
    let _ = write!(
        s,
        "\n   Customers thanked (thank-you notes): {} this week ({} in all)",
        st.customers_week, st.customers_total
    );
    if let Some(link) = &st.book_link {
        let _ = write!(
            s,
            "\n   📖 Your thank-you book, to print and take home (this link is yours alone): {link}"
        );
    }
    s
}

pub fn week_plan(p: &WeekPlan) -> String {
    let mut s = format!(
        "Customer Service Week {}: {} to {}{}\n",
        p.year,
        p.dates.start,
        p.dates.end,
        if p.overridden {
            " (moved by an admin)"
        } else {
            ""
        }
    );
    for day in &p.days {
        match &day.theme {
            Some(t) => {
                let _ = writeln!(
                    s,
                    "  {} {}  Day {}: {}\n      {}\n      Try this: {}",
                    &weekday_name(day.date)[..3],
                    day.date,
                    day.number,
                    t.title,
                    t.prompt,
                    t.action
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {} {}  Thanks all round",
                    &weekday_name(day.date)[..3],
                    day.date
                );
            }
        }
    }
    s.trim_end().to_string()
}

pub fn settings(
    ws: &Workspace,
    week: &crate::domain::calendar::WeekDates,
    departments: &[(String, i64)],
) -> String {
    let st = &ws.settings;
    let mut s = format!("⚙️  Settings for {}\n", ws.name);
    let _ = writeln!(s, "   time zone: {}", st.timezone.name());
    let _ = writeln!(
        s,
        "   celebration channel: {}",
        st.celebration_channel
            .as_deref()
            .map(|c| format!("#{c}"))
            .unwrap_or_else(|| "none (posts go to the current channel)".into())
    );
    let _ = writeln!(
        s,
        "   daily allowance: {}",
        crate::replies::allowance_words(st.daily_allowance)
    );
    let _ = writeln!(s, "   values: {}", st.values.join(", "));
    let _ = writeln!(
        s,
        "   prompts: {} at {}",
        if st.prompts_enabled { "on" } else { "off" },
        st.prompt_time.format("%H:%M")
    );
    let _ = writeln!(s, "   kudos emoji: {}", st.kudos_emoji);
    let _ = writeln!(
        s,
        "   service medallions: {}",
        crate::replies::medallions_words(st.medallions_per_year)
    );
    let _ = writeln!(
        s,
        "   welcome for newcomers: {}",
        if st.welcome_enabled { "on" } else { "off" }
    );
    let _ = writeln!(
        s,
        "   Customer Service Week: {} to {}",
        week.start, week.end
    );
    if !departments.is_empty() {
        let list: Vec<String> = departments
            .iter()
            .map(|(d, n)| format!("{d} ({n})"))
            .collect();
        let _ = writeln!(s, "   departments: {}", list.join(", "));
    }
    s.trim_end().to_string()
}

/// "posts: heads-up 09:00, prompt 09:00, recap 17:00, awards 16:00, book 16:00, digest off".
pub fn post_schedule(s: &crate::domain::schedule::Schedule) -> String {
    let parts: Vec<String> = s
        .settings
        .iter()
        .map(|(k, p)| {
            if p.enabled && *k == crate::domain::schedule::PostKind::Book && s.follows_awards() {
                format!(
                    "book {} (with the awards)",
                    s.effective_time(*k).format("%H:%M")
                )
            } else if p.enabled {
                format!("{} {}", k.as_str(), p.time.format("%H:%M"))
            } else {
                format!("{} off", k.as_str())
            }
        })
        .collect();
    format!(
        "scheduled posts{}: {}",
        if s.master { "" } else { " (all off)" },
        parts.join(", ")
    )
}

/// "You still have your service medallion for this year", "2 of 3 left", "none left".
pub fn medallions_left(left: u32, per_year: u32) -> String {
    match (left, per_year) {
        (_, 0) => "Service medallions are off in this workspace.".to_string(),
        (1, 1) => {
            "You still have your service medallion for this year: /medallion @name why.".to_string()
        }
        (0, 1) => "You have given your service medallion for this year.".to_string(),
        (0, n) => format!("You have given all {n} of your service medallions for this year."),
        (l, n) => format!("Service medallions left this year: {l} of {n} (/medallion @name why)."),
    }
}

/// The private reply to a medallion given.
pub fn medallion_confirmation(given: &GivenMedallion) -> String {
    let m = &given.medallion;
    if !given.created {
        return format!(
            "That medallion was already recorded (medallion #{}); nothing was added.",
            m.id
        );
    }
    format!(
        "Service medallion given to {} (medallion #{}). {}",
        m.recipient.name,
        m.id,
        match (given.left, given.per_year) {
            (0, 1) => "That was your medallion for this year.".to_string(),
            (0, _) => "That was your last medallion for this year.".to_string(),
            (1, _) => "You have 1 more this year.".to_string(),
            (n, _) => format!("You have {n} more this year."),
        }
    )
}

/// What the celebration channel shows for a new medallion: its own look, apart from kudos.
pub fn medallion_announcement(m: &Medallion) -> String {
    format!(
        "🏅 Service medallion {} · {} honours {}: “{}” (medallion #{})",
        m.year, m.giver.name, m.recipient.name, m.message, m.id
    )
}

/// The private reply to `/undo`.
pub fn undone(u: &Undone) -> String {
    match u {
        Undone::Kudos(k) => removed(k),
        Undone::Medallion(m) => format!(
            "Undone: your service medallion #{} to {} is withdrawn and you have it back for {}.",
            m.id, m.recipient.name, m.year
        ),
    }
}

/// The private reply to `/thanked-customer`.
pub fn customer_thanks(c: &CustomerThanks, created: bool) -> String {
    let mut s = if created {
        "💌 Thank you for thanking a customer! Recorded".to_string()
    } else {
        "💌 That was already recorded".to_string()
    };
    if let Some(note) = &c.note {
        let _ = write!(s, " (“{note}”)");
    }
    let _ = write!(
        s,
        ". You have thanked {} this week ({} in all); the team has thanked {} today.",
        customers(c.mine_week),
        c.mine_total,
        customers(c.team_today)
    );
    s
}

/// "1 customer", "3 customers".
pub fn customers(n: i64) -> String {
    if n == 1 {
        "1 customer".to_string()
    } else {
        format!("{n} customers")
    }
}
