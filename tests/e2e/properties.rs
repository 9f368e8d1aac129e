//! Property tests over what people type: the command line and its mentions and value tags,
//! Slack's escaped mentions, message cleaning and mention defusing, time and date arguments,
//! and configuration values. No input panics, every refusal is one a user is shown as it is
//! (never an internal error), and no text the core stores or the renderers output holds a live
//! mass mention.

use std::fmt::Debug;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::Value;
use slack_morphism::prelude::SlackMessageContent;
use spotlight::chat::parse::{
    first_word, leading_customer, leading_mentions, mention, trailing_tag, valid_name, Mention,
    MAX_NAME_LEN,
};
use spotlight::chat::{self, Answer, Ctx, Names};
use spotlight::domain::emoji::{matches_shortcode, parse_kudos_emoji};
use spotlight::domain::error::{Error, Refusal, APOLOGY};
use spotlight::domain::model::{MemberRef, PlatformUser};
use spotlight::domain::period::{Board, Period};
use spotlight::domain::text::{clean_message, clean_name, defuse_mentions, match_value, value_key};
use spotlight::domain::themes::parse_day;
use spotlight::service::{parse_date, parse_timezone, parse_wall_command};
use spotlight::shell::parse_clock_time;

use crate::support::{Cli, TestApp};

const AT: &str = "2026-10-05T09:00:00Z";
const ZWSP: char = '\u{200B}';

/// Each property runs this many cases: the whole module stays within seconds in debug.
const CASES: u32 = 256;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failure is turned into a named regression test instead of a file in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces that the parsers and the mention rules care about, mixed with arbitrary Unicode.
const FRAGMENTS: &[&str] = &[
    "@",
    "@everyone",
    "@here",
    "@EveryOne",
    "@HERE",
    "@@everyone",
    "<@&",
    "<@&123>",
    "<<@&1>",
    "<!channel>",
    "<!here>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S1|@team>",
    "<!",
    "<",
    ">",
    "<@",
    "<@>",
    "<@U1>",
    "<@U1|dana>",
    "<@ULI|li>",
    "<#C1|general>",
    "<#C1>",
    "|",
    "#",
    "#teamwork",
    "#Going-the-extra-mile",
    "from:",
    "from:\"",
    "\"",
    ":",
    ",",
    "&",
    "&lt;",
    "&gt;",
    "&amp;",
    "\u{200B}",
    "\u{FE0F}",
    "é",
    "ß",
    "İ",
    "🌟",
    "👍🏽",
    ":star2:",
    ":+1::skin-tone-3:",
    "<:blob:123>",
    "<a:blob:1>",
    "+",
    "-",
    "T",
    "Z",
    "2026-10-05",
    "09:00",
    "24:00",
    "csw",
    "csw2025",
    "today",
    "week",
    "all-time",
    "received",
    "Europe/London",
    "monday",
    "7",
    "on",
    "off",
    "none",
    "reset",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[ \t\n]{1,3}",
        5 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        2 => "[a-zA-Z0-9._-]{1,12}",
        1 => "[0-9]{1,25}",
    ]
}

/// Arbitrary text, often made of the pieces above.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..10).prop_map(|v| v.concat())
}

/// Which mass or role mention `text` would ping with, if any, on Discord or Slack.
fn live_mass_mention(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        "@everyone",
        "@here",
        "<@&",
        "<!channel",
        "<!here",
        "<!everyone",
        "<!subteam^",
    ]
    .into_iter()
    .find(|m| lower.contains(m))
}

fn no_live_mention(what: &str, text: &str) -> Result<(), TestCaseError> {
    match live_mass_mention(text) {
        Some(m) => Err(TestCaseError::fail(format!(
            "{what} holds a live {m}: {text:?}"
        ))),
        None => Ok(()),
    }
}

/// A refusal a user is shown as it is; anything else (an internal error) fails the property.
fn refusal_or_ok<T: Debug>(what: &str, result: &Result<T, Error>) -> Result<(), TestCaseError> {
    match result {
        Ok(_) | Err(Error::Refused(_)) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!(
            "{what}: not a user-facing refusal: {e:?}"
        ))),
    }
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn mentions_parse_or_refuse_with_usage(line in text()) {
        for token in line.split_whitespace() {
            match mention(token) {
                None | Some(Ok(_)) => {}
                Some(Err(Refusal::Usage(_))) => {}
                Some(Err(other)) => prop_assert!(false, "{token:?}: {other:?}"),
            }
        }
        match leading_mentions(&line) {
            Ok((names, rest)) => {
                prop_assert!(line.ends_with(rest), "{rest:?} is not the end of {line:?}");
                prop_assert!(rest.is_empty() || mention(rest.split_whitespace().next().unwrap()).is_none());
                for name in names {
                    match name {
                        Mention::Name(n) => prop_assert_eq!(valid_name(&n), Ok(n.clone())),
                        Mention::User { id, .. } => {
                            prop_assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
                        }
                    }
                }
            }
            Err(Refusal::Usage(_)) => {}
            Err(other) => prop_assert!(false, "{line:?}: {other:?}"),
        }
    }

    #[test]
    fn names_are_checked_and_valid_ones_read_back(raw in text(), name in "[\\p{L}\\p{N}._-]{1,32}") {
        match valid_name(&raw) {
            Ok(n) => {
                prop_assert!(!n.is_empty() && n.chars().count() <= MAX_NAME_LEN);
                prop_assert!(n.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')));
            }
            Err(Refusal::Usage(_)) => {}
            Err(other) => prop_assert!(false, "{raw:?}: {other:?}"),
        }
        prop_assert_eq!(valid_name(&name), Ok(name.clone()));
        prop_assert_eq!(mention(&format!("@{name},")), Some(Ok(Mention::Name(name.clone()))));
    }

    #[test]
    fn slack_escaped_mentions_read_back(
        id in "[A-Z0-9]{1,12}",
        label in "[^\\s|>]{0,20}",
        other in "[A-Z0-9]{1,12}",
        rest in text(),
    ) {
        let rest = rest.trim_start();
        prop_assume!(rest.split_whitespace().next().is_none_or(|w| mention(w).is_none()));
        let line = format!("<@{id}|{label}> <@{other}>: {rest}");
        let (names, after) = leading_mentions(&line).unwrap();
        prop_assert_eq!(
            names,
            vec![
                Mention::User { id: id.clone(), label: Some(label.clone()) },
                Mention::User { id: other.clone(), label: None },
            ]
        );
        prop_assert_eq!(after, rest);
    }

    #[test]
    fn a_trailing_value_tag_comes_off_whole(message in text(), tag in "[^\\s]{1,20}") {
        let (head, value) = trailing_tag(&message);
        prop_assert!(message.starts_with(head));
        if let Some(v) = value {
            prop_assert!(!v.is_empty() && !v.contains(char::is_whitespace));
            let tagged = format!("#{v}");
            prop_assert!(message.trim_end().ends_with(&tagged));
        }
        let line = format!("{message} #{tag}");
        prop_assert_eq!(trailing_tag(&line), (message.as_str(), Some(tag.as_str())));
    }

    #[test]
    fn a_customer_name_comes_off_quoted_or_not(
        text in text(),
        quoted in "[^\"]{0,30}",
        word in "[^\\s\"]{1,20}",
        rest in "[^\\s\"][^\"]{0,30}",
    ) {
        match leading_customer(&text) {
            Ok((_, after)) => prop_assert!(text.ends_with(after)),
            Err(Refusal::UnclosedQuote) => {}
            Err(other) => prop_assert!(false, "{text:?}: {other:?}"),
        }
        let line = format!(" from:\"{quoted}\" {rest}");
        let (customer, after) = leading_customer(&line).unwrap();
        prop_assert_eq!(customer, Some(quoted.clone()));
        prop_assert_eq!(after, rest.as_str());
        let line = format!("from:{word} {rest}");
        let (customer, after) = leading_customer(&line).unwrap();
        prop_assert_eq!(customer, Some(word.clone()));
        prop_assert_eq!(after, rest.as_str());
        prop_assert_eq!(
            leading_customer(&format!("from:\"{quoted} {rest}")).map(|_| ()),
            Err(Refusal::UnclosedQuote)
        );
    }

    #[test]
    fn the_first_word_has_no_space(line in text()) {
        let (word, rest) = first_word(&line);
        prop_assert!(!word.contains(char::is_whitespace));
        prop_assert!(line.trim().starts_with(word));
        prop_assert!(line.trim().ends_with(rest));
    }

    #[test]
    fn defused_text_cannot_ping_and_reads_the_same(raw in text()) {
        let out = defuse_mentions(&raw);
        no_live_mention("defused text", &out)?;
        prop_assert_eq!(out.replace(ZWSP, ""), raw.replace(ZWSP, ""), "only zero-width spaces added");
        prop_assert_eq!(defuse_mentions(&out), out.clone(), "defusing twice changes nothing");
    }

    #[test]
    fn messages_and_names_are_cleaned_or_refused(raw in text(), max in 1usize..40) {
        let trimmed = raw.trim();
        match clean_message(&raw, max) {
            Ok(m) => {
                no_live_mention("a cleaned message", &m)?;
                prop_assert_eq!(m, defuse_mentions(trimmed));
            }
            Err(Refusal::EmptyMessage) => prop_assert!(trimmed.is_empty()),
            Err(Refusal::MessageTooLong { len, max: m }) => {
                prop_assert_eq!(len, trimmed.chars().count());
                prop_assert!(len > m && m == max);
            }
            Err(other) => prop_assert!(false, "{raw:?}: {other:?}"),
        }
        match clean_name(&raw, max) {
            Ok(n) => {
                no_live_mention("a cleaned name", &n)?;
                prop_assert!(!n.trim().is_empty());
            }
            Err(Refusal::InvalidName(_, m)) => {
                prop_assert_eq!(m, max);
                let len = trimmed.chars().count();
                prop_assert!(len == 0 || len > max);
            }
            Err(other) => prop_assert!(false, "{raw:?}: {other:?}"),
        }
    }

    #[test]
    fn value_tags_match_loosely_or_are_refused(
        given in text(),
        values in prop::collection::vec("[\\p{L} _-]{1,20}", 1..6),
        pick in any::<prop::sample::Index>(),
    ) {
        match match_value(&given, &values) {
            Ok(v) => {
                prop_assert!(values.contains(&v));
                prop_assert_eq!(value_key(&v), value_key(&given));
            }
            Err(Refusal::UnknownValue { valid, .. }) => prop_assert_eq!(valid, values.clone()),
            Err(other) => prop_assert!(false, "{given:?}: {other:?}"),
        }
        let wanted = pick.get(&values);
        let typed = format!("#{}", wanted.replace(' ', "-"));
        let found = match_value(&typed, &values).unwrap();
        prop_assert_eq!(value_key(&found), value_key(wanted));
    }

    #[test]
    fn periods_and_boards_parse_or_refuse_and_read_back(word in text(), year in 2000i32..=2200) {
        match word.parse::<Period>() {
            Ok(p) => prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p)),
            Err(Refusal::InvalidPeriod(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        match word.parse::<Board>() {
            Ok(_) | Err(Refusal::InvalidBoard(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        for p in [Period::Today, Period::Week, Period::Csw(None), Period::Csw(Some(year)), Period::Month, Period::Year, Period::All] {
            prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
            prop_assert_eq!(format!(" {} ", p.to_string().to_uppercase()).parse::<Period>(), Ok(p));
        }
        prop_assert_eq!(format!("CSW:{year}").parse::<Period>(), Ok(Period::Csw(Some(year))));
    }

    #[test]
    fn days_parse_by_number_or_name(word in text(), n in 1u8..=7, len in 3usize..=9) {
        if let Some(d) = parse_day(&word) {
            prop_assert!((1..=7).contains(&d));
        }
        prop_assert_eq!(parse_day(&n.to_string()), Some(n));
        let name = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][usize::from(n) - 1];
        let prefix: String = name.chars().take(len).collect();
        prop_assert_eq!(parse_day(&prefix.to_uppercase()), Some(n));
    }

    #[test]
    fn dates_and_zones_parse_or_refuse_and_read_back(
        word in prop_oneof![text(), "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}"],
        days in 0i64..3_000_000,
        zone in any::<prop::sample::Index>(),
    ) {
        match parse_date(&word) {
            Ok(d) => prop_assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d)),
            Err(Refusal::InvalidDate(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        match parse_timezone(&word) {
            Ok(_) | Err(Refusal::InvalidTimezone(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        let date = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + Duration::days(days);
        prop_assert_eq!(parse_date(&format!(" {} ", date.format("%Y-%m-%d"))), Ok(date));
        let tz = zone.get(&chrono_tz::TZ_VARIANTS);
        prop_assert_eq!(parse_timezone(tz.name()), Ok(*tz));
    }

    #[test]
    fn clock_times_parse_or_refuse_and_read_back(
        word in prop_oneof![text(), "\\+[0-9]{1,22}(m|min|h|d)", "[+-]?[0-9]{4,7}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?"],
        zone in any::<prop::sample::Index>(),
        minutes in 0i64..10_000_000,
        secs in 0i64..4_000_000_000,
    ) {
        let tz = *zone.get(&chrono_tz::TZ_VARIANTS);
        let now: DateTime<Utc> = crate::support::t(AT);
        match parse_clock_time(&word, tz, now) {
            Ok(_) | Err(Refusal::Usage(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        prop_assert_eq!(parse_clock_time(&format!("+{minutes}m"), tz, now), Ok(now + Duration::minutes(minutes)));
        let at = Utc.timestamp_opt(secs, 0).unwrap();
        prop_assert_eq!(parse_clock_time(&at.to_rfc3339(), tz, now), Ok(at));
    }

    #[test]
    fn years_and_wall_commands_parse_or_refuse(word in text(), year in 1990i32..=2200) {
        match chat::parse_year(&word) {
            Ok(y) => prop_assert!((1990..=2200).contains(&y)),
            Err(Error::Refused(Refusal::Usage(_))) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        prop_assert_eq!(chat::parse_year(&format!(" {year}")).ok(), Some(year));
        match parse_wall_command(&word) {
            Ok(_) | Err(Refusal::Usage(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
    }

    #[test]
    fn emoji_parse_or_refuse_and_read_back(word in text(), code in "[a-z0-9_+'-]{1,20}") {
        match parse_kudos_emoji(&word) {
            Ok(e) => prop_assert_eq!(parse_kudos_emoji(&e), Ok(e.clone())),
            Err(Refusal::InvalidEmoji(_)) => {}
            Err(other) => prop_assert!(false, "{word:?}: {other:?}"),
        }
        let stored = parse_kudos_emoji(&format!(":{code}:")).unwrap();
        prop_assert!(matches_shortcode(&stored, &code));
        let toned = format!("{code}::skin-tone-2");
        prop_assert!(matches_shortcode(&stored, &toned));
        let _ = matches_shortcode(&word, &word);
    }

    #[test]
    fn slack_escaping_leaves_no_control_characters_and_reads_back(raw in text()) {
        let escaped = spotlight::slack::render::escape(&raw);
        prop_assert!(!escaped.contains('<') && !escaped.contains('>'));
        let back = escaped.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&");
        prop_assert_eq!(back, raw.clone());
        for content in [
            spotlight::slack::render::plain(&raw),
            spotlight::slack::render::titled(&raw),
            spotlight::slack::render::refusal(&raw),
        ] {
            slack_controls(&content, &[])?;
        }
    }
}

/// The text Slack reads as markup in a message: the notification text and every mrkdwn block.
fn slack_markup(content: &SlackMessageContent) -> Vec<String> {
    let json = serde_json::to_value(content).unwrap();
    let mut out = Vec::new();
    if let Some(t) = json["text"].as_str() {
        out.push(t.to_string());
    }
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                    if let Some(t) = map.get("text").and_then(Value::as_str) {
                        out.push(t.to_string());
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&json["blocks"], &mut out);
    out
}

/// Every `<…>` Slack would read in `content` is a channel link or a mention of one of `users`.
fn slack_controls(content: &SlackMessageContent, users: &[&str]) -> Result<(), TestCaseError> {
    for text in slack_markup(content) {
        let mut rest = text.as_str();
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('>') else {
                return Err(TestCaseError::fail(format!("a bare '<' in {text:?}")));
            };
            let inner = &after[..end];
            let ok = match inner.strip_prefix('@') {
                Some(id) => users.contains(&id),
                None => inner.strip_prefix('#').is_some_and(|id| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
                }),
            };
            if !ok {
                return Err(TestCaseError::fail(format!(
                    "<{inner}> is live in {text:?}"
                )));
            }
            rest = &after[end + 1..];
        }
    }
    Ok(())
}

/// Names people as the shell does (`@dana`) and as Slack does (`<@U123|dana>`, by id).
struct TestNames;

impl Names for TestNames {
    async fn person(&self, mention: &Mention) -> spotlight::domain::error::Result<MemberRef> {
        let (id, name) = match mention {
            Mention::Name(n) => (n.to_lowercase(), n.clone()),
            Mention::User { id, .. } => (id.clone(), id.to_lowercase()),
        };
        Ok(MemberRef::User(PlatformUser {
            external_id: id,
            name,
            is_bot: false,
        }))
    }

    fn channel(&self, text: &str) -> spotlight::domain::error::Result<String> {
        Ok(text.trim().trim_start_matches('#').to_string())
    }

    fn show_channel(&self, stored: &str) -> String {
        format!("#{stored}")
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Dates, times and numbers at and past the edges of what chrono and the settings accept.
const EXTREMES: &[&str] = &[
    "+262143-12-31",
    "262143-12-28",
    "-262144-01-01",
    "9999-12-28",
    "0000-01-01",
    "2026-02-30",
    "2026-10-05",
    "2026-10-12 2026-10-16",
    "2026-10-12 2026-12-16",
    "2026-12-30 2027-01-02",
    "1990",
    "2200",
    "99999999999999999999",
    "-1",
    "1000",
    "23:59",
    "00:00",
    "25:00",
    "9:5",
];

/// `/config` subcommands, some with their first argument.
const SUBCOMMANDS: &[&str] = &[
    "",
    "show",
    "timezone",
    "tz",
    "channel",
    "allowance",
    "prompt-time",
    "prompts",
    "emoji",
    "values add",
    "values remove",
    "values",
    "department",
    "department @dana",
    "admin",
    "admin @dana",
    "week",
    "week reset",
    "theme",
    "theme monday title",
    "theme 6 reset",
    "post",
    "post recap",
    "post prompt",
    "wall",
    "wall customers",
    "coverage",
    "revoke",
    "revoke 1",
    "awards",
    "awards open",
    "awards close",
    "awards shortlist",
    "awards pick",
    "awards accept",
    "awards ceremony",
    "awards export",
    "nonsense",
];

/// One argument: often a single word a parser knows, or one at its edges, else any text.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        2 => prop::sample::select(EXTREMES).prop_map(str::to_string),
        1 => text(),
    ]
}

/// A command the shared text commands know (or not), with arguments built to reach each
/// parser: mentions, tags, customers, and every `/config` subcommand's arguments.
fn command_line() -> impl Strategy<Value = (String, String)> {
    let command = prop::sample::select(
        &[
            "kudos",
            "kudos",
            "kudos",
            "feedback",
            "feedback",
            "leaderboard",
            "top",
            "stats",
            "undo",
            "coverage",
            "calendar",
            "values",
            "nominate",
            "config",
            "config",
            "config",
            "spotlight",
            "nope",
        ][..],
    );
    let sub = prop::sample::select(SUBCOMMANDS);
    let who = prop::sample::select(
        &[
            "",
            "@dana ",
            "<@UDANA|dana> ",
            "@dana @li ",
            "<@ULI> ",
            "@ana ",
        ][..],
    );
    let tag = prop_oneof![
        Just(String::new()),
        Just(" #Teamwork".to_string()),
        Just(" #going-the-extra-mile".to_string()),
        text().prop_map(|t| format!(" #{t}")),
    ];
    let config_args = prop_oneof![
        Just(String::new()),
        word(),
        (word(), word()).prop_map(|(a, b)| format!("{a} {b}")),
    ];
    (command, sub, who, text(), text(), tag, config_args).prop_map(
        |(command, sub, who, a, b, tag, config_args)| {
            let args = match command {
                "config" | "spotlight" => format!("{sub} {config_args}"),
                "kudos" => format!("{who}{a}{tag}"),
                "feedback" => format!("{who}from:\"{b}\" {a}"),
                _ => format!("{a} {b}"),
            };
            (command.to_string(), args)
        },
    )
}

#[test]
fn commands_only_refuse_and_nothing_they_store_or_say_can_ping() {
    let rt = runtime();
    let test = rt.block_on(TestApp::with_config(AT, |c| c.defaults.daily_allowance = 0));
    let core = test.core();
    let ws = rt.block_on(test.workspace("acme"));
    let admin = rt.block_on(test.admin(&ws, "ana"));
    let mut runner = TestRunner::new(config(CASES));
    runner
        .run(&command_line(), |(command, args)| {
            let ws = rt.block_on(core.reload(&ws)).unwrap();
            let ctx = Ctx {
                core,
                ws: &ws,
                actor: &admin,
                names: &TestNames,
                here: Some("general".into()),
                event_id: None,
            };
            let Some(result) = rt.block_on(chat::run(&ctx, &command, &args)) else {
                prop_assert_eq!(command, "nope");
                return Ok(());
            };
            let what = format!("/{command} {args}");
            refusal_or_ok(&what, &result)?;
            if let Ok(answer) = &result {
                slack_controls(&spotlight::slack::render::answer(answer), &[])?;
            }
            if let Ok(Answer::Given(given)) = &result {
                let k = &given.kudos;
                no_live_mention("the stored message", &k.message)?;
                no_live_mention("the stored customer", k.customer.as_deref().unwrap_or(""))?;
                no_live_mention("the stored value", k.value.as_deref().unwrap_or(""))?;
                no_live_mention("the confirmation", &spotlight::render::confirmation(given))?;
                no_live_mention("the shell's post", &spotlight::render::announcement(k))?;
                let ids: Vec<String> = k.recipients.iter().map(|r| r.id.to_string()).collect();
                let post = spotlight::slack::render::announcement(k, &ids, "UANA");
                let mut allowed: Vec<&str> = ids.iter().map(String::as_str).collect();
                allowed.push("UANA");
                slack_controls(&post, &allowed)?;
            }
            Ok(())
        })
        .unwrap();
    let stored = rt.block_on(test.stored(&ws));
    assert!(
        !stored.is_empty(),
        "some of the generated kudos went through"
    );
    for k in stored {
        assert_eq!(live_mass_mention(&k.message), None, "{k:?}");
        assert_eq!(live_mass_mention(k.customer.as_deref().unwrap_or("")), None);
    }
}

#[test]
fn settings_arguments_only_refuse() {
    let rt = runtime();
    let test = rt.block_on(TestApp::at(AT));
    let ws = rt.block_on(test.workspace("acme"));
    let admin = rt.block_on(test.admin(&ws, "ana"));
    let args = (
        prop::sample::select(SUBCOMMANDS),
        word(),
        prop_oneof![Just(String::new()), word()],
    )
        .prop_map(|(sub, a, b)| format!("{sub} {a} {b}"));
    let mut runner = TestRunner::new(config(CASES));
    runner
        .run(&args, |args| {
            let ws = rt.block_on(test.core().reload(&ws)).unwrap();
            let ctx = Ctx {
                core: test.core(),
                ws: &ws,
                actor: &admin,
                names: &TestNames,
                here: Some("general".into()),
                event_id: None,
            };
            let result = rt.block_on(chat::configure(&ctx, &args));
            refusal_or_ok(&format!("/config {args}"), &result)?;
            if let Ok(text) = &result {
                slack_controls(
                    &spotlight::slack::render::answer(&Answer::Text(text.clone())),
                    &[],
                )?;
            }
            Ok(())
        })
        .unwrap();
}

/// The shell reads whole lines, `:clock` times and `:as` names included; it answers every one
/// and never with an apology for an internal error.
#[test]
fn shell_lines_are_answered_or_refused() {
    use spotlight::shell::{Shell, ShellOptions};
    let rt = runtime();
    let test = rt.block_on(TestApp::with_config(AT, |c| {
        c.defaults.prompts_enabled = false
    }));
    let line = prop_oneof![
        3 => command_line().prop_map(|(c, a)| format!("/{c} {a}")),
        1 => text().prop_map(|t| format!(":clock {t}")),
        // Small steps, and steps too large for any date: a valid step of centuries runs the
        // scheduler through every post on the way (at most 10,000), which takes minutes.
        1 => "\\+[0-9]{1,4}(m|min|h|d)".prop_map(|t| format!(":clock {t}")),
        1 => "\\+[1-9][0-9]{15,20}(m|min|h|d)".prop_map(|t| format!(":clock {t}")),
        1 => text().prop_map(|t| format!(":as {t}")),
        1 => text(),
    ];
    let opts = ShellOptions {
        user: "ana".into(),
        workspace: "acme".into(),
        at: None,
        pages: None,
    };
    let mut runner = TestRunner::new(config(CASES / 2));
    runner
        .run(&line, |line| {
            test.set_time(AT);
            let out = rt.block_on(async {
                let mut shell = Shell::start(&test.app, test.clock.clone(), &opts)
                    .await
                    .unwrap();
                let mut out = Vec::new();
                shell
                    .run(line.replace('\n', " ").as_bytes(), &mut out)
                    .await
                    .unwrap();
                String::from_utf8(out).unwrap()
            });
            prop_assert!(!out.contains(APOLOGY), "{line:?} -> {out}");
            Ok(())
        })
        .unwrap();
}

/// A configuration file with any value for any key (or any text at all) either starts the
/// command or stops it with exit status 2 and one line naming what is wrong; never a panic.
#[test]
fn config_values_are_accepted_or_refused_in_one_line() {
    let cli = Cli::new();
    let path = cli.dir.path().join("spotlight.toml");
    let keys = prop::sample::select(
        &[
            "database.url",
            "database.max_connections",
            "database.busy_timeout_ms",
            "database.wal_limit_mb",
            "log.format",
            "log.level",
            "defaults.timezone",
            "defaults.daily_allowance",
            "defaults.values",
            "defaults.prompt_time",
            "defaults.prompts_enabled",
            "defaults.kudos_emoji",
            "rules.undo_window_minutes",
            "rules.max_message_chars",
            "prompts.file",
            "discord.api_base_url",
            "discord.dev_guild_id",
            "discord.shards",
            "discord.shard_count",
            "slack.api_base_url",
            "server.listen",
            "server.public_url",
            "server.metrics_listen",
            "scheduler.tick_ms",
            "defaults.nope",
            "nope.key",
        ][..],
    );
    let value = prop_oneof![
        text().prop_map(toml::Value::String),
        any::<i64>().prop_map(toml::Value::Integer),
        (0i64..5000).prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
        prop::collection::vec(text().prop_map(toml::Value::String), 0..4)
            .prop_map(toml::Value::Array),
    ];
    let file = prop_oneof![
        3 => (keys, value).prop_map(|(key, value)| {
            let (section, name) = key.split_once('.').unwrap();
            format!("[{section}]\n{name} = {value}\n")
        }),
        1 => text(),
    ];
    let mut runner = TestRunner::new(config(24));
    runner
        .run(&file, |file| {
            std::fs::write(&path, &file).unwrap();
            let run = cli.run_env(
                &["calendar", "1"],
                "",
                &[("SPOTLIGHT_CONFIG", path.to_str().unwrap())],
            );
            let lines: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect();
            prop_assert_eq!(run.code, 2, "{:?}: {}", file, run.stderr);
            prop_assert!(!run.stderr.contains("panicked"), "{file:?}: {}", run.stderr);
            let last = lines.last().copied().unwrap_or_default();
            prop_assert!(last.starts_with("error: "), "{file:?}: {}", run.stderr);
            if last.contains("invalid configuration") {
                prop_assert_eq!(lines.len(), 1, "{:?}: {}", file, run.stderr);
            } else {
                prop_assert!(last.contains("not a year"), "{file:?}: {}", run.stderr);
            }
            Ok(())
        })
        .unwrap();
}

/// Found by `clock_times_parse_or_refuse_and_read_back` and the shell property: a `:clock` step
/// too large for chrono (`+140000000000m`, `+2280132200h`) panicked in `Duration::minutes` or
/// in `DateTime + Duration` and took the whole shell down. It is refused like any bad time.
#[test]
fn a_clock_step_past_the_last_date_is_refused_not_a_panic() {
    let now = crate::support::t(AT);
    for step in [
        "+140000000000m",
        "+2280132200h",
        "+99999999d",
        "+9223372036854775807min",
        "+9223372036854775808d",
    ] {
        match parse_clock_time(step, chrono_tz::UTC, now) {
            Err(Refusal::Usage(m)) => assert!(m.contains("is not a time"), "{step}: {m}"),
            other => panic!("{step}: {other:?}"),
        }
    }
    let cli = Cli::new();
    let run = cli.shell("ana", AT, ":clock +140000000000m\n:clock +1d\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("'+140000000000m' is not a time"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("It is Tue 6 Oct 2026"),
        "{}",
        run.stdout
    );
}
