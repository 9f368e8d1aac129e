use super::Spotlight;
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{Actor, Kudos, Member, MemberRef, Workspace};
use crate::domain::period::{Board, Period, ResolvedPeriod};
use crate::store::{MemberTotals, Ranked, ValueCount};

pub const DEFAULT_BOARD_SIZE: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Competition rank: ties share a rank and the next rank skips.
    pub rank: i64,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    pub board: Board,
    pub period: ResolvedPeriod,
    pub timezone: String,
    pub lines: Vec<Line>,
    /// The asking member's own place (or their department's), when the board ranks them.
    pub mine: Option<Mine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mine {
    Ranked {
        label: String,
        rank: i64,
        count: i64,
    },
    Unranked {
        label: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub period: ResolvedPeriod,
    pub active: i64,
    pub thanked: i64,
    /// Names of those nobody has thanked yet; only ever filled for admins.
    pub not_thanked: Option<Vec<String>>,
}

impl Coverage {
    pub fn percent(&self) -> i64 {
        if self.active == 0 {
            0
        } else {
            (self.thanked * 100 + self.active / 2) / self.active
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonalStats {
    pub member: Member,
    pub totals: MemberTotals,
    pub top_values: Vec<ValueCount>,
    pub first: Option<Kudos>,
    pub latest: Option<Kudos>,
    pub left_today: Option<u32>,
    pub allowance: u32,
    /// The member's own thank-you book, only when they asked about themselves.
    pub book_link: Option<String>,
    /// Service medallions received this calendar year, and in all.
    pub medallions_year: i64,
    pub medallions_total: i64,
    /// Medallions they may still give this year and the yearly number; only when they asked
    /// about themselves.
    pub medallions_left: Option<(u32, u32)>,
    /// Thank-you notes they wrote to customers this week (Monday to Sunday), and in all.
    pub customers_week: i64,
    pub customers_total: i64,
}

impl Spotlight {
    pub async fn resolve_period(&self, ws: &Workspace, period: Period) -> Result<ResolvedPeriod> {
        let today = self.today(ws);
        // Only the years the period can touch need their week looked up.
        Ok(period.resolve(today, |year| ws.settings.week(year)))
    }

    #[tracing::instrument(skip_all, fields(workspace = ws.id, %period, ?board))]
    pub async fn leaderboard(
        &self,
        ws: &Workspace,
        viewer: Option<&Member>,
        period: Period,
        board: Board,
        limit: u32,
    ) -> Result<Leaderboard> {
        if board == Board::Medallions {
            return self.medallion_board(ws, viewer, period, limit).await;
        }
        self.store.fold_stats(ws.id).await?;
        let resolved = self.resolve_period(ws, period).await?;
        let ranked = match board {
            Board::Received => Ranked::Received,
            Board::Given => Ranked::Given,
            Board::Departments => Ranked::Departments,
            Board::Values => Ranked::Values,
            Board::CrossTeam => Ranked::Pairs,
            Board::Medallions => unreachable!("answered above"),
        };
        let rows = self
            .store
            .top(ws.id, &resolved.bucket, ranked, limit)
            .await?;
        let lines = ranked_lines(rows);
        let mine = match (viewer, board) {
            (Some(m), Board::Received | Board::Given) => Some(
                match self
                    .store
                    .member_rank(ws.id, &resolved.bucket, board == Board::Given, m.id)
                    .await?
                {
                    Some((rank, count)) => Mine::Ranked {
                        label: "You".into(),
                        rank,
                        count,
                    },
                    None => Mine::Unranked {
                        label: "You".into(),
                    },
                },
            ),
            (Some(m), Board::Departments) => match &m.department {
                Some(dept) => Some(
                    match self
                        .store
                        .department_rank(ws.id, &resolved.bucket, dept)
                        .await?
                    {
                        Some((rank, count)) => Mine::Ranked {
                            label: dept.clone(),
                            rank,
                            count,
                        },
                        None => Mine::Unranked {
                            label: dept.clone(),
                        },
                    },
                ),
                None => None,
            },
            _ => None,
        };
        Ok(Leaderboard {
            board,
            period: resolved,
            timezone: ws.settings.timezone.name().to_string(),
            lines,
            mine,
        })
    }

    /// People by service medallions received in the period.
    async fn medallion_board(
        &self,
        ws: &Workspace,
        viewer: Option<&Member>,
        period: Period,
        limit: u32,
    ) -> Result<Leaderboard> {
        let resolved = self.resolve_period(ws, period).await?;
        let rows = self
            .store
            .medallion_board(ws.id, resolved.dates, limit)
            .await?;
        let mine = match viewer {
            Some(m) => Some(
                match self
                    .store
                    .medallion_rank(ws.id, resolved.dates, m.id)
                    .await?
                {
                    Some((rank, count)) => Mine::Ranked {
                        label: "You".into(),
                        rank,
                        count,
                    },
                    None => Mine::Unranked {
                        label: "You".into(),
                    },
                },
            ),
            None => None,
        };
        Ok(Leaderboard {
            board: Board::Medallions,
            period: resolved,
            timezone: ws.settings.timezone.name().to_string(),
            lines: ranked_lines(rows),
            mine,
        })
    }

    /// The share of active people thanked at least once; admins also see who is missing.
    #[tracing::instrument(skip_all, fields(workspace = ws.id, %period))]
    pub async fn coverage(
        &self,
        ws: &Workspace,
        actor: &Actor,
        period: Period,
    ) -> Result<Coverage> {
        self.store.fold_stats(ws.id).await?;
        let resolved = self.resolve_period(ws, period).await?;
        let (active, thanked) = self.store.coverage_counts(ws.id, &resolved.bucket).await?;
        let not_thanked = if actor.is_admin {
            Some(self.store.not_thanked(ws.id, &resolved.bucket).await?)
        } else {
            None
        };
        Ok(Coverage {
            period: resolved,
            active,
            thanked,
            not_thanked,
        })
    }

    /// Stats for whoever a command names; asking about someone not on record yet is answered
    /// as such and does not record them.
    pub async fn stats_of(&self, ws: &Workspace, who: &MemberRef) -> Result<PersonalStats> {
        match self.find_member(ws, who).await? {
            Some(member) => self.stats(ws, &member).await,
            None => Err(Refusal::NoKudosYet(match who {
                MemberRef::User(u) => u.name.clone(),
                MemberRef::Id(id) => format!("member {id}"),
            })
            .into()),
        }
    }

    #[tracing::instrument(skip_all, fields(workspace = ws.id, member = member.id))]
    pub async fn stats(&self, ws: &Workspace, member: &Member) -> Result<PersonalStats> {
        self.store.fold_stats(ws.id).await?;
        let totals = self.store.member_totals(ws.id, "a", member.id).await?;
        let top_values = self.store.member_top_values(member.id, 3).await?;
        let (first, latest) = self.store.first_and_latest_received(member.id).await?;
        let first = match first {
            Some(id) => self.store.kudos(ws.id, id).await?,
            None => None,
        };
        let latest = match latest {
            Some(id) => self.store.kudos(ws.id, id).await?,
            None => None,
        };
        let allowance = ws.settings.daily_allowance;
        let today = self.today(ws);
        let (medallions_year, medallions_total) = self
            .store
            .medallions_received(member.id, chrono::Datelike::year(&today))
            .await?;
        let monday = crate::domain::calendar::monday_of(today);
        let week = (monday, monday + chrono::Duration::days(6));
        let customers_week = self
            .store
            .customer_thanks_count(ws.id, Some(member.id), Some(week))
            .await?;
        let customers_total = self
            .store
            .customer_thanks_count(ws.id, Some(member.id), None)
            .await?;
        Ok(PersonalStats {
            member: member.clone(),
            totals,
            top_values,
            first,
            latest,
            left_today: self.left_today(ws, member).await?,
            allowance,
            book_link: None,
            medallions_year,
            medallions_total,
            medallions_left: None,
            customers_week,
            customers_total,
        })
    }
}

/// Competition ranks: ties share a rank and the next rank skips.
fn ranked_lines(rows: Vec<crate::store::BoardRow>) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let rank = match lines.last() {
            Some(prev) if prev.count == row.count => prev.rank,
            _ => i as i64 + 1,
        };
        lines.push(Line {
            rank,
            label: row.label,
            count: row.count,
        });
    }
    lines
}
