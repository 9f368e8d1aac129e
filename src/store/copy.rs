//! `spotlight copy-data`: every row of one store copied into another, empty one, of either
//! backend (in practice SQLite's file into PostgreSQL). Tables go in the order their foreign
//! keys need, each in batches, all in one transaction on the target, so a copy that fails leaves
//! the target as empty as it found it. Ids are kept, so every reference stays true; PostgreSQL's
//! id sequences are moved past the copied ids afterwards.

use anyhow::Context;

use super::copy_tables::TABLES;
use super::db::{for_each_conn, BeginWrite, Read};
use super::Store;

/// Rows bound per insert statement: well under either backend's limit on parameters.
const BATCH_ROWS: usize = 400;

/// A column's kind, as both backends can read and bind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bool,
    Bytes,
}

struct Table {
    name: &'static str,
    identity: bool,
    columns: Vec<(&'static str, Kind)>,
}

fn tables() -> Vec<Table> {
    TABLES
        .iter()
        .map(|(name, columns)| Table {
            name: name.trim_start_matches('*'),
            identity: name.starts_with('*'),
            columns: columns
                .iter()
                .map(|c| {
                    let (col, kind) = c.split_once(':').expect("name:kind");
                    let kind = match kind {
                        "i" => Kind::Int,
                        "t" => Kind::Text,
                        "b" => Kind::Bool,
                        _ => Kind::Bytes,
                    };
                    (col, kind)
                })
                .collect(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

fn read_row(row: &impl Read, columns: &[(&str, Kind)]) -> Vec<Value> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| match kind {
            Kind::Int => Value::Int(row.get(i)),
            Kind::Text => Value::Text(row.get(i)),
            Kind::Bool => Value::Bool(row.get(i)),
            Kind::Bytes => Value::Bytes(row.get(i)),
        })
        .collect()
}

/// How many rows each table held in the source and holds in the target after the copy.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, i64, i64)>,
}

impl CopyReport {
    pub fn matches(&self) -> bool {
        self.tables.iter().all(|(_, from, to)| from == to)
    }

    pub fn count(&self, table: &str) -> i64 {
        self.tables
            .iter()
            .find(|(t, _, _)| *t == table)
            .map_or(0, |(_, n, _)| *n)
    }
}

/// The target already holds something; nothing was written.
#[derive(Debug, thiserror::Error)]
#[error(
    "{location} is not empty ({rows} rows in {table}); copy-data writes only into an empty \
     database"
)]
pub struct TargetNotEmpty {
    pub location: String,
    pub table: &'static str,
    pub rows: i64,
}

impl Store {
    /// Rows in each of the store's tables.
    async fn table_counts(&self) -> anyhow::Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for table in tables() {
            let n: i64 = on_db!(self, |pool| sqlx::query_scalar(sqlx::AssertSqlSafe(
                format!("SELECT COUNT(*) FROM {}", table.name)
            ))
            .fetch_one(pool)
            .await)
            .with_context(|| format!("counting {}", table.name))?;
            out.push((table.name, n));
        }
        Ok(out)
    }

    async fn read_table(&self, table: &Table) -> anyhow::Result<Vec<Vec<Value>>> {
        let names: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            names.join(", "),
            table.name,
            (1..=names.len())
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        on_db!(self, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .with_context(|| format!("reading {}", table.name))?;
            anyhow::Ok(
                rows.iter()
                    .map(|r| read_row(r, &table.columns))
                    .collect::<Vec<_>>(),
            )
        })
    }

    /// Copies every row of this store into `target`, which must be empty; then counts both.
    pub async fn copy_into(&self, target: &Store) -> anyhow::Result<CopyReport> {
        for (table, rows) in target.table_counts().await? {
            if rows > 0 {
                return Err(TargetNotEmpty {
                    location: target.location().to_string(),
                    table,
                    rows,
                }
                .into());
            }
        }
        let mut data = Vec::new();
        for table in tables() {
            let rows = self.read_table(&table).await?;
            data.push((table, rows));
        }
        on_db!(target, |pool| {
            let mut tx = pool.begin_write().await?;
            for (table, rows) in &data {
                tx.copy_rows(table, rows).await?;
            }
            tx.commit().await.context("committing the copy")?;
            anyhow::Ok(())
        })?;
        let before = self.table_counts().await?;
        let after = target.table_counts().await?;
        Ok(CopyReport {
            tables: before
                .into_iter()
                .zip(after)
                .map(|((table, from), (_, to))| (table, from, to))
                .collect(),
        })
    }
}

trait CopyConn {
    async fn copy_rows(&mut self, table: &Table, rows: &[Vec<Value>]) -> anyhow::Result<()>;
}

for_each_conn! {
    impl CopyConn {
        async fn copy_rows(&mut self, table: &Table, rows: &[Vec<Value>]) -> anyhow::Result<()> {
            let names: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            if table.name == "kudos_recipients" {
                // Copied as they were stored (each recipient's department when thanked), not
                // as the target's fan-out trigger made them from today's departments.
                sqlx::query("DELETE FROM kudos_recipients").execute(&mut *self).await?;
            }
            for chunk in rows.chunks(BATCH_ROWS) {
                let width = names.len();
                let values: Vec<String> = (0..chunk.len())
                    .map(|r| {
                        let cells: Vec<String> =
                            (1..=width).map(|c| format!("${}", r * width + c)).collect();
                        format!("({})", cells.join(", "))
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {}",
                    table.name,
                    names.join(", "),
                    values.join(", ")
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for row in chunk {
                    for value in row {
                        query = match value {
                            Value::Int(v) => query.bind(*v),
                            Value::Text(v) => query.bind(v.clone()),
                            Value::Bool(v) => query.bind(*v),
                            Value::Bytes(v) => query.bind(v.clone()),
                        };
                    }
                }
                query
                    .execute(&mut *self)
                    .await
                    .with_context(|| format!("copying {}", table.name))?;
            }
            if table.identity && super::db::sql_for::<Self, bool>(false, true) {
                // New rows on PostgreSQL take ids after the copied ones.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                    table.name
                )))
                .execute(&mut *self)
                .await
                .with_context(|| format!("moving the ids of {} on", table.name))?;
            }
            Ok(())
        }
    }
}
