//! The wall of thanks and the thank-you books: who may open them (link secrets an admin
//! controls, book links signed per member), what they show, and the live feed of changes.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use hmac::{KeyInit, Mac};

use super::{Leaderboard, Spotlight};
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, Kudos, KudosId, Member, MemberId, Workspace, WorkspaceId};
use crate::domain::period::{Board, Period, ResolvedPeriod};
use crate::domain::themes::Theme;
use crate::store::{DayCount, DepartmentFlow, WallRow};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Cards a wall shows at most; older thank-yous are in the export.
pub const WALL_CARDS: u32 = 120;
/// Places on each of the wall's boards.
const WALL_BOARD_PLACES: u32 = 5;

/// A change every open wall of the workspace should show.
#[derive(Debug, Clone)]
pub struct WallEvent {
    pub workspace: WorkspaceId,
    pub change: WallChange,
}

#[derive(Debug, Clone)]
pub enum WallChange {
    Added(Arc<Kudos>),
    /// Undone by its giver, withdrawn with its reaction, or revoked by an admin.
    Removed(KudosId),
    /// A service medallion, shown with its own look.
    Medallion(Arc<crate::domain::model::Medallion>),
    /// A medallion its giver took back.
    MedallionRemoved(i64),
}

/// What an admin changes about the wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallCommand {
    Show,
    /// Turns it on, keeping the link it had while it was on.
    On,
    Off,
    /// A new link; the old one stops working at once.
    Rotate,
    Customers(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallSettings {
    /// The wall's address while it is on.
    pub link: Option<String>,
    pub show_customers: bool,
}

/// Everything one wall page shows.
#[derive(Debug, Clone)]
pub struct WallView {
    pub workspace: Workspace,
    pub period: Period,
    pub resolved: ResolvedPeriod,
    pub show_customers: bool,
    /// Newest first.
    pub cards: Vec<Kudos>,
    /// Service medallions of the period, oldest first (at most as many as cards).
    pub medallions: Vec<crate::domain::model::Medallion>,
    /// This week's boards: received, given, departments, values.
    pub boards: Vec<Leaderboard>,
    /// This week: active people, of whom thanked.
    pub coverage: (i64, i64),
    /// Thank-yous (kudos and shout-outs) given this week.
    pub week_total: i64,
    /// During Customer Service Week: today's day number and theme.
    pub today: Option<(u8, Theme)>,
    /// Thank-yous per day (or per weekday for all time), labelled.
    pub days: Vec<(String, DayCount)>,
    pub values: Vec<(String, i64)>,
    pub flows: Vec<DepartmentFlow>,
    /// Thank-you notes to customers this week, and by how many people (counts only: the
    /// notes themselves are private).
    pub customers_week: (i64, i64),
    /// The same for today, during Customer Service Week.
    pub customers_today: Option<(i64, i64)>,
    /// The winners of the latest awards round whose ceremony has been posted.
    pub awards: Option<WallAwards>,
}

/// The Excellence in Service winners as the wall shows them, once their ceremony was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallAwards {
    pub year: i32,
    /// (department, winner's display name), departments by name, "No department" last.
    pub winners: Vec<(String, String)>,
}

/// One member's take-home book.
#[derive(Debug, Clone)]
pub struct Book {
    pub workspace: Workspace,
    pub member: Member,
    pub period: Period,
    pub resolved: ResolvedPeriod,
    /// Oldest first, as a book reads.
    pub kudos: Vec<Kudos>,
}

/// The periods a wall or a book can show.
pub fn page_period(text: Option<&str>, default: Period) -> Period {
    match text.map(str::trim) {
        None | Some("") => default,
        Some(t) => match t.parse::<Period>() {
            Ok(
                p @ (Period::Today | Period::Week | Period::Csw(None) | Period::Year | Period::All),
            ) => p,
            _ => default,
        },
    }
}

impl Spotlight {
    /// Every open wall hears of each stored, undone or revoked thank-you from here.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<WallEvent> {
        self.events.subscribe()
    }

    /// Shows a change on this process's open walls, and tells the other processes sharing the
    /// store (PostgreSQL) so theirs show it too.
    pub(crate) async fn publish(&self, ws: &Workspace, change: WallChange) {
        use crate::store::WallNotice;
        let notice = match &change {
            WallChange::Added(k) => WallNotice::Added(k.id),
            WallChange::Removed(id) => WallNotice::Removed(*id),
            WallChange::Medallion(m) => WallNotice::Medallion(m.id),
            WallChange::MedallionRemoved(id) => WallNotice::MedallionRemoved(*id),
        };
        // No open wall means no receiver, which is fine.
        let _ = self.events.send(WallEvent {
            workspace: ws.id,
            change,
        });
        self.store().announce_wall(ws.id, notice).await;
    }

    /// Relays the wall changes other processes announce to this process's open walls, until
    /// the store closes.
    pub(crate) fn follow_other_processes(&self) {
        let Some(mut remote) = self.store().remote_wall_changes() else {
            return;
        };
        let core = self.clone();
        tokio::spawn(async move {
            use crate::store::WallNotice;
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let crate::store::RemoteWall { workspace, notice } = match remote.recv().await {
                    Ok(change) => change,
                    // A wall that misses changes reloads its cards when it reconnects.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                };
                let change = match notice {
                    WallNotice::Added(id) => match core.store().kudos(workspace, id).await {
                        Ok(Some(k)) => WallChange::Added(Arc::new(k)),
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(error = ?e, kudos = id, "could not read a thank-you another process stored");
                            continue;
                        }
                    },
                    WallNotice::Removed(id) => WallChange::Removed(id),
                    WallNotice::Medallion(id) => {
                        match core.store().medallion(workspace, id).await {
                            Ok(Some(m)) => WallChange::Medallion(Arc::new(m)),
                            Ok(None) => continue,
                            Err(e) => {
                                tracing::warn!(error = ?e, medallion = id, "could not read a medallion another process stored");
                                continue;
                            }
                        }
                    }
                    WallNotice::MedallionRemoved(id) => WallChange::MedallionRemoved(id),
                };
                let _ = core.events.send(WallEvent { workspace, change });
            }
        });
    }

    /// Where people reach the HTTP server, for the links the bot hands out.
    pub fn base_url(&self) -> String {
        self.base_url.read().map(|u| u.clone()).unwrap_or_default()
    }

    /// Set once the server is listening (its port may have been chosen then).
    pub fn set_base_url(&self, url: String) {
        if let Ok(mut base) = self.base_url.write() {
            *base = url;
        }
    }

    pub fn wall_link(&self, token: &str) -> String {
        format!("{}/wall/{token}", self.base_url())
    }

    pub async fn wall_settings(&self, ws: &Workspace) -> Result<WallSettings> {
        let row = self.store.wall(ws.id).await?;
        Ok(self.settings_of(row))
    }

    fn settings_of(&self, row: Option<WallRow>) -> WallSettings {
        WallSettings {
            link: row
                .as_ref()
                .and_then(|r| r.token.as_deref())
                .map(|t| self.wall_link(t)),
            show_customers: row.is_some_and(|r| r.show_customers),
        }
    }

    /// Admins turn the wall on, off, give it a new link, or choose whether customers' names show.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, ?command))]
    pub async fn set_wall(
        &self,
        ws: &Workspace,
        actor: &Actor,
        command: WallCommand,
    ) -> Result<WallSettings> {
        if command == WallCommand::Show {
            return self.wall_settings(ws).await;
        }
        Self::require_admin(actor, "change the wall of thanks")?;
        let now = self.now();
        let current = self.store.wall(ws.id).await?;
        let row = match command {
            WallCommand::Show => unreachable!("answered above"),
            WallCommand::On => match current {
                Some(row) if row.token.is_some() => row,
                _ => {
                    self.store
                        .set_wall_token(ws.id, Some(&new_wall_token()), now)
                        .await?
                }
            },
            WallCommand::Rotate => {
                self.store
                    .set_wall_token(ws.id, Some(&new_wall_token()), now)
                    .await?
            }
            WallCommand::Off => self.store.set_wall_token(ws.id, None, now).await?,
            WallCommand::Customers(show) => self.store.set_wall_customers(ws.id, show, now).await?,
        };
        tracing::info!("wall settings changed");
        Ok(self.settings_of(Some(row)))
    }

    /// The workspace behind a wall link, while that link is the wall's current one.
    pub async fn wall_by_token(&self, token: &str) -> Result<Option<(Workspace, WallRow)>> {
        if !is_wall_token(token) {
            return Ok(None);
        }
        match self.store.wall_by_token(token).await? {
            Some(row) => Ok(Some((self.store.workspace(row.workspace_id).await?, row))),
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all, fields(workspace = ws.id, %period))]
    pub async fn wall_view(
        &self,
        ws: &Workspace,
        row: &WallRow,
        period: Period,
    ) -> Result<WallView> {
        let resolved = self.resolve_period(ws, period).await?;
        let cards = self
            .store
            .recent_kudos(ws.id, resolved.dates, WALL_CARDS)
            .await?;
        let medallions = self
            .store
            .medallions_list(ws.id, resolved.dates, false, Some(WALL_CARDS))
            .await?;
        let mut boards = Vec::new();
        for board in [
            Board::Received,
            Board::Given,
            Board::Departments,
            Board::Values,
        ] {
            boards.push(
                self.leaderboard(ws, None, Period::Week, board, WALL_BOARD_PLACES)
                    .await?,
            );
        }
        let year_medallions = self
            .leaderboard(ws, None, Period::Year, Board::Medallions, WALL_BOARD_PLACES)
            .await?;
        if !year_medallions.lines.is_empty() {
            boards.push(year_medallions);
        }
        let week = self.resolve_period(ws, Period::Week).await?;
        let coverage = self.store.coverage_counts(ws.id, &week.bucket).await?;
        let (kudos, feedback, _) = self.store.bucket_totals(ws.id, &week.bucket).await?;
        let today = self.today(ws);
        let csw = ws.settings.week(today.year());
        let theme = csw.day_number(today).and_then(|n| {
            self.plan_for(ws)
                .days
                .get(usize::from(n) - 1)
                .cloned()
                .map(|t| (n, t))
        });
        let chart_dates = match resolved.dates {
            Some((from, to)) if (to - from).num_days() >= 6 || period == Period::Csw(None) => {
                Some((from, to))
            }
            Some(_) => week.dates,
            None => None,
        };
        let counts = self.store.day_counts(ws.id, chart_dates).await?;
        let customers_week = match week.dates {
            Some(dates) => self.customers_thanked(ws, dates).await?,
            None => (0, 0),
        };
        let customers_today = match theme {
            Some(_) => Some(self.customers_thanked(ws, (today, today)).await?),
            None => None,
        };
        let awards = self.wall_awards(ws).await?;
        let days = match chart_dates {
            Some((from, to)) if (to - from).num_days() <= 31 => per_date(&counts, from, to),
            _ => per_weekday(&counts),
        };
        Ok(WallView {
            workspace: ws.clone(),
            period,
            show_customers: row.show_customers,
            cards,
            medallions,
            boards,
            coverage,
            week_total: kudos + feedback,
            today: theme,
            days,
            values: self.store.value_counts(ws.id, resolved.dates).await?,
            flows: self.store.department_flows(ws.id, resolved.dates).await?,
            resolved,
            customers_week,
            customers_today,
            awards,
        })
    }

    /// The winners of the latest round whose ceremony has been posted; nothing before that
    /// (nominations and shortlists are the admins' alone).
    async fn wall_awards(&self, ws: &Workspace) -> Result<Option<WallAwards>> {
        let Some(round) = self.store.latest_celebrated_round(ws.id).await? else {
            return Ok(None);
        };
        let mut winners = self.store.award_winners(round.id).await?;
        winners.sort_by(|a, b| {
            super::awards::department_order(&a.member.department, &b.member.department)
        });
        Ok(Some(WallAwards {
            year: round.year,
            winners: winners
                .into_iter()
                .map(|w| {
                    let department = w
                        .member
                        .department
                        .unwrap_or_else(|| crate::domain::awards::NO_DEPARTMENT.to_string());
                    (department, w.member.name)
                })
                .collect(),
        }))
    }

    /// The private link to a member's own thank-you book.
    pub async fn book_link(&self, ws: &Workspace, member: MemberId) -> Result<String> {
        let key = self.link_key(ws.id).await?;
        Ok(format!(
            "{}/book/{}",
            self.base_url(),
            book_token(&key, ws.id, member)
        ))
    }

    /// Adds the viewer's book link to stats about themselves (never to anyone else's).
    pub async fn attach_book(
        &self,
        ws: &Workspace,
        viewer: &Member,
        stats: &mut super::PersonalStats,
    ) -> Result<()> {
        if stats.member.id == viewer.id {
            stats.book_link = Some(self.book_link(ws, viewer.id).await?);
            // Whether you still have your medallion this year is yours to see.
            stats.medallions_left = Some(self.medallions_left(ws, viewer).await?);
        }
        Ok(())
    }

    /// The member a book link was signed for; `None` for any link this app did not sign.
    pub async fn book_by_token(&self, token: &str) -> Result<Option<(Workspace, Member)>> {
        let Some((id, tag)) = token.split_once('-') else {
            return Ok(None);
        };
        let (Ok(id), Ok(tag)) = (id.parse::<i64>(), hex::decode(tag)) else {
            return Ok(None);
        };
        if tag.len() != BOOK_TAG_BYTES {
            return Ok(None);
        }
        let Some(member) = self.store.member_by_id(id).await? else {
            return Ok(None);
        };
        let key = self.link_key(member.workspace_id).await?;
        let mac = book_mac(&key, member.workspace_id, member.id);
        if mac.verify_truncated_left(&tag).is_err() {
            return Ok(None);
        }
        let ws = self.store.workspace(member.workspace_id).await?;
        Ok(Some((ws, member)))
    }

    #[tracing::instrument(skip_all, fields(workspace = ws.id, member = member.id, %period))]
    pub async fn book(&self, ws: &Workspace, member: &Member, period: Period) -> Result<Book> {
        let resolved = self.resolve_period(ws, period).await?;
        let kudos = self.store.received_kudos(member.id, resolved.dates).await?;
        Ok(Book {
            workspace: ws.clone(),
            member: member.clone(),
            period,
            resolved,
            kudos,
        })
    }

    async fn link_key(&self, ws: WorkspaceId) -> Result<Vec<u8>> {
        let fresh = crate::secrets::random_bytes::<32>();
        let key = self.store.link_key(ws, &fresh).await?;
        if key.len() < 16 {
            return Err(anyhow::anyhow!("the link key of workspace {ws} is too short").into());
        }
        Ok(key)
    }
}

/// Refuses what no admin could have meant, for the chat commands' parser.
pub fn parse_wall_command(args: &str) -> std::result::Result<WallCommand, Refusal> {
    let words: Vec<String> = args.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    Ok(match words.as_slice() {
        [] | ["show"] | ["status"] | ["link"] => WallCommand::Show,
        ["on"] => WallCommand::On,
        ["off"] => WallCommand::Off,
        ["rotate"] | ["new"] | ["reset"] => WallCommand::Rotate,
        ["customers", "on" | "show" | "yes"] => WallCommand::Customers(true),
        ["customers", "off" | "hide" | "no"] => WallCommand::Customers(false),
        _ => {
            return Err(Refusal::Usage(
                "Use /config wall on, off or rotate, or /config wall customers on|off.".into(),
            ))
        }
    })
}

const WALL_TOKEN_BYTES: usize = 16;
const BOOK_TAG_BYTES: usize = 16;

fn new_wall_token() -> String {
    hex::encode(crate::secrets::random_bytes::<WALL_TOKEN_BYTES>())
}

/// Only well-formed tokens reach the database.
fn is_wall_token(token: &str) -> bool {
    token.len() == WALL_TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn book_mac(key: &[u8], ws: WorkspaceId, member: i64) -> HmacSha256 {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("spotlight book v1:{ws}:{member}").as_bytes());
    mac
}

fn book_token(key: &[u8], ws: WorkspaceId, member: i64) -> String {
    let tag = book_mac(key, ws, member).finalize().into_bytes();
    format!("{member}-{}", hex::encode(&tag[..BOOK_TAG_BYTES]))
}

fn per_date(counts: &[DayCount], from: NaiveDate, to: NaiveDate) -> Vec<(String, DayCount)> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|date| {
            let found = counts.iter().find(|c| c.date == date);
            (
                date.format("%a %-d").to_string(),
                DayCount {
                    date,
                    kudos: found.map_or(0, |c| c.kudos),
                    feedback: found.map_or(0, |c| c.feedback),
                },
            )
        })
        .collect()
}

fn per_weekday(counts: &[DayCount]) -> Vec<(String, DayCount)> {
    let monday = NaiveDate::from_isoywd_opt(2024, 1, Weekday::Mon).expect("a real Monday");
    (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let on_day = counts.iter().filter(|c| c.date.weekday() == date.weekday());
            let (kudos, feedback) = on_day.fold((0, 0), |(k, f), c| (k + c.kudos, f + c.feedback));
            (
                date.format("%a").to_string(),
                DayCount {
                    date,
                    kudos,
                    feedback,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_tokens_are_bound_to_member_workspace_and_key() {
        let key = [7u8; 32];
        let token = book_token(&key, 1, 42);
        assert!(token.starts_with("42-"));
        assert_eq!(token.len(), 3 + BOOK_TAG_BYTES * 2);
        assert_ne!(token, book_token(&key, 2, 42));
        assert_ne!(token, book_token(&[8u8; 32], 1, 42));
        assert_ne!(token[3..], book_token(&key, 1, 43)[3..]);
    }

    #[test]
    fn wall_commands_parse() {
        assert_eq!(parse_wall_command(""), Ok(WallCommand::Show));
        assert_eq!(parse_wall_command("ROTATE"), Ok(WallCommand::Rotate));
        assert_eq!(
            parse_wall_command("customers off"),
            Ok(WallCommand::Customers(false))
        );
        assert!(parse_wall_command("sideways").is_err());
    }
}
