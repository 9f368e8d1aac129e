//! A thank-you written on PostgreSQL. It runs inside a write transaction holding the store's
//! write lock (see `db`), so nothing else writes while its rules are checked. One statement
//! reads what the rules need (a known event id, the people named, the giver's day) and inserts
//! the kudos only when they all pass; the outcome is then told apart in the order SQLite's
//! `insert_kudos` uses: a known event id, then the people named, then the allowance.

use anyhow::Context;
use sqlx::PgConnection;

use super::db::Read;
use super::kudos::{InsertKudos, Stored};
use crate::domain::model::KudosKind;

const INSERT: &str = "\
WITH giver AS (SELECT m.department_id, d.name FROM members m \
    LEFT JOIN departments d ON d.id = m.department_id WHERE m.id = $3), \
  named AS (SELECT m.id, m.display_name, d.name AS dept FROM members m \
    LEFT JOIN departments d ON d.id = m.department_id \
    WHERE m.id = ANY($14) AND m.workspace_id = $1 AND m.is_bot = FALSE), \
  known AS (SELECT id FROM kudos WHERE workspace_id = $1 AND event_id = $8), \
  used AS (SELECT CAST(COALESCE(SUM(recipient_count), 0) AS BIGINT) AS n FROM kudos \
    WHERE giver_id = $3 AND local_date = $12 AND kind = 'kudos' AND status <> 'undone'), \
  added AS (INSERT INTO kudos (workspace_id, kind, giver_id, giver_department_id, message, \
      value_tag, customer_name, channel, event_id, link, theme, created_at, \
       local_date, buckets, \
      recipient_ids, recipient_count) \
    SELECT $1, $2, $3, (SELECT department_id FROM giver), $4, $5, $6, $7, $8, $9, \
     $10, $11, \
      $12, $13, $15, $16 \
    WHERE NOT EXISTS (SELECT 1 FROM known) \
      AND (SELECT COUNT(*) FROM named) = $17 \
      AND ($18 = 0 OR $2 <> 'kudos' OR (SELECT n FROM used) + $16 <= $18) \
    RETURNING id) \
SELECT (SELECT id FROM added) AS added, (SELECT id FROM known) AS known, \
  (SELECT n FROM used) AS used, (SELECT name FROM giver) AS giver_department, \
  (SELECT COUNT(*) FROM named) AS named, \
  (SELECT COALESCE(json_agg(json_build_array(id, display_name, dept)), '[]')::text \
   FROM named) \
    AS people";

pub(super) async fn insert_kudos(
    conn: &mut PgConnection,
    k: &InsertKudos,
) -> anyhow::Result<Stored> {
    let mut distinct = k.recipients.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let count = k.recipients.len() as u32;
    let row = super::kudos::bind_columns(sqlx::query(INSERT), k)?
        .bind(&k.recipients)
        .bind(serde_json::to_string(&k.recipients)?)
        .bind(i64::from(count))
        .bind(distinct.len() as i64)
        .bind(i64::from(k.allowance))
        .fetch_one(&mut *conn)
        .await
        .context("storing kudos")?;
    let used = u32::try_from(row.get::<i64, _>("used")).unwrap_or(u32::MAX);
    if let Some(known) = row.get::<Option<i64>, _>("known") {
        return Ok(Stored::Duplicate(known));
    }
    let Some(id) = row.get::<Option<i64>, _>("added") else {
        if row.get::<i64, _>("named") != distinct.len() as i64 {
            return Ok(Stored::InvalidRecipients);
        }
        return Ok(Stored::OverAllowance { used });
    };
    let recipients = super::kudos::recipients_read_back(&row.get::<String, _>("people"))?;
    let counted = k.kind == KudosKind::Kudos;
    Ok(Stored::Created {
        id,
        used: if counted { used + count } else { used },
        recipients,
        giver_department: row.get("giver_department"),
    })
}
