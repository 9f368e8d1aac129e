//! Leaderboard periods and boards, and the aggregate buckets a thank-you is counted in.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate};

use super::calendar::{monday_of, WeekDates};
use super::error::Refusal;

/// Lower case without separators, so "All-time", "all_time" and "csw:2025" all parse.
fn loose(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | ':'))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    Week,
    /// Customer Service Week of a year; `None` is the latest week that has started.
    Csw(Option<i32>),
    Month,
    Year,
    All,
}

impl FromStr for Period {
    type Err = Refusal;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let period = match loose(s).as_str() {
            "today" | "day" => Period::Today,
            "week" | "thisweek" => Period::Week,
            "csw" => Period::Csw(None),
            "month" | "thismonth" => Period::Month,
            "year" | "thisyear" => Period::Year,
            "all" | "alltime" | "ever" => Period::All,
            other => match other.strip_prefix("csw").map(str::parse::<i32>) {
                Some(Ok(year)) if (2000..=2200).contains(&year) => Period::Csw(Some(year)),
                _ => return Err(Refusal::InvalidPeriod(s.trim().to_string())),
            },
        };
        Ok(period)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    Received,
    Given,
    Departments,
    Values,
    CrossTeam,
    /// Service medallions received.
    Medallions,
}

impl FromStr for Board {
    type Err = Refusal;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match loose(s).as_str() {
            "received" | "thanked" | "people" | "recipients" => Board::Received,
            "given" | "thanking" | "givers" => Board::Given,
            "departments" | "department" | "depts" | "dept" | "teams" => Board::Departments,
            "values" | "value" | "tags" => Board::Values,
            "crossteam" | "pairs" | "cross" => Board::CrossTeam,
            "medallions" | "medallion" | "medals" => Board::Medallions,
            _ => return Err(Refusal::InvalidBoard(s.trim().to_string())),
        })
    }
}

impl Board {
    pub fn title(self) -> &'static str {
        match self {
            Board::Received => "People thanked",
            Board::Given => "People thanking",
            Board::Departments => "Departments thanked",
            Board::Values => "Values recognised",
            Board::CrossTeam => "Cross-team thanks",
            Board::Medallions => "Service medallions",
        }
    }

    /// The period a board shows when none is asked for: the year for medallions, which are
    /// given a few a year, and this week for the rest.
    pub fn default_period(self) -> Period {
        match self {
            Board::Medallions => Period::Year,
            _ => Period::Week,
        }
    }
}

/// A period pinned to dates: the bucket its counts live in and how to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPeriod {
    pub bucket: String,
    pub label: String,
    /// First and last local date covered; `None` for all time.
    pub dates: Option<(NaiveDate, NaiveDate)>,
}

impl Period {
    /// Pins the period to dates around `today` (the workspace's local date); `week_of` gives a
    /// year's Customer Service Week for this workspace.
    pub fn resolve(self, today: NaiveDate, week_of: impl Fn(i32) -> WeekDates) -> ResolvedPeriod {
        match self {
            Period::Today => ResolvedPeriod {
                bucket: day_bucket(today),
                label: format!("today ({})", today.format("%a %-d %b %Y")),
                dates: Some((today, today)),
            },
            Period::Week => {
                let monday = monday_of(today);
                let sunday = monday + Duration::days(6);
                ResolvedPeriod {
                    bucket: week_bucket(monday),
                    label: format!(
                        "this week ({} to {})",
                        monday.format("%a %-d %b"),
                        sunday.format("%a %-d %b %Y")
                    ),
                    dates: Some((monday, sunday)),
                }
            }
            Period::Csw(year) => {
                let year = year.unwrap_or_else(|| {
                    if week_of(today.year()).start <= today {
                        today.year()
                    } else {
                        today.year() - 1
                    }
                });
                let week = week_of(year);
                ResolvedPeriod {
                    bucket: csw_bucket(year),
                    label: format!(
                        "Customer Service Week {year} ({} to {})",
                        week.start.format("%a %-d %b"),
                        week.end.format("%a %-d %b")
                    ),
                    dates: Some((week.start, week.end)),
                }
            }
            Period::Month => {
                let first = today.with_day(1).expect("day 1 exists");
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                }
                .expect("valid month");
                ResolvedPeriod {
                    bucket: format!("m:{}", today.format("%Y-%m")),
                    label: format!("this month ({})", today.format("%B %Y")),
                    dates: Some((first, next - Duration::days(1))),
                }
            }
            Period::Year => ResolvedPeriod {
                bucket: format!("y:{}", today.year()),
                label: format!("this year ({})", today.year()),
                dates: Some((
                    NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("valid"),
                    NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("valid"),
                )),
            },
            Period::All => ResolvedPeriod {
                bucket: "a".into(),
                label: "all time".into(),
                dates: None,
            },
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Today => f.write_str("today"),
            Period::Week => f.write_str("week"),
            Period::Csw(None) => f.write_str("csw"),
            Period::Csw(Some(y)) => write!(f, "csw{y}"),
            Period::Month => f.write_str("month"),
            Period::Year => f.write_str("year"),
            Period::All => f.write_str("all"),
        }
    }
}

pub fn day_bucket(date: NaiveDate) -> String {
    format!("d:{}", date.format("%Y-%m-%d"))
}

fn week_bucket(monday: NaiveDate) -> String {
    format!("w:{}", monday.format("%Y-%m-%d"))
}

pub fn csw_bucket(year: i32) -> String {
    format!("c:{year}")
}

/// Every bucket a thank-you given on local `date` is counted in. `in_week` says whether that
/// date falls in the workspace's Customer Service Week of its year.
pub fn buckets_for(date: NaiveDate, in_week: bool) -> Vec<String> {
    let mut buckets = vec![
        "a".to_string(),
        format!("y:{}", date.year()),
        format!("m:{}", date.format("%Y-%m")),
        week_bucket(monday_of(date)),
        day_bucket(date),
    ];
    if in_week {
        buckets.push(csw_bucket(date.year()));
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_periods_and_boards_loosely() {
        assert_eq!("Today".parse::<Period>().unwrap(), Period::Today);
        assert_eq!("all-time".parse::<Period>().unwrap(), Period::All);
        assert_eq!(
            "csw:2025".parse::<Period>().unwrap(),
            Period::Csw(Some(2025))
        );
        assert_eq!(
            "csw2013".parse::<Period>().unwrap(),
            Period::Csw(Some(2013))
        );
        assert!("fortnight".parse::<Period>().is_err());
        assert!("csw99".parse::<Period>().is_err());
        assert_eq!("cross-team".parse::<Board>().unwrap(), Board::CrossTeam);
        assert_eq!("Departments".parse::<Board>().unwrap(), Board::Departments);
        assert!("karma".parse::<Board>().is_err());
    }

    #[test]
    fn week_runs_monday_to_sunday() {
        let p = Period::Week.resolve(d(2026, 10, 11), WeekDates::standard);
        assert_eq!(p.bucket, "w:2026-10-05");
        assert_eq!(p.dates, Some((d(2026, 10, 5), d(2026, 10, 11))));
    }

    #[test]
    fn csw_without_year_is_latest_started_week() {
        let before = Period::Csw(None).resolve(d(2027, 3, 1), WeekDates::standard);
        assert_eq!(before.bucket, "c:2026");
        let during = Period::Csw(None).resolve(d(2026, 10, 6), WeekDates::standard);
        assert_eq!(during.bucket, "c:2026");
        assert_eq!(during.dates, Some((d(2026, 10, 5), d(2026, 10, 9))));
    }

    #[test]
    fn month_end_in_december_and_february() {
        let dec = Period::Month.resolve(d(2026, 12, 15), WeekDates::standard);
        assert_eq!(dec.dates, Some((d(2026, 12, 1), d(2026, 12, 31))));
        let feb = Period::Month.resolve(d(2028, 2, 3), WeekDates::standard);
        assert_eq!(feb.dates, Some((d(2028, 2, 1), d(2028, 2, 29))));
        assert_eq!(feb.bucket, "m:2028-02");
    }

    #[test]
    fn buckets_match_resolved_periods() {
        let date = d(2026, 10, 7);
        let all = buckets_for(date, true);
        for period in [
            Period::Today,
            Period::Week,
            Period::Csw(Some(2026)),
            Period::Month,
            Period::Year,
            Period::All,
        ] {
            let bucket = period.resolve(date, WeekDates::standard).bucket;
            assert!(all.contains(&bucket), "{period} -> {bucket} not in {all:?}");
        }
        assert!(!buckets_for(date, false).contains(&"c:2026".to_string()));
    }

    #[test]
    fn week_bucket_crosses_year_end() {
        // Thursday 31 Dec 2026 and Friday 1 Jan 2027 share the week starting Monday 28 Dec.
        let a = buckets_for(d(2026, 12, 31), false);
        let b = buckets_for(d(2027, 1, 1), false);
        assert!(a.contains(&"w:2026-12-28".to_string()));
        assert!(b.contains(&"w:2026-12-28".to_string()));
        assert!(b.contains(&"y:2027".to_string()));
    }
}
