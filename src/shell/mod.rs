//! `spotlight shell`: a local chat session on the real core and database, for trying the bot
//! without any platform credentials. Each input line is what a user would type.

mod commands;
mod posts;

use std::io::{BufRead, IsTerminal, Write};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use tracing::Instrument;

use crate::app::App;
use crate::chat::parse::Mention;
use crate::clock::ManualClock;
use crate::domain::error::Refusal;
use crate::domain::model::{Actor, Member, MemberRef, PlatformUser, Workspace};

pub const PLATFORM: &str = "local";
pub(crate) const DEFAULT_CHANNEL: &str = "general";
const BOT_NAME: &str = "spotlight";

#[derive(Debug, Clone)]
pub struct ShellOptions {
    pub user: String,
    pub workspace: String,
    pub at: Option<DateTime<Utc>>,
    /// Where the wall and the books are served this session, if anywhere.
    pub pages: Option<String>,
}

/// What one input line produced: a private reply, and posts to channels.
#[derive(Debug, Default)]
struct Output {
    lines: Vec<String>,
    quit: bool,
}

impl Output {
    fn reply(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    fn post(&mut self, channel: &str, text: &str) {
        self.lines.push(format!("[#{channel}] {text}"));
    }
}

pub struct Shell<'a> {
    app: &'a App,
    clock: ManualClock,
    ws: Workspace,
    me: Member,
    pages: Option<String>,
}

impl<'a> Shell<'a> {
    pub async fn start(
        app: &'a App,
        clock: ManualClock,
        opts: &ShellOptions,
    ) -> anyhow::Result<Self> {
        if let Some(at) = opts.at {
            clock.set(at);
        }
        let core = &app.spotlight;
        let name = crate::domain::text::clean_name(&opts.workspace, 60)
            .map_err(|r| crate::config::BadInput(format!("--workspace: {r}")))?;
        let ws = core
            .workspace(PLATFORM, &name.to_lowercase(), Some(&name))
            .await?;
        core.member(&ws, BOT_NAME, BOT_NAME, true).await?;
        let user = crate::chat::parse::valid_name(&opts.user)
            .map_err(|r| crate::config::BadInput(format!("--as: {r}")))?;
        let me = Self::speaker(app, &ws, &user).await?;
        Ok(Self {
            app,
            clock,
            ws,
            me,
            pages: opts.pages.clone(),
        })
    }

    /// Makes `name` the speaking user; the first person to speak in a new workspace is its admin.
    async fn speaker(
        app: &App,
        ws: &Workspace,
        name: &str,
    ) -> crate::domain::error::Result<Member> {
        let core = &app.spotlight;
        let member = match core.member_named(ws, name).await? {
            Some(m) if !m.is_bot => m,
            Some(m) => {
                return Err(Refusal::Usage(format!(
                    "{} is the bot; speak as a person.",
                    m.display_name
                ))
                .into())
            }
            None => core.member(ws, &name.to_lowercase(), name, false).await?,
        };
        core.claim_first_admin(ws, &member).await
    }

    /// Runs until `:quit` or the end of input.
    pub async fn run(&mut self, input: impl BufRead, mut out: impl Write) -> anyhow::Result<()> {
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        if interactive {
            writeln!(
                out,
                "Spotlight shell — workspace '{}', speaking as {}{}. Type :help for commands, :quit to leave.",
                self.ws.name,
                self.me.display_name,
                if self.me.is_admin { " (admin)" } else { "" }
            )?;
            if let Some(pages) = &self.pages {
                writeln!(
                    out,
                    "Web pages at {pages}: /config wall on gives the wall of thanks, /stats your thank-you book."
                )?;
            }
        }
        let mut lines = input.lines();
        loop {
            if interactive {
                write!(out, "{}> ", self.me.display_name)?;
                out.flush()?;
            }
            let Some(line) = lines.next() else { break };
            let line = line?;
            let output = self.handle(&line).await;
            for l in &output.lines {
                writeln!(out, "{l}")?;
            }
            out.flush()?;
            if output.quit {
                break;
            }
        }
        Ok(())
    }

    async fn handle(&mut self, line: &str) -> Output {
        let mut out = Output::default();
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            return out;
        }
        let (command, args) = crate::chat::parse::first_word(line);
        let span = tracing::info_span!("command", command, user = %self.me.display_name, workspace = self.ws.id);
        let result = async {
            // Settings may have been changed by another session on the same database.
            self.ws = self.app.spotlight.reload(&self.ws).await?;
            self.me = self.app.spotlight.refresh_member(&self.me).await?;
            self.dispatch(command, args, &mut out).await
        }
        .instrument(span.clone())
        .await;
        if let Err(e) = result {
            let _enter = span.enter();
            out.reply(format!("⚠ {}", crate::chat::failure_text(&e)));
        }
        out
    }

    fn actor(&self) -> Actor {
        Actor {
            member: self.me.clone(),
            is_admin: self.me.is_admin,
        }
    }

    fn channel(&self) -> String {
        self.ws
            .settings
            .celebration_channel
            .clone()
            .unwrap_or_else(|| DEFAULT_CHANNEL.to_string())
    }

    /// Parses a time for `:clock` or `--at`: RFC 3339, or a local date and time in the
    /// workspace's zone, or `+30m`/`+2h`/`+1d` from now.
    fn parse_time(&self, text: &str) -> Result<DateTime<Utc>, Refusal> {
        parse_clock_time(text, self.ws.settings.timezone, self.clock_now())
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use crate::clock::Clock;
        self.clock.now()
    }
}

pub fn parse_clock_time(
    text: &str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Refusal> {
    let text = text.trim();
    let bad = || {
        Refusal::Usage(format!(
            "'{text}' is not a time. Use 2026-10-05T09:00 (in the workspace's zone), an RFC 3339 time, or +30m, +2h, +1d."
        ))
    };
    if let Some(delta) = text.strip_prefix('+') {
        let (n, unit) = delta.split_at(
            delta
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(delta.len()),
        );
        let n: i64 = n.parse().map_err(|_| bad())?;
        // A step too large for a time (or past the last date chrono knows) is refused, not added.
        let d = match unit {
            "m" | "min" => Duration::try_minutes(n),
            "h" => Duration::try_hours(n),
            "d" => Duration::try_days(n),
            _ => None,
        };
        return d.and_then(|d| now.checked_add_signed(d)).ok_or_else(bad);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(chrono::NaiveTime::MIN))
    })
    .ok_or_else(bad)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            Refusal::Usage(format!(
                "{naive} does not exist in {} (the clocks skip it for daylight saving).",
                tz.name()
            ))
        })
}

/// The shell names people by `@name` and channels by `#name`.
impl crate::chat::Names for Shell<'_> {
    async fn person(&self, mention: &Mention) -> crate::domain::error::Result<MemberRef> {
        let name = match mention {
            Mention::Name(n) => n.clone(),
            Mention::User { id, .. } => crate::chat::parse::valid_name(id)?,
        };
        Ok(
            match self.app.spotlight.member_named(&self.ws, &name).await? {
                Some(m) => MemberRef::Id(m.id),
                None => MemberRef::User(PlatformUser {
                    external_id: name.to_lowercase(),
                    name,
                    is_bot: false,
                }),
            },
        )
    }

    fn channel(&self, text: &str) -> crate::domain::error::Result<String> {
        Ok(text.trim().trim_start_matches('#').to_string())
    }

    fn show_channel(&self, stored: &str) -> String {
        format!("#{stored}")
    }
}

pub fn is_valid_name(name: &str) -> bool {
    crate::chat::parse::valid_name(name).is_ok()
}
