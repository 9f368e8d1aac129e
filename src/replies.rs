//! The words of the replies to admins' settings, the same on every platform: each adapter only
//! dresses them (Discord turns `#channel` into a channel mention, Slack into its own).

use chrono::Datelike;

use crate::domain::calendar::WeekDates;
use crate::domain::model::{Member, Workspace};
use crate::domain::schedule::{PostKind, Schedule};

pub fn timezone_set(ws: &Workspace) -> String {
    format!("Time zone set to {}.", ws.settings.timezone.name())
}

pub fn prompt_time_set(ws: &Workspace) -> String {
    format!(
        "Daily prompts will be posted at {} ({}).",
        ws.settings.prompt_time.format("%H:%M"),
        ws.settings.timezone.name()
    )
}

/// "unlimited", "1 thank-you per person per day", "5 thank-yous per person per day".
pub fn allowance_words(n: u32) -> String {
    match n {
        0 => "unlimited".to_string(),
        1 => "1 thank-you per person per day".to_string(),
        n => format!("{n} thank-yous per person per day"),
    }
}

pub fn allowance_set(ws: &Workspace) -> String {
    format!(
        "Daily allowance: {}.",
        allowance_words(ws.settings.daily_allowance)
    )
}

pub fn emoji_set(ws: &Workspace) -> String {
    format!("Reacting with {} now gives kudos.", ws.settings.kudos_emoji)
}

pub fn prompts_switched(on: bool) -> String {
    format!("The week's posts are {}.", if on { "on" } else { "off" })
}

pub fn week_set(week: &WeekDates) -> String {
    format!(
        "Customer Service Week {} runs {} to {}.",
        week.start.year(),
        week.start,
        week.end
    )
}

pub fn department_set(member: &Member) -> String {
    match &member.department {
        Some(d) => format!("{} is now in {d}.", member.display_name),
        None => format!("{} is in no department now.", member.display_name),
    }
}

/// What one post's setting now means: when it really goes out, and whether it will at all.
pub fn post_set(ws: &Workspace, schedule: &Schedule, kind: PostKind) -> String {
    let setting = schedule.get(kind);
    let zone = ws.settings.timezone.name();
    let time = schedule.effective_time(kind).format("%H:%M");
    let mut text = if !setting.enabled {
        format!(
            "The {} post is off (when on, it goes out at {time}, {zone}).",
            kind.as_str()
        )
    } else if kind == PostKind::Book && schedule.follows_awards() {
        format!(
            "The book post is on: it goes out with the awards, at {time} ({zone}); its own time, {}, is used when the awards are off.",
            setting.time.format("%H:%M")
        )
    } else {
        format!("The {} post is on, at {time} ({zone}).", kind.as_str())
    };
    if !schedule.master && setting.enabled {
        text.push_str(" But the week's posts are all off: switch them on to send it.");
    }
    text
}

/// Failed posts an admin has not been told about, added to their next reply.
pub fn undelivered(
    notices: &[crate::store::DeliveryFailure],
    show_channel: impl Fn(&str) -> String,
) -> String {
    let mut text = String::new();
    if !notices.is_empty() {
        text.push_str("\n\n⚠ Posts I could not deliver:");
        for f in notices {
            text.push_str(&format!(
                "\n• {} in {}: {}",
                f.what,
                f.channel
                    .as_deref()
                    .map(&show_channel)
                    .unwrap_or_else(|| "?".into()),
                f.reason
            ));
        }
    }
    text
}

/// The deliveries part of an admin's status.
pub fn delivery_status(
    failures: &[crate::store::DeliveryFailure],
    show_channel: impl Fn(&str) -> String,
) -> String {
    if failures.is_empty() {
        return "\n   deliveries: all posts delivered".to_string();
    }
    let mut text = "\n   recent delivery failures:".to_string();
    for f in failures {
        text.push_str(&format!(
            "\n   • {} {} in {}: {}{}",
            f.at.format("%Y-%m-%d %H:%M UTC"),
            f.what,
            f.channel
                .as_deref()
                .map(&show_channel)
                .unwrap_or_else(|| "?".into()),
            f.reason,
            if f.permanent { " (not retried)" } else { "" }
        ));
    }
    text
}

/// The wall's state after `/config wall …` (`command` is how this platform spells it).
pub fn wall(settings: &crate::service::WallSettings, command: &str) -> String {
    let customers = if settings.show_customers {
        "Customers' names are shown on it"
    } else {
        "Customers' names are hidden on it (shout-outs say \"A customer\")"
    };
    match &settings.link {
        Some(link) => format!(
            "🧱 The wall of thanks is on: {link}\n   Anyone with this link can see it; add ?tv=1 for the office screen. {customers} ({command} customers on|off). {command} rotate gives it a new link (the old one stops working), {command} off takes it down."
        ),
        None => format!(
            "The wall of thanks is off. {command} on puts it up and gives you its link. {customers} ({command} customers on|off)."
        ),
    }
}

/// "off", "1 per member per year", "3 per member per year".
pub fn medallions_words(n: u32) -> String {
    match n {
        0 => "off".to_string(),
        n => format!("{n} per member per year"),
    }
}

pub fn medallions_set(ws: &Workspace) -> String {
    format!(
        "Service medallions: {}.",
        medallions_words(ws.settings.medallions_per_year)
    )
}

pub fn welcome_switched(on: bool) -> String {
    if on {
        "Newcomers get a short private welcome the first time they use Spotlight or are thanked."
            .to_string()
    } else {
        "The welcome for newcomers is off.".to_string()
    }
}
