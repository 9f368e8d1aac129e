use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::Spotlight;
use crate::domain::calendar::WeekDates;
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, Member, MemberRef, Workspace};
use crate::domain::schedule::{PostKind, ALL_KINDS};
use crate::domain::text::{clean_name, value_key};
use crate::domain::themes::{Theme, MAX_DAYS};
use crate::store::SettingChange;

const MAX_NAME: usize = 60;
const MAX_VALUES: usize = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeField {
    Title,
    Prompt,
    Action,
}

impl std::str::FromStr for ThemeField {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Refusal> {
        match s.trim().to_lowercase().as_str() {
            "title" => Ok(ThemeField::Title),
            "prompt" => Ok(ThemeField::Prompt),
            "action" => Ok(ThemeField::Action),
            other => Err(Refusal::Usage(format!(
                "'{other}' is not part of a theme: use title, prompt or action."
            ))),
        }
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, Refusal> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Refusal::InvalidDate(s.trim().into()))
}

pub fn parse_timezone(s: &str) -> Result<Tz, Refusal> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| Refusal::InvalidTimezone(s.trim().into()))
}

impl Spotlight {
    async fn change(
        &self,
        ws: &Workspace,
        actor: &Actor,
        change: SettingChange,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the settings")?;
        self.store.change_setting(ws.id, &change).await?;
        let moved: &[PostKind] = match change {
            SettingChange::Timezone(_) | SettingChange::PromptsEnabled(_) => &ALL_KINDS,
            SettingChange::PromptTime(_) => &[PostKind::Prompt],
            _ => &[],
        };
        self.store
            .record_schedule_change(ws.id, moved, self.now())
            .await?;
        tracing::info!(workspace = ws.id, ?change, "setting changed");
        self.reload(ws).await
    }

    pub async fn set_timezone(
        &self,
        ws: &Workspace,
        actor: &Actor,
        name: &str,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the time zone")?;
        let tz = parse_timezone(name)?;
        self.change(ws, actor, SettingChange::Timezone(tz)).await
    }

    pub async fn set_channel(
        &self,
        ws: &Workspace,
        actor: &Actor,
        channel: Option<&str>,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "choose the celebration channel")?;
        let channel = match channel.map(|c| c.trim().trim_start_matches('#')) {
            Some(c) if !c.is_empty() => Some(clean_name(c, 100)?),
            _ => None,
        };
        self.change(ws, actor, SettingChange::Channel(channel))
            .await
    }

    pub async fn set_allowance(
        &self,
        ws: &Workspace,
        actor: &Actor,
        text: &str,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the daily allowance")?;
        let n: u32 = text
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= 1000)
            .ok_or_else(|| Refusal::InvalidAllowance(text.trim().into()))?;
        self.change(ws, actor, SettingChange::Allowance(n)).await
    }

    pub async fn set_prompt_time(
        &self,
        ws: &Workspace,
        actor: &Actor,
        text: &str,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the prompt time")?;
        let t = NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| Refusal::InvalidTime(text.trim().into()))?;
        self.change(ws, actor, SettingChange::PromptTime(t)).await
    }

    pub async fn set_prompts_enabled(
        &self,
        ws: &Workspace,
        actor: &Actor,
        on: bool,
    ) -> Result<Workspace> {
        self.change(ws, actor, SettingChange::PromptsEnabled(on))
            .await
    }

    pub async fn set_emoji(&self, ws: &Workspace, actor: &Actor, emoji: &str) -> Result<Workspace> {
        Self::require_admin(actor, "change the kudos emoji")?;
        let emoji = crate::domain::emoji::parse_kudos_emoji(emoji)?;
        self.change(ws, actor, SettingChange::Emoji(emoji)).await
    }

    pub async fn add_value(&self, ws: &Workspace, actor: &Actor, name: &str) -> Result<Workspace> {
        Self::require_admin(actor, "change the values")?;
        let name = clean_name(name.trim_start_matches('#'), MAX_NAME)?;
        if ws
            .settings
            .values
            .iter()
            .any(|v| value_key(v) == value_key(&name))
        {
            return Err(Refusal::ValueExists(name).into());
        }
        if ws.settings.values.len() >= MAX_VALUES {
            return Err(Refusal::Usage(format!(
                "A workspace can have at most {MAX_VALUES} values."
            ))
            .into());
        }
        self.store.add_value(ws.id, &name).await?;
        self.reload(ws).await
    }

    pub async fn remove_value(
        &self,
        ws: &Workspace,
        actor: &Actor,
        name: &str,
    ) -> Result<Workspace> {
        Self::require_admin(actor, "change the values")?;
        let existing = crate::domain::text::match_value(name, &ws.settings.values)?;
        if ws.settings.values.len() == 1 {
            return Err(Refusal::LastValue(existing).into());
        }
        self.store.remove_value(ws.id, &existing).await?;
        self.reload(ws).await
    }

    pub async fn set_department(
        &self,
        ws: &Workspace,
        actor: &Actor,
        who: impl Into<MemberRef>,
        department: Option<&str>,
    ) -> Result<Member> {
        let who = &who.into();
        Self::require_admin(actor, "assign departments")?;
        let department = match department.map(str::trim) {
            Some(d) if !d.is_empty() && !d.eq_ignore_ascii_case("none") => {
                Some(clean_name(d, MAX_NAME)?)
            }
            _ => None,
        };
        let member = self.resolve(ws, who).await?;
        self.store
            .set_department(ws.id, member.id, department.as_deref())
            .await?;
        self.refresh_member(&member).await
    }

    /// Appoints an admin, or removes one; the last admin can't step down, so there is always
    /// someone who can change the settings.
    pub async fn set_admin(
        &self,
        ws: &Workspace,
        actor: &Actor,
        who: impl Into<MemberRef>,
        admin: bool,
    ) -> Result<Member> {
        let who = &who.into();
        Self::require_admin(actor, "appoint admins")?;
        let existing = self.find_member(ws, who).await?;
        let (name, is_bot) = match (&existing, who) {
            (Some(m), _) => (m.display_name.clone(), m.is_bot),
            (None, MemberRef::User(u)) => (u.name.clone(), u.is_bot),
            (None, MemberRef::Id(id)) => {
                return Err(anyhow::anyhow!("member {id} is not in workspace {}", ws.id).into())
            }
        };
        if is_bot {
            return Err(
                Refusal::Usage(format!("{name} is a bot; only people can be admins.")).into(),
            );
        }
        let member = match existing {
            Some(m) if m.is_admin == admin => {
                return Err(Refusal::Usage(if admin {
                    format!("{name} is already an admin.")
                } else {
                    format!("{name} is not an admin.")
                })
                .into())
            }
            None if !admin => return Err(Refusal::Usage(format!("{name} is not an admin.")).into()),
            Some(m) => m,
            None => self.resolve(ws, who).await?,
        };
        if !admin && self.store.admin_count(ws.id).await? <= 1 {
            return Err(Refusal::LastAdmin(name).into());
        }
        self.store.set_admin(member.id, admin).await?;
        tracing::info!(
            workspace = ws.id,
            member = member.id,
            admin,
            "admin changed"
        );
        self.refresh_member(&member).await
    }

    /// Switches one kind of scheduled post on or off and/or moves its local time.
    pub async fn set_post(
        &self,
        ws: &Workspace,
        actor: &Actor,
        kind: crate::domain::schedule::PostKind,
        enabled: Option<bool>,
        time: Option<&str>,
    ) -> Result<crate::domain::schedule::PostSetting> {
        use crate::domain::schedule::{PostKind, Schedule};
        Self::require_admin(actor, "change the week's posts")?;
        let time = match time {
            Some(t) => Some(
                NaiveTime::parse_from_str(t.trim(), "%H:%M")
                    .map_err(|_| Refusal::InvalidTime(t.trim().into()))?,
            ),
            None => None,
        };
        if kind == PostKind::Prompt {
            if let Some(t) = time {
                self.store
                    .change_setting(ws.id, &SettingChange::PromptTime(t))
                    .await?;
            }
        }
        let overrides = self.store.post_settings(ws.id).await?;
        let current = Schedule::new(
            ws.settings.prompts_enabled,
            ws.settings.prompt_time,
            &overrides,
        )
        .get(kind);
        let setting = crate::domain::schedule::PostSetting {
            enabled: enabled.unwrap_or(current.enabled),
            time: time.unwrap_or(current.time),
        };
        self.store.set_post_setting(ws.id, kind, setting).await?;
        // The book goes out with the awards, so moving them moves it too.
        let moved: &[PostKind] = match kind {
            PostKind::Awards => &[PostKind::Awards, PostKind::Book],
            _ => std::slice::from_ref(&kind),
        };
        self.store
            .record_schedule_change(ws.id, moved, self.now())
            .await?;
        tracing::info!(
            workspace = ws.id,
            kind = kind.as_str(),
            ?setting,
            "post setting changed"
        );
        Ok(setting)
    }

    /// Every kind of post with its switch and local time.
    pub async fn post_schedule(&self, ws: &Workspace) -> Result<crate::domain::schedule::Schedule> {
        let overrides = self.store.post_settings(ws.id).await?;
        Ok(crate::domain::schedule::Schedule::new(
            ws.settings.prompts_enabled,
            ws.settings.prompt_time,
            &overrides,
        ))
    }

    /// The local shell's rule: the first person to speak in a workspace with no admin becomes one.
    pub async fn claim_first_admin(&self, ws: &Workspace, member: &Member) -> Result<Member> {
        if member.is_admin || member.is_bot || self.store.admin_count(ws.id).await? > 0 {
            return Ok(member.clone());
        }
        self.store.set_admin(member.id, true).await?;
        tracing::info!(
            workspace = ws.id,
            member = member.id,
            "first speaker made admin"
        );
        self.refresh_member(member).await
    }

    pub async fn departments(&self, ws: &Workspace) -> Result<Vec<(String, i64)>> {
        Ok(self.store.departments(ws.id).await?)
    }

    /// Moves the week of `start`'s year; `end` defaults to four days after `start`.
    pub async fn set_week(
        &self,
        ws: &Workspace,
        actor: &Actor,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Result<WeekDates> {
        Self::require_admin(actor, "move Customer Service Week")?;
        let end = end.unwrap_or(start + Duration::days(4));
        let week = WeekDates::new(start, end).ok_or_else(|| Refusal::InvalidWeek {
            start: start.to_string(),
            end: end.to_string(),
        })?;
        if end.year() != start.year() {
            return Err(
                Refusal::Usage("The week must start and end in the same year.".into()).into(),
            );
        }
        self.store
            .set_week_override(ws.id, start.year(), Some(week), week)
            .await?;
        self.store
            .record_schedule_change(ws.id, &ALL_KINDS, self.now())
            .await?;
        tracing::info!(workspace = ws.id, %start, %end, "week moved");
        Ok(week)
    }

    /// Puts `year`'s week back on the standard dates.
    pub async fn reset_week(&self, ws: &Workspace, actor: &Actor, year: i32) -> Result<WeekDates> {
        Self::require_admin(actor, "move Customer Service Week")?;
        let standard = WeekDates::standard(year);
        self.store
            .set_week_override(ws.id, year, None, standard)
            .await?;
        self.store
            .record_schedule_change(ws.id, &ALL_KINDS, self.now())
            .await?;
        Ok(standard)
    }

    pub async fn set_theme(
        &self,
        ws: &Workspace,
        actor: &Actor,
        day: u8,
        field: ThemeField,
        text: &str,
    ) -> Result<Theme> {
        Self::require_admin(actor, "edit the week's themes")?;
        if !(1..=MAX_DAYS as u8).contains(&day) {
            return Err(Refusal::InvalidDay(day.to_string()).into());
        }
        let text = crate::domain::text::clean_message(text, self.rules.max_message_chars)?;
        let mut theme = self.plan_for(ws).days[usize::from(day) - 1].clone();
        match field {
            ThemeField::Title => theme.title = text,
            ThemeField::Prompt => theme.prompt = text,
            ThemeField::Action => theme.action = text,
        }
        self.store.set_theme(ws.id, day, &theme).await?;
        Ok(theme)
    }

    pub async fn reset_theme(&self, ws: &Workspace, actor: &Actor, day: u8) -> Result<Theme> {
        Self::require_admin(actor, "edit the week's themes")?;
        self.store.reset_theme(ws.id, day).await?;
        Ok(self.plan.days[usize::from(day).clamp(1, MAX_DAYS) - 1].clone())
    }
}
