//! Dates (`/config week`), time zones, the shell's clock times (`:clock`, `+30m`), days of the
//! week's plan, and periods resolved to dates. Valid values read back the same.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use spotlight::domain::calendar::WeekDates;
use spotlight::domain::error::Refusal;
use spotlight::domain::period::Period;
use spotlight::service::{parse_date, parse_timezone};
use spotlight::shell::parse_clock_time;

fuzz_target!(|input: (&str, u16, i64)| {
    let (text, zone, secs) = input;
    match parse_date(text) {
        Ok(d) => assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d)),
        Err(Refusal::InvalidDate(_)) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    match parse_timezone(text) {
        Ok(tz) => assert_eq!(parse_timezone(tz.name()), Ok(tz)),
        Err(Refusal::InvalidTimezone(_)) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    let tz = chrono_tz::TZ_VARIANTS[usize::from(zone) % chrono_tz::TZ_VARIANTS.len()];
    // Any moment from 1970 to the end of 9999.
    let now = DateTime::<Utc>::from_timestamp(secs.rem_euclid(253_402_300_799), 0).unwrap();
    match parse_clock_time(text, tz, now) {
        Ok(_) | Err(Refusal::Usage(_)) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    if let Some(day) = spotlight::domain::themes::parse_day(text) {
        assert!((1..=7).contains(&day));
    }
    match text.parse::<Period>() {
        Ok(p) => {
            let resolved = p.resolve(now.date_naive(), WeekDates::standard);
            if let Some((first, last)) = resolved.dates {
                assert!(first <= last, "{p}: {resolved:?}");
            }
        }
        Err(Refusal::InvalidPeriod(_)) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
});
