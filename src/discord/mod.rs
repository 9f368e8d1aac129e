//! Spotlight on Discord: serenity for the gateway and REST, poise for the commands. This layer
//! parses what Discord sends, calls the core and renders; it holds no rules of its own.

mod admin;
mod answer;
mod awards;
mod commands;
mod delivery;
mod posts;
mod reactions;
mod render;
mod send;
mod yearround;

use std::future::Future;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;

use crate::app::App;
use crate::domain::error::Error as CoreError;
use crate::domain::model::{Member, PlatformUser, Workspace};
use crate::secrets::Secret;
pub use delivery::deliver;
use delivery::{send_held, Stopping};

pub const PLATFORM: &str = "discord";

/// What every command can reach.
pub struct Data {
    pub app: App,
    inflight: std::sync::Arc<InFlight>,
}

/// Commands and events being handled, so shutdown can let them finish.
#[derive(Default)]
struct InFlight {
    count: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

impl InFlight {
    fn enter(&self) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn leave(&self) {
        let _ = self.count.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        );
        self.idle.notify_waiters();
    }

    /// Waits until nothing is in flight, or `limit` has passed.
    async fn drain(&self, limit: std::time::Duration) {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if self.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            tracing::warn!("shutting down with commands still running");
        }
    }
}

pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// The REST client: Discord itself, or the configured base URL with serenity's limiter off.
pub fn http_client(app: &App, token: &Secret) -> serenity::Http {
    let mut builder = serenity::HttpBuilder::new(token.expose());
    if let Some(base) = app.config.discord.api_base_url() {
        builder = builder.proxy(base).ratelimiter_disabled(true);
    }
    builder.build()
}

/// Connects, registers the commands and serves until `shutdown` resolves; then lets in-flight
/// commands finish.
pub async fn run(
    app: App,
    token: Secret,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let http = http_client(&app, &token);
    let where_to = app
        .config
        .discord
        .api_base_url()
        .unwrap_or("https://discord.com")
        .to_string();
    // serenity quietly falls back to Discord's public gateway when this lookup fails; asking
    // first makes an unreachable proxy stop the bot instead.
    http.get_gateway()
        .await
        .with_context(|| format!("cannot reach the Discord API at {where_to}"))?;
    let dev_guild = app.config.discord.dev_guild_id()?;
    let shards = app.config.discord.shards()?;
    let intents = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS;
    let data_app = app.clone();
    let inflight = std::sync::Arc::new(InFlight::default());
    let data_inflight = inflight.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: {
                let mut commands = commands::all(&app.spotlight);
                answer::wrap(&mut commands);
                commands
            },
            on_error: |error| Box::pin(on_error(error)),
            // Nothing the bot says pings anyone unless a message names whom it may ping.
            allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
            pre_command: |ctx| {
                Box::pin(async move {
                    ctx.data().inflight.enter();
                    ctx.set_invocation_data(std::time::Instant::now()).await;
                })
            },
            post_command: |ctx| {
                Box::pin(async move {
                    measure(ctx, &crate::telemetry::metrics::Outcome::Ok).await;
                    yearround::welcome_caller(ctx).await;
                    ctx.data().inflight.leave();
                })
            },
            event_handler: |framework, event| {
                Box::pin(async move {
                    let data = framework.user_data;
                    watch_connection(event, &data.app);
                    data.inflight.enter();
                    reactions::on_event(framework.serenity_context, event, &data.app).await;
                    data.inflight.leave();
                    Ok(())
                })
            },
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match dev_guild {
                    Some(guild) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(guild)).await?
                    }
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                tracing::info!(bot = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
                Ok(Data {
                    app: data_app,
                    inflight: data_inflight,
                })
            })
        })
        .build();
    let (stopping, stopping_seen) = tokio::sync::watch::channel(false);
    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .framework(framework)
        .raw_event_handler(Unreadable)
        .type_map_insert::<Stopping>(stopping_seen.clone())
        .await
        .context("building the Discord client")?;
    let (stop_posts, posts_stopped) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(run_scheduler(
        app.clone(),
        client.http.clone(),
        posts_stopped,
    ));
    tokio::spawn(send_held(app.clone(), client.http.clone(), stopping_seen));
    let manager = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        stopping.send_replace(true);
        manager.shutdown_all().await;
    });
    tracing::info!(%shards, "opening the Discord gateway");
    let served = match shards {
        crate::config::Shards::One => client.start().await,
        crate::config::Shards::All { total } => client.start_shards(total).await,
        // serenity takes the range's end as the last shard to run, not one past it.
        crate::config::Shards::Range { first, last, total } => {
            client.start_shard_range(first..last, total).await
        }
    }
    .context("Discord gateway");
    // A tick in progress finishes; none starts after this.
    let _ = stop_posts.send(true);
    let _ = scheduler.await;
    served?;
    app.health.set(PLATFORM, false);
    inflight.drain(std::time::Duration::from_secs(10)).await;
    tracing::info!("Discord stopped");
    Ok(())
}

/// Serenity turns a dispatch it cannot read (a field missing or of the wrong type) into an
/// unknown event and drops it with a debug line; for the ones Spotlight acts on, a warning.
struct Unreadable;

#[serenity::async_trait]
impl serenity::RawEventHandler for Unreadable {
    async fn raw_event(&self, _ctx: serenity::Context, event: serenity::Event) {
        if let serenity::Event::Unknown(unknown) = event {
            if matches!(
                unknown.kind.as_str(),
                "INTERACTION_CREATE" | "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE"
            ) {
                tracing::warn!(kind = %unknown.kind, "ignored a Discord dispatch that could not be read");
            }
        }
    }
}

/// The gateway's state, for `/readyz` and the connection gauge.
fn watch_connection(event: &serenity::FullEvent, app: &App) {
    match event {
        serenity::FullEvent::Ready { .. } | serenity::FullEvent::Resume { .. } => {
            app.health.set(PLATFORM, true)
        }
        serenity::FullEvent::ShardStageUpdate { event } => app
            .health
            .set(PLATFORM, event.new == serenity::ConnectionStage::Connected),
        _ => {}
    }
}

/// Counts a finished command and how long it took since `pre_command`.
async fn measure(ctx: Context<'_>, outcome: &crate::telemetry::metrics::Outcome) {
    let took = match ctx.invocation_data::<std::time::Instant>().await {
        Some(started) => started.elapsed(),
        None => std::time::Duration::ZERO,
    };
    crate::telemetry::metrics::command(PLATFORM, &ctx.command().qualified_name, outcome, took);
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    // A command that failed never reaches post_command.
    if let Some(ctx) = error.ctx() {
        ctx.data().inflight.leave();
    }
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            use crate::telemetry::metrics::Outcome;
            let refusal = error.downcast_ref::<crate::domain::error::Refusal>();
            let outcome = match (refusal, error.downcast_ref::<CoreError>()) {
                (Some(r), _) | (None, Some(CoreError::Refused(r))) => Outcome::Refused(r.rule()),
                _ => Outcome::Error,
            };
            measure(ctx, &outcome).await;
            let message = match error.downcast_ref::<CoreError>() {
                _ if refusal.is_some() => refusal.map(ToString::to_string).unwrap_or_default(),
                Some(core) => {
                    if let CoreError::Internal(cause) = core {
                        tracing::error!(command = %ctx.command().qualified_name, error = ?cause, "command failed");
                    }
                    core.user_message()
                }
                None => {
                    tracing::error!(command = %ctx.command().qualified_name, error = ?error, "command failed");
                    crate::domain::error::APOLOGY.to_string()
                }
            };
            let reply = poise::CreateReply::default()
                .content(message)
                .ephemeral(true);
            if let Err(e) = answer::send(ctx, reply).await {
                tracing::warn!(error = %e, "could not tell the user about an error");
            }
            yearround::welcome_caller(ctx).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = %e, "error while handling an error");
            }
        }
    }
}

/// The speaker's workspace (their guild) and member record, created or renamed on the way.
async fn speaker(ctx: Context<'_>) -> Result<(Workspace, Member), Error> {
    let guild_id = ctx
        .guild_id()
        .ok_or_else(|| anyhow::anyhow!("command used outside a server"))?;
    // Discord names a server command's caller as a member. Without one, serenity fills in a
    // blank placeholder user (id 1, no name), who must never be recorded or thanked for.
    let Some(caller) = ctx.author_member().await else {
        anyhow::bail!("a server command with no member calling it");
    };
    let roles: Vec<String> = caller.roles.iter().map(|r| r.to_string()).collect();
    let ws = workspace(ctx, guild_id).await?;
    let member = member_of(ctx, &ws, ctx.author()).await?;
    let member = core_of(ctx).apply_roles(&ws, &member, &roles).await?;
    Ok((ws, member))
}

async fn workspace(ctx: Context<'_>, guild_id: serenity::GuildId) -> Result<Workspace, Error> {
    // The cache may not hold the guild yet; then the name is left as it is.
    let name = ctx.guild().map(|g| g.name.clone());
    Ok(core_of(ctx)
        .workspace(PLATFORM, &guild_id.to_string(), name.as_deref())
        .await?)
}

/// The core, as every command reaches it.
fn core_of<'a>(ctx: Context<'a>) -> &'a crate::service::Spotlight {
    &ctx.data().app.spotlight
}

/// The workspace's celebration channel, when one is set.
pub fn celebration_channel(ws: &Workspace) -> Option<serenity::ChannelId> {
    ws.settings
        .celebration_channel
        .as_deref()
        .and_then(|c| c.parse::<u64>().ok())
        .map(serenity::ChannelId::new)
}

pub fn display_name(user: &serenity::User) -> String {
    user.global_name
        .clone()
        .unwrap_or_else(|| user.name.clone())
}

/// A Discord user as the core names people; their member record is made only when what the
/// command asks for is actually done.
pub fn platform_user(user: &serenity::User) -> PlatformUser {
    PlatformUser {
        external_id: user.id.to_string(),
        name: display_name(user),
        is_bot: user.bot,
    }
}

async fn member_of(
    ctx: Context<'_>,
    ws: &Workspace,
    user: &serenity::User,
) -> Result<Member, Error> {
    Ok(core_of(ctx)
        .member(ws, &user.id.to_string(), &display_name(user), user.bot)
        .await?)
}

pub(crate) fn http_status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) => {
            Some(response.status_code.as_u16())
        }
        _ => None,
    }
}

/// Runs the week's scheduler for Discord workspaces every `scheduler.tick_ms`.
async fn run_scheduler(
    app: App,
    http: std::sync::Arc<serenity::Http>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let scheduler = crate::scheduler::Scheduler::new(app.spotlight.clone());
    let sink = posts::DiscordSink {
        http,
        stopping: stop.clone(),
    };
    let every = std::time::Duration::from_millis(app.config.scheduler.tick_ms);
    scheduler.run_every(PLATFORM, &sink, every, stop).await;
}
