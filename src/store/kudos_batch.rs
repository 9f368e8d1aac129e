//! Many thank-yous written in one statement, for the single writer's group commit.
//!
//! Why: each statement is a hand-off to sqlx's connection thread (about 50 µs here), which cost
//! more than SQLite's own work when every kudos was its own statement. Inside the writer's
//! transaction (`BEGIN IMMEDIATE`, so nothing else writes meanwhile) a run of kudos costs two
//! statements whatever its length: one read of what the rules need (each giver's thanks that
//! day, the event ids already stored, the people named), then one insert of every accepted row.
//! The rules are the same as `insert_kudos_on`'s, applied in order, so each caller gets the
//! answer it would have had alone: a giver's second kudos in the run sees the first's allowance.

use std::collections::HashMap;

use anyhow::{ensure, Context};
use serde::Deserialize;
use sqlx::{Row, SqliteConnection};

use super::kudos::{InsertKudos, Stored};
use super::to_millis;
use super::writer::RunEnds;
use crate::domain::model::{KudosId, KudosKind, MemberId, Person, WorkspaceId};

#[derive(Deserialize)]
struct Named {
    id: MemberId,
    ws: WorkspaceId,
    name: String,
    dept: Option<String>,
    bot: bool,
}

#[derive(Deserialize)]
struct Used {
    giver: MemberId,
    date: String,
    used: i64,
}

#[derive(Deserialize)]
struct Known {
    ws: WorkspaceId,
    event: String,
    id: KudosId,
}

/// One read of everything the rules need for a run: the people named, each giver's thanks
/// that day, the event ids already stored.
macro_rules! read_for_run {
    () => {
        "SELECT \
           (SELECT json_group_array(json_object('id', m.id, 'ws', m.workspace_id, \
              'name', m.display_name, 'dept', d.name, 'bot', json(iif(m.is_bot, 'true', \
               'false')))) \
            FROM json_each($1) j CROSS JOIN members m ON m.id = j.value \
            LEFT JOIN departments d ON d.id = m.department_id), \
           (SELECT json_group_array(json_object('giver', j.value ->> 0, 'date', \
            j.value ->> 1, \
              'used', (SELECT COALESCE(SUM(recipient_count), 0) FROM kudos \
                       WHERE giver_id = j.value ->> 0 AND local_date = j.value ->> 1 \
                         AND kind = 'kudos' AND status <> 'undone'))) \
            FROM json_each($2) j), \
           (SELECT json_group_array(json_object('ws', k.workspace_id, 'event', k.event_id, \
            'id', k.id)) \
            FROM json_each($3) j CROSS JOIN kudos k \
              ON k.workspace_id = j.value ->> 0 AND k.event_id = j.value ->> 1)"
    };
}

/// Every accepted row of a run, from a JSON array of their columns in order.
macro_rules! insert_run {
    () => {
        "INSERT INTO kudos (workspace_id, kind, giver_id, giver_department_id, message, \
           value_tag, customer_name, channel, event_id, link, theme, created_at, local_date, \
           buckets, recipient_ids, recipient_count) \
         SELECT v ->> 0, v ->> 1, v ->> 2, \
           (SELECT department_id FROM members WHERE id = v ->> 2), v ->> 3, v ->> 4, \
           v ->> 5, v ->> 6, v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11, v ->> 12, \
           v ->> 13, v ->> 14 \
         FROM (SELECT value AS v, key FROM json_each($1) ORDER BY key) \
         RETURNING id, giver_id"
    };
}

/// Writes `run` in order, as `insert_kudos_on` would one by one, in two statements; the
/// batch's `BEGIN IMMEDIATE` and `COMMIT` ride along with them where the run opens or ends it.
pub(super) async fn insert_run(
    conn: &mut SqliteConnection,
    run: &[InsertKudos],
    ends: RunEnds,
) -> anyhow::Result<Vec<Stored>> {
    let mut people: Vec<MemberId> = Vec::new();
    let mut days: Vec<(MemberId, String)> = Vec::new();
    let mut events: Vec<(WorkspaceId, &str)> = Vec::new();
    for k in run {
        people.push(k.giver_id);
        people.extend(&k.recipients);
        days.push((k.giver_id, k.local_date.to_string()));
        if let Some(e) = &k.event_id {
            events.push((k.workspace_id, e));
        }
    }
    people.sort_unstable();
    people.dedup();
    days.sort_unstable();
    days.dedup();
    let read = if ends.begin {
        concat!("BEGIN IMMEDIATE; ", read_for_run!())
    } else {
        read_for_run!()
    };
    let row = sqlx::query(read)
        .bind(serde_json::to_string(&people)?)
        .bind(serde_json::to_string(&days)?)
        .bind(serde_json::to_string(&events)?)
        .fetch_one(&mut *conn)
        .await
        .context("reading what a run of kudos needs")?;
    let named: Vec<Named> = serde_json::from_str(row.get(0))?;
    let named: HashMap<MemberId, Named> = named.into_iter().map(|n| (n.id, n)).collect();
    let used: Vec<Used> = serde_json::from_str(row.get(1))?;
    let mut used: HashMap<(MemberId, String), u32> = used
        .into_iter()
        .map(|u| ((u.giver, u.date), u32::try_from(u.used).unwrap_or(u32::MAX)))
        .collect();
    let known: Vec<Known> = serde_json::from_str(row.get(2))?;
    let mut known: HashMap<(WorkspaceId, String), Option<KudosId>> = known
        .into_iter()
        .map(|k| ((k.ws, k.event), Some(k.id)))
        .collect();

    // Decide each in order; `None` ids are filled in once the insert returns them.
    enum Decided {
        Stored(Stored),
        Insert { used: u32 },
        DuplicateInRun(usize),
    }
    let mut decided = Vec::with_capacity(run.len());
    let mut inserted_at: HashMap<(WorkspaceId, String), usize> = HashMap::new();
    for (i, k) in run.iter().enumerate() {
        if let Some(e) = &k.event_id {
            let key = (k.workspace_id, e.clone());
            if let Some(Some(id)) = known.get(&key) {
                decided.push(Decided::Stored(Stored::Duplicate(*id)));
                continue;
            }
            if let Some(first) = inserted_at.get(&key) {
                decided.push(Decided::DuplicateInRun(*first));
                continue;
            }
        }
        let valid = k.recipients.iter().all(|r| {
            named
                .get(r)
                .is_some_and(|n| n.ws == k.workspace_id && !n.bot)
        });
        if !valid {
            decided.push(Decided::Stored(Stored::InvalidRecipients));
            continue;
        }
        let tally = used
            .entry((k.giver_id, k.local_date.to_string()))
            .or_insert(0);
        let count = k.recipients.len() as u32;
        let counted = k.kind == KudosKind::Kudos;
        if counted && k.allowance != 0 && tally.saturating_add(count) > k.allowance {
            decided.push(Decided::Stored(Stored::OverAllowance { used: *tally }));
            continue;
        }
        if counted {
            *tally = tally.saturating_add(count);
        }
        if let Some(e) = &k.event_id {
            inserted_at.insert((k.workspace_id, e.clone()), i);
            known.insert((k.workspace_id, e.clone()), None);
        }
        decided.push(Decided::Insert { used: *tally });
    }

    let rows: Vec<&InsertKudos> = run
        .iter()
        .zip(&decided)
        .filter(|(_, d)| matches!(d, Decided::Insert { .. }))
        .map(|(k, _)| k)
        .collect();
    let mut ids: Vec<(KudosId, MemberId)> = Vec::with_capacity(rows.len());
    if !rows.is_empty() {
        let values = rows
            .iter()
            .map(|k| {
                Ok(serde_json::json!([
                    k.workspace_id,
                    k.kind.as_str(),
                    k.giver_id,
                    k.message,
                    k.value,
                    k.customer,
                    k.channel,
                    k.event_id,
                    k.link,
                    k.theme,
                    to_millis(k.created_at),
                    k.local_date.to_string(),
                    serde_json::to_string(&k.buckets)?,
                    serde_json::to_string(&k.recipients)?,
                    k.recipients.len(),
                ]))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Rows are inserted in the order selected, each taking the next rowid, so the ids
        // returned, sorted, follow `rows`; the giver returned beside each checks that.
        let insert = if ends.commit {
            concat!(insert_run!(), "; COMMIT")
        } else {
            insert_run!()
        };
        let returned = sqlx::query(insert)
            .bind(serde_json::Value::Array(values).to_string())
            .fetch_all(&mut *conn)
            .await
            .context("storing a run of kudos")?;
        ids = returned.iter().map(|r| (r.get(0), r.get(1))).collect();
        ids.sort_unstable();
        // Cannot happen short of a bug; if the batch was already committed, its callers are
        // still told their writes failed, and the rows are left for an admin to look at.
        ensure!(
            ids.len() == rows.len()
                && ids
                    .iter()
                    .zip(&rows)
                    .all(|((_, giver), k)| *giver == k.giver_id),
            "the kudos stored do not match the run written ({} of {})",
            ids.len(),
            rows.len()
        );
    } else if ends.commit {
        sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .context("committing a run of kudos")?;
    }

    let person = |id: &MemberId| {
        let n = &named[id];
        Person {
            id: n.id,
            name: n.name.clone(),
            department: n.dept.clone(),
        }
    };
    let mut next = ids.iter();
    let mut out: Vec<Stored> = Vec::with_capacity(run.len());
    for (k, d) in run.iter().zip(decided) {
        let stored = match d {
            Decided::Stored(s) => s,
            Decided::DuplicateInRun(first) => match &out[first] {
                Stored::Created { id, .. } => Stored::Duplicate(*id),
                other => other.clone(),
            },
            Decided::Insert { used } => {
                let (id, _) = next.next().context("an id for each kudos stored")?;
                let mut recipients: Vec<Person> = k.recipients.iter().map(person).collect();
                super::kudos::in_display_order(&mut recipients);
                recipients.dedup_by_key(|p| p.id);
                Stored::Created {
                    id: *id,
                    used,
                    recipients,
                    giver_department: named.get(&k.giver_id).and_then(|g| g.dept.clone()),
                }
            }
        };
        out.push(stored);
    }
    Ok(out)
}
