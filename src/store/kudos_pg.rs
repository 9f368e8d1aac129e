//! A thank-you written on PostgreSQL. It runs inside a write transaction holding the store's
//! write lock (see `db`), so the rules can be checked by separate reads and then applied by one
//! insert: no other process or connection writes in between. The outcomes are `insert_kudos`'s
//! on SQLite, in the same order: a known event id, then the people named, then the allowance.

use anyhow::Context;
use sqlx::PgConnection;

use super::kudos::{InsertKudos, Stored};
use super::to_millis;
use crate::domain::model::{KudosKind, Person};

pub(super) async fn insert_kudos(
    conn: &mut PgConnection,
    k: &InsertKudos,
) -> anyhow::Result<Stored> {
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
    let named: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT m.id, m.display_name, d.name FROM members m \
         LEFT JOIN departments d ON d.id = m.department_id \
         WHERE m.id = ANY($1) AND m.workspace_id = $2 AND m.is_bot = FALSE",
    )
    .bind(&k.recipients)
    .bind(k.workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut wanted = k.recipients.clone();
    wanted.sort_unstable();
    wanted.dedup();
    if named.len() != wanted.len() {
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
    let used = u32::try_from(used).unwrap_or(u32::MAX);
    let count = k.recipients.len() as u32;
    let counted = k.kind == KudosKind::Kudos;
    if counted && k.allowance != 0 && used.saturating_add(count) > k.allowance {
        return Ok(Stored::OverAllowance { used });
    }
    let (id, giver_department): (i64, Option<String>) = sqlx::query_as(
        "WITH giver AS (SELECT m.department_id, d.name FROM members m \
           LEFT JOIN departments d ON d.id = m.department_id WHERE m.id = $3) \
         INSERT INTO kudos (workspace_id, kind, giver_id, giver_department_id, message, value_tag, \
           customer_name, channel, event_id, link, theme, created_at, local_date, buckets, \
           recipient_ids, recipient_count) \
         SELECT $1, $2, $3, (SELECT department_id FROM giver), $4, $5, $6, $7, $8, $9, $10, $11, \
           $12, $13, $14, $15 \
         RETURNING id, (SELECT name FROM giver)",
    )
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
    .bind(serde_json::to_string(&k.buckets)?)
    .bind(serde_json::to_string(&k.recipients)?)
    .bind(i64::from(count))
    .fetch_one(&mut *conn)
    .await
    .context("storing kudos")?;
    let mut recipients: Vec<Person> = named
        .into_iter()
        .map(|(id, name, department)| Person {
            id,
            name,
            department,
        })
        .collect();
    recipients.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(Stored::Created {
        id,
        used: if counted { used + count } else { used },
        recipients,
        giver_department,
    })
}
