//! Layered configuration: the built-in `config/default.toml`, then the optional file named by
//! `SPOTLIGHT_CONFIG`, then `SPOTLIGHT_<SECTION>_<KEY>` environment variables.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveTime;
use chrono_tz::Tz;
use figment::error::{Actual, Kind};
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer};

mod shards;
pub use shards::Shards;

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
    "slack",
    "server",
    "scheduler",
];

/// Secrets share the SPOTLIGHT_ prefix but are never configuration: see `secrets`.
const SECRET_VARS: &[&str] = &[
    "discord_token",
    "discord_token_file",
    "slack_signing_secret",
    "slack_signing_secret_file",
    "slack_bot_token",
    "slack_bot_token_file",
    "slack_client_id",
    "slack_client_id_file",
    "slack_client_secret",
    "slack_client_secret_file",
    "slack_app_token",
    "slack_app_token_file",
    "secret_key",
    "secret_key_file",
];

/// What each key accepts, in the words a type error is reported with.
const ALLOWED: &[(&str, &str)] = &[
    (
        "database.url",
        "a SQLite file path, a sqlite: URL or a postgres:// URL",
    ),
    ("database.max_connections", "a whole number from 1 to 64"),
    ("database.busy_timeout_ms", "a whole number of milliseconds"),
    (
        "database.max_size_mb",
        "a whole number of megabytes, 0 for no limit",
    ),
    (
        "database.wal_limit_mb",
        "a whole number of megabytes from 1 to 1024",
    ),
    ("log.format", "pretty or json"),
    (
        "log.level",
        "a tracing filter such as info or spotlight=debug,sqlx=warn",
    ),
    (
        "defaults.timezone",
        "an IANA time zone such as Europe/London",
    ),
    (
        "defaults.daily_allowance",
        "a whole number, 0 for unlimited",
    ),
    ("defaults.values", VALUES_SYNTAX),
    ("defaults.prompt_time", "a time of day as HH:MM"),
    ("defaults.prompts_enabled", "true or false"),
    (
        "defaults.kudos_emoji",
        "an emoji such as 🌟, a shortcode such as :star2:, or a custom emoji such as :partyblob:",
    ),
    ("rules.undo_window_minutes", "a whole number of minutes"),
    ("rules.max_message_chars", "a whole number from 1 to 4000"),
    (
        "prompts.file",
        "a file path, or empty for the built-in plan",
    ),
    (
        "discord.api_base_url",
        "an http:// or https:// URL, or empty for Discord itself",
    ),
    (
        "discord.dev_guild_id",
        "a Discord server id (a number), or empty",
    ),
    (
        "discord.shards",
        "a shard number or a range such as 0-1, or empty for all",
    ),
    (
        "discord.shard_count",
        "a whole number of shards across every process, 0 for one connection",
    ),
    (
        "slack.api_base_url",
        "an http:// or https:// URL ending in /api, such as https://slack.com/api",
    ),
    (
        "server.listen",
        "an address and port such as 0.0.0.0:8080 or 127.0.0.1:3000",
    ),
    (
        "server.public_url",
        "an http:// or https:// address, or empty",
    ),
    (
        "server.metrics_listen",
        "an address and port such as 127.0.0.1:9090, or empty",
    ),
    (
        "scheduler.tick_ms",
        "a whole number of milliseconds from 10 to 3600000",
    ),
];

const VALUES_SYNTAX: &str =
    "a list such as [\"Patience\", \"Teamwork\"] or a comma-separated text such as Patience, Teamwork";

/// A configuration value or command-line argument the user must change. The command line exits
/// with status 2 for it and 1 for everything else, so a script can tell its own mistakes apart.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

impl BadInput {
    /// Whether `e` was caused by bad input, as a context or anywhere in its chain.
    pub fn is_cause_of(e: &anyhow::Error) -> bool {
        e.downcast_ref::<BadInput>().is_some() || e.chain().any(|cause| cause.is::<BadInput>())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub defaults: WorkspaceDefaults,
    pub rules: RulesConfig,
    pub prompts: PromptsConfig,
    pub discord: DiscordConfig,
    pub slack: SlackConfig,
    pub server: ServerConfig,
    pub scheduler: SchedulerConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    pub api_base_url: String,
}

impl SlackConfig {
    /// Where every Web API call goes, without a trailing slash (Slack itself by default).
    pub fn api_base_url(&self) -> &str {
        match self.api_base_url.trim().trim_end_matches('/') {
            "" => "https://slack.com/api",
            url => url,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    /// How people reach the server, for the links the bot hands out; empty = from `listen`.
    pub public_url: String,
    /// A separate address for `/metrics`; empty = served with everything else.
    pub metrics_listen: String,
}

impl ServerConfig {
    pub fn address(&self) -> anyhow::Result<std::net::SocketAddr> {
        self.listen.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "server.listen: '{}' is not an address and port such as 0.0.0.0:8080",
                self.listen.trim()
            )
        })
    }

    /// The separate metrics address, if one is set.
    pub fn metrics_address(&self) -> anyhow::Result<Option<std::net::SocketAddr>> {
        match self.metrics_listen.trim() {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|_| {
                anyhow::anyhow!(
                    "server.metrics_listen: '{text}' is not an address and port such as 127.0.0.1:9090, or empty"
                )
            }),
        }
    }

    /// The links' base for a server bound to `bound`: `public_url` when set, else the bound
    /// address (a wildcard address becomes localhost, which a browser on this machine reaches).
    pub fn base_url(&self, bound: std::net::SocketAddr) -> String {
        match self.public_url.trim().trim_end_matches('/') {
            "" => {
                let host = match bound.ip() {
                    ip if ip.is_unspecified() || ip.is_loopback() => "localhost".to_string(),
                    std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                    ip => ip.to_string(),
                };
                format!("http://{host}:{}", bound.port())
            }
            url => url.to_string(),
        }
    }
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
    #[serde(deserialize_with = "text")]
    pub dev_guild_id: String,
    /// This process's gateway shards, e.g. "0-1"; empty = all of them.
    #[serde(deserialize_with = "text")]
    pub shards: String,
    /// Shards across every process; 0 = one connection, as a single process needs.
    pub shard_count: u32,
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

    pub fn shards(&self) -> anyhow::Result<Shards> {
        shards::parse(&self.shards, self.shard_count)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    pub wal_limit_mb: u64,
    /// The database file may grow to this many megabytes; 0 = as large as the disk allows.
    pub max_size_mb: u64,
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
    #[serde(deserialize_with = "list_or_commas")]
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
        if let Some(path) = &file {
            check_config_file(path).context("invalid configuration")?;
        }
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
            .map_err(|e| anyhow::anyhow!(describe(e)))
            .context("invalid configuration")?;
        config.validate().context("invalid configuration")?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.database.url.trim().is_empty() {
            bail!("database.url: must not be empty");
        }
        crate::store::check_url(&self.database.url)?;
        if !(1..=1024).contains(&self.database.wal_limit_mb) {
            bail!(
                "database.wal_limit_mb: {} is out of range (1-1024)",
                self.database.wal_limit_mb
            );
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
            bail!("defaults.values: value names must not be empty; use {VALUES_SYNTAX}");
        }
        if let Err(e) = crate::domain::emoji::parse_kudos_emoji(&self.defaults.kudos_emoji) {
            bail!("defaults.kudos_emoji: {e}");
        }
        self.discord.dev_guild_id()?;
        self.discord.shards()?;
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
        let slack = self.slack.api_base_url();
        if !(slack.starts_with("http://") || slack.starts_with("https://")) {
            bail!("slack.api_base_url: '{slack}' must start with http:// or https://");
        }
        self.server.address()?;
        self.server.metrics_address()?;
        let public = self.server.public_url.trim();
        if !public.is_empty()
            && url::Url::parse(public).map_or(true, |u| {
                !u.has_host() || !matches!(u.scheme(), "http" | "https")
            })
        {
            bail!("server.public_url: '{public}' is not an http:// or https:// address such as https://spotlight.example.com");
        }
        if !(1..=4000).contains(&self.rules.max_message_chars) {
            bail!(
                "rules.max_message_chars: {} is out of range (1-4000)",
                self.rules.max_message_chars
            );
        }
        check_prompts_file(&self.prompts.file)?;
        Ok(())
    }
}

/// A missing or malformed file named by SPOTLIGHT_CONFIG, told apart from a bad value in it.
fn check_config_file(path: &Path) -> anyhow::Result<()> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!("cannot read {shown}, the file SPOTLIGHT_CONFIG names: {e}")
    })?;
    if let Err(e) = text.parse::<toml::Table>() {
        bail!(
            "{shown}, the file SPOTLIGHT_CONFIG names, is not valid TOML: {}",
            toml_error(&text, &e)
        );
    }
    Ok(())
}

/// The plan is loaded when the app is built; checking it here makes a bad one a configuration
/// error, reported before anything starts.
fn check_prompts_file(path: &str) -> anyhow::Result<()> {
    if path.trim().is_empty() {
        return Ok(());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("prompts.file: cannot read '{path}': {e}"))?;
    if let Err(e) = crate::domain::themes::Plan::parse(&text) {
        let why = match e.root_cause().downcast_ref::<toml::de::Error>() {
            Some(toml) => toml_error(&text, toml),
            None => e.to_string(),
        };
        let why = why
            .strip_prefix("prompts file: ")
            .unwrap_or(&why)
            .to_string();
        bail!("prompts.file: '{path}' is not a valid plan like config/prompts.toml: {why}");
    }
    Ok(())
}

/// `line N: message` on one line; toml's own report spans several with a source excerpt.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().lines().collect::<Vec<_>>().join("; ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
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

/// The first error as one line naming the key, what it accepts and where the value came from.
fn describe(error: figment::Error) -> String {
    let e = error
        .into_iter()
        .next()
        .expect("a figment error holds at least one error");
    let key = e.path.join(".");
    let what = match &e.kind {
        Kind::UnknownField(field, known) => {
            // The path ends with the unknown key itself.
            let section = e.path[..e.path.len().saturating_sub(1)].join(".");
            let hint = match closest(field, known) {
                Some(close) if section.is_empty() => format!("did you mean {close}?"),
                Some(close) => format!("did you mean {section}.{close}?"),
                None if section.is_empty() => format!("the sections are {}", known.join(", ")),
                None => format!("the keys of [{section}] are {}", known.join(", ")),
            };
            format!("unknown key; {hint}")
        }
        Kind::InvalidType(actual, _) | Kind::InvalidValue(actual, _) => match allowed(&key) {
            Some(allowed) => format!("{} is not {allowed}", shown(actual)),
            None => e.kind.to_string(),
        },
        Kind::UnknownVariant(given, known) => {
            format!("'{given}' is not one of {}", known.join(", "))
        }
        other => other.to_string(),
    };
    let origin = match &e.metadata {
        Some(m) if m.name.contains("environment variable") => {
            format!(" (from SPOTLIGHT_{})", key.replace('.', "_").to_uppercase())
        }
        Some(m) => m
            .source
            .as_ref()
            .map(|source| format!(" (in {source})"))
            .unwrap_or_default(),
        None => String::new(),
    };
    if key.is_empty() {
        format!("{what}{origin}")
    } else {
        format!("{key}: {what}{origin}")
    }
}

fn allowed(key: &str) -> Option<&'static str> {
    ALLOWED.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
}

/// The value as the user typed it, not as serde names its type.
fn shown(actual: &Actual) -> String {
    match actual {
        Actual::Str(s) => format!("'{s}'"),
        Actual::Signed(n) => n.to_string(),
        Actual::Unsigned(n) => n.to_string(),
        Actual::Float(n) => n.to_string(),
        Actual::Bool(b) => b.to_string(),
        Actual::Seq => "a list".to_string(),
        Actual::Map => "a table".to_string(),
        other => other.to_string(),
    }
}

/// The known name a typo most likely meant: at most a third of its letters wrong.
fn closest<'a>(given: &str, known: &[&'a str]) -> Option<&'a str> {
    let given = given.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&given, k), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A list, or one comma-separated text: environment variables are text, and
/// `SPOTLIGHT_DEFAULTS_VALUES="Patience, Teamwork"` is what people type.
fn list_or_commas<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(VALUES_SYNTAX)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(s.split(',').map(|v| v.trim().to_string()).collect())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut values = Vec::new();
            while let Some(v) = seq.next_element::<String>()? {
                values.push(v);
            }
            Ok(values)
        }
    }
    d.deserialize_any(Visitor)
}

/// Text, or a number taken as its digits: an id set from the environment arrives as a number.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("text or a number")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(s.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(n.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(n.to_string())
        }
    }
    d.deserialize_any(Visitor)
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
