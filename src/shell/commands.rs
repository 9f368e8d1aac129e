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
  /leaderboard [today|week|csw|csw2025|month|year|all] [received|given|departments|values|crossteam|medallions]
  /stats [@name]      kudos received and given, top values, today's allowance
  /undo               take back your latest kudos or medallion (within {undo} minutes)
  /medallion @dana Untangled my customer's order in an hour
                      give your service medallion (1 a year unless an admin set 0-3)
  /thanked-customer [who or a short note]
                      record a thank-you note you wrote to a customer (no names needed)
  /nominate @dana Answers Billing's questions the same day
                      nominate a colleague for the Excellence in Service awards while
                      nominations are open (one per department; a new one replaces it)
  /coverage [period]  share of the team thanked (admins also see who is missing)
  /calendar [year]    Customer Service Week's dates and daily themes
  /values             the value tags kudos can carry
Admin commands:
  /config                                 show the settings
  /config timezone Europe/London          /config channel #celebrations | none
  /config allowance 5 (0 = unlimited)     /config prompt-time 09:00
  /config medallions 1 (0-3 a year)       /config welcome on|off
  /config prompts on|off                  /config emoji 🌟
  /config values add|remove NAME          /config department @li Billing | none
  /config week 2026-10-12 [2026-10-16]    /config week reset [YEAR]
  /config theme monday title|prompt|action TEXT    /config theme monday reset
                      (days 1-7 or monday-sunday; 6 and 7 run in a longer week)
  /config revoke ID REASON                /config admin @li [off]
  /config post heads-up|prompt|recap|awards|book|digest on|off|HH:MM
  /config awards [status]                 who is nominated, per department (private)
  /config awards open 2026-12-15 [17:00]  /config awards close
  /config awards shortlist                each department's ranked shortlist with quotes
  /config awards pick @dana [DEPARTMENT]  /config awards accept (the top of each shortlist)
  /config awards ceremony 2026-12-18 16:00   /config awards export [csv|json]
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
            if let Some(result) = chat::run(&ctx, name, args).await {
                let welcomes = chat::welcomes(&ctx, result.as_ref().ok()).await;
                match result {
                    Ok(answer) => self.show(answer, out),
                    Err(e) => out.reply(format!("⚠ {}", chat::failure_text(&e))),
                }
                for w in welcomes? {
                    if w.external_id == self.me.external_id {
                        out.reply(w.text);
                    } else {
                        out.reply(format!("[DM to {}] {}", w.name, w.text));
                    }
                }
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
            Answer::Medallion(given) => {
                out.reply(Answer::Medallion(given.clone()).text());
                if given.created {
                    out.post(
                        &self.channel(),
                        &render::medallion_announcement(&given.medallion),
                    );
                }
            }
            Answer::Announce { reply, post } => {
                out.reply(reply);
                out.post(&self.channel(), &post);
            }
            other => out.reply(other.text()),
        }
    }
}
