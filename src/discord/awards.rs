//! The Excellence in Service awards on Discord: `/nominate`, and the admins'
//! `/spotlight awards …` subcommands. The rules and the words are the core's and
//! `render::awards`'; this only parses, calls and replies (privately).

use poise::serenity_prelude as serenity;

use super::admin::{admin, tell};
use super::render::quiet;
use super::{core_of, speaker, Context, Error};
use crate::render::awards as text;
use crate::service::{awards_export_text, ExportFormat};

/// Discord refuses a message over 2,000 characters.
const MESSAGE_CHARS: usize = 1900;

/// Nominate a colleague for the Excellence in Service awards (while nominations are open).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "nominate", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn nominate(
    ctx: Context<'_>,
    #[description = "Whose service to your department stood out"] member: serenity::User,
    #[description = "Why"]
    #[max_length = 500]
    why: String,
) -> Result<(), Error> {
    let (ws, me) = speaker(ctx).await?;
    let nominee = super::platform_user(&member).into();
    let n = core_of(ctx).nominate(&ws, &me, &nominee, &why).await?;
    super::answer::send(ctx, quiet(text::nominated(&n)).ephemeral(true)).await?;
    Ok(())
}

/// The Excellence in Service awards: nominations, shortlists, winners and the ceremony.
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "open",
        "close",
        "status",
        "shortlist",
        "pick",
        "accept",
        "ceremony",
        "export"
    ),
    subcommand_required
)]
pub async fn awards(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// A long private reply in pieces Discord accepts, cut between lines.
async fn tell_long(ctx: Context<'_>, text: String) -> Result<(), Error> {
    let mut pieces: Vec<String> = vec![String::new()];
    for line in text.lines() {
        let last = pieces.last_mut().expect("one piece");
        if !last.is_empty() && last.chars().count() + line.chars().count() + 1 > MESSAGE_CHARS {
            pieces.push(String::new());
        }
        let last = pieces.last_mut().expect("one piece");
        if !last.is_empty() {
            last.push('\n');
        }
        last.extend(line.chars().take(MESSAGE_CHARS));
    }
    for piece in pieces {
        super::answer::send(ctx, quiet(piece).ephemeral(true)).await?;
    }
    Ok(())
}

/// Open nominations until a date (to its end) or a date and time, in the team's zone.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards open", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn open(
    ctx: Context<'_>,
    #[description = "Until when: 2026-12-15 or 2026-12-15 17:00"] until: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let tz = ws.settings.timezone;
    let round = core_of(ctx).awards_open(&ws, &actor, &until).await?;
    tell(ctx, &ws, &actor, text::open_reply(&round, tz)).await?;
    let channel = super::celebration_channel(&ws).unwrap_or_else(|| ctx.channel_id());
    let message = serenity::CreateMessage::new()
        .content(text::opened(&round, tz))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    super::deliver(
        ctx.serenity_context(),
        &ctx.data().app,
        &ws,
        channel,
        "awards announcement",
        message,
    )
    .await;
    Ok(())
}

/// Close nominations now.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards close", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn close(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let round = core.awards_close(&ws, &actor).await?;
    let reply = text::closed_reply(&round, core.now(), ws.settings.timezone);
    tell(ctx, &ws, &actor, reply).await
}

/// Who is nominated, per department, by whom and why (only you see this).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards status", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let status = core_of(ctx).awards_status(&ws, &actor).await?;
    tell_long(ctx, text::status(&status)).await
}

/// Each department's ranked shortlist with the quotes behind it (once nominations closed).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards shortlist", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn shortlist(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let lists = core_of(ctx).awards_shortlists(&ws, &actor).await?;
    tell_long(ctx, text::shortlists(&lists)).await
}

/// Pick a department's winner from its shortlist.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards pick", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn pick(
    ctx: Context<'_>,
    #[description = "The winner"] member: serenity::User,
    #[description = "Their department, if they are on two shortlists"] department: Option<String>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let who = super::platform_user(&member).into();
    let (department, person) = core_of(ctx)
        .awards_pick(&ws, &actor, &who, department.as_deref())
        .await?;
    tell(ctx, &ws, &actor, text::picked(&department, &person.name)).await
}

/// Take the top of every shortlist that has no winner yet (a tie is left for you to pick).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards accept", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn accept(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let accepted = core_of(ctx).awards_accept(&ws, &actor).await?;
    tell(ctx, &ws, &actor, text::accepted(&accepted)).await
}

/// Schedule the ceremony post (and each winner's direct message).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards ceremony", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn ceremony(
    ctx: Context<'_>,
    #[description = "When: 2026-12-18 16:00 (a date alone: 16:00)"] when: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let plan = core_of(ctx).awards_ceremony(&ws, &actor, &when).await?;
    tell(ctx, &ws, &actor, text::ceremony_scheduled(&plan)).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum FormatChoice {
    #[name = "csv"]
    Csv,
    #[name = "json"]
    Json,
}

/// The shortlists and their quotes as a file, for a printed ceremony.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight awards export", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn export(
    ctx: Context<'_>,
    #[description = "csv (default) or json"] format: Option<FormatChoice>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let (format, ext) = match format.unwrap_or(FormatChoice::Csv) {
        FormatChoice::Csv => (ExportFormat::Csv, "csv"),
        FormatChoice::Json => (ExportFormat::Json, "json"),
    };
    let lists = core_of(ctx).awards_export(&ws, &actor).await?;
    let body = awards_export_text(&lists, format)?;
    let name = format!("awards-{}.{ext}", lists.round.year);
    let reply = quiet(format!(
        "The {} shortlists and their quotes, one row per quote.",
        lists.round.year
    ))
    .attachment(serenity::CreateAttachment::bytes(body.into_bytes(), name))
    .ephemeral(true);
    super::answer::send(ctx, reply).await?;
    Ok(())
}
