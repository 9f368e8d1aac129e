//! The year-round commands on Discord: `/medallion`, `/thanked-customer`, and the one-time
//! welcome (an ephemeral follow-up to someone's first interaction, a direct message to someone
//! thanked for the first time; without privileged intents the bot never sees people join).

use poise::serenity_prelude as serenity;

use super::render::quiet;
use super::{core_of, speaker, Context, Error};
use crate::domain::model::{GivenMedallion, MedallionRequest, Welcome, Workspace};
use crate::render;

const BRONZE: u32 = 0xCD7F32;

/// Give your service medallion to a colleague whose service to you stood out.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "medallion", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn medallion(
    ctx: Context<'_>,
    #[description = "Whose service stood out"] member: serenity::User,
    #[description = "What they did for you"]
    #[max_length = 500]
    why: String,
) -> Result<(), Error> {
    let (ws, giver) = speaker(ctx).await?;
    let given = core_of(ctx)
        .give_medallion(
            &ws,
            &giver,
            MedallionRequest {
                recipient: super::platform_user(&member).into(),
                message: why,
                channel: Some(ctx.channel_id().to_string()),
                event_id: Some(format!("interaction:{}", ctx.id())),
            },
        )
        .await?;
    let text = format!("🏅 {}", render::medallion_confirmation(&given));
    super::answer::send(ctx, quiet(text).ephemeral(true)).await?;
    if !given.created {
        return Ok(());
    }
    let channel = super::celebration_channel(&ws).unwrap_or_else(|| ctx.channel_id());
    let what = format!("announcement of medallion #{}", given.medallion.id);
    super::deliver(
        ctx.serenity_context(),
        &ctx.data().app,
        &ws,
        channel,
        &what,
        announcement(&given, member.id, ctx.author().id),
    )
    .await;
    let m = &given.medallion;
    welcome_reached(ctx, &ws, &m.giver.name, vec![m.recipient.id]);
    Ok(())
}

/// A medallion's post: its own look (a bronze embed with the medallion's year), pinging only the
/// recipient and the giver.
fn announcement(
    given: &GivenMedallion,
    recipient: serenity::UserId,
    giver: serenity::UserId,
) -> serenity::CreateMessage {
    let m = &given.medallion;
    let embed = serenity::CreateEmbed::new()
        .title(format!(
            "🏅 Service medallion {}: {} honours {}",
            m.year, m.giver.name, m.recipient.name
        ))
        .description(&m.message)
        .colour(BRONZE)
        .footer(serenity::CreateEmbedFooter::new(format!(
            "Medallion #{}",
            m.id
        )));
    serenity::CreateMessage::new()
        .content(format!(
            "🏅 <@{recipient}>: <@{giver}> gives you a service medallion!"
        ))
        .embed(embed)
        .allowed_mentions(
            serenity::CreateAllowedMentions::new()
                .users([recipient, giver])
                .everyone(false)
                .all_roles(false),
        )
}

/// Record a thank-you note you wrote to a customer (no names needed; it pings no one).
#[poise::command(slash_command, guild_only, rename = "thanked-customer")]
#[tracing::instrument(name = "command", skip_all, fields(name = "thanked-customer", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn thanked_customer(
    ctx: Context<'_>,
    #[description = "Who, or a short note (optional)"]
    #[max_length = 200]
    note: Option<String>,
) -> Result<(), Error> {
    let (ws, me) = speaker(ctx).await?;
    let event = format!("interaction:{}", ctx.id());
    let (thanks, created) = core_of(ctx)
        .thanked_customer(&ws, &me, note.as_deref(), Some(&event))
        .await?;
    super::answer::send(
        ctx,
        quiet(render::customer_thanks(&thanks, created)).ephemeral(true),
    )
    .await?;
    Ok(())
}

/// After any interaction: the caller's one-time welcome, as an ephemeral follow-up.
pub async fn welcome_caller(ctx: Context<'_>) {
    let result = async {
        let (ws, me) = speaker(ctx).await?;
        if let Some(w) = core_of(ctx).welcome_first_use(&ws, &me).await? {
            super::answer::send(ctx, quiet(w.text).ephemeral(true)).await?;
        }
        Ok::<_, Error>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = ?e, "could not welcome the caller");
    }
}

/// Direct messages to people a thank-you reached for the first time, looked up and sent in the
/// background so the command is done at once. A welcome is a courtesy: one that cannot be delivered (DMs
/// closed) is logged, not retried.
pub fn welcome_reached(ctx: Context<'_>, ws: &Workspace, giver: &str, reached: Vec<i64>) {
    let (app, http, ws, giver) = (
        ctx.data().app.clone(),
        ctx.serenity_context().http.clone(),
        ws.clone(),
        giver.to_string(),
    );
    tokio::spawn(async move {
        match app.spotlight.welcome_thanked(&ws, &giver, &reached).await {
            Ok(welcomes) => dm_welcomes(http, &ws, welcomes),
            Err(e) => tracing::error!(error = ?e, "could not look up welcomes"),
        }
    });
}

/// The same, from wherever the bot has its REST client (a reaction has no interaction).
pub fn dm_welcomes(http: std::sync::Arc<serenity::Http>, ws: &Workspace, welcomes: Vec<Welcome>) {
    if welcomes.is_empty() {
        return;
    }
    let workspace = ws.id;
    tokio::spawn(async move {
        for w in welcomes {
            let Ok(id) = w.external_id.parse::<u64>() else {
                continue;
            };
            let sent = async {
                let dm = serenity::UserId::new(id).create_dm_channel(&http).await?;
                dm.id
                    .send_message(
                        &http,
                        serenity::CreateMessage::new()
                            .content(&w.text)
                            .allowed_mentions(serenity::CreateAllowedMentions::new()),
                    )
                    .await
            }
            .await;
            if let Err(e) = sent {
                tracing::warn!(workspace, who = %w.external_id, error = %e, "could not send a welcome");
            }
        }
    });
}
