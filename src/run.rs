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

/// The sockets the app serves on, bound by the caller (tests use port 0) so a port in use is
/// reported before anything starts.
#[derive(Debug)]
pub struct Listeners {
    /// `server.listen`: Slack, the pages, health and (unless it has its own) metrics.
    pub http: TcpListener,
    /// `server.metrics_listen`, when set.
    pub metrics: Option<TcpListener>,
}

impl Listeners {
    /// Binds what the configuration names, each failure naming its setting.
    pub async fn bind(config: &crate::config::ServerConfig) -> anyhow::Result<Self> {
        let http = crate::http::bind(config.address()?, "server.listen").await?;
        let metrics = match config.metrics_address()? {
            Some(address) => Some(crate::http::bind(address, "server.metrics_listen").await?),
            None => None,
        };
        Ok(Self { http, metrics })
    }

    /// Starts the HTTP servers as tasks that end when `stopped` turns true; the links the bot
    /// hands out then point at the address really bound.
    pub fn serve(
        self,
        app: &App,
        slack: Option<&Slack>,
        stopped: &watch::Receiver<bool>,
        tasks: &mut tokio::task::JoinSet<anyhow::Result<()>>,
    ) -> anyhow::Result<()> {
        let bound = self.http.local_addr()?;
        app.spotlight
            .set_base_url(app.config.server.base_url(bound));
        let router = crate::http::router(app, slack, stopped.clone(), self.metrics.is_none());
        tasks.spawn(crate::http::serve(self.http, router, wait(stopped.clone())));
        if let Some(metrics) = self.metrics {
            let router = crate::http::metrics_router(app);
            tasks.spawn(crate::http::serve(metrics, router, wait(stopped.clone())));
        }
        Ok(())
    }
}

/// Serves until `shutdown` resolves, then lets work in flight finish and closes the database.
pub async fn run(
    app: App,
    platforms: Platforms,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    anyhow::ensure!(!platforms.is_empty(), NO_CREDENTIALS);
    let (stop, stopped) = watch::channel(false);
    let stop = std::sync::Arc::new(stop);
    if platforms.discord.is_some() {
        app.health.expect(crate::discord::PLATFORM);
    }
    let slack = match &platforms.slack {
        Some(credentials) => {
            app.health.expect(crate::slack::PLATFORM);
            let slack = Slack::new(app.clone(), credentials.clone())?;
            slack.check().await?;
            // Over HTTP Slack calls in: reachable as soon as the server listens. Socket Mode
            // reports its own connection.
            if credentials.app_token.is_none() {
                app.health.set(crate::slack::PLATFORM, true);
            }
            Some(slack)
        }
        None => None,
    };
    let mut tasks = tokio::task::JoinSet::new();
    listeners.serve(&app, slack.as_ref(), &stopped, &mut tasks)?;
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

pub async fn wait(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}
