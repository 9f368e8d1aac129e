use super::db::Read;

use super::Store;
use crate::domain::model::{KudosId, MemberId, WorkspaceId};

/// One line of a board: what is ranked, and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberTotals {
    pub received: i64,
    pub given: i64,
    pub feedback: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCount {
    pub value: String,
    pub count: i64,
}

// Top-N reads the N-th count through the (workspace, bucket, count DESC) index, then takes every
// row at or above it, so ties at the cut are ordered by name, not by storage order.
const TOP_RECEIVED: &str = "SELECT m.display_name, s.received FROM member_stats s \
     JOIN members m ON m.id = s.member_id \
     WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.received >= 1 AND s.received \
      >= COALESCE( \
       (SELECT received FROM member_stats WHERE workspace_id = $1 AND bucket = $2 \
        ORDER BY received DESC LIMIT 1 OFFSET $3 - 1), 1) \
     ORDER BY s.received DESC, m.display_name COLLATE NOCASE, m.id LIMIT $3";

const TOP_GIVEN: &str = "SELECT m.display_name, s.given FROM member_stats s \
     JOIN members m ON m.id = s.member_id \
     WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.given >= 1 AND s.given >= COALESCE( \
       (SELECT given FROM member_stats WHERE workspace_id = $1 AND bucket = $2 \
        ORDER BY given DESC LIMIT 1 OFFSET $3 - 1), 1) \
     ORDER BY s.given DESC, m.display_name COLLATE NOCASE, m.id LIMIT $3";

const TOP_DEPARTMENTS: &str = "SELECT d.name, s.received FROM department_stats s \
     JOIN departments d ON d.id = s.department_id \
     WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.received >= 1 AND s.received \
      >= COALESCE( \
       (SELECT received FROM department_stats WHERE workspace_id = $1 AND bucket = $2 \
        ORDER BY received DESC LIMIT 1 OFFSET $3 - 1), 1) \
     ORDER BY s.received DESC, d.name COLLATE NOCASE, d.id LIMIT $3";

const TOP_VALUES: &str = "SELECT s.value_tag, s.count FROM value_stats s \
     WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.count >= 1 AND s.count >= COALESCE( \
       (SELECT count FROM value_stats WHERE workspace_id = $1 AND bucket = $2 \
        ORDER BY count DESC LIMIT 1 OFFSET $3 - 1), 1) \
     ORDER BY s.count DESC, s.value_tag COLLATE NOCASE LIMIT $3";

const TOP_PAIRS: &str = "SELECT f.name || ' → ' || t.name, s.count FROM pair_stats s \
     JOIN departments f ON f.id = s.from_department_id \
     JOIN departments t ON t.id = s.to_department_id \
     WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.count >= 1 AND s.count >= COALESCE( \
       (SELECT count FROM pair_stats WHERE workspace_id = $1 AND bucket = $2 \
        ORDER BY count DESC LIMIT 1 OFFSET $3 - 1), 1) \
     ORDER BY s.count DESC, f.name COLLATE NOCASE, t.name COLLATE NOCASE LIMIT $3";

/// What a board ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranked {
    Received,
    Given,
    Departments,
    Values,
    Pairs,
}

impl Store {
    pub async fn top(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
        ranked: Ranked,
        limit: u32,
    ) -> anyhow::Result<Vec<BoardRow>> {
        let sql = match ranked {
            Ranked::Received => TOP_RECEIVED,
            Ranked::Given => TOP_GIVEN,
            Ranked::Departments => TOP_DEPARTMENTS,
            Ranked::Values => TOP_VALUES,
            Ranked::Pairs => TOP_PAIRS,
        };
        let rows = on_db!(self, |pool| sqlx::query(sql)
            .bind(workspace)
            .bind(bucket)
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

    /// A member's count on a people board and their competition rank (ties share a rank).
    pub async fn member_rank(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
        given: bool,
        member: MemberId,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let (count_sql, rank_sql) = if given {
            (
                "SELECT given FROM member_stats WHERE workspace_id = $1 AND bucket = \
                 $2 AND \
                 member_id = $3",
                "SELECT COUNT(*) + 1 FROM member_stats WHERE workspace_id = $1 AND \
                 bucket = \
                 $2 AND given > $3",
            )
        } else {
            (
                "SELECT received FROM member_stats WHERE workspace_id = $1 AND bucket = $2 \
                 AND member_id = $3",
                "SELECT COUNT(*) + 1 FROM member_stats WHERE workspace_id = $1 AND \
                 bucket = \
                 $2 AND received > $3",
            )
        };
        self.rank_of(workspace, bucket, count_sql, rank_sql, member)
            .await
    }

    /// A department's count on the departments board and its rank.
    pub async fn department_rank(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
        department: &str,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let count: Option<i64> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT s.received FROM department_stats s JOIN departments d ON d.id = \
             s.department_id \
             WHERE s.workspace_id = $1 AND s.bucket = $2 AND d.name = $3 COLLATE NOCASE",
            )
            .bind(workspace)
            .bind(bucket)
            .bind(department)
            .fetch_optional(pool)
            .await
        })?;
        let Some(count) = count.filter(|c| *c > 0) else {
            return Ok(None);
        };
        let rank: i64 = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) + 1 FROM department_stats WHERE workspace_id = $1 \
                 AND bucket = \
             $2 AND received > $3",
            )
            .bind(workspace)
            .bind(bucket)
            .bind(count)
            .fetch_one(pool)
            .await
        })?;
        Ok(Some((rank, count)))
    }

    async fn rank_of(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
        count_sql: &'static str,
        rank_sql: &'static str,
        key: i64,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let count: Option<i64> = on_db!(self, |pool| sqlx::query_scalar(count_sql)
            .bind(workspace)
            .bind(bucket)
            .bind(key)
            .fetch_optional(pool)
            .await)?;
        let Some(count) = count.filter(|c| *c > 0) else {
            return Ok(None);
        };
        let rank: i64 = on_db!(self, |pool| sqlx::query_scalar(rank_sql)
            .bind(workspace)
            .bind(bucket)
            .bind(count)
            .fetch_one(pool)
            .await)?;
        Ok(Some((rank, count)))
    }

    /// Active people in the workspace, and how many of them were thanked (peer kudos or
    /// customer feedback) in the bucket.
    pub async fn coverage_counts(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
    ) -> anyhow::Result<(i64, i64)> {
        let row = on_db!(self, |pool| {
            sqlx::query(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.received + s.feedback > 0 \
                 THEN 1 ELSE \
             0 END), 0) FROM members m \
             LEFT JOIN member_stats s ON s.workspace_id = m.workspace_id AND s.bucket = $2 \
               AND s.member_id = m.id \
             WHERE m.workspace_id = $1 AND m.is_bot = FALSE AND m.active = TRUE",
            )
            .bind(workspace)
            .bind(bucket)
            .fetch_one(pool)
            .await
            .map(super::db::one)
        })?;
        Ok((row.get(0), row.get(1)))
    }

    /// Active people nobody thanked in the bucket, by name.
    pub async fn not_thanked(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
    ) -> anyhow::Result<Vec<String>> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT m.display_name FROM members m \
             LEFT JOIN member_stats s ON s.workspace_id = m.workspace_id AND s.bucket = $2 \
               AND s.member_id = m.id \
             WHERE m.workspace_id = $1 AND m.is_bot = FALSE AND m.active = TRUE \
               AND COALESCE(s.received + s.feedback, 0) = 0 \
             ORDER BY m.display_name COLLATE NOCASE, m.id",
        )
        .bind(workspace)
        .bind(bucket)
        .fetch_all(pool)
        .await)?)
    }

    pub async fn member_totals(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
        member: MemberId,
    ) -> anyhow::Result<MemberTotals> {
        let row = on_db!(self, |pool| sqlx::query(
            "SELECT received, given, feedback FROM member_stats \
             WHERE workspace_id = $1 AND bucket = $2 AND member_id = $3",
        )
        .bind(workspace)
        .bind(bucket)
        .bind(member)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row
            .map(|r| MemberTotals {
                received: r.get(0),
                given: r.get(1),
                feedback: r.get(2),
            })
            .unwrap_or_default())
    }

    /// The values a member was most often thanked for.
    pub async fn member_top_values(
        &self,
        member: MemberId,
        limit: u32,
    ) -> anyhow::Result<Vec<ValueCount>> {
        let rows = on_db!(self, |pool| {
            sqlx::query(
                "SELECT k.value_tag, COUNT(*) AS n FROM kudos_recipients r JOIN kudos \
                 k ON k.id = \
             r.kudos_id \
             WHERE r.member_id = $1 AND k.status = 'active' AND k.kind = 'kudos' \
               AND k.value_tag IS NOT NULL \
             GROUP BY k.value_tag ORDER BY n DESC, k.value_tag COLLATE NOCASE LIMIT $2",
            )
            .bind(member)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        Ok(rows
            .iter()
            .map(|r| ValueCount {
                value: r.get(0),
                count: r.get(1),
            })
            .collect())
    }

    /// The first and the latest peer kudos a member received that still count.
    pub async fn first_and_latest_received(
        &self,
        member: MemberId,
    ) -> anyhow::Result<(Option<KudosId>, Option<KudosId>)> {
        let row = on_db!(self, |pool| sqlx::query(
            "SELECT \
               (SELECT k.id FROM kudos_recipients r JOIN kudos k ON k.id = r.kudos_id \
                WHERE r.member_id = $1 AND k.status = 'active' AND k.kind = 'kudos' \
                ORDER BY k.created_at, k.id LIMIT 1), \
               (SELECT k.id FROM kudos_recipients r JOIN kudos k ON k.id = r.kudos_id \
                WHERE r.member_id = $1 AND k.status = 'active' AND k.kind = 'kudos' \
                ORDER BY k.created_at DESC, k.id DESC LIMIT 1)",
        )
        .bind(member)
        .fetch_one(pool)
        .await
        .map(super::db::one))?;
        Ok((row.get(0), row.get(1)))
    }
}

impl Store {
    /// Thank-yous received (kudos, feedback) and cross-team kudos in a bucket.
    pub async fn bucket_totals(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
    ) -> anyhow::Result<(i64, i64, i64)> {
        let row = on_db!(self, |pool| {
            sqlx::query(
                "SELECT \
               (SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) FROM member_stats WHERE \
                workspace_id = $1 AND bucket = $2), \
               (SELECT CAST(COALESCE(SUM(feedback), 0) AS BIGINT) FROM member_stats WHERE \
                workspace_id = $1 AND bucket = $2), \
               (SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM pair_stats WHERE \
                workspace_id = $1 AND bucket = $2)",
            )
            .bind(workspace)
            .bind(bucket)
            .fetch_one(pool)
            .await
            .map(super::db::one)
        })?;
        Ok((row.get(0), row.get(1), row.get(2)))
    }

    /// The most thanked member of every department in a bucket (ties go by name).
    pub async fn department_champions(
        &self,
        workspace: WorkspaceId,
        bucket: &str,
    ) -> anyhow::Result<Vec<(String, String, i64)>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT d.name, m.display_name, s.received FROM member_stats s \
             JOIN members m ON m.id = s.member_id JOIN departments d ON d.id = \
              m.department_id \
             WHERE s.workspace_id = $1 AND s.bucket = $2 AND s.received > 0 \
             ORDER BY d.name COLLATE NOCASE, s.received DESC, m.display_name COLLATE NOCASE",
        )
        .bind(workspace)
        .bind(bucket)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        let mut out: Vec<(String, String, i64)> = Vec::new();
        for r in rows {
            let dept: String = r.get(0);
            if out.last().is_none_or(|(d, _, _)| *d != dept) {
                out.push((dept, r.get(1), r.get(2)));
            }
        }
        Ok(out)
    }
}
