use super::db::{BeginWrite, Read};
use chrono::{DateTime, Utc};

use super::{from_millis, to_millis, Store};
use crate::domain::model::{Member, WorkspaceId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub what: String,
    pub channel: Option<String>,
    pub reason: String,
    pub permanent: bool,
    pub at: DateTime<Utc>,
}

fn failure_from_row(r: &impl Read) -> DeliveryFailure {
    DeliveryFailure {
        what: r.get("what"),
        channel: r.get("channel"),
        reason: r.get("reason"),
        permanent: r.get("permanent"),
        at: from_millis(r.get("created_at")),
    }
}

impl Store {
    pub async fn record_delivery_failure(
        &self,
        workspace: WorkspaceId,
        failure: &DeliveryFailure,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO delivery_failures (workspace_id, what, channel, reason, \
                 permanent, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(workspace)
            .bind(&failure.what)
            .bind(&failure.channel)
            .bind(&failure.reason)
            .bind(failure.permanent)
            .bind(to_millis(failure.at))
            .execute(pool)
            .await
            .map(super::db::done)
        })?;
        Ok(())
    }

    /// The latest failures, newest first.
    pub async fn delivery_failures(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> anyhow::Result<Vec<DeliveryFailure>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT what, channel, reason, permanent, created_at FROM delivery_failures \
             WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(workspace)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows.iter().map(failure_from_row).collect())
    }

    /// Failures no admin has been shown yet, oldest first, now marked as shown.
    pub async fn take_unseen_failures(
        &self,
        workspace: WorkspaceId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<DeliveryFailure>> {
        let rows = on_db!(self, |pool| {
            sqlx::query(
                "UPDATE delivery_failures SET seen_at = $1 WHERE workspace_id = $2 AND \
             seen_at IS NULL \
             RETURNING what, channel, reason, permanent, created_at",
            )
            .bind(to_millis(now))
            .bind(workspace)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        let mut out: Vec<DeliveryFailure> = rows.iter().map(failure_from_row).collect();
        out.sort_by_key(|f| f.at);
        Ok(out)
    }

    pub async fn map_role(
        &self,
        workspace: WorkspaceId,
        role: &str,
        department: Option<&str>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            match department {
                Some(name) => {
                    sqlx::query(
                        "INSERT INTO departments (workspace_id, name) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(workspace)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO department_roles (workspace_id, role_id, department_id) \
                     SELECT $1, $2, id FROM departments WHERE workspace_id = $1 AND \
                      name = $3 \
                      COLLATE NOCASE \
                     ON CONFLICT (workspace_id, role_id) DO UPDATE \
                     SET department_id = excluded.department_id",
                    )
                    .bind(workspace)
                    .bind(role)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "DELETE FROM department_roles WHERE workspace_id = $1 AND \
                         role_id = $2",
                    )
                    .bind(workspace)
                    .bind(role)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            self.forget_roles(workspace).await;
            Ok(())
        })
    }

    /// Puts the member in the department mapped to the first of `roles` that has one; members
    /// with no mapped role keep the department an admin gave them. True when it changed them.
    pub async fn apply_role_departments(
        &self,
        member: &Member,
        roles: &[String],
    ) -> anyhow::Result<bool> {
        if roles.is_empty() {
            return Ok(false);
        }
        let workspace = member.workspace_id;
        let mapping = match self.cache.roles(workspace) {
            Some(m) => m,
            None => {
                let seen = self.cache.epoch();
                let rows: Vec<(String, String)> = on_db!(self, |pool| sqlx::query_as(
                    "SELECT r.role_id, d.name FROM department_roles r \
                     JOIN departments d ON d.id = r.department_id WHERE r.workspace_id = $1",
                )
                .bind(workspace)
                .fetch_all(pool)
                .await)?;
                self.cache.put_roles(seen, workspace, rows.clone());
                rows
            }
        };
        let wanted = roles
            .iter()
            .find_map(|role| mapping.iter().find(|(r, _)| r == role).map(|(_, d)| d));
        match wanted {
            None => return Ok(false),
            Some(d) if member.department.as_deref() == Some(d.as_str()) => return Ok(false),
            Some(_) => {}
        }
        on_db!(self, |pool| {
            sqlx::query(
                "UPDATE members SET department_id = ( \
               SELECT r.department_id FROM department_roles r JOIN json_each($3) j ON \
                j.value \
                = r.role_id \
               WHERE r.workspace_id = $1 ORDER BY j.key LIMIT 1) \
             WHERE id = $2 AND workspace_id = $1 AND EXISTS ( \
               SELECT 1 FROM department_roles r JOIN json_each($3) j ON j.value = \
                r.role_id \
               WHERE r.workspace_id = $1)",
            )
            .bind(workspace)
            .bind(member.id)
            .bind(serde_json::to_string(roles)?)
            .execute(pool)
            .await
            .map(super::db::done)
        })?;
        self.forget_member(member.id).await;
        Ok(true)
    }
}
