//! Socket Mode, for teams without a public URL: slack-morphism keeps the websocket (asking
//! `apps.connections.open` through `slack.api_base_url`), acknowledges each envelope with its
//! reply, and reconnects when Slack says `disconnect` or drops the line. The same functions as
//! over HTTP answer commands, events and interactions.

use std::sync::Arc;

use slack_morphism::prelude::*;
use tokio::sync::watch;

use super::Slack;
use crate::secrets::Secret;

type Client = Arc<SlackHyperClient>;
type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn slack_of(states: &SlackClientEventsUserState) -> Result<Slack> {
    states
        .read()
        .await
        .get_user_state::<Slack>()
        .cloned()
        .ok_or_else(|| "the Slack state is missing".into())
}

async fn on_command(
    ev: SlackCommandEvent,
    _client: Client,
    states: SlackClientEventsUserState,
) -> Result<SlackCommandEventResponse> {
    let slack = slack_of(&states).await?;
    let content = super::commands::respond(&slack, &ev)
        .await
        .unwrap_or_else(SlackMessageContent::new);
    Ok(SlackCommandEventResponse::new(content)
        .with_response_type(SlackMessageResponseType::Ephemeral))
}

async fn on_interaction(
    ev: SlackInteractionEvent,
    _client: Client,
    states: SlackClientEventsUserState,
) -> Result<SlackInteractionResponse> {
    let slack = slack_of(&states).await?;
    Ok(match super::interactions::respond(&slack, ev).await {
        Some(errors) => SlackInteractionResponse::ViewSubmission(
            SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(errors)),
        ),
        None => SlackInteractionResponse::Empty,
    })
}

async fn on_push(
    ev: SlackPushEventCallback,
    _client: Client,
    states: SlackClientEventsUserState,
) -> Result<()> {
    let slack = slack_of(&states).await?;
    // Acknowledged at once; the work follows, as over HTTP.
    tokio::spawn(async move { super::events::received(&slack, ev).await });
    Ok(())
}

/// Serves over Socket Mode until `stop` turns true.
pub async fn run(
    slack: Slack,
    app_token: Secret,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(slack.api.shared_client())
            .with_error_handler(|e, _, _| {
                tracing::error!(error = %e, "Socket Mode handler failed");
                axum::http::StatusCode::OK
            })
            .with_user_state(slack.clone()),
    );
    // One connection: Slack sends each envelope to one of them, and it is re-opened at once
    // when it drops.
    let config = SlackClientSocketModeConfig::new().with_max_connections_count(1);
    let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
    listener
        .listen_for(&SlackApiToken::new(app_token.expose().into()))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open Slack's Socket Mode through {}: {e}",
                slack.api.base_url()
            )
        })?;
    listener.start().await;
    tracing::info!("connected to Slack over Socket Mode");
    slack.app.health.set(super::PLATFORM, true);
    let _ = stop.wait_for(|s| *s).await;
    slack.app.health.set(super::PLATFORM, false);
    listener.shutdown().await;
    Ok(())
}
