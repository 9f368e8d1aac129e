//! A command's text: the first word, leading mentions (`@dana`, Slack's `<@U1|dana>`), a
//! trailing `#value`, a leading `from:"Customer"`, names, periods, boards, years, days and the
//! wall's words. Every refusal is the documented one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotlight::chat::parse::{
    first_word, leading_customer, leading_mentions, mention, trailing_tag, valid_name, Mention,
};
use spotlight::domain::error::{Error, Refusal};
use spotlight::domain::period::{Board, Period};

fuzz_target!(|line: &str| {
    let (word, rest) = first_word(line);
    assert!(!word.contains(char::is_whitespace));
    assert!(line.trim().ends_with(rest));
    for token in line.split_whitespace() {
        match mention(token) {
            None | Some(Ok(_)) | Some(Err(Refusal::Usage(_))) => {}
            Some(Err(other)) => panic!("{token:?}: {other:?}"),
        }
        match token.parse::<Period>() {
            Ok(p) => assert_eq!(p.to_string().parse::<Period>(), Ok(p)),
            Err(Refusal::InvalidPeriod(_)) => {}
            Err(other) => panic!("{token:?}: {other:?}"),
        }
        match token.parse::<Board>() {
            Ok(_) | Err(Refusal::InvalidBoard(_)) => {}
            Err(other) => panic!("{token:?}: {other:?}"),
        }
    }
    match leading_mentions(line) {
        Ok((names, rest)) => {
            assert!(line.ends_with(rest));
            for name in names {
                match name {
                    Mention::Name(n) => assert_eq!(valid_name(&n), Ok(n.clone())),
                    Mention::User { id, .. } => {
                        assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
                    }
                }
            }
            let (message, tag) = trailing_tag(rest);
            assert!(rest.starts_with(message));
            if let Some(tag) = tag {
                assert!(!tag.is_empty() && !tag.contains(char::is_whitespace));
            }
            match leading_customer(rest) {
                Ok((_, after)) => assert!(rest.ends_with(after)),
                Err(Refusal::UnclosedQuote) => {}
                Err(other) => panic!("{rest:?}: {other:?}"),
            }
        }
        Err(Refusal::Usage(_)) => {}
        Err(other) => panic!("{line:?}: {other:?}"),
    }
    match valid_name(line) {
        Ok(n) => assert!(!n.is_empty() && spotlight::shell::is_valid_name(&n)),
        Err(Refusal::Usage(_)) => {}
        Err(other) => panic!("{line:?}: {other:?}"),
    }
    match spotlight::chat::parse_year(line) {
        Ok(y) => assert!((1990..=2200).contains(&y)),
        Err(Error::Refused(Refusal::Usage(_))) => {}
        Err(other) => panic!("{line:?}: {other:?}"),
    }
    match spotlight::service::parse_wall_command(line) {
        Ok(_) | Err(Refusal::Usage(_)) => {}
        Err(other) => panic!("{line:?}: {other:?}"),
    }
    if let Some(day) = spotlight::domain::themes::parse_day(line) {
        assert!((1..=7).contains(&day));
    }
});
