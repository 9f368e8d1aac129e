//! The year-round records: service medallions, thank-you notes to customers and the one-time
//! welcomes. Rare writes, so they go through the pool in their own short transactions rather
//! than the kudos writer's queue.

use super::db::{BeginWrite, Read};
use super::members::MembersConn;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::{from_millis, to_millis, BoardRow, Store};
use crate::domain::model::{KudosStatus, Medallion, MemberId, MemberRef, Person, WorkspaceId};

/// A validated medallion, ready to be written.
#[derive(Debug, Clone)]
pub struct InsertMedallion {
    pub workspace_id: WorkspaceId,
    pub giver_id: MemberId,
    pub message: String,
    pub channel: Option<String>,
    pub event_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub year: i32,
    /// Medallions a member may give in `year`.
    pub per_year: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredMedallion {
    /// Written; `used` counts the giver's medallions of the year, this one included.
    Created {
        medallion: Box<Medallion>,
        used: u32,
    },
    /// The event id was recorded before; nothing was written.
    Duplicate(i64),
    /// The giver has no medallion left this year.
    OverLimit { used: u32 },
    /// The recipient is a bot (named) or not a member of the workspace.
    InvalidRecipient(Option<String>),
}

/// One thank-you note to a customer, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerThanksRow {
    pub id: i64,
    pub member: Person,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub local_date: NaiveDate,
}

const MEDALLION_COLUMNS: &str = "SELECT md.id, md.message, md.channel, md.created_at, \
     md.local_date, md.year, md.status, g.id AS giver_id, g.display_name AS giver_name, \
     gd.name AS giver_department, r.id AS recipient_id, r.display_name AS recipient_name, \
     rd.name AS recipient_department \
     FROM medallions md JOIN members g ON g.id = md.giver_id \
     LEFT JOIN departments gd ON gd.id = md.giver_department_id \
     JOIN members r ON r.id = md.recipient_id \
     LEFT JOIN departments rd ON rd.id = md.recipient_department_id";

const USED_IN_YEAR: &str = "SELECT COUNT(*) FROM medallions \
     WHERE giver_id = $1 AND year = $2 AND status <> 'undone'";

fn medallion_from_row(row: &impl Read) -> anyhow::Result<Medallion> {
    Ok(Medallion {
        id: row.get("id"),
        giver: Person {
            id: row.get("giver_id"),
            name: row.get("giver_name"),
            department: row.get("giver_department"),
        },
        recipient: Person {
            id: row.get("recipient_id"),
            name: row.get("recipient_name"),
            department: row.get("recipient_department"),
        },
        message: row.get("message"),
        channel: row.get("channel"),
        created_at: from_millis(row.get("created_at")),
        local_date: row
            .get::<String, _>("local_date")
            .parse()
            .context("stored local_date is invalid")?,
        year: row.get::<i64, _>("year") as i32,
        status: match row.get::<String, _>("status").as_str() {
            "undone" => KudosStatus::Undone,
            "revoked" => KudosStatus::Revoked,
            _ => KudosStatus::Active,
        },
    })
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store {
    /// Writes a medallion. The dedup on event id, the recipient (created when not on record,
    /// refused when a bot), the yearly limit and the medallion are one transaction: a refused medallion records no
    /// one and concurrent requests cannot give more than the limit.
    pub async fn insert_medallion(
        &self,
        m: &InsertMedallion,
        recipient: &MemberRef,
    ) -> anyhow::Result<StoredMedallion> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(event) = &m.event_id {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM medallions WHERE workspace_id = $1 AND event_id = $2",
                )
                .bind(m.workspace_id)
                .bind(event)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = existing {
                    return Ok(StoredMedallion::Duplicate(id));
                }
            }
            let recipient_id = match recipient {
                MemberRef::Id(id) => *id,
                MemberRef::User(u) => {
                    tx.upsert_member(
                        m.workspace_id,
                        &u.external_id,
                        &u.name,
                        u.is_bot,
                        m.created_at,
                    )
                    .await?
                }
            };
            let found: Option<(bool, String)> = sqlx::query_as(
                "SELECT is_bot, display_name FROM members WHERE id = $1 AND \
                 workspace_id = $2",
            )
            .bind(recipient_id)
            .bind(m.workspace_id)
            .fetch_optional(&mut *tx)
            .await?;
            match found {
                Some((false, _)) => {}
                Some((true, name)) => return Ok(StoredMedallion::InvalidRecipient(Some(name))),
                None => return Ok(StoredMedallion::InvalidRecipient(None)),
            }
            let used: i64 = sqlx::query_scalar(USED_IN_YEAR)
                .bind(m.giver_id)
                .bind(m.year)
                .fetch_one(&mut *tx)
                .await?;
            if used >= i64::from(m.per_year) {
                return Ok(StoredMedallion::OverLimit { used: count(used) });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO medallions (workspace_id, giver_id, recipient_id, \
             giver_department_id, \
               recipient_department_id, message, channel, event_id, created_at, \
                local_date, year) \
             VALUES ($1, $2, $3, (SELECT department_id FROM members WHERE id = $2), \
               (SELECT department_id FROM members WHERE id = $3), $4, $5, $6, $7, $8, $9) \
             RETURNING id",
            )
            .bind(m.workspace_id)
            .bind(m.giver_id)
            .bind(recipient_id)
            .bind(&m.message)
            .bind(&m.channel)
            .bind(&m.event_id)
            .bind(to_millis(m.created_at))
            .bind(m.local_date.to_string())
            .bind(m.year)
            .fetch_one(&mut *tx)
            .await
            .context("storing a medallion")?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{MEDALLION_COLUMNS} WHERE md.id = $1"
            )))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let medallion = medallion_from_row(&row)?;
            tx.commit().await?;
            // A recipient renamed by the upsert must not be served from the cache under the old name.
            self.forget_member(recipient_id).await;
            Ok(StoredMedallion::Created {
                medallion: Box::new(medallion),
                used: count(used + 1),
            })
        })
    }

    /// Medallions the member has given in `year` and not undone.
    pub async fn medallions_used(&self, giver: MemberId, year: i32) -> anyhow::Result<u32> {
        let used: i64 = on_db!(self, |pool| sqlx::query_scalar(USED_IN_YEAR)
            .bind(giver)
            .bind(year)
            .fetch_one(pool)
            .await)?;
        Ok(count(used))
    }

    pub async fn medallion(
        &self,
        workspace: WorkspaceId,
        id: i64,
    ) -> anyhow::Result<Option<Medallion>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEDALLION_COLUMNS} WHERE md.workspace_id = $1 AND md.id = $2"
        )))
        .bind(workspace)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        row.as_ref().map(medallion_from_row).transpose()
    }

    /// The giver's most recent medallion that still counts.
    pub async fn latest_active_medallion(
        &self,
        giver: MemberId,
    ) -> anyhow::Result<Option<Medallion>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEDALLION_COLUMNS} WHERE md.giver_id = $1 AND md.status = 'active' \
             ORDER BY md.created_at DESC, md.id DESC LIMIT 1"
        )))
        .bind(giver)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        row.as_ref().map(medallion_from_row).transpose()
    }

    /// Takes an active medallion back (it no longer counts against its giver's year); false
    /// when it was not active.
    pub async fn undo_medallion(&self, id: i64, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "UPDATE medallions SET status = 'undone', status_changed_at = $1 \
             WHERE id = $2 AND status = 'active'",
        )
        .bind(to_millis(now))
        .bind(id)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(done.rows_affected() == 1)
    }

    /// Active medallions of a workspace given between two local dates (all when `None`),
    /// oldest first; `limit` keeps the newest.
    pub async fn medallions_list(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
        include_removed: bool,
        limit: Option<u32>,
    ) -> anyhow::Result<Vec<Medallion>> {
        let (from, to) = dates.unzip();
        let rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM ({MEDALLION_COLUMNS} WHERE md.workspace_id = $1 \
             AND ($2 IS NULL OR md.local_date >= $2) AND ($3 IS NULL OR md.local_date \
              <= $3) \
             AND ($4 OR md.status = 'active') \
             ORDER BY md.created_at DESC, md.id DESC LIMIT $5) AS newest ORDER BY created_at, id"
        )))
        .bind(workspace)
        .bind(from.map(|d| d.to_string()))
        .bind(to.map(|d| d.to_string()))
        .bind(include_removed)
        .bind(limit.map_or(i64::MAX, i64::from))
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        rows.iter().map(medallion_from_row).collect()
    }

    /// People by active medallions received between two local dates (all time when `None`).
    pub async fn medallion_board(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
        limit: u32,
    ) -> anyhow::Result<Vec<BoardRow>> {
        let (from, to) = dates.unzip();
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT r.display_name, COUNT(*) AS n FROM medallions md \
             JOIN members r ON r.id = md.recipient_id \
             WHERE md.workspace_id = $1 AND md.status = 'active' \
               AND ($2 IS NULL OR md.local_date >= $2) AND ($3 IS NULL OR \
                md.local_date <= $3) \
             GROUP BY md.recipient_id, r.id, r.display_name \
             ORDER BY n DESC, r.display_name COLLATE NOCASE, r.id LIMIT $4",
        )
        .bind(workspace)
        .bind(from.map(|d| d.to_string()))
        .bind(to.map(|d| d.to_string()))
        .bind(i64::from(limit.max(1)))
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .map(|r| BoardRow {
                label: r.get(0),
                count: r.get(1),
            })
            .collect())
    }

    /// A member's active medallions received between two local dates and their competition rank.
    pub async fn medallion_rank(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
        member: MemberId,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let (from, to) = dates.unzip();
        let row = on_db!(self, |pool| sqlx::query(
            "WITH counts AS (SELECT recipient_id, COUNT(*) AS n FROM medallions \
               WHERE workspace_id = $1 AND status = 'active' \
                 AND ($2 IS NULL OR local_date >= $2) AND ($3 IS NULL OR local_date <= $3) \
               GROUP BY recipient_id) \
             SELECT (SELECT COUNT(*) + 1 FROM counts c2 WHERE c2.n > c.n), c.n \
             FROM counts c WHERE c.recipient_id = $4",
        )
        .bind(workspace)
        .bind(from.map(|d| d.to_string()))
        .bind(to.map(|d| d.to_string()))
        .bind(member)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Active medallions a member received: in `year`, and in all.
    pub async fn medallions_received(
        &self,
        member: MemberId,
        year: i32,
    ) -> anyhow::Result<(i64, i64)> {
        let row = on_db!(self, |pool| {
            sqlx::query(
                "SELECT COALESCE(SUM(CASE WHEN year = $2 THEN 1 ELSE 0 END), 0), \
                 COUNT(*) FROM \
             medallions \
             WHERE recipient_id = $1 AND status = 'active'",
            )
            .bind(member)
            .bind(year)
            .fetch_one(pool)
            .await
            .map(super::db::one)
        })?;
        Ok((row.get(0), row.get(1)))
    }

    /// Records a thank-you note to a customer; the id, and false when the event was recorded
    /// before (nothing new written).
    pub async fn insert_customer_thanks(
        &self,
        workspace: WorkspaceId,
        member: MemberId,
        note: Option<&str>,
        event_id: Option<&str>,
        created_at: DateTime<Utc>,
        local_date: NaiveDate,
    ) -> anyhow::Result<(i64, bool)> {
        let inserted: Option<i64> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO customer_thanks (workspace_id, member_id, note, event_id, \
             created_at, \
             local_date) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING id",
            )
            .bind(workspace)
            .bind(member)
            .bind(note)
            .bind(event_id)
            .bind(to_millis(created_at))
            .bind(local_date.to_string())
            .fetch_optional(pool)
            .await
        })
        .context("recording a customer thank-you")?;
        if let Some(id) = inserted {
            return Ok((id, true));
        }
        let id: i64 = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM customer_thanks WHERE workspace_id = $1 AND event_id = $2",
        )
        .bind(workspace)
        .bind(event_id)
        .fetch_one(pool)
        .await)?;
        Ok((id, false))
    }

    /// Customers thanked between two local dates (all time when `None`), by one member or all.
    pub async fn customer_thanks_count(
        &self,
        workspace: WorkspaceId,
        member: Option<MemberId>,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> anyhow::Result<i64> {
        let (from, to) = dates.unzip();
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM customer_thanks WHERE workspace_id = $1 \
             AND ($2 IS NULL OR member_id = $2) \
             AND ($3 IS NULL OR local_date >= $3) AND ($4 IS NULL OR local_date <= $4)",
        )
        .bind(workspace)
        .bind(member)
        .bind(from.map(|d| d.to_string()))
        .bind(to.map(|d| d.to_string()))
        .fetch_one(pool)
        .await)?)
    }

    /// People who thanked at least one customer between two local dates.
    pub async fn customer_thankers(
        &self,
        workspace: WorkspaceId,
        dates: (NaiveDate, NaiveDate),
    ) -> anyhow::Result<i64> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT member_id) FROM customer_thanks WHERE workspace_id = $1 \
             AND local_date >= $2 AND local_date <= $3",
        )
        .bind(workspace)
        .bind(dates.0.to_string())
        .bind(dates.1.to_string())
        .fetch_one(pool)
        .await)?)
    }

    /// Thank-you notes to customers between two local dates, oldest first.
    pub async fn customer_thanks_list(
        &self,
        workspace: WorkspaceId,
        dates: (Option<NaiveDate>, Option<NaiveDate>),
    ) -> anyhow::Result<Vec<CustomerThanksRow>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT c.id, c.note, c.created_at, c.local_date, m.id, m.display_name, d.name \
             FROM customer_thanks c JOIN members m ON m.id = c.member_id \
             LEFT JOIN departments d ON d.id = m.department_id \
             WHERE c.workspace_id = $1 \
               AND ($2 IS NULL OR c.local_date >= $2) AND ($3 IS NULL OR c.local_date \
                <= $3) \
             ORDER BY c.created_at, c.id",
        )
        .bind(workspace)
        .bind(dates.0.map(|d| d.to_string()))
        .bind(dates.1.map(|d| d.to_string()))
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        rows.iter()
            .map(|r| {
                Ok(CustomerThanksRow {
                    id: r.get(0),
                    note: r.get(1),
                    created_at: from_millis(r.get(2)),
                    local_date: r
                        .get::<String, _>(3)
                        .parse()
                        .context("stored local_date is invalid")?,
                    member: Person {
                        id: r.get(4),
                        name: r.get(5),
                        department: r.get(6),
                    },
                })
            })
            .collect()
    }

    /// Records that the platform user has had (or, with welcomes off, has passed) their
    /// one-time welcome; true only the first time.
    pub async fn claim_welcome(
        &self,
        workspace: WorkspaceId,
        external_id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "INSERT INTO welcomes (workspace_id, external_id, reason, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(workspace)
        .bind(external_id)
        .bind(reason)
        .bind(to_millis(now))
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether the platform user has been welcomed (or passed) already.
    pub async fn welcomed(
        &self,
        workspace: WorkspaceId,
        external_id: &str,
    ) -> anyhow::Result<bool> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM welcomes WHERE workspace_id = $1 AND \
             external_id = $2)",
        )
        .bind(workspace)
        .bind(external_id)
        .fetch_one(pool)
        .await)?)
    }
}
