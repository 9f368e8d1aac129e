//! The wall of thanks and the thank-you books: link secrets, and the reads the pages show.

use super::db::Read;
use chrono::{DateTime, NaiveDate, Utc};

use super::kudos::KUDOS_COLUMNS;
use super::{to_millis, Store};
use crate::domain::model::{Kudos, MemberId, WorkspaceId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WallRow {
    pub workspace_id: WorkspaceId,
    /// The link secret while the wall is on.
    pub token: Option<String>,
    pub show_customers: bool,
}

/// Thank-yous on one local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub kudos: i64,
    pub feedback: i64,
}

/// Kudos from members of one department to members of another (or the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentFlow {
    pub from: String,
    pub to: String,
    pub count: i64,
}

impl Store {
    pub async fn wall(&self, workspace: WorkspaceId) -> anyhow::Result<Option<WallRow>> {
        let row = on_db!(self, |pool| sqlx::query(
            "SELECT workspace_id, token, show_customers FROM walls WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.map(|r| wall_from_row(&r)))
    }

    pub async fn wall_by_token(&self, token: &str) -> anyhow::Result<Option<WallRow>> {
        let row = on_db!(self, |pool| sqlx::query(
            "SELECT workspace_id, token, show_customers FROM walls WHERE token = $1"
        )
        .bind(token)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.map(|r| wall_from_row(&r)))
    }

    /// Sets the link secret (`None` turns the wall off); the customers choice is kept.
    pub async fn set_wall_token(
        &self,
        workspace: WorkspaceId,
        token: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<WallRow> {
        let row = on_db!(self, |pool| sqlx::query(
            "INSERT INTO walls (workspace_id, token, changed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET token = $2, changed_at = $3 \
             RETURNING workspace_id, token, show_customers",
        )
        .bind(workspace)
        .bind(token)
        .bind(to_millis(now))
        .fetch_one(pool)
        .await
        .map(super::db::one))?;
        Ok(wall_from_row(&row))
    }

    pub async fn set_wall_customers(
        &self,
        workspace: WorkspaceId,
        show: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<WallRow> {
        let row = on_db!(self, |pool| sqlx::query(
            "INSERT INTO walls (workspace_id, show_customers, changed_at) VALUES ($1, \
             $2, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET show_customers = $2, changed_at = $3 \
             RETURNING workspace_id, token, show_customers",
        )
        .bind(workspace)
        .bind(show)
        .bind(to_millis(now))
        .fetch_one(pool)
        .await
        .map(super::db::one))?;
        Ok(wall_from_row(&row))
    }

    /// The workspace's link-signing key, made from `fresh` the first time it is asked for.
    pub async fn link_key(&self, workspace: WorkspaceId, fresh: &[u8]) -> anyhow::Result<Vec<u8>> {
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO link_keys (workspace_id, key) VALUES ($1, $2) ON CONFLICT DO \
             NOTHING"
        )
        .bind(workspace)
        .bind(fresh)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT key FROM link_keys WHERE workspace_id = $1"
        )
        .bind(workspace)
        .fetch_one(pool)
        .await)?)
    }

    /// Active thank-yous between two local dates (all time when `None`), newest first.
    pub async fn recent_kudos(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
        limit: u32,
    ) -> anyhow::Result<Vec<Kudos>> {
        let (from, to) = split(dates);
        let rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KUDOS_COLUMNS} WHERE k.workspace_id = $1 AND k.status = 'active' \
             AND ($2 IS NULL OR k.local_date >= $2) AND ($3 IS NULL OR k.local_date <= $3) \
             ORDER BY k.created_at DESC, k.id DESC LIMIT $4"
        )))
        .bind(workspace)
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        self.with_recipients(rows).await
    }

    /// Every active thank-you a member received between two local dates, oldest first.
    pub async fn received_kudos(
        &self,
        member: MemberId,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> anyhow::Result<Vec<Kudos>> {
        let (from, to) = split(dates);
        let rows = on_db!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{KUDOS_COLUMNS} WHERE k.id IN (SELECT kudos_id FROM kudos_recipients \
                 WHERE \
             member_id = $1) \
             AND k.status = 'active' \
             AND ($2 IS NULL OR k.local_date >= $2) AND ($3 IS NULL OR k.local_date <= $3) \
             ORDER BY k.created_at, k.id"
            )))
            .bind(member)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        self.with_recipients(rows).await
    }

    /// Active thank-yous per local date between two dates.
    pub async fn day_counts(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> anyhow::Result<Vec<DayCount>> {
        let (from, to) = split(dates);
        let rows = on_db!(self, |pool| {
            sqlx::query(
                "SELECT local_date, SUM(CASE WHEN kind = 'kudos' THEN 1 ELSE 0 END), \
                 SUM(CASE \
             WHEN kind = 'feedback' THEN 1 ELSE 0 END) FROM kudos \
             WHERE workspace_id = $1 AND status = 'active' \
             AND ($2 IS NULL OR local_date >= $2) AND ($3 IS NULL OR local_date <= $3) \
             GROUP BY local_date ORDER BY local_date",
            )
            .bind(workspace)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        rows.iter()
            .map(|r| {
                Ok(DayCount {
                    date: r.get::<String, _>(0).parse()?,
                    kudos: r.get(1),
                    feedback: r.get(2),
                })
            })
            .collect()
    }

    /// Active kudos per value tag between two dates, most used first.
    pub async fn value_counts(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> anyhow::Result<Vec<(String, i64)>> {
        let (from, to) = split(dates);
        let rows = on_db!(self, |pool| {
            sqlx::query(
                "SELECT value_tag, COUNT(*) AS n FROM kudos \
             WHERE workspace_id = $1 AND status = 'active' AND kind = 'kudos' AND \
              value_tag \
              IS NOT NULL \
             AND ($2 IS NULL OR local_date >= $2) AND ($3 IS NULL OR local_date <= $3) \
             GROUP BY value_tag ORDER BY n DESC, value_tag",
            )
            .bind(workspace)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Which departments thanked which: kudos counted once per recipient, both sides known.
    pub async fn department_flows(
        &self,
        workspace: WorkspaceId,
        dates: Option<(NaiveDate, NaiveDate)>,
    ) -> anyhow::Result<Vec<DepartmentFlow>> {
        let (from, to) = split(dates);
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT gd.name, rd.name, COUNT(*) AS n FROM kudos k \
             JOIN kudos_recipients r ON r.kudos_id = k.id \
             JOIN departments gd ON gd.id = k.giver_department_id \
             JOIN departments rd ON rd.id = r.department_id \
             WHERE k.workspace_id = $1 AND k.status = 'active' AND k.kind = 'kudos' \
             AND ($2 IS NULL OR k.local_date >= $2) AND ($3 IS NULL OR k.local_date <= $3) \
             GROUP BY gd.name, rd.name ORDER BY n DESC, gd.name, rd.name",
        )
        .bind(workspace)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows
            .iter()
            .map(|r| DepartmentFlow {
                from: r.get(0),
                to: r.get(1),
                count: r.get(2),
            })
            .collect())
    }
}

fn split(dates: Option<(NaiveDate, NaiveDate)>) -> (Option<String>, Option<String>) {
    match dates {
        Some((from, to)) => (Some(from.to_string()), Some(to.to_string())),
        None => (None, None),
    }
}

fn wall_from_row(row: &impl Read) -> WallRow {
    WallRow {
        workspace_id: row.get(0),
        token: row.get(1),
        show_customers: row.get(2),
    }
}
