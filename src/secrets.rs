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
}

impl Secrets {
    /// `SPOTLIGHT_DISCORD_TOKEN`, or the file named by `SPOTLIGHT_DISCORD_TOKEN_FILE`.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            discord_token: read("SPOTLIGHT_DISCORD_TOKEN")?,
        })
    }

    pub fn has_any_platform(&self) -> bool {
        self.discord_token.is_some()
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
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("abc.def"), "{shown}");
    }
}
