//! The week's day-by-day plan, read from `config/prompts.toml`.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

pub const DEFAULT_PROMPTS: &str = include_str!("../../config/prompts.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub title: String,
    pub prompt: String,
    pub action: String,
}

/// A week runs one to seven days (five as standard), each with its own theme.
pub const MAX_DAYS: usize = 7;
const STANDARD_DAYS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Day 1 to day 7 of the week; days 6 and 7 only run when an admin stretches the week.
    pub days: [Theme; MAX_DAYS],
    pub posts: PostTexts,
    pub welcome: WelcomeTexts,
}

/// The one-time private welcome; a prompts file without `[welcome]` uses the built-in texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WelcomeTexts {
    /// What Spotlight is, how to thank a colleague, what the week is about. Placeholders:
    /// {emoji} (the kudos reaction), {start} and {end} (this year's Customer Service Week).
    pub text: String,
    /// Put before `text` for someone thanked for the first time: {giver}.
    pub thanked: String,
    /// Put before `text` for someone who just joined the workspace.
    pub joined: String,
}

impl Default for WelcomeTexts {
    fn default() -> Self {
        builtin_file()
            .welcome
            .expect("built-in prompts.toml has [welcome]")
    }
}

fn builtin_file() -> PlanFile {
    toml::from_str(DEFAULT_PROMPTS).expect("built-in prompts.toml is valid")
}

/// The wording of the scheduled posts other than the daily prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostTexts {
    pub heads_up_title: String,
    pub heads_up_intro: String,
    pub how_to: String,
    pub late_note: String,
    /// For a post a settings change moved into the past; older prompt files may lack it.
    #[serde(default = "default_moved_note")]
    pub moved_note: String,
    pub recap_title: String,
    pub recap_quiet: String,
    pub awards_title: String,
    pub awards_intro: String,
    pub book_title: String,
    pub book_intro: String,
    pub digest_title: String,
}

fn default_moved_note() -> String {
    "(Posted at {now}: the schedule was changed after {time} had passed.)".to_string()
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    day: Vec<Theme>,
    posts: PostTexts,
    #[serde(default)]
    welcome: Option<WelcomeTexts>,
}

impl Plan {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: PlanFile = toml::from_str(text).context("prompts file is not valid")?;
        let count = file.day.len();
        if !(STANDARD_DAYS..=MAX_DAYS).contains(&count) {
            bail!("prompts file: expected 5 to 7 [[day]] entries (one a day), found {count}");
        }
        let mut days = file.day;
        if count < MAX_DAYS {
            // A file written for the standard week borrows the built-in themes of days 6 and 7.
            let builtin: PlanFile =
                toml::from_str(DEFAULT_PROMPTS).context("built-in prompts file")?;
            days.extend(builtin.day.into_iter().skip(count));
        }
        let days: [Theme; MAX_DAYS] = days
            .try_into()
            .map_err(|_| anyhow::anyhow!("prompts file: the built-in plan has too few days"))?;
        for (i, day) in days.iter().enumerate() {
            if day.title.trim().is_empty() || day.prompt.trim().is_empty() {
                bail!("prompts file: day {} needs a title and a prompt", i + 1);
            }
        }
        Ok(Self {
            days,
            posts: file.posts,
            welcome: file.welcome.unwrap_or_default(),
        })
    }

    pub fn builtin() -> Self {
        Self::parse(DEFAULT_PROMPTS).expect("built-in prompts.toml is valid")
    }

    /// Loads `path`, or the built-in plan when `path` is empty.
    pub fn load(path: &str) -> anyhow::Result<Self> {
        if path.trim().is_empty() {
            return Ok(Self::builtin());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("prompts.file: cannot read '{path}'"))?;
        Self::parse(&text).with_context(|| format!("prompts.file: '{path}'"))
    }
}

/// Accepts 1-7 or a weekday name (monday-sunday, or its first three letters) for the day of
/// the week it names in a week that starts on Monday.
pub fn parse_day(s: &str) -> Option<u8> {
    let s = s.trim().to_lowercase();
    if let Ok(n) = s.parse::<u8>() {
        return (1..=MAX_DAYS as u8).contains(&n).then_some(n);
    }
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .position(|name| s.len() >= 3 && name.starts_with(&s))
    .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_plan_has_the_five_themes_and_two_for_longer_weeks() {
        let plan = Plan::builtin();
        assert_eq!(plan.days[0].title, "Thank a teammate");
        assert_eq!(plan.days[1].title, "Internal customers");
        assert_eq!(plan.days[4].title, "Excellence in Service");
        assert_eq!(plan.days[5].title, "Thanks all round");
    }

    #[test]
    fn a_five_day_file_borrows_the_builtin_weekend() {
        let five: String = DEFAULT_PROMPTS
            .split("[[day]]")
            .take(6)
            .collect::<Vec<_>>()
            .join("[[day]]");
        let posts = &DEFAULT_PROMPTS[DEFAULT_PROMPTS.find("[posts]").unwrap()..];
        let plan = Plan::parse(&format!("{five}\n{posts}")).unwrap();
        assert_eq!(plan.days[6], Plan::builtin().days[6]);
    }

    #[test]
    fn wrong_number_of_days_is_refused() {
        let one_day = DEFAULT_PROMPTS.split("[[day]]").nth(1).unwrap();
        let posts = &DEFAULT_PROMPTS[DEFAULT_PROMPTS.find("[posts]").unwrap()..];
        let err = Plan::parse(&format!("[[day]]{one_day}\n{posts}")).unwrap_err();
        assert!(format!("{err:#}").contains("expected 5 to 7"));
    }

    #[test]
    fn days_parse_by_number_or_name() {
        assert_eq!(parse_day("1"), Some(1));
        assert_eq!(parse_day("Wednesday"), Some(3));
        assert_eq!(parse_day("fri"), Some(5));
        assert_eq!(parse_day("6"), Some(6));
        assert_eq!(parse_day("sun"), Some(7));
        assert_eq!(parse_day("8"), None);
        assert_eq!(parse_day("holiday"), None);
    }
}
