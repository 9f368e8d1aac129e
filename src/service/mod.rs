//! The core's entry points: every adapter (shell, CLI, Discord, Slack) calls these and only
//! renders what comes back.

mod awards;
mod awards_export;
mod awards_shortlists;
mod boards;
mod calendar;
mod deliveries;
mod export;
mod installs;
mod kudos;
mod medallions;
mod settings;
mod wall;
mod welcome;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::clock::Clock;
use crate::config::{Config, RulesConfig};
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, Member, MemberId, MemberRef, Settings, Workspace};
use crate::domain::themes::Plan;
use crate::store::Store;

pub use awards::{AwardsStatus, DepartmentNominees, Nominated, Nominee};
pub use awards_export::{
    awards_export_rows, awards_export_text, write_awards_export, AwardsExportRow,
};
pub use awards_shortlists::{
    Accepted, CeremonyPlan, Shortlist, Shortlists, Winner, CEREMONY_DEFAULT_TIME,
};
pub use boards::{Coverage, Leaderboard, Line, Mine, PersonalStats, DEFAULT_BOARD_SIZE};
pub use calendar::{PlanDay, WeekPlan};
pub use export::{write_export, ExportFormat, ExportKind, ExportRow};
pub use medallions::MAX_CUSTOMER_NOTE;
pub use settings::{parse_date, parse_timezone, ThemeField};
pub use wall::{
    page_period, parse_wall_command, Book, WallAwards, WallChange, WallCommand, WallEvent,
    WallSettings, WallView, WALL_CARDS,
};
pub use welcome::WelcomeReason;

#[derive(Debug, Clone)]
pub struct Spotlight {
    store: Store,
    clock: Arc<dyn Clock>,
    defaults: Settings,
    rules: RulesConfig,
    plan: Plan,
    events: tokio::sync::broadcast::Sender<WallEvent>,
    base_url: Arc<std::sync::RwLock<String>>,
    /// Platform users known to have had their one-time welcome: a command then costs no write.
    welcomed: Arc<std::sync::Mutex<std::collections::HashSet<(i64, String)>>>,
    /// The same people by member id, so a thank-you to someone welcomed reads nothing.
    welcomed_members: Arc<std::sync::Mutex<std::collections::HashSet<MemberId>>>,
}

impl Spotlight {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: &Config,
        plan: Plan,
    ) -> anyhow::Result<Self> {
        let d = &config.defaults;
        let core = Self {
            store,
            clock,
            defaults: Settings {
                timezone: d.timezone()?,
                celebration_channel: None,
                daily_allowance: d.daily_allowance,
                values: d.values.clone(),
                prompt_time: d.prompt_time()?,
                prompts_enabled: d.prompts_enabled,
                // One stored form for both platforms: `:star2:` becomes 🌟.
                kudos_emoji: crate::domain::emoji::parse_kudos_emoji(&d.kudos_emoji)?,
                weeks: Vec::new(),
                themes: Vec::new(),
                medallions_per_year: 1,
                welcome_enabled: true,
            },
            rules: config.rules.clone(),
            plan,
            // A wall that falls this far behind reloads its cards instead.
            events: tokio::sync::broadcast::channel(1024).0,
            base_url: Arc::new(std::sync::RwLock::new(
                config.server.base_url(config.server.address()?),
            )),
            welcomed: Arc::default(),
            welcomed_members: Arc::default(),
        };
        core.follow_other_processes();
        Ok(core)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn local_now(&self, ws: &Workspace) -> DateTime<Tz> {
        self.now().with_timezone(&ws.settings.timezone)
    }

    pub fn today(&self, ws: &Workspace) -> NaiveDate {
        self.local_now(ws).date_naive()
    }

    /// The workspace for a platform's team, created with the default settings on first sight.
    /// `name` is the team's name when the platform told it; events that carry only an id pass
    /// `None`, which never renames (a new workspace is then named by its id until told).
    pub async fn workspace(
        &self,
        platform: &str,
        external_id: &str,
        name: Option<&str>,
    ) -> Result<Workspace> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(ws) = self
            .store
            .workspace_by_external(platform, external_id)
            .await?
        {
            if let Some(name) = name.filter(|n| *n != ws.name) {
                self.store.rename_workspace(ws.id, name).await?;
                return Ok(self.store.workspace(ws.id).await?);
            }
            return Ok(ws);
        }
        Ok(self
            .store
            .create_workspace(
                platform,
                external_id,
                name.unwrap_or(external_id),
                &self.defaults,
                self.now(),
            )
            .await?)
    }

    /// Finds a workspace by name or external id for the command line.
    pub async fn find_workspace(&self, key: &str) -> Result<Workspace> {
        let mut found = self.store.workspaces_named(key).await?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                let names = self.store.workspace_names().await?;
                let known = if names.is_empty() {
                    "there are none yet; start one with `spotlight shell`".to_string()
                } else {
                    format!("known workspaces: {}", names.join(", "))
                };
                Err(Refusal::Usage(format!("No workspace named '{key}' ({known}).")).into())
            }
            _ => Err(Refusal::Usage(format!(
                "Several workspaces are called '{key}'; use the platform's id instead: {}.",
                found
                    .iter()
                    .map(|w| format!("{}:{}", w.platform, w.external_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into()),
        }
    }

    pub async fn reload(&self, ws: &Workspace) -> Result<Workspace> {
        Ok(self.store.workspace(ws.id).await?)
    }

    /// The member for a platform user, created or renamed from what the platform reports.
    pub async fn member(
        &self,
        ws: &Workspace,
        external_id: &str,
        name: &str,
        is_bot: bool,
    ) -> Result<Member> {
        Ok(self
            .store
            .upsert_member(ws.id, external_id, name, is_bot, self.now())
            .await?)
    }

    /// The member a platform user id belongs to, if they were ever seen.
    pub async fn member_by_external(
        &self,
        ws: &Workspace,
        external_id: &str,
    ) -> Result<Option<Member>> {
        Ok(self
            .store
            .member_named(ws.id, external_id)
            .await?
            .filter(|m| m.external_id == external_id))
    }

    /// The member a request names, if they are on record; never creates one.
    pub async fn find_member(&self, ws: &Workspace, who: &MemberRef) -> Result<Option<Member>> {
        match who {
            MemberRef::Id(id) => Ok(self
                .store
                .members_in(ws.id, std::slice::from_ref(id))
                .await?
                .pop()),
            MemberRef::User(u) => self.member_by_external(ws, &u.external_id).await,
        }
    }

    /// The member a request names, created when not on record yet. Called only once the
    /// request has passed every check, so a refused request leaves no one behind.
    pub(crate) async fn resolve(&self, ws: &Workspace, who: &MemberRef) -> Result<Member> {
        match who {
            MemberRef::User(u) => self.member(ws, &u.external_id, &u.name, u.is_bot).await,
            MemberRef::Id(_) => self.find_member(ws, who).await?.ok_or_else(|| {
                anyhow::anyhow!("{who:?} is not a member of workspace {}", ws.id).into()
            }),
        }
    }

    pub async fn member_named(&self, ws: &Workspace, name: &str) -> Result<Option<Member>> {
        Ok(self.store.member_named(ws.id, name).await?)
    }

    pub async fn refresh_member(&self, member: &Member) -> Result<Member> {
        Ok(self.store.member(member.id).await?)
    }

    pub async fn human_member_count(&self, ws: &Workspace) -> Result<i64> {
        Ok(self.store.human_member_count(ws.id).await?)
    }

    pub(crate) fn require_admin(actor: &Actor, action: &str) -> Result<()> {
        if actor.is_admin {
            Ok(())
        } else {
            Err(Refusal::NotAdmin(action.to_string()).into())
        }
    }
}

/// The next local midnight after `now`, as an instant (the first valid minute when midnight
/// itself is skipped by a daylight-saving change).
pub fn next_local_midnight(now: DateTime<Tz>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + Duration::days(1);
    let tz = now.timezone();
    let mut t = tomorrow.and_time(NaiveTime::MIN);
    for _ in 0..240 {
        if let Some(instant) = tz.from_local_datetime(&t).earliest() {
            return instant.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    (now + Duration::days(1)).with_timezone(&Utc)
}

/// "3h 05m", "12m", "under a minute".
pub fn human_duration(d: Duration) -> String {
    let minutes = d.num_minutes();
    if minutes < 1 {
        "under a minute".to_string()
    } else if minutes < 60 {
        format!("{minutes}m")
    } else {
        format!("{}h {:02}m", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_local() {
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        let now = tz.with_ymd_and_hms(2026, 10, 5, 22, 30, 0).unwrap();
        let midnight = next_local_midnight(now);
        assert_eq!(
            midnight.with_timezone(&tz).to_rfc3339(),
            "2026-10-06T00:00:00+11:00"
        );
    }

    #[test]
    fn skipped_midnight_moves_to_first_valid_minute() {
        // Chile skipped 00:00-01:00 on 2026-09-06.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let now = tz.with_ymd_and_hms(2026, 9, 5, 20, 0, 0).unwrap();
        let midnight = next_local_midnight(now).with_timezone(&tz);
        assert_eq!(midnight.date_naive().to_string(), "2026-09-06");
        assert_eq!(midnight.format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::seconds(30)), "under a minute");
        assert_eq!(human_duration(Duration::minutes(12)), "12m");
        assert_eq!(human_duration(Duration::minutes(185)), "3h 05m");
    }
}
