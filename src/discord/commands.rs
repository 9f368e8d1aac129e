//! The members' slash commands.

use poise::serenity_prelude as serenity;

use super::render::{announcement, quiet};
use super::{core_of, speaker, Context, Data, Error};
use crate::domain::model::{FeedbackRequest, Given, KudosRequest, Member, MemberRef, Workspace};
use crate::domain::period::{Board, Period};
use crate::render;
use crate::service::DEFAULT_BOARD_SIZE;

pub fn all(core: &crate::service::Spotlight) -> Vec<poise::Command<Data, Error>> {
    let mut undo = undo();
    // The window is configurable; the description Discord shows says the real one.
    undo.description = Some(
        format!(
            "Take back your latest kudos or medallion (within {} minutes).",
            core.undo_window_minutes()
        )
        .into(),
    );
    vec![
        kudos(),
        feedback(),
        leaderboard(),
        stats(),
        undo,
        super::yearround::medallion(),
        super::yearround::thanked_customer(),
        super::awards::nominate(),
        give_kudos_for_message(),
        super::admin::group(),
    ]
}

async fn autocomplete_value(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let key = crate::domain::text::value_key(partial);
    let values = match super::speaker(ctx).await {
        Ok((ws, _)) => ws.settings.values,
        Err(_) => Vec::new(),
    };
    let choices = values
        .into_iter()
        .filter(|v| crate::domain::text::value_key(v).contains(&key))
        .take(25)
        .map(serenity::AutocompleteChoice::from)
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Thank one to three colleagues.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "kudos", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn kudos(
    ctx: Context<'_>,
    #[description = "Who you are thanking"] member: serenity::User,
    #[description = "What you are thankful for"]
    #[max_length = 500]
    message: String,
    #[description = "Someone else to thank"] member2: Option<serenity::User>,
    #[description = "And one more"] member3: Option<serenity::User>,
    #[description = "The value they showed"]
    #[autocomplete = "autocomplete_value"]
    value: Option<String>,
) -> Result<(), Error> {
    let users: Vec<serenity::User> = [Some(member), member2, member3]
        .into_iter()
        .flatten()
        .collect();
    let (ws, giver, recipients) = giver_and_recipients(ctx, &users).await?;
    let given = core_of(ctx)
        .give_kudos(
            &ws,
            &giver,
            KudosRequest {
                recipients,
                message,
                value,
                channel: Some(ctx.channel_id().to_string()),
                event_id: Some(format!("interaction:{}", ctx.id())),
                link: None,
            },
        )
        .await?;
    confirm_and_announce(ctx, &ws, &given, &users).await
}

/// Share a compliment a customer gave about colleagues.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "feedback", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn feedback(
    ctx: Context<'_>,
    #[description = "Who the customer praised"] member: serenity::User,
    #[description = "The customer's words"]
    #[max_length = 500]
    words: String,
    #[description = "The customer's name"]
    #[max_length = 100]
    customer: Option<String>,
    #[description = "Someone else they praised"] member2: Option<serenity::User>,
    #[description = "And one more"] member3: Option<serenity::User>,
) -> Result<(), Error> {
    let users: Vec<serenity::User> = [Some(member), member2, member3]
        .into_iter()
        .flatten()
        .collect();
    let (ws, giver, recipients) = giver_and_recipients(ctx, &users).await?;
    let given = core_of(ctx)
        .record_feedback(
            &ws,
            &giver,
            FeedbackRequest {
                recipients,
                message: words,
                customer,
                channel: Some(ctx.channel_id().to_string()),
                event_id: Some(format!("interaction:{}", ctx.id())),
            },
        )
        .await?;
    confirm_and_announce(ctx, &ws, &given, &users).await
}

/// The speaker, their workspace, and the members behind the users the command names.
async fn giver_and_recipients(
    ctx: Context<'_>,
    users: &[serenity::User],
) -> Result<(Workspace, Member, Vec<MemberRef>), Error> {
    let (ws, giver) = speaker(ctx).await?;
    let recipients = users
        .iter()
        .map(|u| super::platform_user(u).into())
        .collect();
    Ok((ws, giver, recipients))
}

async fn confirm_and_announce(
    ctx: Context<'_>,
    ws: &Workspace,
    given: &Given,
    users: &[serenity::User],
) -> Result<(), Error> {
    super::answer::send(
        ctx,
        quiet(format!("✅ {}", render::confirmation(given))).ephemeral(true),
    )
    .await?;
    if !given.created {
        return Ok(());
    }
    let channel = super::celebration_channel(ws).unwrap_or_else(|| ctx.channel_id());
    let ids: Vec<serenity::UserId> = users.iter().map(|u| u.id).collect();
    let what = format!("announcement of kudos #{}", given.kudos.id);
    super::deliver(
        ctx.serenity_context(),
        &ctx.data().app,
        ws,
        channel,
        &what,
        announcement(&given.kudos, &ids, ctx.author().id),
    )
    .await;
    let reached: Vec<i64> = given.kudos.recipients.iter().map(|r| r.id).collect();
    super::yearround::welcome_reached(ctx, ws, &given.kudos.giver.name, reached);
    Ok(())
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "today"]
    Today,
    #[name = "this week"]
    Week,
    #[name = "Customer Service Week"]
    Csw,
    #[name = "this month"]
    Month,
    #[name = "this year"]
    Year,
    #[name = "all time"]
    All,
}

impl PeriodChoice {
    pub fn period(self) -> Period {
        match self {
            PeriodChoice::Today => Period::Today,
            PeriodChoice::Week => Period::Week,
            PeriodChoice::Csw => Period::Csw(None),
            PeriodChoice::Month => Period::Month,
            PeriodChoice::Year => Period::Year,
            PeriodChoice::All => Period::All,
        }
    }
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum BoardChoice {
    #[name = "people thanked"]
    Received,
    #[name = "people thanking"]
    Given,
    #[name = "departments"]
    Departments,
    #[name = "values"]
    Values,
    #[name = "cross-team"]
    CrossTeam,
    #[name = "service medallions"]
    Medallions,
}

/// The top 10 and your own place.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "leaderboard", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Which period (default: this week; this year for medallions)"] period: Option<
        PeriodChoice,
    >,
    #[description = "Which board (default: people thanked)"] board: Option<BoardChoice>,
) -> Result<(), Error> {
    // Folding a burst of new kudos into the boards can take a moment: answer within Discord's
    // three seconds first.
    super::answer::defer(ctx, false).await?;
    let (ws, me) = speaker(ctx).await?;
    let board = match board.unwrap_or(BoardChoice::Received) {
        BoardChoice::Received => Board::Received,
        BoardChoice::Given => Board::Given,
        BoardChoice::Departments => Board::Departments,
        BoardChoice::Values => Board::Values,
        BoardChoice::CrossTeam => Board::CrossTeam,
        BoardChoice::Medallions => Board::Medallions,
    };
    let period = period
        .map(PeriodChoice::period)
        .unwrap_or(board.default_period());
    let lb = core_of(ctx)
        .leaderboard(&ws, Some(&me), period, board, DEFAULT_BOARD_SIZE)
        .await?;
    super::answer::send(ctx, super::render::leaderboard(&lb)).await?;
    Ok(())
}

/// Kudos received and given, top values, today's allowance.
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "stats", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose stats (default: yours)"] member: Option<serenity::User>,
) -> Result<(), Error> {
    let (ws, me) = speaker(ctx).await?;
    let mut st = match &member {
        Some(user) => {
            core_of(ctx)
                .stats_of(&ws, &super::platform_user(user).into())
                .await?
        }
        None => core_of(ctx).stats(&ws, &me).await?,
    };
    core_of(ctx).attach_book(&ws, &me, &mut st).await?;
    super::answer::send(ctx, quiet(render::stats(&st)).ephemeral(true)).await?;
    Ok(())
}

/// Take back your latest kudos or medallion (within 10 minutes).
#[poise::command(slash_command, guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "undo", interaction = %ctx.id(), user = %ctx.author().id))]
pub async fn undo(ctx: Context<'_>) -> Result<(), Error> {
    let (ws, me) = speaker(ctx).await?;
    let undone = core_of(ctx).undo_latest(&ws, &me).await?;
    super::answer::send(ctx, quiet(render::undone(&undone)).ephemeral(true)).await?;
    Ok(())
}

#[derive(Debug, poise::Modal)]
#[name = "Give kudos"]
struct KudosModal {
    #[name = "What are you thankful for?"]
    #[placeholder = "Thanks for sorting out that customer's refund so quickly!"]
    #[paragraph]
    #[min_length = 1]
    #[max_length = 500]
    message: String,
}

/// Thank the author of a message; a form asks what for, and the kudos links to the message.
#[poise::command(context_menu_command = "Give kudos", guild_only)]
#[tracing::instrument(name = "command", skip_all, fields(name = "Give kudos", interaction = %ctx.interaction.id, user = %ctx.interaction.user.id))]
pub async fn give_kudos_for_message(
    ctx: poise::ApplicationContext<'_, Data, Error>,
    #[description = "The message to thank its author for"] msg: serenity::Message,
) -> Result<(), Error> {
    let Some(form) = poise::execute_modal::<_, _, KudosModal>(
        ctx,
        None,
        Some(std::time::Duration::from_secs(900)),
    )
    .await?
    else {
        return Ok(());
    };
    let ctx = Context::Application(ctx);
    let (ws, giver) = speaker(ctx).await?;
    let guild = ctx.guild_id().map(|g| g.to_string()).unwrap_or_default();
    let link = format!(
        "https://discord.com/channels/{guild}/{}/{}",
        msg.channel_id, msg.id
    );
    let given = core_of(ctx)
        .give_kudos(
            &ws,
            &giver,
            KudosRequest {
                recipients: vec![super::platform_user(&msg.author).into()],
                message: form.message,
                value: None,
                channel: Some(ctx.channel_id().to_string()),
                event_id: Some(format!("interaction:{}", ctx.id())),
                link: Some(link),
            },
        )
        .await?;
    confirm_and_announce(ctx, &ws, &given, std::slice::from_ref(&msg.author)).await
}
