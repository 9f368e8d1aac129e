//! The admins' settings command: `/config` in the shell, `/spotlight` in Slack.

use chrono::Datelike;

use super::parse::{self, first_word};
use super::{parse_year, required, Ctx, Names};
use crate::domain::error::{Refusal, Result};
use crate::domain::themes::parse_day;
use crate::render;
use crate::replies;
use crate::service::{parse_date, ThemeField};

/// Runs one settings subcommand; an admin's reply also lists posts that failed since they last
/// looked, and `status` (or no subcommand) shows the recent failures in full.
pub async fn configure<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<String> {
    let mut text = setting(ctx, args).await?;
    let show = |c: &str| ctx.names.show_channel(c);
    if !ctx.actor.is_admin {
        return Ok(text);
    }
    if matches!(
        first_word(args).0.to_lowercase().as_str(),
        "" | "show" | "status"
    ) {
        let failures = ctx.core.recent_failures(ctx.ws, ctx.actor).await?;
        text.push_str(&replies::delivery_status(&failures, show));
        ctx.core.admin_notices(ctx.ws, ctx.actor).await?;
    } else {
        let notices = ctx.core.admin_notices(ctx.ws, ctx.actor).await?;
        text.push_str(&replies::undelivered(&notices, show));
    }
    Ok(text)
}

async fn setting<N: Names>(ctx: &Ctx<'_, N>, args: &str) -> Result<String> {
    let core = ctx.core;
    let actor = ctx.actor;
    let (sub, rest) = first_word(args);
    let ws = ctx.ws;
    Ok(match sub.to_lowercase().as_str() {
            "" | "show" | "status" => {
                let week = core.week_dates(ws, core.today(ws).year());
                let departments = core.departments(ws).await?;
                let schedule = core.post_schedule(ws).await?;
                let mut text = format!(
                    "{}\n   {}",
                    render::settings(ws, &week, &departments),
                    render::post_schedule(&schedule)
                );
                if let Some(c) = &ws.settings.celebration_channel {
                    text = text.replace(&format!("#{c}"), &ctx.names.show_channel(c));
                }
                text
            }
            "timezone" | "tz" => {
                let ws = core.set_timezone(ws, actor, required(rest, "/config timezone Europe/London")?).await?;
                replies::timezone_set(&ws)
            }
            "channel" => {
                let arg = required(rest, "/config channel #celebrations")?;
                let channel = match arg.eq_ignore_ascii_case("none") {
                    true => None,
                    false => Some(ctx.names.channel(arg)?),
                };
                let ws = core.set_channel(ws, actor, channel.as_deref()).await?;
                match &ws.settings.celebration_channel {
                    Some(c) => format!("Kudos will be announced in {}.", ctx.names.show_channel(c)),
                    None => "No celebration channel: kudos are announced where they are given.".into(),
                }
            }
            "medallions" | "medallion" => {
                let ws = core.set_medallions_per_year(ws, actor, required(rest, "/config medallions 1 (0 to 3 per member per year)")?).await?;
                replies::medallions_set(&ws)
            }
            "welcome" => {
                let on = match required(rest, "/config welcome on|off")?.to_lowercase().as_str() {
                    "on" | "yes" | "true" => true,
                    "off" | "no" | "false" => false,
                    other => {
                        return Err(Refusal::Usage(format!("'{other}': use /config welcome on or off.")).into())
                    }
                };
                core.set_welcome(ws, actor, on).await?;
                replies::welcome_switched(on)
            }
            "allowance" => {
                let ws = core.set_allowance(ws, actor, required(rest, "/config allowance 5")?).await?;
                replies::allowance_set(&ws)
            }
            "prompt-time" | "prompttime" => {
                let ws = core.set_prompt_time(ws, actor, required(rest, "/config prompt-time 09:00")?).await?;
                replies::prompt_time_set(&ws)
            }
            "prompts" => {
                let on = match required(rest, "/config prompts on|off")?.to_lowercase().as_str() {
                    "on" | "yes" | "true" => true,
                    "off" | "no" | "false" => false,
                    other => {
                        return Err(Refusal::Usage(format!("'{other}': use /config prompts on or off.")).into())
                    }
                };
                core.set_prompts_enabled(ws, actor, on).await?;
                replies::prompts_switched(on)
            }
            "emoji" => {
                let ws = core.set_emoji(ws, actor, required(rest, "/config emoji 🌟")?).await?;
                replies::emoji_set(&ws)
            }
            "values" | "value" => {
                let (action, name) = first_word(rest);
                let ws = match action.to_lowercase().as_str() {
                    "" | "list" => ws.clone(),
                    "add" => core.add_value(ws, actor, required(name, "/config values add Ownership")?).await?,
                    "remove" | "rm" | "delete" => {
                        core.remove_value(ws, actor, required(name, "/config values remove Patience")?)
                            .await?
                    }
                    other => {
                        return Err(Refusal::Usage(format!(
                            "'{other}': use /config values list, add NAME or remove NAME."
                        ))
                        .into())
                    }
                };
                format!("Values: {}", ws.settings.values.join(", "))
            }
            "department" | "dept" => {
                let (who, dept) = first_word(rest);
                let dept = required(dept, "/config department @li Billing")?;
                if let Some(group) = ctx.names.group(who) {
                    let dept = (!dept.eq_ignore_ascii_case("none")).then_some(dept);
                    core.map_role(ws, actor, &group, dept).await?;
                    match dept {
                        Some(d) => format!("Members of {who} count as {d} from their next command."),
                        None => format!("{who} no longer maps to a department."),
                    }
                } else {
                    let Some(mention) = parse::mention(who) else {
                        return Err(Refusal::Usage("Use /config department @name Department (or none).".into()).into());
                    };
                    let who = ctx.names.person(&mention?).await?;
                    let member = core.set_department(ws, actor, &who, Some(dept)).await?;
                    replies::department_set(&member)
                }
            }
            "admin" => {
                let (who, flag) = first_word(rest);
                let Some(mention) = parse::mention(who) else {
                    return Err(Refusal::Usage("Use /config admin @name [off].".into()).into());
                };
                let member = ctx.names.person(&mention?).await?;
                let admin = match flag.trim().to_lowercase().as_str() {
                    "" | "on" => true,
                    "off" => false,
                    other => {
                        return Err(Refusal::Usage(format!("'{other}': use /config admin @name, or /config admin @name off.")).into())
                    }
                };
                let member = core.set_admin(ws, actor, &member, admin).await?;
                format!(
                    "{} is {} an admin.",
                    member.display_name,
                    if member.is_admin { "now" } else { "no longer" }
                )
            }
            "week" => {
                let (first, second) = first_word(rest);
                let week = if first.eq_ignore_ascii_case("reset") {
                    let year = match second.trim() {
                        "" => core.today(ws).year(),
                        y => parse_year(y)?,
                    };
                    core.reset_week(ws, actor, year).await?
                } else {
                    let start = parse_date(required(first, "/config week 2026-10-12 [2026-10-16]")?)?;
                    let end = match second.trim() {
                        "" => None,
                        e => Some(parse_date(e)?),
                    };
                    core.set_week(ws, actor, start, end).await?
                };
                replies::week_set(&week)
            }
            "theme" => {
                let (day_text, rest) = first_word(rest);
                let day = parse_day(day_text).ok_or_else(|| Refusal::InvalidDay(day_text.to_string()))?;
                let (field, text) = first_word(rest);
                let theme = if field.eq_ignore_ascii_case("reset") {
                    core.reset_theme(ws, actor, day).await?
                } else {
                    let field: ThemeField = field.parse()?;
                    core.set_theme(ws, actor, day, field, required(text, "/config theme monday title Thank a teammate")?)
                        .await?
                };
                format!(
                    "Day {day}: {}\n   {}\n   Try this: {}",
                    theme.title, theme.prompt, theme.action
                )
            }
            "post" | "posts" => {
                let (kind_text, what) = first_word(rest);
                let kind = crate::domain::schedule::PostKind::parse(kind_text).ok_or_else(|| {
                    Refusal::Usage(format!(
                        "'{kind_text}' is not a post: use heads-up, prompt, recap, awards, book or digest."
                    ))
                })?;
                let what = required(what, "/config post recap off | on | 17:30")?;
                let (enabled, time) = match what.to_lowercase().as_str() {
                    "on" => (Some(true), None),
                    "off" => (Some(false), None),
                    t => (None, Some(t.to_string())),
                };
                core.set_post(ws, actor, kind, enabled, time.as_deref()).await?;
                let ws = core.reload(ws).await?;
                let schedule = core.post_schedule(&ws).await?;
                replies::post_set(&ws, &schedule, kind)
            }
            "wall" => {
                let command = crate::service::parse_wall_command(rest)?;
                let settings = core.set_wall(ws, actor, command).await?;
                let spelled = if ws.platform == crate::slack::PLATFORM {
                    "/spotlight wall"
                } else {
                    "/config wall"
                };
                replies::wall(&settings, spelled)
            }
            "coverage" => {
                let period = match rest.trim() {
                    "" => crate::domain::period::Period::Week,
                    p => p.parse()?,
                };
                render::coverage(&core.coverage(ws, actor, period).await?)
            }
            "revoke" => {
                let (id_text, reason) = first_word(rest);
                let id: i64 = id_text
                    .trim_start_matches('#')
                    .parse()
                    .map_err(|_| Refusal::Usage("Use /config revoke ID REASON, e.g. /config revoke 12 duplicate.".into()))?;
                let k = core.revoke(ws, actor, id, reason).await?;
                render::removed(&k)
            }
            other => {
                return Err(Refusal::Usage(format!(
                    "Unknown setting '{other}'. Try timezone, channel, allowance, medallions, welcome, prompt-time, \
                     prompts, emoji, values, department, admin, week, theme, post, coverage, status or revoke."
                ))
                .into())
            }
        })
}
