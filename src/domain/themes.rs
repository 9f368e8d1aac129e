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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Monday to Friday.
    pub days: [Theme; 5],
    pub posts: PostTexts,
}

/// The wording of the scheduled posts other than the daily prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostTexts {
    pub heads_up_title: String,
    pub heads_up_intro: String,
    pub how_to: String,
    pub late_note: String,
    pub recap_title: String,
    pub recap_quiet: String,
    pub awards_title: String,
    pub awards_intro: String,
    pub book_title: String,
    pub book_intro: String,
    pub digest_title: String,
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
}

impl Plan {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: PlanFile = toml::from_str(text).context("prompts file is not valid")?;
        let count = file.day.len();
        let days: [Theme; 5] = file.day.try_into().map_err(|_| {
            anyhow::anyhow!("prompts file: expected 5 [[day]] entries, found {count}")
        })?;
        for (i, day) in days.iter().enumerate() {
            if day.title.trim().is_empty() || day.prompt.trim().is_empty() {
                bail!("prompts file: day {} needs a title and a prompt", i + 1);
            }
        }
        Ok(Self {
            days,
            posts: file.posts,
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

/// Accepts 1-5 or a weekday name (monday-friday, or its first three letters).
pub fn parse_day(s: &str) -> Option<u8> {
    let s = s.trim().to_lowercase();
    if let Ok(n) = s.parse::<u8>() {
        return (1..=5).contains(&n).then_some(n);
    }
    ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .position(|name| s.len() >= 3 && name.starts_with(&s))
        .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_plan_has_the_five_themes() {
        let plan = Plan::builtin();
        assert_eq!(plan.days[0].title, "Thank a teammate");
        assert_eq!(plan.days[1].title, "Internal customers");
        assert_eq!(plan.days[4].title, "Excellence in Service");
    }

    #[test]
    fn wrong_number_of_days_is_refused() {
        let one_day = DEFAULT_PROMPTS.split("[[day]]").nth(1).unwrap();
        let posts = &DEFAULT_PROMPTS[DEFAULT_PROMPTS.find("[posts]").unwrap()..];
        let err = Plan::parse(&format!("[[day]]{one_day}\n{posts}")).unwrap_err();
        assert!(format!("{err:#}").contains("expected 5"));
    }

    #[test]
    fn days_parse_by_number_or_name() {
        assert_eq!(parse_day("1"), Some(1));
        assert_eq!(parse_day("Wednesday"), Some(3));
        assert_eq!(parse_day("fri"), Some(5));
        assert_eq!(parse_day("6"), None);
        assert_eq!(parse_day("sat"), None);
    }
}
