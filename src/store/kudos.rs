use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, SqliteConnection};

use super::db::{BeginWrite, Read};
use super::members::MembersConn;
use super::schedule::ScheduleConn;
use super::stats::StatsConn;

use super::{from_millis, to_millis, Store};
use crate::domain::calendar::WeekDates;
use crate::domain::model::{
    Kudos, KudosId, KudosKind, KudosStatus, MemberId, MemberRef, Person, Revocation, WorkspaceId,
};
use crate::domain::period::buckets_for;

/// A validated thank-you, ready to be written.
#[derive(Debug, Clone)]
pub struct InsertKudos {
    pub workspace_id: WorkspaceId,
    pub kind: KudosKind,
    pub giver_id: MemberId,
    pub recipients: Vec<MemberId>,
    pub message: String,
    pub value: Option<String>,
    pub customer: Option<String>,
    pub channel: Option<String>,
    pub event_id: Option<String>,
    pub link: Option<String>,
    pub theme: Option<String>,
    pub created_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub buckets: Vec<String>,
    /// Recipients the giver may thank per local day; 0 is unlimited.
    pub allowance: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Created {
        id: KudosId,
        /// Recipients the giver has thanked that local day, this one included.
        used: u32,
        recipients: Vec<Person>,
        giver_department: Option<String>,
    },
    /// The event id was recorded before; nothing was written.
    Duplicate(KudosId),
    /// Writing it would exceed the allowance; `used` is what the giver has used that day.
    OverAllowance { used: u32 },
    /// A recipient is a bot or not a member of the workspace.
    InvalidRecipients,
}

/// Which thank-yous an export or listing covers.
#[derive(Debug, Clone, Default)]
pub struct KudosFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub include_removed: bool,
}

impl Store {
    /// Writes a thank-you. The allowance check, the dedup on event id, the kudos, its
    /// recipients and every aggregate are one statement, so concurrent requests from the same
    /// giver cannot overdraw the allowance.
    pub async fn insert_kudos(&self, k: &InsertKudos) -> anyhow::Result<Stored> {
        match &self.writer {
            super::Writers::Sqlite(w) => w.kudos(k.clone()).await,
            super::Writers::Postgres(w) => w.kudos(k.clone()).await,
        }
    }

    /// Writes a thank-you whose recipients may include people not on record yet. They are
    /// created in the same transaction as the kudos, and rolled back with it when the write is
    /// refused, so a refused thank-you leaves no one behind. `k.recipients` is filled in here;
    /// the ids are returned too, for explaining a refusal.
    pub async fn insert_kudos_naming(
        &self,
        mut k: InsertKudos,
        people: &[MemberRef],
    ) -> anyhow::Result<(Stored, InsertKudos)> {
        if people.iter().all(|p| matches!(p, MemberRef::Id(_))) {
            k.recipients = people
                .iter()
                .filter_map(|p| match p {
                    MemberRef::Id(id) => Some(*id),
                    MemberRef::User(_) => None,
                })
                .collect();
            let stored = self.insert_kudos(&k).await?;
            return Ok((stored, k));
        }
        let people = people.to_vec();
        write_job!(self, true, move |conn| {
            let mut ids = Vec::with_capacity(people.len());
            for p in &people {
                let id = match p {
                    MemberRef::Id(id) => *id,
                    MemberRef::User(u) => {
                        conn.upsert_member(
                            k.workspace_id,
                            &u.external_id,
                            &u.name,
                            u.is_bot,
                            k.created_at,
                        )
                        .await?
                    }
                };
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            k.recipients = ids;
            let stored = conn.insert_kudos(&k).await?;
            // A refused kudos takes back the people it would have recorded.
            let keep = matches!(stored, Stored::Created { .. });
            Ok(((stored, k), keep))
        })
    }

    /// Writes many thank-yous in one write transaction, each under the usual rules: for bulk
    /// loads (benchmarks, imports), not for commands, which go through the writer.
    pub async fn insert_kudos_batch(&self, batch: &[InsertKudos]) -> anyhow::Result<Vec<Stored>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut out = Vec::with_capacity(batch.len());
            for k in batch {
                out.push(tx.insert_kudos(k).await?);
            }
            tx.commit().await?;
            anyhow::Ok(out)
        })
    }

    /// Recipients the giver thanked on `date` and has not undone (revoked ones still count).
    pub async fn allowance_used(&self, giver: MemberId, date: NaiveDate) -> anyhow::Result<u32> {
        let used: i64 = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(recipient_count), 0) AS BIGINT) FROM kudos \
             WHERE giver_id = $1 AND local_date = $2 AND kind = 'kudos' AND status <> 'undone'",
        )
        .bind(giver)
        .bind(date.to_string())
        .fetch_one(pool)
        .await)?;
        Ok(u32::try_from(used).unwrap_or(u32::MAX))
    }

    pub async fn kudos(
        &self,
        workspace: WorkspaceId,
        id: KudosId,
    ) -> anyhow::Result<Option<Kudos>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KUDOS_COLUMNS} WHERE k.workspace_id = $1 AND k.id = $2"
        )))
        .bind(workspace)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        self.one_with_recipients(row).await
    }

    /// The giver's most recent peer kudos that still counts.
    pub async fn latest_active_kudos(&self, giver: MemberId) -> anyhow::Result<Option<Kudos>> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KUDOS_COLUMNS} WHERE k.giver_id = $1 AND k.kind = 'kudos' AND k.status \
             = 'active' \
             ORDER BY k.created_at DESC, k.id DESC LIMIT 1"
        )))
        .bind(giver)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        self.one_with_recipients(row).await
    }

    /// Thank-yous in a workspace, oldest first.
    pub async fn kudos_list(
        &self,
        workspace: WorkspaceId,
        filter: &KudosFilter,
    ) -> anyhow::Result<Vec<Kudos>> {
        let rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KUDOS_COLUMNS} WHERE k.workspace_id = $1 \
             AND ($2 IS NULL OR k.local_date >= $2) AND ($3 IS NULL OR k.local_date <= $3) \
             AND ($4 OR k.status = 'active') ORDER BY k.created_at, k.id"
        )))
        .bind(workspace)
        .bind(filter.from.map(|d| d.to_string()))
        .bind(filter.to.map(|d| d.to_string()))
        .bind(filter.include_removed)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        self.with_recipients(rows).await
    }

    /// Takes an active thank-you out of every count; false when it was not active.
    pub async fn set_kudos_status(
        &self,
        id: KudosId,
        status: KudosStatus,
        by: Option<MemberId>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        // Under the write lock: the boards' fold must not count it while it changes (on
        // PostgreSQL a plain UPDATE would not wait for a fold another process is running).
        let done = on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE kudos SET status = $1, status_changed_at = $2, revoked_by = $3, \
                 revoke_reason = $4 WHERE id = $5 AND status = 'active'",
            )
            .bind(status_str(status))
            .bind(to_millis(now))
            .bind(by)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map(super::db::done)?;
            tx.commit().await?;
            anyhow::Ok(done)
        })
        .context("changing kudos status")?;
        Ok(done.rows_affected() == 1)
    }

    /// Withdraws the giver's active thank-you recorded under `event_id` if it was given on local
    /// `date`, and frees the event id so the same gesture can be made again.
    pub async fn retract_event(
        &self,
        workspace: WorkspaceId,
        giver: MemberId,
        event_id: &str,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<KudosId>> {
        // Under the write lock, as `set_kudos_status`.
        let id: Option<i64> = on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar(
                "UPDATE kudos SET status = 'undone', status_changed_at = $5, \
                 event_id = event_id || '#' || id \
                 WHERE workspace_id = $1 AND giver_id = $2 AND event_id = $3 AND \
                  local_date = $4 \
                   AND status = 'active' \
                 RETURNING id",
            )
            .bind(workspace)
            .bind(giver)
            .bind(event_id)
            .bind(date.to_string())
            .bind(to_millis(now))
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            anyhow::Ok(id)
        })
        .context("withdrawing kudos")?;
        Ok(id)
    }

    /// Sets (or with `None` clears) a year's week override, re-files that year's thank-yous
    /// in or out of the week and rebuilds the boards, all in one transaction.
    pub async fn set_week_override(
        &self,
        workspace: WorkspaceId,
        year: i32,
        week: Option<WeekDates>,
        effective: WeekDates,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            match week {
                Some(w) => {
                    sqlx::query(
                        "INSERT INTO week_overrides (workspace_id, year, start_date, \
                         end_date) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, year) DO UPDATE \
                     SET start_date = excluded.start_date, end_date = excluded.end_date",
                    )
                    .bind(workspace)
                    .bind(year)
                    .bind(w.start.to_string())
                    .bind(w.end.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM week_overrides WHERE workspace_id = $1 AND year = $2")
                        .bind(workspace)
                        .bind(year)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let rows = sqlx::query(
                "SELECT id, local_date, buckets FROM kudos \
             WHERE workspace_id = $1 AND local_date BETWEEN $2 AND $3",
            )
            .bind(workspace)
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(&mut *tx)
            .await?;
            let mut changed = false;
            for row in rows {
                let date: NaiveDate = row
                    .get::<String, _>(1)
                    .parse()
                    .context("stored local_date is invalid")?;
                let buckets = serde_json::to_string(&buckets_for(date, effective.contains(date)))?;
                if buckets != row.get::<String, _>(2) {
                    changed = true;
                    sqlx::query("UPDATE kudos SET buckets = $1 WHERE id = $2")
                        .bind(buckets)
                        .bind(row.get::<i64, _>(0))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if changed {
                tx.rebuild_stats(workspace).await?;
            }
            tx.wake_scheduler(workspace).await?;
            tx.commit().await?;
            anyhow::Ok(())
        })?;
        self.forget_workspace(workspace).await;
        Ok(())
    }

    async fn one_with_recipients(
        &self,
        row: Option<super::db::Row>,
    ) -> anyhow::Result<Option<Kudos>> {
        match row {
            Some(row) => Ok(self.with_recipients(vec![row]).await?.pop()),
            None => Ok(None),
        }
    }

    pub(super) async fn with_recipients(
        &self,
        rows: Vec<super::db::Row>,
    ) -> anyhow::Result<Vec<Kudos>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.get::<i64, _>("id")).collect();
        let recipient_rows = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.kudos_id, m.id, m.display_name, d.name FROM kudos_recipients r \
             JOIN members m ON m.id = r.member_id \
             LEFT JOIN departments d ON d.id = r.department_id \
             WHERE r.kudos_id IN {} \
             ORDER BY r.kudos_id, m.display_name COLLATE NOCASE, m.id",
            self.ids_in("$1")
        )))
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        let mut recipients: HashMap<i64, Vec<Person>> = HashMap::new();
        for r in recipient_rows {
            recipients.entry(r.get(0)).or_default().push(Person {
                id: r.get(1),
                name: r.get(2),
                department: r.get(3),
            });
        }
        rows.into_iter()
            .map(|row| {
                let id: i64 = row.get("id");
                kudos_from_row(&row, recipients.remove(&id).unwrap_or_default())
            })
            .collect()
    }
}

pub(super) const KUDOS_COLUMNS: &str =
    "SELECT k.id, k.kind, k.message, k.value_tag, k.customer_name, \
     k.channel, k.link, k.theme, k.created_at, k.local_date, k.status, k.revoke_reason, \
     g.id AS giver_id, g.display_name AS giver_name, gd.name AS giver_department, \
     rb.display_name AS revoked_by_name \
     FROM kudos k JOIN members g ON g.id = k.giver_id \
     LEFT JOIN departments gd ON gd.id = k.giver_department_id \
     LEFT JOIN members rb ON rb.id = k.revoked_by";

fn kudos_from_row(row: &impl Read, recipients: Vec<Person>) -> anyhow::Result<Kudos> {
    let kind = match row.get::<String, _>("kind").as_str() {
        "feedback" => KudosKind::Feedback,
        _ => KudosKind::Kudos,
    };
    let status = match row.get::<String, _>("status").as_str() {
        "undone" => KudosStatus::Undone,
        "revoked" => KudosStatus::Revoked,
        _ => KudosStatus::Active,
    };
    Ok(Kudos {
        id: row.get("id"),
        kind,
        giver: Person {
            id: row.get("giver_id"),
            name: row.get("giver_name"),
            department: row.get("giver_department"),
        },
        recipients,
        message: row.get("message"),
        value: row.get("value_tag"),
        customer: row.get("customer_name"),
        channel: row.get("channel"),
        link: row.get("link"),
        theme: row.get("theme"),
        created_at: from_millis(row.get("created_at")),
        local_date: row
            .get::<String, _>("local_date")
            .parse()
            .context("stored local_date is invalid")?,
        revoked: (status == KudosStatus::Revoked).then(|| Revocation {
            by: row.get("revoked_by_name"),
            reason: row.get("revoke_reason"),
        }),
        status,
    })
}

fn status_str(status: KudosStatus) -> &'static str {
    match status {
        KudosStatus::Active => "active",
        KudosStatus::Undone => "undone",
        KudosStatus::Revoked => "revoked",
    }
}

/// The write path on a given connection, inside the writer's batch or a bulk load's transaction.
pub trait KudosConn {
    fn insert_kudos(
        &mut self,
        k: &InsertKudos,
    ) -> impl std::future::Future<Output = anyhow::Result<Stored>> + Send;
}

impl KudosConn for SqliteConnection {
    /// Recipient checks, the allowance, the event-id dedup, the kudos, its recipients and every
    /// aggregate are one statement: one round trip, atomic under concurrent requests.
    async fn insert_kudos(&mut self, k: &InsertKudos) -> anyhow::Result<Stored> {
        insert_kudos_sqlite(self, k).await
    }
}

impl KudosConn for PgConnection {
    /// Runs inside a write transaction, which holds the store's write lock (`db`): the checks
    /// and the insert are separate statements, and nothing else writes in between.
    async fn insert_kudos(&mut self, k: &InsertKudos) -> anyhow::Result<Stored> {
        super::kudos_pg::insert_kudos(self, k).await
    }
}

/// A new kudos' recipients as its insert returned them (a JSON array of [id, name,
/// department]), in the order they are shown: by name, then id.
pub(super) fn recipients_read_back(json: &str) -> anyhow::Result<Vec<Person>> {
    let people: Vec<(i64, String, Option<String>)> =
        serde_json::from_str(json).context("reading back recipients")?;
    let mut recipients: Vec<Person> = people
        .into_iter()
        .map(|(id, name, department)| Person {
            id,
            name,
            department,
        })
        .collect();
    in_display_order(&mut recipients);
    Ok(recipients)
}

/// People as a kudos shows them: by name, then id.
pub(super) fn in_display_order(people: &mut [Person]) {
    people.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
}

/// Binds $1-$13, the columns every kudos insert writes first, in the order of
/// `INSERT INTO kudos (workspace_id, kind, giver_id, [giver_department_id,] message, value_tag,
/// customer_name, channel, event_id, link, theme, created_at, local_date, buckets …)`.
pub(super) fn bind_columns<'q, DB>(
    query: sqlx::query::Query<'q, DB, DB::Arguments>,
    k: &InsertKudos,
) -> anyhow::Result<sqlx::query::Query<'q, DB, DB::Arguments>>
where
    DB: sqlx::Database,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t Option<String>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    Ok(query
        .bind(k.workspace_id)
        .bind(k.kind.as_str())
        .bind(k.giver_id)
        .bind(&k.message)
        .bind(&k.value)
        .bind(&k.customer)
        .bind(&k.channel)
        .bind(&k.event_id)
        .bind(&k.link)
        .bind(&k.theme)
        .bind(to_millis(k.created_at))
        .bind(k.local_date.to_string())
        .bind(serde_json::to_string(&k.buckets)?))
}

async fn insert_kudos_sqlite(
    conn: &mut SqliteConnection,
    k: &InsertKudos,
) -> anyhow::Result<Stored> {
    let recipient_count = k.recipients.len() as u32;
    let recipient_ids = serde_json::to_string(&k.recipients)?;
    let insert = sqlx::query(
        "INSERT INTO kudos (workspace_id, kind, giver_id, giver_department_id, \
         message, value_tag, \
           customer_name, channel, event_id, link, theme, created_at, local_date, buckets, \
           recipient_ids, recipient_count) \
         SELECT $1, $2, $3, (SELECT department_id FROM members WHERE id = $3), $4, \
          $5, $6, $7, $8, \
           $9, $10, $11, $12, $13, $14, $15 \
         WHERE $15 = (SELECT COUNT(*) FROM json_each($14) AS j CROSS JOIN members AS m \
                      ON m.id = j.value WHERE m.workspace_id = $1 AND m.is_bot = FALSE) \
           AND ($16 = 0 OR $2 <> 'kudos' OR $15 + ( \
             SELECT CAST(COALESCE(SUM(recipient_count), 0) AS BIGINT) FROM kudos \
             WHERE giver_id = $3 AND local_date = $12 AND kind = 'kudos' AND status \
              <> 'undone' \
           ) <= $16) \
         ON CONFLICT (workspace_id, event_id) DO NOTHING \
         RETURNING id, \
           (SELECT CAST(COALESCE(SUM(recipient_count), 0) AS BIGINT) FROM kudos \
            WHERE giver_id = $3 AND local_date = $12 AND kind = 'kudos' AND status <> \
             'undone'), \
           (SELECT json_group_array(json_array(m.id, m.display_name, d.name)) FROM \
            members m \
            LEFT JOIN departments d ON d.id = m.department_id \
            WHERE m.id IN (SELECT value FROM json_each($14))), \
           (SELECT d.name FROM members m JOIN departments d ON d.id = m.department_id \
            WHERE m.id = $3)",
    );
    let row = bind_columns(insert, k)?
        .bind(&recipient_ids)
        .bind(recipient_count)
        .bind(k.allowance)
        .fetch_optional(&mut *conn)
        .await
        .context("storing kudos")?;
    if let Some(row) = row {
        let recipients = recipients_read_back(&row.get::<String, _>(2))?;
        return Ok(Stored::Created {
            id: row.get(0),
            used: u32::try_from(row.get::<i64, _>(1)).unwrap_or(u32::MAX),
            recipients,
            giver_department: row.get(3),
        });
    }
    if let Some(event) = &k.event_id {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM kudos WHERE workspace_id = $1 AND event_id = $2")
                .bind(k.workspace_id)
                .bind(event)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(id) = existing {
            return Ok(Stored::Duplicate(id));
        }
    }
    let valid: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND is_bot = FALSE \
         AND id IN (SELECT value FROM json_each($2))",
    )
    .bind(k.workspace_id)
    .bind(&recipient_ids)
    .fetch_one(&mut *conn)
    .await?;
    if valid != i64::from(recipient_count) {
        return Ok(Stored::InvalidRecipients);
    }
    let used: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(recipient_count), 0) AS BIGINT) FROM kudos \
         WHERE giver_id = $1 AND local_date = $2 AND kind = 'kudos' AND status <> 'undone'",
    )
    .bind(k.giver_id)
    .bind(k.local_date.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(Stored::OverAllowance {
        used: u32::try_from(used).unwrap_or(u32::MAX),
    })
}
