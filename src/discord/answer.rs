//! Discord waits three seconds for an interaction's first answer, then shows the member "The
//! application did not respond". A command still working after two seconds (a database busy
//! with another writer, a slow step) is answered "thinking…" first, privately when its real
//! answer will be private; that real answer then replaces it as a follow-up.
//!
//! Every slash command's action is wrapped with a timer. The deferral and the command's own
//! answers take turns on the invocation's lock (poise's invocation data) around poise's "first
//! answer sent" flag, so exactly one of them becomes Discord's initial response, never both.

use std::time::{Duration, Instant};

use super::{Context, Data, Error};

/// Leaves a second for the deferral itself to reach Discord.
pub const DEFER_AFTER: Duration = Duration::from_secs(2);

/// Commands whose answer everyone in the channel sees; all others answer privately.
const PUBLIC_ANSWERS: &[&str] = &["leaderboard"];

type Action =
    for<'a> fn(
        poise::ApplicationContext<'a, Data, Error>,
    ) -> poise::BoxFuture<'a, Result<(), poise::FrameworkError<'a, Data, Error>>>;

/// A command's own action, kept in its `custom_data` while the timer runs in its place.
struct Wrapped {
    action: Action,
    ephemeral: bool,
}

/// Puts the timer around every slash command, subcommands included.
pub fn wrap(commands: &mut [poise::Command<Data, Error>]) {
    for command in commands {
        wrap(&mut command.subcommands);
        if let Some(action) = command.slash_action {
            let ephemeral = !PUBLIC_ANSWERS.contains(&&*command.name);
            command.custom_data = Box::new(Wrapped { action, ephemeral });
            command.slash_action = Some(with_timer);
        }
    }
}

fn with_timer(
    ctx: poise::ApplicationContext<'_, Data, Error>,
) -> poise::BoxFuture<'_, Result<(), poise::FrameworkError<'_, Data, Error>>> {
    Box::pin(async move {
        let Some(wrapped) = ctx.command().custom_data.downcast_ref::<Wrapped>() else {
            // `wrap` sets both together; reaching this is a bug, not a member's doing.
            tracing::error!(command = %ctx.command().qualified_name, "a command lost its action");
            return Ok(());
        };
        let work = (wrapped.action)(ctx);
        tokio::pin!(work);
        tokio::select! {
            done = &mut work => return done,
            () = tokio::time::sleep(DEFER_AFTER) => {}
        }
        // The work goes on while the deferral waits for its turn.
        let (done, deferred) =
            tokio::join!(work, defer(Context::Application(ctx), wrapped.ephemeral));
        if let Err(e) = deferred {
            tracing::warn!(error = %e, "could not defer a slow command");
        }
        done
    })
}

/// Acknowledges the interaction now, unless it has been answered already.
pub async fn defer(
    ctx: Context<'_>,
    ephemeral: bool,
) -> Result<(), poise::serenity_prelude::Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    let _turn = ctx.invocation_data::<Instant>().await;
    app.defer_response(ephemeral).await
}

/// Answers: the initial response, or a follow-up once something has answered first.
pub async fn send(
    ctx: Context<'_>,
    reply: poise::CreateReply,
) -> Result<(), poise::serenity_prelude::Error> {
    let _turn = ctx.invocation_data::<Instant>().await;
    ctx.send(reply).await.map(|_| ())
}
