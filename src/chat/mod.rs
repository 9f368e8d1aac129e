//! The text commands the shell and Slack share: a line such as `@dana @li thanks #teamwork` is
//! parsed, handed to the core, and the result comes back as an [`Answer`] each platform renders
//! its own way. Only how people and channels are named differs, behind [`Names`].

mod awards;
pub mod parse;
mod settings;

use std::future::Future;

use chrono::Datelike;

use crate::domain::error::{Refusal, Result};
use crate::domain::model::{
    Actor, CustomerThanks, FeedbackRequest, Given, GivenMedallion, Kudos, KudosRequest,
    MedallionRequest, MemberRef, Undone, Welcome, Workspace,
};
use crate::domain::period::{Board, Period};
use crate::service::{
    Coverage, Leaderboard, PersonalStats, Spotlight, WeekPlan, DEFAULT_BOARD_SIZE,
};
use parse::{leading_customer, leading_mentions, trailing_tag, Mention};

pub use settings::configure;

/// How a platform names people and channels in a command's text.
pub trait Names: Sync {
    /// The person a mention names. Never creates a member: that is the core's job, once the
    /// command has gone through.
    fn person(&self, mention: &Mention) -> impl Future<Output = Result<MemberRef>> + Send;
    /// A channel as typed (`#celebrations`, `<#C123|celebrations>`), as the setting stores it.
    fn channel(&self, text: &str) -> Result<String>;
    /// A stored channel as people read it (`#celebrations`, `<#C123>`).
    fn show_channel(&self, stored: &str) -> String;
    /// A group as typed (a Slack user group), by the id departments can be mapped from.
    fn group(&self, _text: &str) -> Option<String> {
        None
    }
}

/// Who is speaking, where, and how their platform names things.
pub struct Ctx<'a, N: Names> {
    pub core: &'a Spotlight,
    pub ws: &'a Workspace,
    pub actor: &'a Actor,
    pub names: &'a N,
    /// The channel the command was typed in, as the platform stores channels.
    pub here: Option<String>,
    /// The platform's id for this command, so a redelivery is stored once.
    pub event_id: Option<String>,
}

/// What a command produced, for the platform to render.
#[derive(Debug)]
pub enum Answer {
    /// A thank-you: a private confirmation, and an announcement when it is new.
    Given(Given),
    Board(Leaderboard),
    Stats(Box<PersonalStats>),
    Removed(Kudos),
    Coverage(Coverage),
    Plan(WeekPlan),
    Text(String),
    /// A service medallion: a private confirmation, and its own announcement when new.
    Medallion(Box<GivenMedallion>),
    /// A thank-you note to a customer, recorded (false: a redelivery, nothing new).
    CustomerThanks(CustomerThanks, bool),
    Undone(Undone),
    /// A private reply, and a post for the celebration channel (the awards' opening).
    Announce {
        reply: String,
        post: String,
    },
}

impl Answer {
    /// The private reply's words (platforms dress them their own way).
    pub fn text(&self) -> String {
        use crate::render;
        match self {
            Answer::Given(given) => format!("✅ {}", render::confirmation(given)),
            Answer::Board(lb) => render::leaderboard(lb),
            Answer::Stats(st) => render::stats(st),
            Answer::Removed(k) => render::removed(k),
            Answer::Coverage(c) => render::coverage(c),
            Answer::Plan(p) => render::week_plan(p),
            Answer::Text(t) => t.clone(),
            Answer::Medallion(m) => format!("🏅 {}", render::medallion_confirmation(m)),
            Answer::CustomerThanks(c, created) => render::customer_thanks(c, *created),
            Answer::Undone(u) => render::undone(u),
            Answer::Announce { reply, .. } => reply.clone(),
        }
    }
}

/// The private welcomes a command brings: the speaker's own on their first use, and those of
/// the people a new thank-you reached for the first time.
pub async fn welcomes<N: Names>(ctx: &Ctx<'_, N>, answer: Option<&Answer>) -> Result<Vec<Welcome>> {
    let mut out = Vec::new();
    if let Some(w) = ctx
        .core
        .welcome_first_use(ctx.ws, &ctx.actor.member)
        .await?
    {
        out.push(w);
    }
    let (giver, reached): (&str, Vec<i64>) = match answer {
        Some(Answer::Given(g)) if g.created => (
            &g.kudos.giver.name,
            g.kudos.recipients.iter().map(|r| r.id).collect(),
        ),
        Some(Answer::Medallion(m)) if m.created => {
            (&m.medallion.giver.name, vec![m.medallion.recipient.id])
        }
        _ => return Ok(out),
    };
    out.extend(ctx.core.welcome_thanked(ctx.ws, giver, &reached).await?);
    Ok(out)
}

/// Runs one of the shared commands, named without its slash (`kudos`, `leaderboard`...);
/// `None` when the name is not one of them. `config` and `spotlight` are the admins' settings.
pub async fn run<N: Names>(ctx: &Ctx<'_, N>, command: &str, args: &str) -> Option<Result<Answer>> {
    let started = std::time::Instant::now();
    let result = dispatch(ctx, command, args).await?;
    let name = match command {
        "top" => "leaderboard",
        "spotlight" => "config",
        other => other,
    };
    crate::telemetry::metrics::command(
        &ctx.ws.platform,
        name,
        &crate::telemetry::metrics::Outcome::of(&result),
        started.elapsed(),
    );
    Some(result)
}

async fn dispatch<N: Names>(ctx: &Ctx<'_, N>, command: &str, args: &str) -> Option<Result<Answer>> {
    Some(match command {
        "kudos" => kudos(ctx, args).await,
        "feedback" => feedback(ctx, args).await,
        "leaderboard" | "top" => leaderboard(ctx, args).await,
        "stats" => stats(ctx, args).await,
        "undo" => ctx
            .core
            .undo_latest(ctx.ws, &ctx.actor.member)
            .await
            .map(Answer::Undone),
        "medallion" => medallion(ctx, args).await,
        "thanked-customer" | "thankedcustomer" | "thanked_customer" => ctx
            .core
            .thanked_customer(
                ctx.ws,
                &ctx.actor.member,
                Some(args),
                ctx.event_id.as_deref(),
            )
            .await
            .map(|(c, created)| Answer::CustomerThanks(c, created)),
        "coverage" => coverage(ctx, args).await,
        "calendar" => calendar(ctx, args).await,
        "values" => Ok(Answer::Text(format!(
            "Values: {}",
            ctx.ws.settings.values.join(", ")
        ))),
        "nominate" => awards::nominate(ctx, args).await,
        "config" | "spotlight" => match parse::first_word(args) {
            (sub, rest) if sub.eq_ignore_ascii_case("awards") => awards::awards(ctx, rest).await,
            _ => configure(ctx, args).await.map(Answer::Text),
        },
        _ => return None,
    })
}

async fn people<N: Names>(ctx: &Ctx<'_, N>, mentions: &[Mention]) -> Result<Vec<MemberRef>> {
    let mut people = Vec::with_capacity(mentions.len());
    for m in mentions {
        people.push(ctx.names.person(m).await?);
    }
    Ok(people)
}

pub async fn kudos<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (mentions, rest) = leading_mentions(args)?;
    let (message, value) = trailing_tag(rest);
    let recipients = people(ctx, &mentions).await?;
    let given = ctx
        .core
        .give_kudos(
            ctx.ws,
            &ctx.actor.member,
            KudosRequest {
                recipients,
                message: message.to_string(),
                value: value.map(str::to_string),
                channel: ctx.here.clone(),
                event_id: ctx.event_id.clone(),
                link: None,
            },
        )
        .await?;
    Ok(Answer::Given(given))
}

pub async fn feedback<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (mentions, rest) = leading_mentions(args)?;
    let (customer, message) = leading_customer(rest)?;
    let recipients = people(ctx, &mentions).await?;
    let given = ctx
        .core
        .record_feedback(
            ctx.ws,
            &ctx.actor.member,
            FeedbackRequest {
                recipients,
                message: message.to_string(),
                customer,
                channel: ctx.here.clone(),
                event_id: ctx.event_id.clone(),
            },
        )
        .await?;
    Ok(Answer::Given(given))
}

/// Gives a service medallion: `@name why`, one colleague.
pub async fn medallion<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (mentions, message) = leading_mentions(args)?;
    let recipient = match mentions.as_slice() {
        [] => return Err(Refusal::NoMedallionRecipient.into()),
        [one] => ctx.names.person(one).await?,
        many => return Err(Refusal::OneMedallionRecipient(many.len()).into()),
    };
    let given = ctx
        .core
        .give_medallion(
            ctx.ws,
            &ctx.actor.member,
            MedallionRequest {
                recipient,
                message: message.to_string(),
                channel: ctx.here.clone(),
                event_id: ctx.event_id.clone(),
            },
        )
        .await?;
    Ok(Answer::Medallion(Box::new(given)))
}

pub async fn leaderboard<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let mut period = None;
    let mut board = Board::Received;
    for word in args.split_whitespace() {
        if let Ok(p) = word.parse::<Period>() {
            period = Some(p);
        } else if let Ok(b) = word.parse::<Board>() {
            board = b;
        } else {
            return Err(Refusal::Usage(format!(
                "'{word}' is neither a period (today, week, csw, csw2025, month, year, all) \
                 nor a board (received, given, departments, values, crossteam, medallions)."
            ))
            .into());
        }
    }
    let period = period.unwrap_or(board.default_period());
    let lb = ctx
        .core
        .leaderboard(
            ctx.ws,
            Some(&ctx.actor.member),
            period,
            board,
            DEFAULT_BOARD_SIZE,
        )
        .await?;
    Ok(Answer::Board(lb))
}

/// Your own stats, or a colleague's; asking about someone does not record them.
pub async fn stats<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (mentions, rest) = leading_mentions(args)?;
    let member = match (mentions.as_slice(), rest.trim()) {
        ([], "") => ctx.actor.member.clone(),
        ([one], "") => {
            let who = ctx.names.person(one).await?;
            let mut st = ctx.core.stats_of(ctx.ws, &who).await?;
            ctx.core
                .attach_book(ctx.ws, &ctx.actor.member, &mut st)
                .await?;
            return Ok(Answer::Stats(Box::new(st)));
        }
        _ => {
            return Err(Refusal::Usage(
                "Name one colleague, e.g. /stats @dana, or no one for your own.".into(),
            )
            .into())
        }
    };
    let mut st = ctx.core.stats(ctx.ws, &member).await?;
    ctx.core
        .attach_book(ctx.ws, &ctx.actor.member, &mut st)
        .await?;
    Ok(Answer::Stats(Box::new(st)))
}

async fn coverage<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let period = match args.trim() {
        "" => Period::Week,
        p => p.parse()?,
    };
    let c = ctx.core.coverage(ctx.ws, ctx.actor, period).await?;
    Ok(Answer::Coverage(c))
}

async fn calendar<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let year = match args.trim() {
        "" => ctx.core.today(ctx.ws).year(),
        y => parse_year(y)?,
    };
    Ok(Answer::Plan(ctx.core.week_plan(Some(ctx.ws), year).await?))
}

pub fn parse_year(text: &str) -> Result<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2200).contains(y))
        .ok_or_else(|| {
            Refusal::Usage(format!("'{}' is not a year such as 2026.", text.trim())).into()
        })
}

fn required<'s>(text: &'s str, example: &str) -> Result<&'s str> {
    let text = text.trim();
    if text.is_empty() {
        Err(Refusal::Usage(format!("Missing a value: e.g. {example}")).into())
    } else {
        Ok(text)
    }
}

/// What the user is told when a command fails: the refusal itself, or a short apology while the
/// cause is logged.
pub fn failure_text(e: &crate::domain::error::Error) -> String {
    if let crate::domain::error::Error::Internal(cause) = e {
        tracing::error!(error = ?cause, "command failed");
    }
    e.user_message()
}
