//! The core's records: workspaces, members and thank-yous, free of any platform's types.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::calendar::WeekDates;
use super::themes::{Plan, Theme};

pub type WorkspaceId = i64;
pub type MemberId = i64;
pub type KudosId = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: WorkspaceId,
    /// "discord", "slack" or "local" (the shell).
    pub platform: String,
    pub external_id: String,
    pub name: String,
    pub settings: Settings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub timezone: Tz,
    pub celebration_channel: Option<String>,
    /// Recipients per giver per local day; 0 is unlimited.
    pub daily_allowance: u32,
    pub values: Vec<String>,
    pub prompt_time: NaiveTime,
    pub prompts_enabled: bool,
    pub kudos_emoji: String,
    /// Years whose Customer Service Week an admin moved.
    pub weeks: Vec<(i32, WeekDates)>,
    /// Days (1-5) of the plan an admin rewrote.
    pub themes: Vec<(u8, Theme)>,
    /// Service medallions each member may give per calendar year (0 to 3).
    pub medallions_per_year: u32,
    /// Whether newcomers get the one-time private welcome.
    pub welcome_enabled: bool,
}

impl Settings {
    /// This workspace's Customer Service Week of `year`: its override, or the standard week.
    pub fn week(&self, year: i32) -> WeekDates {
        self.weeks
            .iter()
            .find(|(y, _)| *y == year)
            .map(|(_, w)| *w)
            .unwrap_or_else(|| WeekDates::standard(year))
    }

    /// The day-by-day plan with this workspace's edits applied.
    pub fn plan(&self, base: &Plan) -> Plan {
        let mut plan = base.clone();
        for (day, theme) in &self.themes {
            if let Some(slot) = plan.days.get_mut(usize::from(*day).saturating_sub(1)) {
                *slot = theme.clone();
            }
        }
        plan
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub workspace_id: WorkspaceId,
    pub external_id: String,
    pub display_name: String,
    pub is_bot: bool,
    pub is_admin: bool,
    pub department: Option<String>,
}

/// Who is asking, as the platform adapter saw them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub member: Member,
    /// The platform's verdict (Discord's Manage Server, the shell's first speaker...).
    pub is_admin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KudosKind {
    Kudos,
    Feedback,
}

impl KudosKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KudosKind::Kudos => "kudos",
            KudosKind::Feedback => "feedback",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KudosStatus {
    Active,
    Undone,
    Revoked,
}

/// A person as a platform names them: the member record is only made when something real
/// happens to them, never because a refused command named them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformUser {
    pub external_id: String,
    pub name: String,
    pub is_bot: bool,
}

/// Someone a request names: a member already on record, or a platform user who may not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    Id(MemberId),
    User(PlatformUser),
}

impl From<MemberId> for MemberRef {
    fn from(id: MemberId) -> Self {
        MemberRef::Id(id)
    }
}

impl From<PlatformUser> for MemberRef {
    fn from(user: PlatformUser) -> Self {
        MemberRef::User(user)
    }
}

impl From<&MemberRef> for MemberRef {
    fn from(r: &MemberRef) -> Self {
        r.clone()
    }
}

impl From<&Member> for MemberRef {
    fn from(m: &Member) -> Self {
        MemberRef::Id(m.id)
    }
}

/// What an adapter asks for; the core validates it.
#[derive(Debug, Clone, Default)]
pub struct KudosRequest {
    pub recipients: Vec<MemberRef>,
    pub message: String,
    pub value: Option<String>,
    pub channel: Option<String>,
    /// The platform's id for the event; the same id is only ever stored once.
    pub event_id: Option<String>,
    /// Link to the message being thanked for, if any.
    pub link: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct FeedbackRequest {
    pub recipients: Vec<MemberRef>,
    pub message: String,
    pub customer: Option<String>,
    pub channel: Option<String>,
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: MemberId,
    pub name: String,
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kudos {
    pub id: KudosId,
    pub kind: KudosKind,
    pub giver: Person,
    pub recipients: Vec<Person>,
    pub message: String,
    pub value: Option<String>,
    pub customer: Option<String>,
    pub channel: Option<String>,
    pub link: Option<String>,
    pub theme: Option<String>,
    pub created_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub status: KudosStatus,
    /// Who revoked it and why; `None` while active or when its giver undid it.
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub by: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Given {
    pub kudos: Kudos,
    /// False when the event had already been recorded: nothing new was stored or should be posted.
    pub created: bool,
    /// Recipients the giver may still thank today; `None` when unlimited.
    pub left_today: Option<u32>,
}

/// Service medallions a member may give per calendar year, at most.
pub const MAX_MEDALLIONS_PER_YEAR: u32 = 3;

/// A service medallion: a rarer, weightier thanks than kudos, one recipient, counted per
/// calendar year in the workspace's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medallion {
    pub id: i64,
    pub giver: Person,
    pub recipient: Person,
    pub message: String,
    pub channel: Option<String>,
    pub created_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub year: i32,
    pub status: KudosStatus,
}

#[derive(Debug, Clone)]
pub struct MedallionRequest {
    pub recipient: MemberRef,
    pub message: String,
    pub channel: Option<String>,
    /// The platform's id for the command; the same id is only ever stored once.
    pub event_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GivenMedallion {
    pub medallion: Medallion,
    /// False when the event had already been recorded: nothing new to announce.
    pub created: bool,
    /// Medallions the giver still has this year, and how many a year the workspace gives.
    pub left: u32,
    pub per_year: u32,
}

/// A thank-you note a member wrote to a customer: recorded, counted, never announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerThanks {
    pub id: i64,
    pub note: Option<String>,
    pub local_date: NaiveDate,
    /// Customers the member has thanked today and this week (Monday to Sunday) and in all.
    pub mine_today: i64,
    pub mine_week: i64,
    pub mine_total: i64,
    /// Customers the whole workspace thanked today.
    pub team_today: i64,
}

/// What `/undo` took back: the giver's latest kudos or medallion.
#[derive(Debug, Clone)]
pub enum Undone {
    Kudos(Kudos),
    Medallion(Medallion),
}

/// A private welcome for someone new to Spotlight, for the adapter to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The platform's id of whom it is for (a DM goes there).
    pub external_id: String,
    pub name: String,
    pub text: String,
}
