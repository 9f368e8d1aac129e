//! The shell's commands: the shared text commands, rendered as plain text, plus the shell's own
//! `:` commands.

use crate::chat::{self, Answer};
use crate::domain::error::{Refusal, Result};
use crate::render;

use super::{Output, Shell};

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
  /config wall on|off|rotate              /config wall customers on|off
                      (the wall of thanks: a web page with every thank-you, live; /stats links your book)
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
        if let Some(name) = command.strip_prefix('/') {
            let actor = self.actor();
            let ctx = chat::Ctx {
                core: &self.app.spotlight,
                ws: &self.ws,
                actor: &actor,
                names: self,
                here: Some(self.channel()),
                event_id: None,
            };
            if let Some(answer) = chat::run(&ctx, name, args).await {
                self.show(answer?, out);
                return Ok(());
            }
        }
        match command {
            "/help" | ":help" | ":h" | "?" => {
                out.reply(HELP.replace(
                    "{undo}",
                    &self.app.spotlight.undo_window_minutes().to_string(),
                ));
                Ok(())
            }
            ":as" => {
                let name = crate::chat::parse::valid_name(args)?;
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

    /// Private replies as lines; a new thank-you also as a post in the celebration channel.
    fn show(&self, answer: Answer, out: &mut Output) {
        match answer {
            Answer::Given(given) => {
                out.reply(format!("✅ {}", render::confirmation(&given)));
                if given.created {
                    out.post(&self.channel(), &render::announcement(&given.kudos));
                }
            }
            Answer::Board(lb) => out.reply(render::leaderboard(&lb)),
            Answer::Stats(st) => out.reply(render::stats(&st)),
            Answer::Removed(k) => out.reply(render::removed(&k)),
            Answer::Coverage(c) => out.reply(render::coverage(&c)),
            Answer::Plan(p) => out.reply(render::week_plan(&p)),
            Answer::Text(t) => out.reply(t),
        }
    }
}
