//! Interactivity: the "Give kudos" message shortcut, the App Home button, and the kudos form
//! they (and `/kudos` with no text) open. A form sent twice (a double click) counts once.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::json;
use slack_morphism::prelude::*;
use tracing::Instrument;

use super::modals::{self, Opened};
use super::{render, Slack};
use crate::domain::model::{KudosRequest, MemberRef};

pub const OPEN_FORM: &str = "open_kudos_form";
pub const SHORTCUT: &str = "give_kudos";

#[derive(serde::Deserialize)]
pub struct Payload {
    payload: String,
}

pub async fn handle(
    State(slack): State<Slack>,
    form: Result<Form<Payload>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            tracing::warn!(error = %rejection, "refused an unreadable Slack interaction");
            return rejection.into_response();
        }
    };
    let event = match serde_json::from_str::<SlackInteractionEvent>(&form.payload) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable Slack interaction");
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    match respond(&slack, event).await {
        Some(errors) => Json(errors_reply(&errors)).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// Field errors that keep a form open: block id → text.
pub type FormErrors = std::collections::HashMap<String, String>;

fn errors_reply(errors: &FormErrors) -> serde_json::Value {
    json!({"response_action": "errors", "errors": errors})
}

/// Handles an interaction, over HTTP or Socket Mode; `Some` when a form must stay open.
pub async fn respond(slack: &Slack, event: SlackInteractionEvent) -> Option<FormErrors> {
    match event {
        SlackInteractionEvent::MessageAction(a) if a.callback_id.0 == SHORTCUT => {
            let span = tracing::info_span!("command", name = "Give kudos", user = %a.user.id);
            let message = a.message.as_ref().and_then(|m| {
                let channel = a.channel.as_ref()?.id.0.clone();
                Some((
                    channel,
                    m.origin.ts.0.clone(),
                    m.sender.user.as_ref()?.0.clone(),
                ))
            });
            let opened = Opened {
                channel: a.channel.as_ref().map(|c| c.id.0.clone()),
                message,
            };
            open_form(slack, &a.team.id.0, &a.trigger_id, opened)
                .instrument(span)
                .await;
            None
        }
        SlackInteractionEvent::BlockActions(b)
            if b.actions
                .iter()
                .flatten()
                .any(|a| a.action_id.0 == OPEN_FORM) =>
        {
            let opened = Opened {
                channel: b.channel.as_ref().map(|c| c.id.0.clone()),
                message: None,
            };
            open_form(slack, &b.team.id.0, &b.trigger_id, opened).await;
            None
        }
        SlackInteractionEvent::ViewSubmission(v) => {
            let span = tracing::info_span!("command", name = "kudos form", user = %v.user.id);
            submitted(slack, v).instrument(span).await
        }
        _ => None,
    }
}

/// Opens the form inside the three seconds a trigger lives.
pub async fn open_form(slack: &Slack, team: &str, trigger: &SlackTriggerId, opened: Opened) {
    let Some(token) = slack.token_for(team).await else {
        return;
    };
    let core = &slack.app.spotlight;
    let values = match core.workspace(super::PLATFORM, team, None).await {
        Ok(ws) => ws.settings.values,
        Err(e) => {
            tracing::error!(error = ?e, "could not load the workspace for the kudos form");
            return;
        }
    };
    let author = match &opened.message {
        Some((_, _, author)) => match slack.api.user(&token, team, author).await {
            Ok(info) => Some(info.user.name),
            Err(e) => {
                tracing::warn!(error = %e, "could not look up the message's author");
                Some(author.clone())
            }
        },
        None => None,
    };
    let view = modals::kudos_form(
        &opened,
        author.as_deref(),
        &values,
        slack.app.config.rules.max_message_chars,
    );
    let request = SlackApiViewsOpenRequest::new(trigger.clone(), view);
    let session = slack.api.client().open_session(&token);
    if let Err(e) = slack
        .api
        .call("views.open", || session.views_open(&request))
        .await
    {
        tracing::error!(error = %e, "could not open the kudos form");
    }
}

async fn submitted(slack: &Slack, v: SlackInteractionViewSubmissionEvent) -> Option<FormErrors> {
    let SlackView::Modal(modal) = &v.view.view else {
        return None;
    };
    if modal.callback_id.as_ref().map(|c| c.0.as_str()) != Some(modals::CALLBACK) {
        return None;
    }
    let team = v.team.id.0.clone();
    let token = slack.token_for(&team).await?;
    let opened: Opened = modal
        .private_metadata
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let filled = modals::read(v.view.state_params.state.as_ref());
    let (ws, me, _) = match slack.caller(&token, &team, None, &v.user.id.0).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = ?e, "could not identify the caller");
            return form_error(&opened, &crate::domain::error::Error::Internal(e));
        }
    };
    let mut ids = filled.people.clone();
    let mut link = None;
    if let Some((channel, ts, author)) = &opened.message {
        ids = vec![author.clone()];
        link = Some(super::events::permalink(channel, ts));
    }
    let mut recipients: Vec<MemberRef> = Vec::with_capacity(ids.len());
    for id in &ids {
        match slack.api.user(&token, &team, id).await {
            Ok(info) => recipients.push(info.user.into()),
            Err(e) => {
                tracing::error!(error = %e, "could not look up a recipient");
                return form_error(&opened, &anyhow::Error::new(e).into());
            }
        }
    }
    let given = slack
        .app
        .spotlight
        .give_kudos(
            &ws,
            &me,
            KudosRequest {
                recipients,
                message: filled.message,
                value: filled.value,
                channel: opened.channel.clone(),
                event_id: Some(format!("view:{}", v.view.state_params.id.0)),
                link,
            },
        )
        .await;
    let given = match given {
        Ok(given) => given,
        Err(e) => return form_error(&opened, &e),
    };
    let (slack, user) = (slack.clone(), me.external_id.clone());
    tokio::spawn(
        async move {
            if let Some(channel) = &opened.channel {
                let confirm = render::answer(&crate::chat::Answer::Given(given.clone()));
                let request = SlackApiChatPostEphemeralRequest::new(
                    channel.as_str().into(),
                    user.as_str().into(),
                    confirm,
                );
                let session = slack.api.client().open_session(&token);
                if let Err(e) = slack
                    .api
                    .call("chat.postEphemeral", || {
                        session.chat_post_ephemeral(&request)
                    })
                    .await
                {
                    tracing::warn!(error = %e, "could not confirm the kudos privately");
                }
            }
            let here = opened.channel.clone().unwrap_or_else(|| user.clone());
            slack
                .announce(&token, &ws, &here, &given, &user, &ids)
                .await;
            // Newcomers, the giver or the people thanked, are welcomed by DM.
            match slack
                .app
                .spotlight
                .welcomes_for_kudos(&ws, &me, &given)
                .await
            {
                Ok(w) => slack.send_welcomes(&token, &ws, &w).await,
                Err(e) => tracing::error!(error = ?e, "could not look up welcomes"),
            }
        }
        .in_current_span(),
    );
    None
}

/// Keeps the form open with the refusal under the field it is about.
fn form_error(opened: &Opened, e: &crate::domain::error::Error) -> Option<FormErrors> {
    use crate::domain::error::{Error, Refusal};
    let about_people = matches!(
        e,
        Error::Refused(
            Refusal::SelfKudos
                | Refusal::BotRecipient(_)
                | Refusal::NoRecipients
                | Refusal::TooManyRecipients { .. }
                | Refusal::AllowanceExceeded { .. }
        )
    );
    let block = if about_people && opened.message.is_none() {
        modals::WHO
    } else {
        modals::MESSAGE
    };
    let text = crate::chat::failure_text(e);
    Some(FormErrors::from([(block.to_string(), text)]))
}
