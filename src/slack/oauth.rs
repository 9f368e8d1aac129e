//! Installing Spotlight in many workspaces: `/slack/install` sends the browser to Slack's
//! authorize page with a one-time state; the callback checks it, exchanges the code
//! (`oauth.v2.access`) and keeps the workspace's bot token sealed in the database.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use slack_morphism::prelude::*;

use super::render::escape;
use super::Slack;
use crate::domain::error::APOLOGY;
use crate::secrets::{Secret, Vault};
use crate::store::NewInstall;

/// Slack's authorize page: a browser redirect, not an API call.
const AUTHORIZE: &str = "https://slack.com/oauth/v2/authorize";
/// What the bot needs: slash commands, posting, names and bot flags, reactions, DMs.
pub const SCOPES: &str = "commands,chat:write,users:read,reactions:read,im:write,usergroups:read";

/// The app's OAuth identity and the key tokens are sealed with.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Secret,
    pub vault: Vault,
}

pub async fn install(State(slack): State<Slack>) -> Response {
    let Some(oauth) = &slack.oauth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match slack.app.spotlight.new_install_state().await {
        Ok(state) => {
            let params = [
                ("client_id", oauth.client_id.as_str()),
                ("scope", SCOPES),
                ("state", state.as_str()),
            ];
            match url::Url::parse_with_params(AUTHORIZE, params) {
                Ok(url) => {
                    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not build the authorize link");
                    page(StatusCode::INTERNAL_SERVER_ERROR, APOLOGY)
                }
            }
        }
        Err(e) => {
            tracing::error!(error = ?e, "could not start an install");
            page(StatusCode::INTERNAL_SERVER_ERROR, APOLOGY)
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(State(slack): State<Slack>, Query(q): Query<Callback>) -> Response {
    let Some(oauth) = &slack.oauth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if q.error.is_some() {
        return page(
            StatusCode::OK,
            "Spotlight was not installed. You can close this tab.",
        );
    }
    let core = &slack.app.spotlight;
    let fresh = match &q.state {
        Some(state) => core.take_install_state(state).await.unwrap_or(false),
        None => false,
    };
    let (true, Some(code)) = (fresh, q.code) else {
        return page(
            StatusCode::BAD_REQUEST,
            "This install link has expired or was already used. Start again from the install page.",
        );
    };
    let request = SlackOAuthV2AccessTokenRequest::new(
        oauth.client_id.clone().into(),
        oauth.client_secret.expose().to_string().into(),
        code.into(),
    );
    let access = match slack
        .api
        .call("oauth.v2.access", || {
            slack.api.client().oauth2_access(&request)
        })
        .await
    {
        Ok(access) => access,
        Err(e) => {
            tracing::error!(error = %e, "the install's code exchange failed");
            return page(
                StatusCode::BAD_GATEWAY,
                "Slack did not confirm the install. Please try again.",
            );
        }
    };
    let token = Secret::new(access.access_token.0.clone());
    let sealed = oauth.vault.seal(&token);
    let team_id = access.team.id.0.clone();
    let team_name = access.team.name.clone().unwrap_or_else(|| team_id.clone());
    let saved = match sealed {
        Ok((nonce, sealed)) => core
            .save_install(&NewInstall {
                team_id: &team_id,
                team_name: &team_name,
                bot_user_id: access.bot_user_id.as_ref().map(|u| u.0.as_str()),
                scopes: &access.scope.0,
                nonce: &nonce,
                sealed: &sealed,
            })
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => page(
            StatusCode::OK,
            &format!(
                "Spotlight is installed in {}. Type /kudos in Slack to thank a colleague. You can close this tab.",
                escape(&team_name)
            ),
        ),
        Err(e) => {
            tracing::error!(error = ?e, "could not keep the install");
            page(StatusCode::INTERNAL_SERVER_ERROR, APOLOGY)
        }
    }
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>Spotlight</title><p>{text}</p>"
        )),
    )
        .into_response()
}
