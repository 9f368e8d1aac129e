//! `spotlight run`: every platform that has credentials, in one process, on one store and one
//! scheduler per platform, with the app's HTTP server.

use std::future::Future;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::secrets::Secret;
use crate::slack::{Slack, SlackCredentials, SlackSink};

/// The credentials found in the environment.
#[derive(Debug, Clone, Default)]
pub struct Platforms {
    pub discord: Option<Secret>,
    pub slack: Option<SlackCredentials>,
}

impl Platforms {
    pub fn is_empty(&self) -> bool {
        self.discord.is_none() && self.slack.is_none()
    }
}

pub const NO_CREDENTIALS: &str = "no platform credentials: set SPOTLIGHT_DISCORD_TOKEN to run on \
     Discord, or SPOTLIGHT_SLACK_SIGNING_SECRET and SPOTLIGHT_SLACK_BOT_TOKEN to run on Slack (README, \
     \"Running on Discord\" and \"Running on Slack\"), or try Spotlight locally with `spotlight shell`";

/// Serves until `shutdown` resolves, then lets work in flight finish and closes the database.
/// `listener` is the HTTP server's socket, bound by the caller (tests use port 0); Slack needs it.
pub async fn run(
    app: App,
    platforms: Platforms,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    anyhow::ensure!(!platforms.is_empty(), NO_CREDENTIALS);
    let (stop, stopped) = watch::channel(false);
    let stop = std::sync::Arc::new(stop);
    let slack = match &platforms.slack {
        Some(credentials) => {
            let slack = Slack::new(app.clone(), credentials.clone())?;
            slack.check().await?;
            Some(slack)
        }
        None => None,
    };
    let mut tasks = tokio::task::JoinSet::new();
    match listener {
        Some(listener) => {
            let http = crate::http::router(slack.as_ref());
            tasks.spawn(crate::http::serve(listener, http, wait(stopped.clone())));
        }
        None if slack.is_some() => anyhow::bail!("Slack needs the HTTP server (server.listen)"),
        None => {}
    }
    if let (Some(slack), Some(app_token)) = (
        &slack,
        platforms.slack.as_ref().and_then(|s| s.app_token.clone()),
    ) {
        tasks.spawn(crate::slack::socket::run(
            slack.clone(),
            app_token,
            stopped.clone(),
        ));
    }
    if let Some(slack) = slack {
        let scheduler = crate::scheduler::Scheduler::new(app.spotlight.clone());
        let every = std::time::Duration::from_millis(app.config.scheduler.tick_ms);
        let stop = stopped.clone();
        tasks.spawn(async move {
            let sink = SlackSink { slack };
            scheduler
                .run_every(crate::slack::PLATFORM, &sink, every, stop)
                .await;
            Ok(())
        });
    }
    if let Some(token) = platforms.discord {
        tasks.spawn(crate::discord::run(
            app.clone(),
            token,
            wait(stopped.clone()),
        ));
    }
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        let _ = on_signal.send(true);
    });
    let mut first_error = None;
    while let Some(done) = tasks.join_next().await {
        let result = done.context("a platform task panicked").and_then(|r| r);
        if let Err(e) = result {
            // One platform failing stops the others: a half-running bot is hard to notice.
            // Reported once, by whoever called run.
            tracing::debug!(error = ?e, "a platform failed; stopping the others");
            first_error.get_or_insert(e);
            let _ = stop.send(true);
        }
    }
    app.shutdown().await;
    match first_error {
        Some(e) => Err(e),
        None => {
            tracing::info!("stopped");
            Ok(())
        }
    }
}

async fn wait(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}
