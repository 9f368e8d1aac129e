//! Slash commands: `/kudos`, `/feedback`, `/leaderboard`, `/stats`, `/undo` and the admins'
//! `/spotlight …`, answered privately inside Slack's three seconds.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::{json, Value};
use slack_morphism::prelude::*;
use tracing::Instrument;

use super::names::SlackNames;
use super::{render, Slack};
use crate::chat::{self, Answer};

/// Slack gives up on a command after three seconds; past this the reply follows separately.
const ACK_WITHIN: std::time::Duration = std::time::Duration::from_millis(2500);

pub async fn handle(
    State(slack): State<Slack>,
    form: Result<Form<SlackCommandEvent>, FormRejection>,
) -> Response {
    let ev = match form {
        Ok(Form(ev)) => ev,
        Err(rejection) => {
            tracing::warn!(error = %rejection, "refused an unreadable Slack command");
            return rejection.into_response();
        }
    };
    let response_url = ev.response_url.clone();
    let worker = slack.clone();
    let mut work = tokio::spawn(async move { respond(&worker, &ev).await });
    match tokio::time::timeout(ACK_WITHIN, &mut work).await {
        Ok(Ok(Some(content))) => Json(ephemeral(content)).into_response(),
        Ok(Ok(None)) => StatusCode::OK.into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "a command's task failed");
            Json(ephemeral(render::refusal(crate::domain::error::APOLOGY))).into_response()
        }
        Err(_) => {
            // Slow (a rate limit, a slow lookup): acknowledge now, answer through response_url.
            tokio::spawn(async move {
                if let Ok(Some(content)) = work.await {
                    let request = SlackApiPostWebhookMessageRequest::new(content);
                    if let Err(e) = slack
                        .api
                        .call("response_url", || {
                            slack.api.client().respond_to_event(&response_url, &request)
                        })
                        .await
                    {
                        tracing::warn!(error = %e, "could not send a late reply");
                    }
                }
            });
            Json(ephemeral(render::plain("⏳ Working on it…"))).into_response()
        }
    }
}

/// The private reply to a command, over HTTP or Socket Mode; `None` when a form opened instead.
pub async fn respond(slack: &Slack, ev: &SlackCommandEvent) -> Option<SlackMessageContent> {
    let name = ev.command.0.trim_start_matches('/').to_string();
    let span = tracing::info_span!("command", name = %name, user = %ev.user_id, team = %ev.team_id);
    if name == "kudos" && ev.text.as_deref().unwrap_or("").trim().is_empty() {
        // No text: the form asks for everything instead.
        let opened = super::modals::Opened {
            channel: Some(ev.channel_id.0.clone()),
            message: None,
        };
        super::interactions::open_form(slack, &ev.team_id.0, &ev.trigger_id, opened)
            .instrument(span)
            .await;
        return None;
    }
    Some(run(slack, ev, &name).instrument(span).await)
}

fn ephemeral(content: SlackMessageContent) -> Value {
    let mut reply = serde_json::to_value(&content).unwrap_or_else(|_| json!({}));
    reply["response_type"] = json!("ephemeral");
    reply
}

async fn run(slack: &Slack, ev: &SlackCommandEvent, name: &str) -> SlackMessageContent {
    let team = ev.team_id.0.as_str();
    let Some(token) = slack.token_for(team).await else {
        return render::refusal("Spotlight isn't installed in this workspace yet.");
    };
    let (ws, me, actor) = match slack
        .caller(&token, team, ev.team_domain.as_deref(), &ev.user_id.0)
        .await
    {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = ?e, "could not identify the caller");
            return render::refusal(crate::domain::error::APOLOGY);
        }
    };
    let names = SlackNames {
        slack,
        token: &token,
        team,
        ws: &ws,
    };
    let here = ev.channel_id.0.clone();
    let ctx = chat::Ctx {
        core: &slack.app.spotlight,
        ws: &ws,
        actor: &actor,
        names: &names,
        here: Some(here.clone()),
        event_id: Some(format!("command:{}", ev.trigger_id.0)),
    };
    let text = ev.text.as_deref().unwrap_or("");
    let Some(result) = chat::run(&ctx, name, text).await else {
        return render::refusal(&format!("I don't know the command /{name}."));
    };
    let welcomes = match chat::welcomes(&ctx, result.as_ref().ok()).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = ?e, "could not look up welcomes");
            Vec::new()
        }
    };
    // The caller's own welcome comes with this private reply; the people a thank-you reached
    // for the first time get theirs as a direct message.
    let (own, others): (Vec<_>, Vec<_>) = welcomes
        .into_iter()
        .partition(|w| w.external_id == me.external_id);
    let mut content = reply(slack, &token, &ws, &me, &here, text, result, others);
    if let Some(w) = own.first() {
        let mut blocks = content.blocks.take().unwrap_or_default();
        blocks.push(render::section(&render::escape(&w.text)));
        content = content.with_blocks(blocks);
    }
    content
}

/// The reply to a command's result; a new thank-you or medallion is announced after it, and
/// then the people it reached for the first time are welcomed.
#[allow(clippy::too_many_arguments)]
fn reply(
    slack: &Slack,
    token: &SlackApiToken,
    ws: &crate::domain::model::Workspace,
    me: &crate::domain::model::Member,
    here: &str,
    text: &str,
    result: crate::domain::error::Result<Answer>,
    welcomes: Vec<crate::domain::model::Welcome>,
) -> SlackMessageContent {
    let (token, here) = (token.clone(), here.to_string());
    match result {
        Ok(answer) => {
            if let Answer::Medallion(given) = &answer {
                if given.created {
                    let recipient = mentioned_ids(text).into_iter().next().unwrap_or_default();
                    let (slack, ws, m, giver) = (
                        slack.clone(),
                        ws.clone(),
                        given.medallion.clone(),
                        me.external_id.clone(),
                    );
                    tokio::spawn(
                        async move {
                            let content = render::medallion_announcement(&m, &recipient, &giver);
                            let what = format!("announcement of medallion #{}", m.id);
                            slack
                                .post_or_record(&token, &ws, &here, &what, content)
                                .await;
                            slack.send_welcomes(&token, &ws, &welcomes).await;
                        }
                        .in_current_span(),
                    );
                }
            } else if let Answer::Announce { post, .. } = &answer {
                let (slack, ws, post) = (slack.clone(), ws.clone(), post.clone());
                tokio::spawn(
                    async move {
                        slack
                            .post_or_record(
                                &token,
                                &ws,
                                &here,
                                "awards announcement",
                                render::titled(&post),
                            )
                            .await;
                    }
                    .in_current_span(),
                );
            } else if let Answer::Given(given) = &answer {
                let recipients = mentioned_ids(text);
                let (slack, ws, given, giver) = (
                    slack.clone(),
                    ws.clone(),
                    given.clone(),
                    me.external_id.clone(),
                );
                // The reply goes back at once; the announcement follows it.
                tokio::spawn(
                    async move {
                        slack
                            .announce(&token, &ws, &here, &given, &giver, &recipients)
                            .await;
                        slack.send_welcomes(&token, &ws, &welcomes).await;
                    }
                    .in_current_span(),
                );
            }
            render::answer(&answer)
        }
        Err(e) => render::refusal(&chat::failure_text(&e)),
    }
}

/// The user ids a command's leading mentions name, in order, once each.
fn mentioned_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    if let Ok((mentions, _)) = chat::parse::leading_mentions(text) {
        for m in mentions {
            if let chat::parse::Mention::User { id, .. } = m {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    ids
}
