//! Customer Service Week: Monday to Friday of the first full business week of October.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekDates {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl WeekDates {
    /// The standard week of `year`: the first Monday of October to the Friday after it.
    pub fn standard(year: i32) -> Self {
        let first = NaiveDate::from_ymd_opt(year, 10, 1).expect("1 October exists");
        let to_monday = (7 - first.weekday().num_days_from_monday()) % 7;
        let start = first + Duration::days(i64::from(to_monday));
        Self {
            start,
            end: start + Duration::days(4),
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Which day of the week's plan `date` is (1 for the first day), if it falls in the week.
    pub fn day_number(&self, date: NaiveDate) -> Option<u8> {
        self.contains(date)
            .then(|| (date - self.start).num_days() + 1)
            .and_then(|n| u8::try_from(n).ok())
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        self.start.iter_days().take_while({
            let end = self.end;
            move |d| *d <= end
        })
    }

    /// The longest override accepted: one calendar week.
    pub const MAX_DAYS: i64 = 7;

    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        let days = (end - start).num_days() + 1;
        (1..=Self::MAX_DAYS)
            .contains(&days)
            .then_some(Self { start, end })
    }
}

/// The Monday that starts the calendar week holding `date`.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

pub fn weekday_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn published_years_match() {
        // Dates as published for Customer Service Week.
        for (year, start, end) in [
            (2013, d(2013, 10, 7), d(2013, 10, 11)),
            (2018, d(2018, 10, 1), d(2018, 10, 5)),
            (2020, d(2020, 10, 5), d(2020, 10, 9)),
            (2021, d(2021, 10, 4), d(2021, 10, 8)),
            (2023, d(2023, 10, 2), d(2023, 10, 6)),
            (2024, d(2024, 10, 7), d(2024, 10, 11)),
            (2025, d(2025, 10, 6), d(2025, 10, 10)),
            (2026, d(2026, 10, 5), d(2026, 10, 9)),
        ] {
            assert_eq!(
                WeekDates::standard(year),
                WeekDates { start, end },
                "{year}"
            );
        }
    }

    #[test]
    fn october_first_on_monday_starts_that_day() {
        assert_eq!(WeekDates::standard(2018).start, d(2018, 10, 1));
        assert_eq!(WeekDates::standard(2029).start, d(2029, 10, 1));
    }

    #[test]
    fn day_numbers_cover_the_week_only() {
        let w = WeekDates::standard(2026);
        assert_eq!(w.day_number(d(2026, 10, 4)), None);
        assert_eq!(w.day_number(d(2026, 10, 5)), Some(1));
        assert_eq!(w.day_number(d(2026, 10, 9)), Some(5));
        assert_eq!(w.day_number(d(2026, 10, 10)), None);
        assert_eq!(w.days().count(), 5);
    }

    #[test]
    fn overrides_must_be_one_to_seven_days() {
        assert!(WeekDates::new(d(2026, 10, 12), d(2026, 10, 16)).is_some());
        assert!(WeekDates::new(d(2026, 10, 12), d(2026, 10, 18)).is_some());
        assert!(WeekDates::new(d(2026, 10, 12), d(2026, 10, 19)).is_none());
        assert!(WeekDates::new(d(2026, 10, 12), d(2026, 10, 11)).is_none());
    }

    #[test]
    fn monday_of_handles_sunday() {
        assert_eq!(monday_of(d(2026, 10, 11)), d(2026, 10, 5));
        assert_eq!(monday_of(d(2026, 10, 5)), d(2026, 10, 5));
    }
}
