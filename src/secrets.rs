//! Secrets come only from the environment (or a file the environment names), never from the
//! config files, and are never printed: `Secret`'s Debug and Display are redacted.

use anyhow::Context;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub discord_token: Option<Secret>,
    pub slack_signing_secret: Option<Secret>,
    pub slack_bot_token: Option<Secret>,
}

impl Secrets {
    /// Each `SPOTLIGHT_…` secret, or the file its `SPOTLIGHT_…_FILE` names.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            discord_token: read("SPOTLIGHT_DISCORD_TOKEN")?,
            slack_signing_secret: read("SPOTLIGHT_SLACK_SIGNING_SECRET")?,
            slack_bot_token: read("SPOTLIGHT_SLACK_BOT_TOKEN")?,
        })
    }

    pub fn has_any_platform(&self) -> bool {
        self.discord_token.is_some() || self.slack_signing_secret.is_some()
    }

    /// The platforms these credentials open; half a Slack set is a mistake worth stopping for.
    pub fn platforms(&self) -> anyhow::Result<crate::run::Platforms> {
        let slack = match (&self.slack_signing_secret, &self.slack_bot_token) {
            (Some(signing), Some(bot)) => Some(crate::slack::SlackCredentials {
                signing_secret: signing.clone(),
                bot_token: Some(bot.clone()),
            }),
            (None, None) => None,
            (Some(_), None) => anyhow::bail!(
                "SPOTLIGHT_SLACK_SIGNING_SECRET is set but SPOTLIGHT_SLACK_BOT_TOKEN is not: Slack needs both"
            ),
            (None, Some(_)) => anyhow::bail!(
                "SPOTLIGHT_SLACK_BOT_TOKEN is set but SPOTLIGHT_SLACK_SIGNING_SECRET is not: Slack needs both"
            ),
        };
        Ok(crate::run::Platforms {
            discord: self.discord_token.clone(),
            slack,
        })
    }
}

fn read(var: &str) -> anyhow::Result<Option<Secret>> {
    if let Some(value) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
        return Ok(Some(Secret(value.trim().to_string())));
    }
    let file_var = format!("{var}_FILE");
    match std::env::var(&file_var)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        Some(path) => {
            let value = std::fs::read_to_string(&path)
                .with_context(|| format!("{file_var}: cannot read {path}"))?;
            let value = value.trim();
            if value.is_empty() {
                anyhow::bail!("{file_var}: {path} is empty");
            }
            Ok(Some(Secret(value.to_string())))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Secrets {
            discord_token: Some(Secret("abc.def.ghi".into())),
            slack_signing_secret: Some(Secret("s3cr3t".into())),
            slack_bot_token: Some(Secret("xoxb-123".into())),
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("abc.def"), "{shown}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("xoxb"),
            "{shown}"
        );
    }
}
