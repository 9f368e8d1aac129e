//! The awards' text commands, shared by the shell and Slack: `/nominate @name why`, and the
//! admins' `awards …` under `/config` (shell) or `/spotlight` (Slack).

use super::parse::{first_word, leading_mentions};
use super::{Answer, Ctx, Names};
use crate::domain::error::{Refusal, Result};
use crate::render::awards as text;
use crate::service::{awards_export_text, ExportFormat};

/// `/nominate @name why`: one colleague.
pub async fn nominate<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (mentions, reason) = leading_mentions(args)?;
    let nominee = match mentions.as_slice() {
        [] => return Err(Refusal::NoNominee.into()),
        [one] => ctx.names.person(one).await?,
        many => return Err(Refusal::OneNominee(many.len()).into()),
    };
    let n = ctx
        .core
        .nominate(ctx.ws, &ctx.actor.member, &nominee, reason)
        .await?;
    Ok(Answer::Text(text::nominated(&n)))
}

/// `awards [status|open UNTIL|close|shortlist|pick @name [DEPARTMENT]|accept|ceremony WHEN|export [csv|json]]`.
pub async fn awards<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<Answer> {
    let (core, ws, actor) = (ctx.core, ctx.ws, ctx.actor);
    let tz = ws.settings.timezone;
    let (sub, rest) = first_word(args);
    Ok(match sub.to_lowercase().as_str() {
        "" | "status" | "nominees" | "nominations" => {
            Answer::Text(text::status(&core.awards_status(ws, actor).await?))
        }
        "open" => {
            let round = core.awards_open(ws, actor, rest).await?;
            Answer::Announce {
                reply: text::open_reply(&round, tz),
                post: text::opened(&round, tz),
            }
        }
        "close" => {
            let round = core.awards_close(ws, actor).await?;
            Answer::Text(text::closed_reply(&round, core.now(), tz))
        }
        "shortlist" | "shortlists" => {
            Answer::Text(text::shortlists(&core.awards_shortlists(ws, actor).await?))
        }
        "pick" => {
            let (mentions, department) = leading_mentions(rest)?;
            let who = match mentions.as_slice() {
                [one] => ctx.names.person(one).await?,
                _ => {
                    return Err(Refusal::Usage(
                        "Name one winner, e.g. awards pick @dana (add the department if they are on two shortlists)."
                            .into(),
                    )
                    .into())
                }
            };
            let (department, person) = core.awards_pick(ws, actor, &who, Some(department)).await?;
            Answer::Text(text::picked(&department, &person.name))
        }
        "accept" => Answer::Text(text::accepted(&core.awards_accept(ws, actor).await?)),
        "ceremony" => Answer::Text(text::ceremony_scheduled(
            &core.awards_ceremony(ws, actor, rest).await?,
        )),
        "export" => {
            let format: ExportFormat = match rest.trim() {
                "" => ExportFormat::Csv,
                f => f.parse()?,
            };
            let shortlists = core.awards_export(ws, actor).await?;
            let body = awards_export_text(&shortlists, format)?;
            Answer::Text(format!(
                "Excellence in Service awards {}: shortlists and quotes ({}); also `spotlight export --awards`.\n{body}",
                shortlists.round.year,
                match format {
                    ExportFormat::Csv => "CSV",
                    ExportFormat::Json => "JSON",
                }
            ))
        }
        other => {
            return Err(Refusal::Usage(format!(
                "Unknown awards command '{other}': use status, open UNTIL, close, shortlist, \
                 pick @name, accept, ceremony WHEN or export."
            ))
            .into())
        }
    })
}
