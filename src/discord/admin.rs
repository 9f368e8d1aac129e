//! `/spotlight …`: the admins' settings. Discord hides the group from members without Manage
//! Server (`default_member_permissions`), and every subcommand checks the caller's permissions
//! again, so a crafted interaction from a non-admin is refused.

use chrono::Datelike;
use poise::serenity_prelude as serenity;

use super::awards::awards;
use super::commands::PeriodChoice;
use super::render::quiet;
use super::{core_of, speaker, Context, Data, Error};
use crate::domain::error::Refusal;
use crate::domain::model::{Actor, Workspace};
use crate::domain::themes::parse_day;
use crate::render;
use crate::replies;
use crate::service::parse_date;

pub fn group() -> poise::Command<Data, Error> {
    spotlight()
}

#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands(
        "channel",
        "timezone",
        "prompt_time",
        "allowance",
        "medallions",
        "welcome",
        "emoji",
        "week",
        "department",
        "values",
        "revoke",
        "coverage",
        "prompts",
        "post",
        "wall",
        "status",
        "awards"
    ),
    subcommand_required
)]
pub async fn spotlight(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The caller as an admin: Manage Server (or Administrator) as Discord reports it.
pub(super) async fn admin(ctx: Context<'_>) -> Result<(Workspace, Actor), Error> {
    let (ws, member) = speaker(ctx).await?;
    let allowed = ctx
        .author_member()
        .await
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator());
    if !allowed {
        return Err(Refusal::NotAdmin(
            "use /spotlight (it needs the Manage Server permission)".into(),
        )
        .into());
    }
    Ok((
        ws,
        Actor {
            member,
            is_admin: true,
        },
    ))
}

/// Sends an admin's private reply, with any post the bot failed to deliver since they last looked.
pub(super) async fn tell(
    ctx: Context<'_>,
    ws: &Workspace,
    actor: &Actor,
    text: String,
) -> Result<(), Error> {
    let notices = core_of(ctx).admin_notices(ws, actor).await?;
    let mut text = text;
    text.push_str(&replies::undelivered(&notices, |c| format!("<#{c}>")));
    super::answer::send(ctx, quiet(text).ephemeral(true)).await?;
    Ok(())
}

/// Where kudos are announced (omit the channel to announce where they are given).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight channel", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn channel(
    ctx: Context<'_>,
    #[description = "The celebration channel"]
    #[channel_types("Text")]
    channel: Option<serenity::ChannelId>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let id = channel.map(|c| c.to_string());
    let ws2 = core_of(ctx).set_channel(&ws, &actor, id.as_deref()).await?;
    let text = match &ws2.settings.celebration_channel {
        Some(c) => format!("Kudos will be announced in <#{c}>."),
        None => "No celebration channel: kudos are announced where they are given.".into(),
    };
    tell(ctx, &ws2, &actor, text).await
}

async fn autocomplete_timezone(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let needle = partial.to_lowercase().replace(' ', "_");
    let choices = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.to_lowercase().contains(&needle))
        .take(25)
        .map(serenity::AutocompleteChoice::from)
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The team's time zone, for the day's boundaries and the week's posts.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight timezone", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn timezone(
    ctx: Context<'_>,
    #[description = "An IANA time zone such as Europe/London"]
    #[autocomplete = "autocomplete_timezone"]
    zone: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let ws = core_of(ctx).set_timezone(&ws, &actor, &zone).await?;
    tell(ctx, &ws, &actor, replies::timezone_set(&ws)).await
}

/// The local time of the daily prompt during Customer Service Week.
#[poise::command(slash_command, guild_only, rename = "prompt-time")]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight prompt-time", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn prompt_time(
    ctx: Context<'_>,
    #[description = "HH:MM, 24-hour, in the team's time zone"] time: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let ws = core_of(ctx).set_prompt_time(&ws, &actor, &time).await?;
    tell(ctx, &ws, &actor, replies::prompt_time_set(&ws)).await
}

/// How many colleagues each member may thank per day (0 = unlimited).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight allowance", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn allowance(
    ctx: Context<'_>,
    #[description = "Thank-yous per person per day"]
    #[min = 0]
    #[max = 1000]
    per_day: u32,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let ws = core_of(ctx)
        .set_allowance(&ws, &actor, &per_day.to_string())
        .await?;
    tell(ctx, &ws, &actor, replies::allowance_set(&ws)).await
}

/// Service medallions each member may give per calendar year (0 switches them off).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight medallions", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn medallions(
    ctx: Context<'_>,
    #[description = "Medallions per member per year, 0 to 3"]
    #[min = 0]
    #[max = 3]
    per_year: u32,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let ws = core_of(ctx)
        .set_medallions_per_year(&ws, &actor, &per_year.to_string())
        .await?;
    tell(ctx, &ws, &actor, replies::medallions_set(&ws)).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum OnOff {
    #[name = "on"]
    On,
    #[name = "off"]
    Off,
}

/// The short private welcome newcomers get the first time they use Spotlight or are thanked.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight welcome", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn welcome(
    ctx: Context<'_>,
    #[description = "On or off"] switch: OnOff,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let on = matches!(switch, OnOff::On);
    let ws = core_of(ctx).set_welcome(&ws, &actor, on).await?;
    tell(ctx, &ws, &actor, replies::welcome_switched(on)).await
}

/// The reaction that gives kudos.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight emoji", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn emoji(
    ctx: Context<'_>,
    #[description = "An emoji, e.g. 🌟"] emoji: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let ws = core_of(ctx).set_emoji(&ws, &actor, &emoji).await?;
    tell(ctx, &ws, &actor, replies::emoji_set(&ws)).await
}

/// Move this year's Customer Service Week, or (with no start) put it back on the standard dates.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight week", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn week(
    ctx: Context<'_>,
    #[description = "First day, YYYY-MM-DD (omit to reset to the standard week)"] start: Option<
        String,
    >,
    #[description = "Last day, YYYY-MM-DD (default: four days after the start)"] end: Option<
        String,
    >,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let week = match start {
        Some(start) => {
            let start = parse_date(&start)?;
            let end = end.as_deref().map(parse_date).transpose()?;
            core.set_week(&ws, &actor, start, end).await?
        }
        None => core.reset_week(&ws, &actor, core.today(&ws).year()).await?,
    };
    tell(ctx, &ws, &actor, replies::week_set(&week)).await
}

/// Put a member in a department, or map a role to one ("none" removes).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight department", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn department(
    ctx: Context<'_>,
    #[description = "Department name, or none"] name: String,
    #[description = "The member to assign"] member: Option<serenity::User>,
    #[description = "Everyone with this role"] role: Option<serenity::RoleId>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let dept = (!name.trim().eq_ignore_ascii_case("none")).then_some(name.trim());
    let text = match (member, role) {
        (Some(user), None) => {
            let m = core
                .set_department(&ws, &actor, super::platform_user(&user), dept)
                .await?;
            replies::department_set(&m)
        }
        (None, Some(role)) => {
            core.map_role(&ws, &actor, &role.to_string(), dept).await?;
            match dept {
                Some(d) => format!("Members with <@&{role}> count as {d} from their next command."),
                None => format!("<@&{role}> no longer maps to a department."),
            }
        }
        _ => return Err(Refusal::Usage("Choose either a member or a role.".into()).into()),
    };
    tell(ctx, &ws, &actor, text).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum ValuesAction {
    #[name = "list"]
    List,
    #[name = "add"]
    Add,
    #[name = "remove"]
    Remove,
}

/// The value tags kudos can carry.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight values", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn values(
    ctx: Context<'_>,
    #[description = "What to do"] action: ValuesAction,
    #[description = "The value's name"] name: Option<String>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let need = || {
        name.clone()
            .ok_or_else(|| Refusal::Usage("Give the value's name.".into()))
    };
    let ws = match action {
        ValuesAction::List => ws,
        ValuesAction::Add => core.add_value(&ws, &actor, &need()?).await?,
        ValuesAction::Remove => core.remove_value(&ws, &actor, &need()?).await?,
    };
    let text = format!("Values: {}", ws.settings.values.join(", "));
    tell(ctx, &ws, &actor, text).await
}

/// Take a kudos or shout-out off every board (it stays on record as revoked).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight revoke", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn revoke(
    ctx: Context<'_>,
    #[description = "The kudos number (shown in its post)"] id: i64,
    #[description = "Why"] reason: String,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let k = core_of(ctx).revoke(&ws, &actor, id, &reason).await?;
    tell(ctx, &ws, &actor, render::removed(&k)).await
}

/// Who has not been thanked yet (only you see this).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight coverage", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn coverage(
    ctx: Context<'_>,
    #[description = "Which period (default: this week)"] period: Option<PeriodChoice>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let period = period
        .map(PeriodChoice::period)
        .unwrap_or(crate::domain::period::Period::Week);
    let c = core_of(ctx).coverage(&ws, &actor, period).await?;
    tell(ctx, &ws, &actor, render::coverage(&c)).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum PromptsAction {
    #[name = "on"]
    On,
    #[name = "off"]
    Off,
    #[name = "preview"]
    Preview,
}

/// Switch the week's posts on or off, or preview a day's prompt (only you see it).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight prompts", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn prompts(
    ctx: Context<'_>,
    #[description = "What to do"] action: PromptsAction,
    #[description = "For preview: 1-5 or monday-friday"] day: Option<String>,
) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let text = match action {
        PromptsAction::On | PromptsAction::Off => {
            let on = matches!(action, PromptsAction::On);
            core.set_prompts_enabled(&ws, &actor, on).await?;
            replies::prompts_switched(on)
        }
        PromptsAction::Preview => {
            let day_text = day.unwrap_or_else(|| "1".into());
            let day = parse_day(&day_text).ok_or(Refusal::InvalidDay(day_text))?;
            let plan = core.week_plan(Some(&ws), core.today(&ws).year()).await?;
            let theme = &core.plan_for(&ws).days[usize::from(day) - 1];
            let date = plan
                .days
                .get(usize::from(day) - 1)
                .map(|d| d.date.to_string())
                .unwrap_or_default();
            format!(
                "Preview of day {day} ({date}):\n**{}**\n{}\nTry this: {}",
                theme.title, theme.prompt, theme.action
            )
        }
    };
    tell(ctx, &ws, &actor, text).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum PostChoice {
    #[name = "heads-up"]
    HeadsUp,
    #[name = "prompt"]
    Prompt,
    #[name = "recap"]
    Recap,
    #[name = "awards"]
    Awards,
    #[name = "book"]
    Book,
    #[name = "digest"]
    Digest,
}

/// Switch one kind of the week's posts on or off, or move its time.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight post", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn post(
    ctx: Context<'_>,
    #[description = "Which post"] kind: PostChoice,
    #[description = "On or off"] enabled: Option<bool>,
    #[description = "Local time, HH:MM"] time: Option<String>,
) -> Result<(), Error> {
    use crate::domain::schedule::PostKind;
    let (ws, actor) = admin(ctx).await?;
    let kind = match kind {
        PostChoice::HeadsUp => PostKind::HeadsUp,
        PostChoice::Prompt => PostKind::Prompt,
        PostChoice::Recap => PostKind::Recap,
        PostChoice::Awards => PostKind::Awards,
        PostChoice::Book => PostKind::Book,
        PostChoice::Digest => PostKind::Digest,
    };
    let core = core_of(ctx);
    core.set_post(&ws, &actor, kind, enabled, time.as_deref())
        .await?;
    let ws = core.reload(&ws).await?;
    let schedule = core.post_schedule(&ws).await?;
    tell(ctx, &ws, &actor, replies::post_set(&ws, &schedule, kind)).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum WallAction {
    #[name = "show the link"]
    Show,
    #[name = "on"]
    On,
    #[name = "off"]
    Off,
    #[name = "rotate (new link)"]
    Rotate,
    #[name = "show customers' names"]
    CustomersOn,
    #[name = "hide customers' names"]
    CustomersOff,
}

/// The wall of thanks: its link, on or off, a new link, customers' names (only you see this).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight wall", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn wall(
    ctx: Context<'_>,
    #[description = "What to do (default: show the link)"] action: Option<WallAction>,
) -> Result<(), Error> {
    use crate::service::WallCommand;
    let (ws, actor) = admin(ctx).await?;
    let command = match action.unwrap_or(WallAction::Show) {
        WallAction::Show => WallCommand::Show,
        WallAction::On => WallCommand::On,
        WallAction::Off => WallCommand::Off,
        WallAction::Rotate => WallCommand::Rotate,
        WallAction::CustomersOn => WallCommand::Customers(true),
        WallAction::CustomersOff => WallCommand::Customers(false),
    };
    let settings = core_of(ctx).set_wall(&ws, &actor, command).await?;
    tell(
        ctx,
        &ws,
        &actor,
        replies::wall(&settings, "/spotlight wall"),
    )
    .await
}

/// The settings, this year's week, and any post the bot failed to deliver.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "spotlight status", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, actor) = admin(ctx).await?;
    let core = core_of(ctx);
    let week = core.week_dates(&ws, core.today(&ws).year());
    let departments = core.departments(&ws).await?;
    let mut text = render::settings(&ws, &week, &departments);
    let schedule = core.post_schedule(&ws).await?;
    text.push_str(&format!("\n   {}", render::post_schedule(&schedule)));
    if let Some(c) = &ws.settings.celebration_channel {
        text = text.replace(&format!("#{c}"), &format!("<#{c}>"));
    }
    let failures = core.recent_failures(&ws, &actor).await?;
    text.push_str(&replies::delivery_status(&failures, |c| format!("<#{c}>")));
    // Status shows everything: nothing is left to announce with the next command.
    let _ = core.admin_notices(&ws, &actor).await?;
    super::answer::send(ctx, quiet(text).ephemeral(true)).await?;
    Ok(())
}
