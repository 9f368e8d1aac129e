//! Slack's Web API through slack-morphism: every call goes to `slack.api_base_url`, a 429 waits
//! for its `Retry-After`, and the errors an admin must fix are told apart from passing ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::hyper_tokio::{SlackClientHyperHttpsConnector, SlackHyperClient};
use slack_morphism::prelude::*;

use crate::domain::model::PlatformUser;
use crate::secrets::Secret;

/// Calls that hit a rate limit are tried again this many times.
const RATE_LIMIT_RETRIES: u32 = 3;
/// A call Slack answers with a server error (5xx) is tried again this many times, after 250 ms
/// and then a second: a short storm passes, a long one is reported instead of hammered.
const SERVER_ERROR_RETRIES: u32 = 2;
/// A `Retry-After` longer than this is not waited out inside a request.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How long a member's name and flags are trusted before Slack is asked again.
const USER_TTL: Duration = Duration::from_secs(600);

/// Why a call failed, in the terms the scheduler and the admins need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// An admin has to act: the bot is not in the channel, it is archived, the token is gone.
    Permanent(String),
    /// Worth trying again later.
    Transient(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Permanent(s) | CallError::Transient(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for CallError {}

/// What Slack says about a user, as the core needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub user: PlatformUser,
    /// A workspace admin or owner.
    pub is_admin: bool,
}

/// Users by (team, user id), with when Slack was last asked.
type UserCache = HashMap<(String, String), (UserInfo, std::time::Instant)>;
/// Each team's user groups and their members, with when Slack was last asked.
type GroupCache = HashMap<String, (Vec<(String, Vec<String>)>, std::time::Instant)>;

#[derive(Clone)]
pub struct Api {
    client: Arc<SlackHyperClient>,
    base_url: String,
    users: Arc<Mutex<UserCache>>,
    groups: Arc<Mutex<GroupCache>>,
}

impl Api {
    /// A client for Slack at `base_url` (with `/api`, e.g. `https://slack.com/api`): plain http is
    /// allowed for a local proxy or a test double.
    pub fn new(base_url: &str) -> anyhow::Result<Self> {
        let base_url = base_url.trim_end_matches('/').to_string();
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let https = match builder.with_native_roots() {
            Ok(b) => b.https_or_http().enable_http1().build(),
            Err(e) => {
                tracing::warn!(error = %e, "no system certificates: only plain http will work");
                hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(
                        rustls::ClientConfig::builder()
                            .with_root_certificates(rustls::RootCertStore::empty())
                            .with_no_client_auth(),
                    )
                    .https_or_http()
                    .enable_http1()
                    .build()
            }
        };
        let connector = SlackClientHyperHttpsConnector::from(https).with_slack_api_url(&base_url);
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            base_url,
            users: Arc::default(),
            groups: Arc::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn client(&self) -> &SlackHyperClient {
        &self.client
    }

    pub fn shared_client(&self) -> Arc<SlackHyperClient> {
        self.client.clone()
    }

    /// Runs a call, waiting out rate limits and retrying server errors with backoff; other
    /// failures are classified.
    pub async fn call<T, F, Fut>(&self, what: &str, mut f: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, SlackClientError>>,
    {
        let mut attempt = 0;
        let mut server_errors = 0;
        let mut backoff = Duration::from_millis(250);
        loop {
            match f().await {
                Ok(v) => return Ok(v),
                Err(SlackClientError::HttpError(e))
                    if e.status_code.is_server_error() && server_errors < SERVER_ERROR_RETRIES =>
                {
                    server_errors += 1;
                    tracing::info!(call = what, status = %e.status_code, ?backoff, "Slack failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 4;
                }
                // A longer wait is not shortened: the call fails, and is not retried sooner.
                Err(SlackClientError::RateLimitError(e))
                    if attempt < RATE_LIMIT_RETRIES
                        && e.retry_after.is_none_or(|w| w <= MAX_WAIT) =>
                {
                    attempt += 1;
                    let wait = e.retry_after.unwrap_or(Duration::from_secs(1));
                    tracing::info!(call = what, ?wait, "rate limited by Slack; waiting");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(classify(what, e)),
            }
        }
    }

    /// Posts a message; never unfurls links, never turns plain `@here` into a ping.
    pub async fn post(
        &self,
        token: &SlackApiToken,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<SlackTs, CallError> {
        let request = SlackApiChatPostMessageRequest::new(channel.into(), content)
            .with_unfurl_links(false)
            .with_unfurl_media(false)
            .with_link_names(false);
        let session = self.client.open_session(token);
        let sent = self
            .call("chat.postMessage", || session.chat_post_message(&request))
            .await?;
        Ok(sent.ts)
    }

    /// The user groups (`S…` ids) a user belongs to, from a per-team list kept for a while.
    pub async fn groups_of(
        &self,
        token: &SlackApiToken,
        team: &str,
        user: &str,
    ) -> Result<Vec<String>, CallError> {
        let cached = self
            .groups
            .lock()
            .expect("group cache")
            .get(team)
            .filter(|(_, at)| at.elapsed() < USER_TTL)
            .map(|(groups, _)| groups.clone());
        let groups = match cached {
            Some(groups) => groups,
            None => {
                let session = self.client.open_session(token);
                let request = SlackApiUserGroupsListRequest::new().with_include_users(true);
                let listed = self
                    .call("usergroups.list", || session.usergroups_list(&request))
                    .await?;
                let groups: Vec<(String, Vec<String>)> = listed
                    .usergroups
                    .into_iter()
                    .map(|g| {
                        let users = g
                            .users
                            .unwrap_or_default()
                            .into_iter()
                            .map(|u| u.0)
                            .collect();
                        (g.id.0, users)
                    })
                    .collect();
                self.groups.lock().expect("group cache").insert(
                    team.to_string(),
                    (groups.clone(), std::time::Instant::now()),
                );
                groups
            }
        };
        Ok(groups
            .into_iter()
            .filter(|(_, users)| users.iter().any(|u| u == user))
            .map(|(id, _)| id)
            .collect())
    }

    /// A user's name and flags, cached for a while per team.
    pub async fn user(
        &self,
        token: &SlackApiToken,
        team: &str,
        user: &str,
    ) -> Result<UserInfo, CallError> {
        let key = (team.to_string(), user.to_string());
        if let Some((info, at)) = self.users.lock().expect("user cache").get(&key) {
            if at.elapsed() < USER_TTL {
                return Ok(info.clone());
            }
        }
        let session = self.client.open_session(token);
        let request = SlackApiUsersInfoRequest::new(user.into());
        let found = self
            .call("users.info", || session.users_info(&request))
            .await?
            .user;
        let profile = found.profile.as_ref();
        let name = [
            profile.and_then(|p| p.display_name.clone()),
            profile.and_then(|p| p.real_name.clone()),
            found.real_name.clone(),
            found.name.clone(),
        ]
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user.to_string());
        let flags = &found.flags;
        let info = UserInfo {
            user: PlatformUser {
                external_id: user.to_string(),
                name,
                is_bot: flags.is_bot.unwrap_or(false) || user == "USLACKBOT",
            },
            is_admin: flags.is_admin.unwrap_or(false)
                || flags.is_owner.unwrap_or(false)
                || flags.is_primary_owner.unwrap_or(false),
        };
        self.users
            .lock()
            .expect("user cache")
            .insert(key, (info.clone(), std::time::Instant::now()));
        Ok(info)
    }
}

pub fn token(secret: &Secret) -> SlackApiToken {
    SlackApiToken::new(secret.expose().into())
}

const PERMANENT: [&str; 10] = [
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "invalid_auth",
    "token_revoked",
    "account_inactive",
    "not_authed",
    "missing_scope",
    "user_not_found",
    "restricted_action",
];

fn classify(what: &str, e: SlackClientError) -> CallError {
    match e {
        SlackClientError::ApiError(api) if PERMANENT.contains(&api.code.as_str()) => {
            CallError::Permanent(format!("{what}: {}", api.code))
        }
        SlackClientError::ApiError(api) => CallError::Transient(format!("{what}: {}", api.code)),
        SlackClientError::RateLimitError(_) => {
            CallError::Transient(format!("{what}: still rate limited"))
        }
        SlackClientError::HttpError(h) => {
            CallError::Transient(format!("{what}: Slack answered {}", h.status_code))
        }
        other => CallError::Transient(format!("{what}: {other}")),
    }
}
