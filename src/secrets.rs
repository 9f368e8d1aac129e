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
    pub slack_client_id: Option<Secret>,
    pub slack_client_secret: Option<Secret>,
    pub slack_app_token: Option<Secret>,
    pub secret_key: Option<Secret>,
}

impl Secrets {
    /// Each `SPOTLIGHT_…` secret, or the file its `SPOTLIGHT_…_FILE` names.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            discord_token: read("SPOTLIGHT_DISCORD_TOKEN")?,
            slack_signing_secret: read("SPOTLIGHT_SLACK_SIGNING_SECRET")?,
            slack_bot_token: read("SPOTLIGHT_SLACK_BOT_TOKEN")?,
            slack_client_id: read("SPOTLIGHT_SLACK_CLIENT_ID")?,
            slack_client_secret: read("SPOTLIGHT_SLACK_CLIENT_SECRET")?,
            slack_app_token: read("SPOTLIGHT_SLACK_APP_TOKEN")?,
            secret_key: read("SPOTLIGHT_SECRET_KEY")?,
        })
    }

    pub fn has_any_platform(&self) -> bool {
        self.discord_token.is_some() || self.slack_signing_secret.is_some()
    }

    /// The platforms these credentials open; half a Slack set is a mistake worth stopping for.
    pub fn platforms(&self) -> anyhow::Result<crate::run::Platforms> {
        let oauth = match (&self.slack_client_id, &self.slack_client_secret) {
            (Some(id), Some(secret)) => {
                let Some(key) = &self.secret_key else {
                    anyhow::bail!(
                        "Slack OAuth stores each workspace's token encrypted: set SPOTLIGHT_SECRET_KEY \
                         (a long random text) as well"
                    );
                };
                Some(crate::slack::OAuthApp {
                    client_id: id.expose().to_string(),
                    client_secret: secret.clone(),
                    vault: Vault::new(key),
                })
            }
            (None, None) => None,
            _ => anyhow::bail!(
                "Slack OAuth needs both SPOTLIGHT_SLACK_CLIENT_ID and SPOTLIGHT_SLACK_CLIENT_SECRET"
            ),
        };
        let wants_slack = self.slack_bot_token.is_some() || oauth.is_some();
        let slack = match (&self.slack_signing_secret, wants_slack) {
            (Some(signing), true) => Some(crate::slack::SlackCredentials {
                signing_secret: signing.clone(),
                bot_token: self.slack_bot_token.clone(),
                oauth,
                app_token: self.slack_app_token.clone(),
            }),
            (None, false) => None,
            (Some(_), false) => anyhow::bail!(
                "SPOTLIGHT_SLACK_SIGNING_SECRET is set but no bot token: set SPOTLIGHT_SLACK_BOT_TOKEN \
                 (one workspace) or SPOTLIGHT_SLACK_CLIENT_ID and SPOTLIGHT_SLACK_CLIENT_SECRET (OAuth)"
            ),
            (None, true) => anyhow::bail!(
                "Slack needs SPOTLIGHT_SLACK_SIGNING_SECRET to check that requests come from Slack"
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

/// Seals secrets kept in the database (Slack workspaces' bot tokens) with a key that only the
/// environment holds: XChaCha20-Poly1305, the key being SHA-256 of `SPOTLIGHT_SECRET_KEY`.
#[derive(Clone)]
pub struct Vault(chacha20poly1305::XChaCha20Poly1305);

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(***)")
    }
}

impl Vault {
    pub fn new(key: &Secret) -> Self {
        use chacha20poly1305::KeyInit;
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(key.expose().as_bytes()).into();
        Self(chacha20poly1305::XChaCha20Poly1305::new(&digest.into()))
    }

    /// The nonce and the sealed bytes.
    pub fn seal(&self, secret: &Secret) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
        use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(&nonce, secret.expose().as_bytes())
            .map_err(|_| anyhow::anyhow!("cannot seal a secret"))?;
        Ok((nonce.to_vec(), sealed))
    }

    pub fn open(&self, nonce: &[u8], sealed: &[u8]) -> anyhow::Result<Secret> {
        use chacha20poly1305::aead::Aead;
        let nonce: [u8; 24] = nonce
            .try_into()
            .map_err(|_| anyhow::anyhow!("a sealed secret has a bad nonce"))?;
        let plain = self.0.decrypt(&nonce.into(), sealed).map_err(|_| {
            anyhow::anyhow!("cannot open a sealed secret: was SPOTLIGHT_SECRET_KEY changed?")
        })?;
        Ok(Secret(String::from_utf8(plain)?))
    }
}

/// A random token for one-time values (OAuth `state`), as hex.
/// Bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut bytes = [0u8; N];
    chacha20poly1305::aead::OsRng.fill_bytes(&mut bytes);
    bytes
}

pub fn random_token() -> String {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut bytes = [0u8; 24];
    chacha20poly1305::aead::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod vault_tests {
    use super::*;

    #[test]
    fn sealed_tokens_open_only_with_the_same_key() {
        let vault = Vault::new(&Secret::new("key one"));
        let (nonce, sealed) = vault.seal(&Secret::new("xoxb-123")).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("xoxb"));
        assert_eq!(vault.open(&nonce, &sealed).unwrap().expose(), "xoxb-123");
        assert!(Vault::new(&Secret::new("key two"))
            .open(&nonce, &sealed)
            .is_err());
        assert_ne!(random_token(), random_token());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Secrets {
            discord_token: Some(Secret("abc.def.ghi".into())),
            slack_signing_secret: Some(Secret("s3cr3t".into())),
            slack_bot_token: Some(Secret("xoxb-123".into())),
            ..Default::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("abc.def"), "{shown}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("xoxb"),
            "{shown}"
        );
    }
}
