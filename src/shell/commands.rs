//! The shell's commands: parse the line, call the core, render the answer.

use chrono::Datelike;

use super::parse::{first_word, leading_customer, leading_mentions, trailing_tag};
use super::{Output, Shell};
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{FeedbackRequest, Given, KudosRequest};
use crate::domain::period::{Board, Period};
use crate::domain::themes::parse_day;
use crate::render;
use crate::replies;
use crate::service::{parse_date, ThemeField, DEFAULT_BOARD_SIZE};

const HELP: &str = "\
Commands (type them as a team member would):
  /kudos @dana @li Thanks for covering the queue #teamwork
                      thank 1-3 people; a trailing #value tags it
  /feedback @li [from:\"Customer Name\"] What the customer said
                      share a customer's compliment about colleagues
  /leaderboard [today|week|csw|csw2025|month|year|all] [received|given|departments|values|crossteam]
  /stats [@name]      kudos received and given, top values, today's allowance
  /undo               take back your latest kudos (within {undo} minutes)
  /coverage [period]  share of the team thanked (admins also see who is missing)
  /calendar [year]    Customer Service Week's dates and daily themes
  /values             the value tags kudos can carry
Admin commands:
  /config                                 show the settings
  /config timezone Europe/London          /config channel #celebrations | none
  /config allowance 5 (0 = unlimited)     /config prompt-time 09:00
  /config prompts on|off                  /config emoji 🌟
  /config values add|remove NAME          /config department @li Billing | none
  /config week 2026-10-12 [2026-10-16]    /config week reset [YEAR]
  /config theme monday title|prompt|action TEXT    /config theme monday reset
                      (days 1-7 or monday-sunday; 6 and 7 run in a longer week)
  /config revoke ID REASON                /config admin @li [off]
  /config post heads-up|prompt|recap|awards|book|digest on|off|HH:MM
Shell commands:
  :as NAME            speak as someone else (created on first use)
  :clock [TIME]       show or set the simulated time: 2026-10-05T09:00 (workspace zone), +30m, +2h, +1d;
                      the week's posts that fall due on the way are printed
  :help               this list
  :quit               leave";

impl Shell<'_> {
    pub(super) async fn dispatch(
        &mut self,
        command: &str,
        args: &str,
        out: &mut Output,
    ) -> Result<()> {
        match command {
            "/kudos" => self.kudos(args, out).await,
            "/feedback" => self.feedback(args, out).await,
            "/leaderboard" | "/top" => self.leaderboard(args, out).await,
            "/stats" => self.stats(args, out).await,
            "/undo" => {
                let k = self.app.spotlight.undo(&self.ws, &self.me).await?;
                out.reply(render::removed(&k));
                Ok(())
            }
            "/coverage" => {
                let period = parse_period(args, Period::Week)?;
                let c = self.app.spotlight.coverage(&self.ws, &self.actor(), period).await?;
                out.reply(render::coverage(&c));
                Ok(())
            }
            "/calendar" => {
                let year = match args.trim() {
                    "" => self.app.spotlight.today(&self.ws).year(),
                    y => parse_year(y)?,
                };
                let plan = self.app.spotlight.week_plan(Some(&self.ws), year).await?;
                out.reply(render::week_plan(&plan));
                Ok(())
            }
            "/values" => {
                out.reply(format!("Values: {}", self.ws.settings.values.join(", ")));
                Ok(())
            }
            "/config" => self.config(args, out).await,
            "/help" | ":help" | ":h" | "?" => {
                out.reply(HELP.replace(
                    "{undo}",
                    &self.app.spotlight.undo_window_minutes().to_string(),
                ));
                Ok(())
            }
            ":as" => {
                let name = super::parse::valid_name(args)?;
                self.me = Self::speaker(self.app, &self.ws, &name).await?;
                out.reply(format!(
                    "You are now {}{}.",
                    self.me.display_name,
                    if self.me.is_admin { " (admin)" } else { "" }
                ));
                Ok(())
            }
            ":clock" => {
                let mut posts = Vec::new();
                if !args.trim().is_empty() {
                    let t = self.parse_time(args)?;
                    posts = super::posts::advance(&self.app.spotlight, &self.clock, &self.ws, t).await?;
                }
                let now = self.app.spotlight.local_now(&self.ws);
                for post in posts {
                    out.reply(post);
                }
                out.reply(format!(
                    "🕘 It is {} ({}).",
                    now.format("%a %-d %b %Y %H:%M"),
                    self.ws.settings.timezone.name()
                ));
                Ok(())
            }
            ":quit" | ":q" | ":exit" => {
                out.quit = true;
                Ok(())
            }
            other if other.starts_with('/') || other.starts_with(':') => Err(Refusal::Usage(format!(
                "Unknown command '{other}'. Type :help for the list."
            ))
            .into()),
            _ => Err(Refusal::Usage(
                "Commands start with / or :, e.g. /kudos @dana thanks for the help! Type :help for the list."
                    .into(),
            )
            .into()),
        }
    }

    async fn kudos(&mut self, args: &str, out: &mut Output) -> Result<()> {
        let (names, rest) = leading_mentions(args)?;
        let (message, value) = trailing_tag(rest);
        let recipients = self.mentioned_all(&names).await?;
        let given = self
            .app
            .spotlight
            .give_kudos(
                &self.ws,
                &self.me,
                KudosRequest {
                    recipients,
                    message: message.to_string(),
                    value: value.map(str::to_string),
                    channel: Some(self.channel()),
                    ..Default::default()
                },
            )
            .await?;
        self.announce(&given, out);
        Ok(())
    }

    async fn feedback(&mut self, args: &str, out: &mut Output) -> Result<()> {
        let (names, rest) = leading_mentions(args)?;
        let (customer, message) = leading_customer(rest)?;
        let recipients = self.mentioned_all(&names).await?;
        let given = self
            .app
            .spotlight
            .record_feedback(
                &self.ws,
                &self.me,
                FeedbackRequest {
                    recipients,
                    message: message.to_string(),
                    customer,
                    channel: Some(self.channel()),
                    ..Default::default()
                },
            )
            .await?;
        self.announce(&given, out);
        Ok(())
    }

    async fn mentioned_all(&self, names: &[String]) -> Result<Vec<crate::domain::model::MemberRef>> {
        let mut people = Vec::with_capacity(names.len());
        for name in names {
            people.push(self.mentioned(name).await?);
        }
        Ok(people)
    }

    /// The private confirmation, and the post in the celebration channel when something is new.
    fn announce(&self, given: &Given, out: &mut Output) {
        out.reply(format!("✅ {}", render::confirmation(given)));
        if given.created {
            out.post(&self.channel(), &render::announcement(&given.kudos));
        }
    }

    async fn leaderboard(&mut self, args: &str, out: &mut Output) -> Result<()> {
        let mut period = Period::Week;
        let mut board = Board::Received;
        for word in args.split_whitespace() {
            if let Ok(p) = word.parse::<Period>() {
                period = p;
            } else if let Ok(b) = word.parse::<Board>() {
                board = b;
            } else {
                return Err(Refusal::Usage(format!(
                    "'{word}' is neither a period (today, week, csw, csw2025, month, year, all) \
                     nor a board (received, given, departments, values, crossteam)."
                ))
                .into());
            }
        }
        let lb = self
            .app
            .spotlight
            .leaderboard(&self.ws, Some(&self.me), period, board, DEFAULT_BOARD_SIZE)
            .await?;
        out.reply(render::leaderboard(&lb));
        Ok(())
    }

    async fn stats(&mut self, args: &str, out: &mut Output) -> Result<()> {
        let member = match args.trim() {
            "" => self.me.clone(),
            name => self.known(name).await?,
        };
        let st = self.app.spotlight.stats(&self.ws, &member).await?;
        out.reply(render::stats(&st));
        Ok(())
    }

    async fn config(&mut self, args: &str, out: &mut Output) -> Result<()> {
        let core = &self.app.spotlight;
        let actor = self.actor();
        let (sub, rest) = first_word(args);
        let ws = &self.ws;
        match sub.to_lowercase().as_str() {
            "" | "show" => {
                let week = core.week_dates(ws, core.today(ws).year());
                let departments = core.departments(ws).await?;
                let schedule = core.post_schedule(ws).await?;
                out.reply(format!(
                    "{}\n   {}",
                    render::settings(ws, &week, &departments),
                    render::post_schedule(&schedule)
                ));
            }
            "timezone" | "tz" => {
                let ws = core.set_timezone(ws, &actor, required(rest, "/config timezone Europe/London")?).await?;
                out.reply(replies::timezone_set(&ws));
            }
            "channel" => {
                let arg = required(rest, "/config channel #celebrations")?;
                let channel = (!arg.eq_ignore_ascii_case("none")).then_some(arg);
                let ws = core.set_channel(ws, &actor, channel).await?;
                out.reply(match &ws.settings.celebration_channel {
                    Some(c) => format!("Kudos will be announced in #{c}."),
                    None => "No celebration channel: kudos are announced where they are given.".into(),
                });
            }
            "allowance" => {
                let ws = core.set_allowance(ws, &actor, required(rest, "/config allowance 5")?).await?;
                out.reply(replies::allowance_set(&ws));
            }
            "prompt-time" | "prompttime" => {
                let ws = core.set_prompt_time(ws, &actor, required(rest, "/config prompt-time 09:00")?).await?;
                out.reply(replies::prompt_time_set(&ws));
            }
            "prompts" => {
                let on = match required(rest, "/config prompts on|off")?.to_lowercase().as_str() {
                    "on" | "yes" | "true" => true,
                    "off" | "no" | "false" => false,
                    other => {
                        return Err(Refusal::Usage(format!("'{other}': use /config prompts on or off.")).into())
                    }
                };
                core.set_prompts_enabled(ws, &actor, on).await?;
                out.reply(replies::prompts_switched(on));
            }
            "emoji" => {
                let ws = core.set_emoji(ws, &actor, required(rest, "/config emoji 🌟")?).await?;
                out.reply(replies::emoji_set(&ws));
            }
            "values" | "value" => {
                let (action, name) = first_word(rest);
                let ws = match action.to_lowercase().as_str() {
                    "" | "list" => ws.clone(),
                    "add" => core.add_value(ws, &actor, required(name, "/config values add Ownership")?).await?,
                    "remove" | "rm" | "delete" => {
                        core.remove_value(ws, &actor, required(name, "/config values remove Patience")?)
                            .await?
                    }
                    other => {
                        return Err(Refusal::Usage(format!(
                            "'{other}': use /config values list, add NAME or remove NAME."
                        ))
                        .into())
                    }
                };
                out.reply(format!("Values: {}", ws.settings.values.join(", ")));
            }
            "department" | "dept" => {
                let (who, dept) = first_word(rest);
                if !who.starts_with('@') {
                    return Err(Refusal::Usage("Use /config department @name Department (or none).".into()).into());
                }
                let member = self.mentioned(who).await?;
                let member = core
                    .set_department(ws, &actor, &member, Some(required(dept, "/config department @li Billing")?))
                    .await?;
                out.reply(replies::department_set(&member));
            }
            "admin" => {
                let (who, flag) = first_word(rest);
                if !who.starts_with('@') {
                    return Err(Refusal::Usage("Use /config admin @name [off].".into()).into());
                }
                let member = self.mentioned(who).await?;
                let admin = match flag.trim().to_lowercase().as_str() {
                    "" | "on" => true,
                    "off" => false,
                    other => {
                        return Err(Refusal::Usage(format!("'{other}': use /config admin @name, or /config admin @name off.")).into())
                    }
                };
                let member = core.set_admin(ws, &actor, &member, admin).await?;
                out.reply(format!(
                    "{} is {} an admin.",
                    member.display_name,
                    if member.is_admin { "now" } else { "no longer" }
                ));
            }
            "week" => {
                let (first, second) = first_word(rest);
                let week = if first.eq_ignore_ascii_case("reset") {
                    let year = match second.trim() {
                        "" => core.today(ws).year(),
                        y => parse_year(y)?,
                    };
                    core.reset_week(ws, &actor, year).await?
                } else {
                    let start = parse_date(required(first, "/config week 2026-10-12 [2026-10-16]")?)?;
                    let end = match second.trim() {
                        "" => None,
                        e => Some(parse_date(e)?),
                    };
                    core.set_week(ws, &actor, start, end).await?
                };
                out.reply(replies::week_set(&week));
            }
            "theme" => {
                let (day_text, rest) = first_word(rest);
                let day = parse_day(day_text).ok_or_else(|| Refusal::InvalidDay(day_text.to_string()))?;
                let (field, text) = first_word(rest);
                let theme = if field.eq_ignore_ascii_case("reset") {
                    core.reset_theme(ws, &actor, day).await?
                } else {
                    let field: ThemeField = field.parse()?;
                    core.set_theme(ws, &actor, day, field, required(text, "/config theme monday title Thank a teammate")?)
                        .await?
                };
                out.reply(format!(
                    "Day {day}: {}\n   {}\n   Try this: {}",
                    theme.title, theme.prompt, theme.action
                ));
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
                core.set_post(ws, &actor, kind, enabled, time.as_deref()).await?;
                let ws = core.reload(ws).await?;
                let schedule = core.post_schedule(&ws).await?;
                out.reply(replies::post_set(&ws, &schedule, kind));
            }
            "revoke" => {
                let (id_text, reason) = first_word(rest);
                let id: i64 = id_text
                    .trim_start_matches('#')
                    .parse()
                    .map_err(|_| Refusal::Usage("Use /config revoke ID REASON, e.g. /config revoke 12 duplicate.".into()))?;
                let k = core.revoke(ws, &actor, id, reason).await?;
                out.reply(render::removed(&k));
            }
            other => {
                return Err(Refusal::Usage(format!(
                    "Unknown setting '{other}'. Try timezone, channel, allowance, prompt-time, prompts, emoji, \
                     values, department, admin, week, theme, post or revoke."
                ))
                .into())
            }
        }
        Ok(())
    }
}

fn required<'s>(text: &'s str, example: &str) -> Result<&'s str> {
    let text = text.trim();
    if text.is_empty() {
        Err(Refusal::Usage(format!("Missing a value: e.g. {example}")).into())
    } else {
        Ok(text)
    }
}

fn parse_period(args: &str, default: Period) -> Result<Period> {
    match args.trim() {
        "" => Ok(default),
        p => Ok(p.parse()?),
    }
}

fn parse_year(text: &str) -> Result<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2200).contains(y))
        .ok_or_else(|| {
            Refusal::Usage(format!("'{}' is not a year such as 2026.", text.trim())).into()
        })
}
