//! Reaction kudos: the workspace's emoji on a colleague's message thanks its author, within the
//! same allowance; taking the reaction away the same day takes the kudos back.

use poise::serenity_prelude as serenity;

use super::render::announcement;
use super::{deliver, display_name, PLATFORM};
use crate::app::App;
use crate::domain::error::Error as CoreError;
use crate::domain::model::{KudosRequest, Workspace};

pub async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent, app: &App) {
    use tracing::Instrument;
    let result = match event {
        serenity::FullEvent::ReactionAdd { add_reaction: r } => {
            let span = tracing::info_span!("event", name = "reaction add", message = %r.message_id);
            added(ctx, app, r).instrument(span).await
        }
        serenity::FullEvent::ReactionRemove {
            removed_reaction: r,
        } => {
            let span =
                tracing::info_span!("event", name = "reaction remove", message = %r.message_id);
            removed(ctx, app, r).instrument(span).await
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        match e.downcast_ref::<CoreError>() {
            Some(CoreError::Refused(r)) => tracing::info!(refusal = %r, "reaction kudos refused"),
            _ => tracing::error!(error = ?e, "reaction kudos failed"),
        }
    }
}

fn event_id(r: &serenity::Reaction, user: serenity::UserId) -> String {
    format!("reaction:{}:{}", r.message_id, user)
}

/// Compares emoji as people see them: variation selectors aside, and custom ones by name.
fn is_kudos_emoji(emoji: &serenity::ReactionType, configured: &str) -> bool {
    let clean = |s: &str| s.replace('\u{FE0F}', "");
    let wanted = clean(configured);
    match emoji {
        serenity::ReactionType::Unicode(s) => clean(s) == wanted,
        serenity::ReactionType::Custom { name, id, .. } => {
            name.as_deref()
                .is_some_and(|n| wanted == n || wanted == format!(":{n}:"))
                || wanted.contains(&id.to_string())
        }
        _ => false,
    }
}

/// The workspace and reacting user when the reaction is the workspace's kudos emoji in a server.
async fn kudos_reaction(
    app: &App,
    r: &serenity::Reaction,
) -> anyhow::Result<Option<(Workspace, serenity::UserId)>> {
    let (Some(guild), Some(user_id)) = (r.guild_id, r.user_id) else {
        return Ok(None);
    };
    let ws = app
        .spotlight
        .workspace(PLATFORM, &guild.to_string(), None)
        .await?;
    Ok(is_kudos_emoji(&r.emoji, &ws.settings.kudos_emoji).then_some((ws, user_id)))
}

async fn added(ctx: &serenity::Context, app: &App, r: &serenity::Reaction) -> anyhow::Result<()> {
    let Some((ws, user_id)) = kudos_reaction(app, r).await? else {
        return Ok(());
    };
    let guild = r.guild_id.unwrap_or_default();
    let core = &app.spotlight;
    let message = r.channel_id.message(&ctx.http, r.message_id).await?;
    let author = &message.author;
    let giver_user = match &r.member {
        Some(m) => m.user.clone(),
        None => user_id.to_user(&ctx.http).await?,
    };
    if giver_user.bot {
        return Ok(());
    }
    let giver = core
        .member(&ws, &user_id.to_string(), &display_name(&giver_user), false)
        .await?;
    let link = format!(
        "https://discord.com/channels/{guild}/{}/{}",
        r.channel_id, r.message_id
    );
    let given = core
        .give_kudos(
            &ws,
            &giver,
            KudosRequest {
                recipients: vec![super::platform_user(author).into()],
                message: link.clone(),
                value: None,
                channel: Some(r.channel_id.to_string()),
                event_id: Some(event_id(r, user_id)),
                link: Some(link),
            },
        )
        .await?;
    if !given.created {
        return Ok(());
    }
    let channel = super::celebration_channel(&ws).unwrap_or(r.channel_id);
    let what = format!("announcement of kudos #{}", given.kudos.id);
    deliver(
        ctx,
        app,
        &ws,
        channel,
        &what,
        announcement(&given.kudos, &[author.id], user_id),
    )
    .await;
    // A reaction has no interaction to follow up on: newcomers are welcomed by DM.
    let welcomes = core.welcomes_for_kudos(&ws, &giver, &given).await?;
    super::yearround::dm_welcomes(ctx.http.clone(), &ws, welcomes);
    Ok(())
}

async fn removed(
    _ctx: &serenity::Context,
    app: &App,
    r: &serenity::Reaction,
) -> anyhow::Result<()> {
    let (Some(guild), Some(user_id)) = (r.guild_id, r.user_id) else {
        return Ok(());
    };
    let core = &app.spotlight;
    let ws = core.workspace(PLATFORM, &guild.to_string(), None).await?;
    if !is_kudos_emoji(&r.emoji, &ws.settings.kudos_emoji) {
        return Ok(());
    }
    let Some(giver) = core.member_by_external(&ws, &user_id.to_string()).await? else {
        return Ok(());
    };
    core.retract_gesture(&ws, &giver, &event_id(r, user_id))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_match_ignores_variation_selectors() {
        let star = serenity::ReactionType::Unicode("🌟".into());
        assert!(is_kudos_emoji(&star, "🌟"));
        let heart = serenity::ReactionType::Unicode("❤\u{FE0F}".into());
        assert!(is_kudos_emoji(&heart, "❤"));
        assert!(!is_kudos_emoji(&star, "👍"));
    }
}
