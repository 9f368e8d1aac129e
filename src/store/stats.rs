//! The boards' aggregates: folded in batches from the thank-yous, or rebuilt from scratch.

use super::db::{for_each_conn, sql_for, BeginWrite, Read};
use super::Store;
use crate::domain::model::WorkspaceId;
use anyhow::Context;

impl Store {
    /// Recomputes every board of a workspace from the thank-yous themselves.
    pub async fn rebuild_stats(&self, workspace: WorkspaceId) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            tx.rebuild_stats(workspace).await?;
            tx.commit().await?;
            anyhow::Ok(())
        })
    }
}

pub(super) trait StatsConn {
    async fn rebuild_stats(&mut self, workspace: WorkspaceId) -> anyhow::Result<()>;
    /// Counts every thank-you written since the last fold into the boards; a no-op when none
    /// are.
    async fn fold_stats(&mut self, workspace: WorkspaceId) -> anyhow::Result<()>;
}

for_each_conn! {
    impl StatsConn {
        async fn rebuild_stats(&mut self, workspace: WorkspaceId) -> anyhow::Result<()> {
            for statement in CLEAR_STATS {
                sqlx::query(*statement)
                    .bind(workspace)
                    .execute(&mut *self)
                    .await
                    .context("clearing leaderboards")?;
            }
            self.fold_stats(workspace).await
        }

        async fn fold_stats(&mut self, workspace: WorkspaceId) -> anyhow::Result<()> {
            let row = sqlx::query(
                "SELECT COALESCE((SELECT folded_upto FROM stats_watermark WHERE \
                 workspace_id \
                 = $1), 0), \
                        COALESCE((SELECT MAX(id) FROM kudos WHERE workspace_id = $1), 0)",
            )
            .bind(workspace)
            .fetch_one(&mut *self)
            .await?;
            let (from, to): (i64, i64) = (row.get(0), row.get(1));
            if to <= from {
                return Ok(());
            }
            let statements = sql_for::<Self, _>(FOLD_STATS, FOLD_STATS_PG);
            for statement in statements {
                sqlx::query(*statement)
                    .bind(workspace)
                    .bind(from)
                    .bind(to)
                    .execute(&mut *self)
                    .await
                    .context("folding new kudos into the leaderboards")?;
            }
            Ok(())
        }
    }
}

impl Store {
    /// Brings the boards up to date with every thank-you written so far. Cheap when nothing is
    /// new: one read. Concurrent folds serialize on SQLite's write lock.
    pub async fn fold_stats(&self, workspace: WorkspaceId) -> anyhow::Result<()> {
        let pending: bool = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT COALESCE((SELECT MAX(id) FROM kudos WHERE workspace_id = $1), 0) > \
                    COALESCE((SELECT folded_upto FROM stats_watermark WHERE workspace_id = $1), 0)",
        )
        .bind(workspace)
        .fetch_one(pool)
        .await)?;
        if !pending {
            return Ok(());
        }
        write_job!(self, true, move |conn| {
            conn.fold_stats(workspace).await?;
            Ok(((), true))
        })
    }
}

const CLEAR_STATS: &[&str] = &[
    "DELETE FROM member_stats WHERE workspace_id = $1",
    "DELETE FROM department_stats WHERE workspace_id = $1",
    "DELETE FROM value_stats WHERE workspace_id = $1",
    "DELETE FROM pair_stats WHERE workspace_id = $1",
    "DELETE FROM stats_watermark WHERE workspace_id = $1",
];

/// Folds kudos $2 < id <= $3 of workspace $1 into the boards, `$buckets` naming how the
/// dialect lists a JSON array's elements. Counting is per recipient: a note to three people is
/// three thank-yous, as the allowance counts them. Sums by `CASE` and upsert columns qualified
/// by their table, which both backends read alike.
macro_rules! fold_stats {
    ($buckets:literal) => {
        &[
            concat!(
                "INSERT INTO member_stats (workspace_id, bucket, member_id, received, feedback) \
                 SELECT $1, b.value, r.member_id, \
                   SUM(CASE WHEN k.kind = 'kudos' THEN 1 ELSE 0 END), \
                   SUM(CASE WHEN k.kind = 'feedback' THEN 1 ELSE 0 END) \
                 FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, ",
                $buckets,
                " b \
                 WHERE k.workspace_id = $1 AND k.id > $2 AND k.id <= $3 \
                   AND k.status = 'active' \
                 GROUP BY b.value, r.member_id \
                 ON CONFLICT (workspace_id, bucket, member_id) DO UPDATE \
                 SET received = member_stats.received + excluded.received, \
                     feedback = member_stats.feedback + excluded.feedback"
            ),
            concat!(
                "INSERT INTO member_stats (workspace_id, bucket, member_id, given) \
                 SELECT $1, b.value, k.giver_id, COUNT(*) \
                 FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, ",
                $buckets,
                " b \
                 WHERE k.workspace_id = $1 AND k.id > $2 AND k.id <= $3 \
                   AND k.status = 'active' AND k.kind = 'kudos' \
                 GROUP BY b.value, k.giver_id \
                 ON CONFLICT (workspace_id, bucket, member_id) DO UPDATE \
                 SET given = member_stats.given + excluded.given"
            ),
            concat!(
                "INSERT INTO department_stats (workspace_id, bucket, department_id, received) \
                 SELECT $1, b.value, r.department_id, COUNT(*) \
                 FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, ",
                $buckets,
                " b \
                 WHERE k.workspace_id = $1 AND k.id > $2 AND k.id <= $3 \
                   AND k.status = 'active' AND k.kind = 'kudos' \
                   AND r.department_id IS NOT NULL \
                 GROUP BY b.value, r.department_id \
                 ON CONFLICT (workspace_id, bucket, department_id) DO UPDATE \
                 SET received = department_stats.received + excluded.received"
            ),
            concat!(
                "INSERT INTO value_stats (workspace_id, bucket, value_tag, count) \
                 SELECT $1, b.value, k.value_tag, COUNT(*) \
                 FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, ",
                $buckets,
                " b \
                 WHERE k.workspace_id = $1 AND k.id > $2 AND k.id <= $3 \
                   AND k.status = 'active' AND k.kind = 'kudos' \
                   AND k.value_tag IS NOT NULL \
                 GROUP BY b.value, k.value_tag \
                 ON CONFLICT (workspace_id, bucket, value_tag) DO UPDATE \
                 SET count = value_stats.count + excluded.count"
            ),
            concat!(
                "INSERT INTO pair_stats (workspace_id, bucket, from_department_id, \
                   to_department_id, count) \
                 SELECT $1, b.value, k.giver_department_id, r.department_id, COUNT(*) \
                 FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id, ",
                $buckets,
                " b \
                 WHERE k.workspace_id = $1 AND k.id > $2 AND k.id <= $3 \
                   AND k.status = 'active' AND k.kind = 'kudos' \
                   AND k.giver_department_id IS NOT NULL AND r.department_id IS NOT NULL \
                   AND k.giver_department_id <> r.department_id \
                 GROUP BY b.value, k.giver_department_id, r.department_id \
                 ON CONFLICT (workspace_id, bucket, from_department_id, to_department_id) \
                 DO UPDATE SET count = pair_stats.count + excluded.count"
            ),
            "INSERT INTO stats_watermark (workspace_id, folded_upto) VALUES ($1, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET folded_upto = excluded.folded_upto \
             WHERE $2 >= 0",
        ]
    };
}

const FOLD_STATS: &[&str] = fold_stats!("json_each(k.buckets)");
const FOLD_STATS_PG: &[&str] = fold_stats!("json_array_elements_text(k.buckets::json)");
