//! Layered configuration: the built-in `config/default.toml`, then the optional file named by
//! `SPOTLIGHT_CONFIG`, then `SPOTLIGHT_<SECTION>_<KEY>` environment variables.

use std::path::PathBuf;

use anyhow::{bail, Context};
use chrono::NaiveTime;
use chrono_tz::Tz;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::Deserialize;

pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Sections whose keys may be set from the environment. Splitting on the first `_` after the
/// section keeps keys such as `busy_timeout_ms` whole.
const SECTIONS: &[&str] = &[
    "database",
    "log",
    "defaults",
    "rules",
    "prompts",
    "discord",
    "scheduler",
];

/// Secrets share the SPOTLIGHT_ prefix but are never configuration: see `secrets`.
const SECRET_VARS: &[&str] = &["discord_token", "discord_token_file"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub defaults: WorkspaceDefaults,
    pub rules: RulesConfig,
    pub prompts: PromptsConfig,
    pub discord: DiscordConfig,
    pub scheduler: SchedulerConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerConfig {
    pub tick_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    pub api_base_url: String,
    pub dev_guild_id: String,
}

impl DiscordConfig {
    pub fn api_base_url(&self) -> Option<&str> {
        Some(self.api_base_url.trim().trim_end_matches('/')).filter(|u| !u.is_empty())
    }

    pub fn dev_guild_id(&self) -> anyhow::Result<Option<u64>> {
        match self.dev_guild_id.trim() {
            "" => Ok(None),
            id => id.parse::<u64>().map(Some).map_err(|_| {
                anyhow::anyhow!("discord.dev_guild_id: '{id}' is not a Discord guild id (a number)")
            }),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceDefaults {
    pub timezone: String,
    pub daily_allowance: u32,
    pub values: Vec<String>,
    pub prompt_time: String,
    pub prompts_enabled: bool,
    pub kudos_emoji: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    pub undo_window_minutes: u32,
    pub max_message_chars: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptsConfig {
    pub file: String,
}

impl Config {
    /// Loads the three layers from the real process environment.
    pub fn load() -> anyhow::Result<Self> {
        let file = std::env::var_os("SPOTLIGHT_CONFIG").map(PathBuf::from);
        Self::from_figment(Self::figment(file.as_deref()).merge(env_layer()))
    }

    /// The built-in defaults alone: what tests and tools start from.
    pub fn defaults() -> Self {
        Self::from_figment(Self::figment(None)).expect("built-in config/default.toml is valid")
    }

    fn figment(file: Option<&std::path::Path>) -> Figment {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
    }

    fn from_figment(figment: Figment) -> anyhow::Result<Self> {
        let config: Config = figment
            .extract()
            .map_err(|e| anyhow::anyhow!(first_figment_error(e)))
            .context("invalid configuration")?;
        config.validate().context("invalid configuration")?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.database.url.trim().is_empty() {
            bail!("database.url: must not be empty");
        }
        if !(1..=64).contains(&self.database.max_connections) {
            bail!(
                "database.max_connections: {} is out of range (1-64)",
                self.database.max_connections
            );
        }
        if let Err(e) = self.log.level.parse::<tracing_subscriber::EnvFilter>() {
            bail!("log.level: '{}' is not a valid filter: {e}", self.log.level);
        }
        self.defaults.timezone()?;
        self.defaults.prompt_time()?;
        if self.defaults.values.iter().any(|v| v.trim().is_empty()) {
            bail!("defaults.values: value names must not be empty");
        }
        if self.defaults.kudos_emoji.trim().is_empty() {
            bail!("defaults.kudos_emoji: must not be empty");
        }
        self.discord.dev_guild_id()?;
        if !(10..=3_600_000).contains(&self.scheduler.tick_ms) {
            bail!(
                "scheduler.tick_ms: {} is out of range (10-3600000)",
                self.scheduler.tick_ms
            );
        }
        if let Some(url) = self.discord.api_base_url() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("discord.api_base_url: '{url}' must start with http:// or https://");
            }
        }
        if !(1..=4000).contains(&self.rules.max_message_chars) {
            bail!(
                "rules.max_message_chars: {} is out of range (1-4000)",
                self.rules.max_message_chars
            );
        }
        Ok(())
    }
}

impl WorkspaceDefaults {
    pub fn timezone(&self) -> anyhow::Result<Tz> {
        self.timezone.parse::<Tz>().map_err(|_| {
            anyhow::anyhow!(
                "defaults.timezone: '{}' is not an IANA time zone such as Europe/London",
                self.timezone
            )
        })
    }

    pub fn prompt_time(&self) -> anyhow::Result<NaiveTime> {
        NaiveTime::parse_from_str(&self.prompt_time, "%H:%M").map_err(|_| {
            anyhow::anyhow!(
                "defaults.prompt_time: '{}' is not a time of day as HH:MM",
                self.prompt_time
            )
        })
    }
}

fn env_layer() -> Env {
    Env::prefixed("SPOTLIGHT_")
        .filter(|key| env_key(key.as_str()).is_some())
        .map(|key| env_key(key.as_str()).unwrap_or_default().into())
}

/// `DATABASE_BUSY_TIMEOUT_MS` -> `database.busy_timeout_ms`; other names are not config.
fn env_key(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if SECRET_VARS.contains(&lower.as_str()) {
        return None;
    }
    SECTIONS.iter().find_map(|s| {
        lower
            .strip_prefix(s)
            .and_then(|rest| rest.strip_prefix('_'))
            .filter(|rest| !rest.is_empty())
            .map(|rest| format!("{s}.{rest}"))
    })
}

fn first_figment_error(error: figment::Error) -> String {
    let e = error
        .into_iter()
        .next()
        .expect("a figment error holds at least one error");
    let key = e.path.join(".");
    let source = e
        .metadata
        .as_ref()
        .map(
            |m| match &e.metadata.as_ref().and_then(|m| m.source.as_ref()) {
                Some(source) => format!(" (from {} {source})", m.name),
                None => format!(" (from {})", m.name),
            },
        )
        .unwrap_or_default();
    if key.is_empty() {
        format!("{}{source}", e.kind)
    } else {
        format!("{key}: {}{source}", e.kind)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail returns figment::Error
mod tests {
    use super::*;

    fn with_env(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let mut figment = Config::figment(None);
        for (k, v) in pairs {
            figment = figment.merge(figment::providers::Serialized::default(k, v));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn defaults_are_valid_and_documented_values_hold() {
        let c = Config::defaults();
        assert_eq!(c.database.url, "data/spotlight.db");
        assert_eq!(c.defaults.daily_allowance, 5);
        assert_eq!(c.defaults.values.len(), 5);
        assert_eq!(c.log.format, LogFormat::Pretty);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = with_env(&[("defaults.timezone", "Mars/Olympus")]).unwrap_err();
        assert!(format!("{e:#}").contains("defaults.timezone"), "{e:#}");
        let e = with_env(&[("defaults.prompt_time", "9am")]).unwrap_err();
        assert!(format!("{e:#}").contains("defaults.prompt_time"), "{e:#}");
        let e = with_env(&[("log.format", "xml")]).unwrap_err();
        assert!(format!("{e:#}").contains("log.format"), "{e:#}");
    }

    #[test]
    fn env_names_map_to_section_and_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SPOTLIGHT_DATABASE_URL", "sqlite://elsewhere.db");
            jail.set_env("SPOTLIGHT_DATABASE_BUSY_TIMEOUT_MS", "250");
            jail.set_env("SPOTLIGHT_DEFAULTS_DAILY_ALLOWANCE", "0");
            jail.set_env("SPOTLIGHT_DISCORD_TOKEN", "secret-is-not-config");
            let c = Config::from_figment(Config::figment(None).merge(env_layer())).unwrap();
            assert_eq!(c.database.url, "sqlite://elsewhere.db");
            assert_eq!(c.database.busy_timeout_ms, 250);
            assert_eq!(c.defaults.daily_allowance, 0);
            Ok(())
        });
    }

    #[test]
    fn env_value_of_wrong_type_names_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SPOTLIGHT_DEFAULTS_DAILY_ALLOWANCE", "lots");
            let e = Config::from_figment(Config::figment(None).merge(env_layer())).unwrap_err();
            let text = format!("{e:#}");
            assert!(text.contains("defaults.daily_allowance"), "{text}");
            Ok(())
        });
    }

    #[test]
    fn optional_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("mine.toml", "[defaults]\ntimezone = \"Europe/London\"\n")?;
            let c = Config::from_figment(Config::figment(Some("mine.toml".as_ref()))).unwrap();
            assert_eq!(c.defaults.timezone, "Europe/London");
            assert_eq!(c.defaults.daily_allowance, 5);
            Ok(())
        });
    }
}
