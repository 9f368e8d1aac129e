//! Message cleaning and mention defusing, names, value tags and the kudos emoji: defused text
//! never holds a live mass mention, and every refusal is the documented one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotlight::domain::emoji::{matches_shortcode, parse_kudos_emoji};
use spotlight::domain::error::Refusal;
use spotlight::domain::text::{clean_message, clean_name, defuse_mentions, match_value, value_key};
use spotlight_fuzz::live_mass_mention;

const ZWSP: char = '\u{200B}';

fuzz_target!(|input: (u16, &str, Vec<String>)| {
    let (max, text, values) = input;
    let max = usize::from(max % 600) + 1;
    let defused = defuse_mentions(text);
    assert_eq!(live_mass_mention(&defused), None, "{text:?} -> {defused:?}");
    assert_eq!(defused.replace(ZWSP, ""), text.replace(ZWSP, ""));
    assert_eq!(defuse_mentions(&defused), defused);
    let trimmed = text.trim();
    match clean_message(text, max) {
        Ok(m) => assert_eq!(m, defuse_mentions(trimmed)),
        Err(Refusal::EmptyMessage) => assert!(trimmed.is_empty()),
        Err(Refusal::MessageTooLong { len, max: m }) => assert!(len > m && m == max),
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    match clean_name(text, max) {
        Ok(n) => assert_eq!(live_mass_mention(&n), None),
        Err(Refusal::InvalidName(_, m)) => assert_eq!(m, max),
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    if !values.is_empty() {
        match match_value(text, &values) {
            Ok(v) => assert!(values.contains(&v) && value_key(&v) == value_key(text)),
            Err(Refusal::UnknownValue { .. }) => {}
            Err(other) => panic!("{text:?}: {other:?}"),
        }
    }
    match parse_kudos_emoji(text) {
        Ok(e) => assert_eq!(parse_kudos_emoji(&e), Ok(e.clone())),
        Err(Refusal::InvalidEmoji(_)) => {}
        Err(other) => panic!("{text:?}: {other:?}"),
    }
    for v in &values {
        let _ = matches_shortcode(text, v);
    }
});
