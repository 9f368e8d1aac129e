use super::db::{for_each_conn, BeginWrite, Read};
use super::{to_millis, Store};
use crate::domain::model::{Member, MemberId, WorkspaceId};
use anyhow::Context;
use chrono::{DateTime, Utc};

const MEMBER_COLUMNS: &str = "SELECT m.id, m.workspace_id, m.external_id, m.display_name, \
 m.is_bot, \
     m.is_admin, d.name AS department FROM members m LEFT JOIN departments d ON d.id = m.department_id";

fn member_from_row(row: &impl Read) -> Member {
    Member {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        external_id: row.get("external_id"),
        display_name: row.get("display_name"),
        is_bot: row.get("is_bot"),
        is_admin: row.get("is_admin"),
        department: row.get("department"),
    }
}

pub(super) trait MembersConn {
    /// Creates the member, or refreshes what the platform reports; on a given connection so a
    /// write that names new people can create them in its own transaction.
    async fn upsert_member(
        &mut self,
        workspace: WorkspaceId,
        external_id: &str,
        display_name: &str,
        is_bot: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<MemberId>;
}

for_each_conn! {
    impl MembersConn {
        async fn upsert_member(
            &mut self,
            workspace: WorkspaceId,
            external_id: &str,
            display_name: &str,
            is_bot: bool,
            now: DateTime<Utc>,
        ) -> anyhow::Result<MemberId> {
            sqlx::query_scalar(
                "INSERT INTO members (workspace_id, external_id, display_name, \
                 is_bot, created_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (workspace_id, external_id) DO UPDATE SET \
                   display_name = excluded.display_name, is_bot = excluded.is_bot, \
                    active = TRUE \
                 RETURNING id",
            )
            .bind(workspace)
            .bind(external_id)
            .bind(display_name)
            .bind(is_bot)
            .bind(to_millis(now))
            .fetch_one(&mut *self)
            .await
            .context("saving member")
        }
    }
}

impl Store {
    /// Creates the member, or refreshes the name and bot flag the platform now reports.
    pub async fn upsert_member(
        &self,
        workspace: WorkspaceId,
        external_id: &str,
        display_name: &str,
        is_bot: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Member> {
        // Nothing changed: no write at all.
        if let Some(m) = self.cache.member(workspace, external_id) {
            if m.display_name == display_name && m.is_bot == is_bot {
                return Ok(m);
            }
        }
        let (external_id, display_name) = (external_id.to_string(), display_name.to_string());
        let id = write_job!(self, false, move |conn| {
            let id = conn
                .upsert_member(workspace, &external_id, &display_name, is_bot, now)
                .await?;
            Ok((id, true))
        })?;
        let seen = self.cache.epoch();
        let member = self.member(id).await?;
        self.cache.put_member(seen, &member);
        Ok(member)
    }

    /// The id of a member the cache holds exactly as the platform now describes them.
    pub fn known_member(
        &self,
        workspace: WorkspaceId,
        user: &crate::domain::model::PlatformUser,
    ) -> Option<MemberId> {
        self.cache
            .member(workspace, &user.external_id)
            .filter(|m| m.display_name == user.name && m.is_bot == user.is_bot)
            .map(|m| m.id)
    }

    pub async fn member(&self, id: MemberId) -> anyhow::Result<Member> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBER_COLUMNS} WHERE m.id = $1"
        )))
        .bind(id)
        .fetch_one(pool)
        .await
        .map(super::db::one))
        .with_context(|| format!("loading member {id}"))?;
        Ok(member_from_row(&row))
    }

    pub async fn member_by_id(&self, id: MemberId) -> anyhow::Result<Option<Member>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBER_COLUMNS} WHERE m.id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.as_ref().map(member_from_row))
    }

    /// The member whose display name or external id is `key`, case-insensitively.
    pub async fn member_named(
        &self,
        workspace: WorkspaceId,
        key: &str,
    ) -> anyhow::Result<Option<Member>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBER_COLUMNS} WHERE m.workspace_id = $1 \
             AND (m.external_id = $2 OR m.display_name = $2 COLLATE NOCASE) \
             ORDER BY m.external_id = $2 DESC, m.id LIMIT 1"
        )))
        .bind(workspace)
        .bind(key)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        Ok(row.as_ref().map(member_from_row))
    }

    pub async fn human_member_count(&self, workspace: WorkspaceId) -> anyhow::Result<i64> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND is_bot = FALSE",
        )
        .bind(workspace)
        .fetch_one(pool)
        .await)?)
    }

    pub async fn set_admin(&self, member: MemberId, admin: bool) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE members SET is_admin = $1 WHERE id = $2"
        )
        .bind(admin)
        .bind(member)
        .execute(pool)
        .await
        .map(super::db::done))?;
        self.forget_member(member).await;
        Ok(())
    }

    /// Puts the member in the named department (created when new), or in none.
    pub async fn set_department(
        &self,
        workspace: WorkspaceId,
        member: MemberId,
        department: Option<&str>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let department_id: Option<i64> = match department {
                Some(name) => {
                    sqlx::query(
                        "INSERT INTO departments (workspace_id, name) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                    )
                    .bind(workspace)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                    Some(
                        sqlx::query_scalar(
                            "SELECT id FROM departments WHERE workspace_id = $1 AND \
                             name = $2 \
                         COLLATE NOCASE",
                        )
                        .bind(workspace)
                        .bind(name)
                        .fetch_one(&mut *tx)
                        .await?,
                    )
                }
                None => None,
            };
            sqlx::query(
                "UPDATE members SET department_id = $1 WHERE id = $2 AND workspace_id = $3",
            )
            .bind(department_id)
            .bind(member)
            .bind(workspace)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            anyhow::Ok(())
        })?;
        self.forget_member(member).await;
        Ok(())
    }

    pub async fn departments(&self, workspace: WorkspaceId) -> anyhow::Result<Vec<(String, i64)>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "SELECT d.name, COUNT(m.id) FROM departments d \
             LEFT JOIN members m ON m.department_id = d.id AND m.active = TRUE \
             WHERE d.workspace_id = $1 GROUP BY d.id ORDER BY d.name COLLATE NOCASE",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

impl Store {
    pub async fn admin_count(&self, workspace: WorkspaceId) -> anyhow::Result<i64> {
        Ok(on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND is_admin = \
                 TRUE AND \
             is_bot = FALSE",
            )
            .bind(workspace)
            .fetch_one(pool)
            .await
        })?)
    }
}

impl Store {
    /// The members with these ids that belong to `workspace`, in the order asked.
    pub async fn members_in(
        &self,
        workspace: WorkspaceId,
        ids: &[MemberId],
    ) -> anyhow::Result<Vec<Member>> {
        let rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBER_COLUMNS} WHERE m.workspace_id = $1 AND m.id IN {}",
            self.ids_in("$2")
        )))
        .bind(workspace)
        .bind(serde_json::to_string(ids)?)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        let found: Vec<Member> = rows.iter().map(member_from_row).collect();
        Ok(ids
            .iter()
            .filter_map(|id| found.iter().find(|m| m.id == *id).cloned())
            .collect())
    }
}
