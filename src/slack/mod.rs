//! Spotlight on Slack: slash commands, events and interactions over HTTP (or Socket Mode),
//! answered by the same core as every platform. This layer parses what Slack sends, calls the
//! core (mostly through the shared text commands in `chat`) and renders Block Kit.

mod api;
mod commands;
mod events;
mod home;
mod interactions;
mod modals;
mod names;
mod oauth;
mod posts;
pub mod render;
pub mod socket;
mod verify;
mod welcome;

use std::sync::Arc;

use axum::routing::post;
use axum::Router;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use crate::app::App;
use crate::domain::model::{Actor, Member, Workspace};
use crate::secrets::Secret;

pub use api::{Api, CallError};
pub use interactions::SHORTCUT;
pub use oauth::{OAuthApp, SCOPES};

/// The slash commands the app manifest registers.
pub const COMMANDS: [&str; 9] = [
    "/kudos",
    "/feedback",
    "/leaderboard",
    "/stats",
    "/undo",
    "/medallion",
    "/thanked-customer",
    "/nominate",
    "/spotlight",
];
/// The events the app manifest subscribes to.
pub const EVENTS: [&str; 6] = [
    "app_home_opened",
    "app_uninstalled",
    "reaction_added",
    "reaction_removed",
    "team_join",
    "tokens_revoked",
];
pub use posts::SlackSink;

pub const PLATFORM: &str = "slack";

/// What Slack needs from the environment; never logged.
#[derive(Debug, Clone)]
pub struct SlackCredentials {
    pub signing_secret: Secret,
    /// One workspace's bot token (`xoxb-…`).
    pub bot_token: Option<Secret>,
    /// Or installs in many workspaces through OAuth.
    pub oauth: Option<OAuthApp>,
    /// An app-level token (`xapp-…`): Socket Mode instead of HTTP requests.
    pub app_token: Option<Secret>,
}

/// Everything a Slack handler reaches.
#[derive(Clone)]
pub struct Slack {
    pub app: App,
    pub api: Api,
    verifier: Arc<SlackEventSignatureVerifier>,
    bot_token: Option<Secret>,
    oauth: Option<OAuthApp>,
    /// Member ids by (workspace, Slack user): a member, once recorded, keeps their id.
    members: Arc<std::sync::Mutex<std::collections::HashMap<(i64, String), i64>>>,
}

impl Slack {
    pub fn new(app: App, credentials: SlackCredentials) -> anyhow::Result<Self> {
        let api = Api::new(app.config.slack.api_base_url())?;
        let verifier = Arc::new(SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
            credentials.signing_secret.expose().to_string(),
        )));
        Ok(Self {
            app,
            api,
            verifier,
            bot_token: credentials.bot_token,
            oauth: credentials.oauth,
            members: Arc::default(),
        })
    }

    /// Asks Slack who the bot is (or, with no token of its own, whether it answers at all), so
    /// a wrong address or token stops the bot at start instead of failing on every request.
    pub async fn check(&self) -> anyhow::Result<()> {
        let Some(token) = &self.bot_token else {
            let none = SlackApiToken::new(String::new().into());
            let session = self.api.client().open_session(&none);
            return session
                .api_test(&SlackApiTestRequest::new())
                .await
                .map(|_| ())
                .map_err(|e| {
                    anyhow::anyhow!("cannot reach the Slack API at {}: {e}", self.api.base_url())
                });
        };
        let token = api::token(token);
        let session = self.api.client().open_session(&token);
        match session.auth_test().await {
            Ok(me) => {
                tracing::info!(team = %me.team_id, bot = %me.user_id, "connected to Slack");
                Ok(())
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot reach the Slack API at {}: {e}",
                self.api.base_url()
            )),
        }
    }

    /// The routes Slack calls, each behind the signature check, and the install pages a
    /// browser opens.
    pub fn routes(&self) -> Router {
        let signed = Router::new()
            .route("/slack/commands", post(commands::handle))
            .route("/slack/events", post(events::handle))
            .route("/slack/interactions", post(interactions::handle))
            // Only Slack's routes are signed; an unknown path stays a plain 404.
            .route_layer(axum::middleware::from_fn_with_state(
                self.verifier.clone(),
                verify::signed,
            ));
        Router::new()
            .merge(signed)
            .route("/slack/install", axum::routing::get(oauth::install))
            .route("/slack/oauth/callback", axum::routing::get(oauth::callback))
            .with_state(self.clone())
    }

    /// The bot token for a team, if Spotlight may speak there: the one configured token, or
    /// the team's own from its install.
    pub async fn token_for(&self, team: &str) -> Option<SlackApiToken> {
        if let Some(token) = &self.bot_token {
            return Some(api::token(token));
        }
        let oauth = self.oauth.as_ref()?;
        match self.app.spotlight.install(team).await {
            Ok(Some(install)) => match oauth.vault.open(&install.nonce, &install.sealed) {
                Ok(token) => Some(api::token(&token)),
                Err(e) => {
                    tracing::error!(team, error = %e, "cannot open the workspace's token");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                tracing::error!(team, error = ?e, "cannot read the workspace's install");
                None
            }
        }
    }

    /// The workspace removed the app or revoked its tokens: stop speaking there.
    pub async fn uninstalled(&self, team: &str) {
        if let Err(e) = self.app.spotlight.forget_install(team).await {
            tracing::error!(team, error = ?e, "could not forget an install");
        }
    }

    /// The caller's workspace, member record and admin verdict: Slack's admins and owners, and
    /// members appointed as Spotlight admins.
    pub async fn caller(
        &self,
        token: &SlackApiToken,
        team: &str,
        team_name: Option<&str>,
        user: &str,
    ) -> anyhow::Result<(Workspace, Member, Actor)> {
        let core = &self.app.spotlight;
        let info = self.api.user(token, team, user).await?;
        let ws = core.workspace(PLATFORM, team, team_name).await?;
        let mut member = core
            .member(&ws, user, &info.user.name, info.user.is_bot)
            .await?;
        // Departments can be mapped from user groups; without the scope, nothing is mapped.
        match self.api.groups_of(token, team, user).await {
            Ok(groups) if !groups.is_empty() => {
                member = core.apply_roles(&ws, &member, &groups).await?
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "user groups unavailable"),
        }
        self.members
            .lock()
            .expect("member cache")
            .insert((ws.id, user.to_string()), member.id);
        let actor = Actor {
            is_admin: info.is_admin || member.is_admin,
            member: member.clone(),
        };
        Ok((ws, member, actor))
    }

    /// The member id of a Slack user already on record in `ws`.
    pub async fn known_member(
        &self,
        ws: &Workspace,
        user: &str,
    ) -> crate::domain::error::Result<Option<i64>> {
        let key = (ws.id, user.to_string());
        if let Some(id) = self.members.lock().expect("member cache").get(&key) {
            return Ok(Some(*id));
        }
        let found = self.app.spotlight.member_by_external(ws, user).await?;
        if let Some(m) = &found {
            self.members.lock().expect("member cache").insert(key, m.id);
        }
        Ok(found.map(|m| m.id))
    }

    /// Posts a new thank-you in the celebration channel (or `here`), recording a failure for
    /// the admins.
    pub async fn announce(
        &self,
        token: &SlackApiToken,
        ws: &Workspace,
        here: &str,
        given: &crate::domain::model::Given,
        giver: &str,
        recipients: &[String],
    ) {
        if !given.created {
            return;
        }
        let channel = ws
            .settings
            .celebration_channel
            .clone()
            .unwrap_or_else(|| here.to_string());
        let content = render::announcement(&given.kudos, recipients, giver);
        if let Err(e) = self.api.post(token, &channel, content).await {
            let what = format!("announcement of kudos #{}", given.kudos.id);
            let permanent = matches!(e, CallError::Permanent(_));
            if let Err(err) = self
                .app
                .spotlight
                .delivery_failed(ws, &what, Some(&channel), &e.to_string(), permanent)
                .await
            {
                tracing::error!(error = ?err, "could not record a delivery failure");
            }
        }
    }
}
