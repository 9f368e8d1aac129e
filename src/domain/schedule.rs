//! What the week's scheduler posts and when, in a workspace's own time zone. Pure: the
//! scheduler service asks it what is due and keeps the ledger.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::calendar::WeekDates;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PostKind {
    /// The Friday before the week: it starts Monday, the plan, how to take part.
    HeadsUp,
    /// Each day of the week: the day's theme.
    Prompt,
    /// Every day of the week but the last: the day in numbers.
    Recap,
    /// The last day: the week's awards.
    Awards,
    /// After the awards: a direct message to everyone thanked, with every thank-you.
    Book,
    /// Off by default: a Friday digest outside the week.
    Digest,
    /// The Excellence in Service awards' ceremony, once, when admins scheduled it (and a direct
    /// message to each winner). Not one of the week's posts: it has no setting of its own.
    Ceremony,
    /// Once per awards round: nominations have closed (at their time, or early). Not one of the
    /// week's posts either.
    NominationsClosed,
}

pub const ALL_KINDS: [PostKind; 6] = [
    PostKind::HeadsUp,
    PostKind::Prompt,
    PostKind::Recap,
    PostKind::Awards,
    PostKind::Book,
    PostKind::Digest,
];

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::HeadsUp => "heads-up",
            PostKind::Prompt => "prompt",
            PostKind::Recap => "recap",
            PostKind::Awards => "awards",
            PostKind::Book => "book",
            PostKind::Digest => "digest",
            PostKind::Ceremony => "ceremony",
            PostKind::NominationsClosed => "nominations-closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase().replace(['_', ' '], "-");
        ALL_KINDS.into_iter().find(|k| {
            k.as_str() == s
                || (s == "headsup" && *k == PostKind::HeadsUp)
                || (s == "thank-you-book" && *k == PostKind::Book)
        })
    }

    pub fn default_setting(self) -> PostSetting {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        match self {
            PostKind::HeadsUp => PostSetting {
                enabled: true,
                time: at(9, 0),
            },
            PostKind::Prompt => PostSetting {
                enabled: true,
                time: at(9, 0),
            },
            PostKind::Recap => PostSetting {
                enabled: true,
                time: at(17, 0),
            },
            PostKind::Awards => PostSetting {
                enabled: true,
                time: at(16, 0),
            },
            // The book follows the awards: its own time is only used when the awards are off.
            PostKind::Book => PostSetting {
                enabled: true,
                time: at(16, 0),
            },
            PostKind::Digest => PostSetting {
                enabled: false,
                time: at(16, 0),
            },
            PostKind::Ceremony | PostKind::NominationsClosed => PostSetting {
                enabled: true,
                time: at(16, 0),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostSetting {
    pub enabled: bool,
    pub time: NaiveTime,
}

/// A workspace's post settings: each kind's switch and local time. The daily prompt's time is
/// the workspace's `prompt_time`; `master` is the workspace's "prompts on/off".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub master: bool,
    pub settings: Vec<(PostKind, PostSetting)>,
}

impl Schedule {
    pub fn new(
        master: bool,
        prompt_time: NaiveTime,
        overrides: &[(PostKind, PostSetting)],
    ) -> Self {
        let settings = ALL_KINDS
            .iter()
            .map(|&k| {
                let mut s = overrides
                    .iter()
                    .find(|(o, _)| *o == k)
                    .map(|(_, s)| *s)
                    .unwrap_or_else(|| k.default_setting());
                if k == PostKind::Prompt {
                    s.time = prompt_time;
                }
                (k, s)
            })
            .collect();
        Self { master, settings }
    }

    /// When the post really goes out: the book follows the awards while they are on.
    pub fn effective_time(&self, kind: PostKind) -> NaiveTime {
        if kind == PostKind::Book && self.follows_awards() {
            self.get(PostKind::Awards).time
        } else {
            self.get(kind).time
        }
    }

    /// True when the book goes out with the awards rather than at its own time.
    pub fn follows_awards(&self) -> bool {
        self.get(PostKind::Awards).enabled
    }

    pub fn get(&self, kind: PostKind) -> PostSetting {
        self.settings
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| kind.default_setting())
    }
}

/// One post the plan says is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub kind: PostKind,
    pub local_date: NaiveDate,
    /// The day of the week's plan (1 = first day), for prompts and recaps.
    pub day: Option<u8>,
    pub due: DateTime<Utc>,
}

/// The Friday before the week starts.
pub fn heads_up_date(week: &WeekDates) -> NaiveDate {
    let mut d = week.start - Duration::days(1);
    while d.weekday() != Weekday::Fri {
        d -= Duration::days(1);
    }
    d
}

/// The instant a local date and time happen: the earlier one when the clocks go back, the first
/// valid minute after when they skip it.
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut t = date.and_time(time);
    for _ in 0..(24 * 60) {
        if let Some(instant) = tz.from_local_datetime(&t).earliest() {
            return instant.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&date.and_time(time))
}

/// Every post planned on local `date`, in posting order.
pub fn posts_on(date: NaiveDate, tz: Tz, week: &WeekDates, schedule: &Schedule) -> Vec<Planned> {
    let mut out = Vec::new();
    if !schedule.master {
        return out;
    }
    let mut add = |kind: PostKind, day: Option<u8>, time: NaiveTime| {
        if schedule.get(kind).enabled {
            out.push(Planned {
                kind,
                local_date: date,
                day,
                due: local_instant(tz, date, time),
            });
        }
    };
    let day = week.day_number(date);
    let length = ((week.end - week.start).num_days() + 1) as u8;
    if date == heads_up_date(week) {
        add(
            PostKind::HeadsUp,
            None,
            schedule.get(PostKind::HeadsUp).time,
        );
    }
    if let Some(n) = day {
        add(
            PostKind::Prompt,
            Some(n),
            schedule.get(PostKind::Prompt).time,
        );
    }
    if let Some(n) = day.filter(|n| *n < length) {
        add(PostKind::Recap, Some(n), schedule.get(PostKind::Recap).time);
    }
    if date == week.end {
        add(PostKind::Awards, day, schedule.get(PostKind::Awards).time);
        add(PostKind::Book, day, schedule.effective_time(PostKind::Book));
    }
    if date.weekday() == Weekday::Fri && day.is_none() {
        add(PostKind::Digest, None, schedule.get(PostKind::Digest).time);
    }
    out.sort_by_key(|p| (p.due, p.kind));
    out
}

/// The first planned post due strictly after `after`, looking up to a year and a bit ahead.
pub fn next_due(
    after: DateTime<Utc>,
    tz: Tz,
    week_of: impl Fn(i32) -> WeekDates,
    schedule: &Schedule,
) -> Option<DateTime<Utc>> {
    if !schedule.master {
        return None;
    }
    let start = after.with_timezone(&tz).date_naive() - Duration::days(1);
    (0..400).find_map(|i| {
        let date = start + Duration::days(i);
        let week = week_of(date.year());
        let next_week = week_of(date.year() + 1);
        // The heads-up of next year's week can fall in this year only in theory; checking both
        // weeks keeps the plan right whatever an admin moved.
        let mut due: Vec<DateTime<Utc>> = posts_on(date, tz, &week, schedule)
            .into_iter()
            .chain(
                posts_on(date, tz, &next_week, schedule)
                    .into_iter()
                    .filter(|p| p.kind == PostKind::HeadsUp),
            )
            .map(|p| p.due)
            .filter(|d| *d > after)
            .collect();
        due.sort();
        due.first().copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn standard() -> Schedule {
        Schedule::new(true, t(9, 0), &[])
    }

    #[test]
    fn the_2026_week_in_sydney_crosses_a_daylight_saving_change() {
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        let week = WeekDates::standard(2026);
        assert_eq!(heads_up_date(&week), d(2026, 10, 2));
        let friday = posts_on(d(2026, 10, 2), tz, &week, &standard());
        assert_eq!(friday.len(), 1);
        assert_eq!(
            friday[0].due.to_rfc3339(),
            "2026-10-01T23:00:00+00:00",
            "AEST, +10"
        );
        let monday = posts_on(d(2026, 10, 5), tz, &week, &standard());
        let kinds: Vec<_> = monday.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PostKind::Prompt, PostKind::Recap]);
        assert_eq!(
            monday[0].due.to_rfc3339(),
            "2026-10-04T22:00:00+00:00",
            "AEDT, +11"
        );
        let last = posts_on(d(2026, 10, 9), tz, &week, &standard());
        let kinds: Vec<_> = last.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PostKind::Prompt, PostKind::Awards, PostKind::Book]);
    }

    #[test]
    fn a_skipped_local_time_posts_at_the_next_valid_minute() {
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        // 02:30 on 4 October 2026 does not exist in Sydney.
        let instant = local_instant(tz, d(2026, 10, 4), t(2, 30));
        assert_eq!(
            instant.with_timezone(&tz).format("%H:%M").to_string(),
            "03:00"
        );
        // 02:30 on 5 April 2026 happens twice; the first one counts.
        let twice = local_instant(tz, d(2026, 4, 5), t(2, 30));
        assert_eq!(twice.to_rfc3339(), "2026-04-04T15:30:00+00:00");
    }

    #[test]
    fn switches_and_the_master_switch() {
        let tz: Tz = "UTC".parse().unwrap();
        let week = WeekDates::standard(2026);
        let off = PostSetting {
            enabled: false,
            time: t(17, 0),
        };
        let no_recap = Schedule::new(true, t(9, 0), &[(PostKind::Recap, off)]);
        assert_eq!(posts_on(d(2026, 10, 6), tz, &week, &no_recap).len(), 1);
        let none = Schedule::new(false, t(9, 0), &[]);
        assert!(posts_on(d(2026, 10, 6), tz, &week, &none).is_empty());
        assert_eq!(next_due(Utc::now(), tz, WeekDates::standard, &none), None);
    }

    #[test]
    fn next_due_finds_the_next_post_even_a_year_away() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let after = Utc.with_ymd_and_hms(2026, 10, 9, 16, 0, 0).unwrap();
        let next = next_due(after, tz, WeekDates::standard, &standard()).unwrap();
        // The heads-up for 2027's week (Monday 4 October): Friday 1 October, 09:00 BST.
        assert_eq!(next.to_rfc3339(), "2027-10-01T08:00:00+00:00");
        let monday = Utc.with_ymd_and_hms(2026, 10, 5, 7, 59, 0).unwrap();
        let next = next_due(monday, tz, WeekDates::standard, &standard()).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-10-05T08:00:00+00:00");
    }

    #[test]
    fn digest_runs_on_fridays_outside_the_week_when_switched_on() {
        let tz: Tz = "UTC".parse().unwrap();
        let week = WeekDates::standard(2026);
        let on = PostSetting {
            enabled: true,
            time: t(16, 0),
        };
        let s = Schedule::new(true, t(9, 0), &[(PostKind::Digest, on)]);
        assert_eq!(
            posts_on(d(2026, 11, 27), tz, &week, &s)[0].kind,
            PostKind::Digest
        );
        assert!(!posts_on(d(2026, 10, 9), tz, &week, &s)
            .iter()
            .any(|p| p.kind == PostKind::Digest));
    }
}
