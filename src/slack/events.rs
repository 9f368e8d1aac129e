//! The Events API: the URL check, reaction kudos, and uninstalls. Slack is answered at once;
//! the work follows, so a slow call never makes Slack resend. A resent event (same reaction,
//! same message) is stored once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use slack_morphism::prelude::*;
use tracing::Instrument;

use super::{Slack, PLATFORM};
use crate::domain::emoji::matches_shortcode;
use crate::domain::error::Error as CoreError;
use crate::domain::model::KudosRequest;

/// Slack's permalinks (`/archives/C…/p…`) open the message in whichever workspace holds it.
const SLACK_WEB: &str = "https://slack.com";

pub async fn handle(State(slack): State<Slack>, body: String) -> Response {
    let raw = match serde_json::from_str::<Value>(&body) {
        Ok(raw) => raw,
        Err(e) => {
            tracing::warn!(error = %e, "refused a Slack event that is not JSON");
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    let kind = raw["event"]["type"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match serde_json::from_value::<SlackPushEvent>(raw) {
        Ok(SlackPushEvent::UrlVerification(v)) => v.challenge.into_response(),
        Ok(SlackPushEvent::EventCallback(cb)) => {
            tokio::spawn(async move { received(&slack, cb).await });
            StatusCode::OK.into_response()
        }
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::warn!(error = %e, %kind, "unreadable Slack event");
            StatusCode::BAD_REQUEST.into_response()
        }
    }
}

/// Handles one event, over HTTP or Socket Mode, in its own span.
pub async fn received(slack: &Slack, cb: SlackPushEventCallback) {
    let kind = serde_json::to_value(&cb.event)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_string))
        .unwrap_or_default();
    let span = tracing::info_span!("event", name = %kind, id = %cb.event_id, team = %cb.team_id);
    on_event(slack, cb, &kind).instrument(span).await
}

async fn on_event(slack: &Slack, cb: SlackPushEventCallback, kind: &str) {
    let team = cb.team_id.0.clone();
    // slack-morphism has no model of tokens_revoked: it arrives as Unknown.
    if matches!(kind, "app_uninstalled" | "tokens_revoked") {
        slack.uninstalled(&team).await;
        return;
    }
    let result = match cb.event {
        SlackEventCallbackBody::ReactionAdded(r) => {
            reaction_added(
                slack,
                &team,
                &r.user.0,
                &r.reaction.0,
                r.item_user.as_ref(),
                &r.item,
            )
            .await
        }
        SlackEventCallbackBody::ReactionRemoved(r) => {
            reaction_removed(slack, &team, &r.user.0, &r.reaction.0, &r.item).await
        }
        SlackEventCallbackBody::AppHomeOpened(h) if h.tab.as_deref() != Some("messages") => {
            super::home::publish(slack, &team, &h.user.0).await
        }
        SlackEventCallbackBody::TeamJoin(j) => slack.joined(&team, &j.user).await,
        _ => Ok(()),
    };
    if let Err(e) = result {
        match e.downcast_ref::<CoreError>() {
            Some(CoreError::Refused(r)) => tracing::info!(refusal = %r, "reaction kudos refused"),
            _ => tracing::error!(error = ?e, "Slack event failed"),
        }
    }
}

/// A link that opens the message in whichever workspace holds it.
pub fn permalink(channel: &str, ts: &str) -> String {
    format!("{SLACK_WEB}/archives/{channel}/p{}", ts.replace('.', ""))
}

/// The message a reaction is on, and the id that makes the same gesture count once.
fn gesture(item: &SlackReactionsItem, user: &str) -> Option<(String, String, String)> {
    let SlackReactionsItem::Message(m) = item else {
        return None;
    };
    let channel = m.origin.channel.as_ref()?.0.clone();
    let ts = m.origin.ts.0.clone();
    let id = format!("reaction:{channel}:{ts}:{user}");
    Some((channel, ts, id))
}

async fn reaction_added(
    slack: &Slack,
    team: &str,
    user: &str,
    reaction: &str,
    author: Option<&SlackUserId>,
    item: &SlackReactionsItem,
) -> anyhow::Result<()> {
    let (Some(author), Some((channel, ts, event_id))) = (author, gesture(item, user)) else {
        return Ok(());
    };
    let Some(token) = slack.token_for(team).await else {
        return Ok(());
    };
    let core = &slack.app.spotlight;
    let ws = core.workspace(PLATFORM, team, None).await?;
    if !matches_shortcode(&ws.settings.kudos_emoji, reaction) {
        return Ok(());
    }
    let (ws, giver, _) = slack.caller(&token, team, None, user).await?;
    if giver.is_bot {
        return Ok(());
    }
    let recipient = slack.api.user(&token, team, &author.0).await?;
    let link = permalink(&channel, &ts);
    let given = core
        .give_kudos(
            &ws,
            &giver,
            KudosRequest {
                recipients: vec![recipient.user.into()],
                message: link.clone(),
                value: None,
                channel: Some(channel.clone()),
                event_id: Some(event_id),
                link: Some(link),
            },
        )
        .await?;
    slack
        .announce(
            &token,
            &ws,
            &channel,
            &given,
            user,
            std::slice::from_ref(&author.0),
        )
        .await;
    // Newcomers, the giver or the person thanked, are welcomed by DM.
    let welcomes = core.welcomes_for_kudos(&ws, &giver, &given).await?;
    slack.send_welcomes(&token, &ws, &welcomes).await;
    Ok(())
}

async fn reaction_removed(
    slack: &Slack,
    team: &str,
    user: &str,
    reaction: &str,
    item: &SlackReactionsItem,
) -> anyhow::Result<()> {
    let Some((_, _, event_id)) = gesture(item, user) else {
        return Ok(());
    };
    let core = &slack.app.spotlight;
    let ws = core.workspace(PLATFORM, team, None).await?;
    if !matches_shortcode(&ws.settings.kudos_emoji, reaction) {
        return Ok(());
    }
    let Some(giver) = core.member_by_external(&ws, user).await? else {
        return Ok(());
    };
    core.retract_gesture(&ws, &giver, &event_id).await?;
    Ok(())
}
