//! The Excellence in Service awards: rounds, nominations, winners, and the year's thank-yous
//! from other departments that weigh on a shortlist. Rare writes, through the pool in short
//! transactions (not the kudos writer's queue).

use super::db::{for_each_conn, BeginWrite, Read};
use super::schedule::ScheduleConn;
use chrono::{DateTime, NaiveDate, Utc};

use super::{from_millis, to_millis, Store};
use crate::domain::awards::{QuoteKind, Round};
use crate::domain::model::{MemberId, Person, WorkspaceId};

/// One stored nomination, with names for the admins' private list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationRow {
    pub nominator: Person,
    pub nominee: Person,
    /// The nominee's department when nominated (`None`: no department).
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// A thank-you a nominee received from someone of another department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThanksRow {
    pub recipient_id: MemberId,
    pub kind: QuoteKind,
    pub giver: String,
    pub giver_department: Option<String>,
    pub message: String,
    pub local_date: NaiveDate,
}

/// A department's winner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinnerRow {
    pub department_id: Option<i64>,
    pub member: Person,
    pub external_id: String,
}

const ROUND_COLUMNS: &str = "SELECT id, year, opened_at, closes_at, closed_at, \
 ceremony_at, \
     ceremony_date, celebrated_at FROM award_rounds";

fn round_from_row(r: &impl Read) -> Round {
    Round {
        id: r.get("id"),
        year: r.get::<i64, _>("year") as i32,
        opened_at: from_millis(r.get("opened_at")),
        closes_at: from_millis(r.get("closes_at")),
        closed_at: r.get::<Option<i64>, _>("closed_at").map(from_millis),
        ceremony_at: r.get::<Option<i64>, _>("ceremony_at").map(from_millis),
        ceremony_date: r
            .get::<Option<String>, _>("ceremony_date")
            .and_then(|d| d.parse().ok()),
        celebrated_at: r.get::<Option<i64>, _>("celebrated_at").map(from_millis),
    }
}

impl Store {
    /// The workspace's latest round of the awards, if any was ever opened.
    pub async fn latest_award_round(&self, ws: WorkspaceId) -> anyhow::Result<Option<Round>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ROUND_COLUMNS} WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1"
        )))
        .bind(ws)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.as_ref().map(round_from_row))
    }

    pub async fn open_award_round(
        &self,
        ws: WorkspaceId,
        year: i32,
        by: MemberId,
        now: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar(
                "INSERT INTO award_rounds (workspace_id, year, opened_by, opened_at, \
                 closes_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(ws)
            .bind(year)
            .bind(by)
            .bind(to_millis(now))
            .bind(to_millis(closes_at))
            .fetch_one(&mut *tx)
            .await?;
            // The scheduler looks again, so the close is announced when it comes.
            tx.wake_scheduler(ws).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Opens a closed round again until `closes_at`: its nominations stay, its picks go.
    pub async fn reopen_award_round(
        &self,
        round: i64,
        closes_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE award_rounds SET closes_at = $1, closed_at = NULL, \
                 ceremony_at = NULL, \
             ceremony_date = NULL WHERE id = $2 AND celebrated_at IS NULL",
            )
            .bind(to_millis(closes_at))
            .bind(round)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM award_winners WHERE round_id = $1")
                .bind(round)
                .execute(&mut *tx)
                .await?;
            tx.wake_round_workspace(round).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn close_award_round(&self, round: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE award_rounds SET closed_at = $1 WHERE id = $2 AND closed_at \
                 IS NULL",
            )
            .bind(to_millis(now))
            .bind(round)
            .execute(&mut *tx)
            .await?;
            // The scheduler looks now, so the early close is announced at its next tick.
            tx.wake_round_workspace(round).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a nomination under the nominee's current department, replacing the nominator's
    /// earlier one in that department; returns the nominee it replaced, if any.
    pub async fn nominate(
        &self,
        round: i64,
        nominator: MemberId,
        nominee: MemberId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(Option<String>, Option<Person>)> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (department_id, department): (Option<i64>, Option<String>) = sqlx::query_as(
                "SELECT m.department_id, d.name FROM members m \
             LEFT JOIN departments d ON d.id = m.department_id WHERE m.id = $1",
            )
            .bind(nominee)
            .fetch_one(&mut *tx)
            .await?;
            let replaced: Option<(i64, String)> = sqlx::query_as(
                "SELECT n.nominee_id, m.display_name FROM award_nominations n \
             JOIN members m ON m.id = n.nominee_id WHERE n.round_id = $1 AND \
              n.nominator_id = $2 \
             AND COALESCE(n.department_id, 0) = COALESCE($3, 0)",
            )
            .bind(round)
            .bind(nominator)
            .bind(department_id)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM award_nominations WHERE round_id = $1 AND nominator_id = $2 \
             AND COALESCE(department_id, 0) = COALESCE($3, 0)",
            )
            .bind(round)
            .bind(nominator)
            .bind(department_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO award_nominations (round_id, nominator_id, nominee_id, \
             department_id, \
             reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(round)
            .bind(nominator)
            .bind(nominee)
            .bind(department_id)
            .bind(reason)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((
                department,
                replaced.map(|(id, name)| Person {
                    id,
                    name,
                    department: None,
                }),
            ))
        })
    }

    /// A round's nominations, oldest first.
    pub async fn nominations(&self, round: i64) -> anyhow::Result<Vec<NominationRow>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT n.department_id, d.name AS department, n.reason, n.created_at, \
             g.id AS g_id, g.display_name AS g_name, gd.name AS g_dept, \
             r.id AS r_id, r.display_name AS r_name \
             FROM award_nominations n JOIN members g ON g.id = n.nominator_id \
             LEFT JOIN departments gd ON gd.id = g.department_id \
             JOIN members r ON r.id = n.nominee_id \
             LEFT JOIN departments d ON d.id = n.department_id \
             WHERE n.round_id = $1 ORDER BY n.created_at, n.id",
        )
        .bind(round)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .map(|r| NominationRow {
                nominator: Person {
                    id: r.get("g_id"),
                    name: r.get("g_name"),
                    department: r.get("g_dept"),
                },
                nominee: Person {
                    id: r.get("r_id"),
                    name: r.get("r_name"),
                    department: r.get("department"),
                },
                department_id: r.get("department_id"),
                department: r.get("department"),
                reason: r.get("reason"),
                created_at: from_millis(r.get("created_at")),
            })
            .collect())
    }

    /// The thank-yous `members` received in calendar `year` from someone of another department
    /// (as both stood when it was given; "no department" counts as a department of its own):
    /// active kudos and feedback, and medallions not undone or revoked. Newest first.
    pub async fn thanks_from_other_departments(
        &self,
        ws: WorkspaceId,
        year: i32,
        members: &[MemberId],
    ) -> anyhow::Result<Vec<ThanksRow>> {
        let ids = serde_json::to_string(members)?;
        let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT kr.member_id AS recipient_id, k.kind AS kind, g.display_name AS giver, \
                    gd.name AS giver_department, k.message AS message, k.local_date \
                     AS local_date, \
                    k.created_at AS created_at, k.id AS row_id \
             FROM kudos_recipients kr JOIN kudos k ON k.id = kr.kudos_id \
             JOIN members g ON g.id = k.giver_id \
             LEFT JOIN departments gd ON gd.id = k.giver_department_id \
             WHERE kr.member_id IN {ids_in} AND k.workspace_id = $2 \
               AND k.status = 'active' AND k.local_date BETWEEN $3 AND $4 \
               AND k.giver_department_id IS DISTINCT FROM kr.department_id \
             UNION ALL \
             SELECT md.recipient_id, 'medallion', g.display_name, gd.name, md.message, \
                    md.local_date, md.created_at, md.id \
             FROM medallions md JOIN members g ON g.id = md.giver_id \
             LEFT JOIN departments gd ON gd.id = md.giver_department_id \
             WHERE md.recipient_id IN {ids_in} AND md.workspace_id = $2 \
               AND md.status = 'active' AND md.year = $5 \
               AND md.giver_department_id IS DISTINCT FROM md.recipient_department_id \
             ORDER BY created_at DESC, row_id DESC",
            ids_in = self.ids_in("$1")
        )))
        .bind(ids)
        .bind(ws)
        .bind(from)
        .bind(to)
        .bind(year)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .map(|r| ThanksRow {
                recipient_id: r.get("recipient_id"),
                kind: match r.get::<String, _>("kind").as_str() {
                    "medallion" => QuoteKind::Medallion,
                    "feedback" => QuoteKind::Feedback,
                    _ => QuoteKind::Kudos,
                },
                giver: r.get("giver"),
                giver_department: r.get("giver_department"),
                message: r.get("message"),
                local_date: r.get::<String, _>("local_date").parse().unwrap_or_default(),
            })
            .collect())
    }

    /// Makes `member` the winner of the department (replacing an earlier pick).
    pub async fn set_award_winner(
        &self,
        round: i64,
        department_id: Option<i64>,
        member: MemberId,
        by: MemberId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "DELETE FROM award_winners WHERE round_id = $1 AND \
                 COALESCE(department_id, 0) = \
             COALESCE($2, 0)",
            )
            .bind(round)
            .bind(department_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO award_winners (round_id, department_id, member_id, \
             picked_by, picked_at) \
             VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(round)
            .bind(department_id)
            .bind(member)
            .bind(by)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn award_winners(&self, round: i64) -> anyhow::Result<Vec<WinnerRow>> {
        let rows = on_db!(self, |pool| {
            sqlx::query(
                "SELECT w.department_id, d.name AS department, m.id, m.display_name, \
             m.external_id \
             FROM award_winners w JOIN members m ON m.id = w.member_id \
             LEFT JOIN departments d ON d.id = w.department_id WHERE w.round_id = $1",
            )
            .bind(round)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        Ok(rows
            .iter()
            .map(|r| WinnerRow {
                department_id: r.get("department_id"),
                member: Person {
                    id: r.get("id"),
                    name: r.get("display_name"),
                    department: r.get("department"),
                },
                external_id: r.get("external_id"),
            })
            .collect())
    }

    /// Schedules the round's ceremony and makes the next tick re-plan the workspace.
    pub async fn schedule_ceremony(
        &self,
        ws: WorkspaceId,
        round: i64,
        at: DateTime<Utc>,
        local_date: NaiveDate,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE award_rounds SET ceremony_at = $1, ceremony_date = $2 \
             WHERE id = $3 AND celebrated_at IS NULL",
            )
            .bind(to_millis(at))
            .bind(local_date.to_string())
            .bind(round)
            .execute(&mut *tx)
            .await?;
            tx.wake_scheduler(ws).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The scheduled ceremony not yet celebrated, if any.
    pub async fn pending_ceremony(&self, ws: WorkspaceId) -> anyhow::Result<Option<Round>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ROUND_COLUMNS} WHERE workspace_id = $1 AND ceremony_at IS NOT NULL \
             AND celebrated_at IS NULL ORDER BY id DESC LIMIT 1"
        )))
        .bind(ws)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.as_ref().map(round_from_row))
    }

    /// The workspace's latest round whose ceremony has been posted, if any: its winners are
    /// public from then on (a newer round's nominations stay private).
    pub async fn latest_celebrated_round(&self, ws: WorkspaceId) -> anyhow::Result<Option<Round>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ROUND_COLUMNS} WHERE workspace_id = $1 AND celebrated_at IS NOT NULL \
             ORDER BY id DESC LIMIT 1"
        )))
        .bind(ws)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.as_ref().map(round_from_row))
    }

    pub async fn mark_celebrated(&self, round: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE award_rounds SET celebrated_at = $1 WHERE id = $2"
        )
        .bind(to_millis(now))
        .bind(round)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(())
    }
}

trait AwardsConn {
    /// Wakes the scheduler for the round's workspace (see `ScheduleConn::wake_scheduler`).
    async fn wake_round_workspace(&mut self, round: i64) -> anyhow::Result<()>;
}

for_each_conn! {
    impl AwardsConn {
        async fn wake_round_workspace(&mut self, round: i64) -> anyhow::Result<()> {
            let ws: WorkspaceId =
                sqlx::query_scalar("SELECT workspace_id FROM award_rounds WHERE id = $1")
                    .bind(round)
                    .fetch_one(&mut *self)
                    .await?;
            self.wake_scheduler(ws).await
        }
    }
}
