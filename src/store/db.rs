//! The two backends behind the one store API: SQLite (one file, the embedded default) and
//! PostgreSQL (several processes sharing one database). Each store function is written once;
//! `on_db!` compiles its body once per backend, so both run the same statements and rules,
//! with a dialect's own text only where the SQL differs (`Store::sql`).
//!
//! Writes that SQLite serialises with its single writer lock (`BEGIN IMMEDIATE`) are serialised
//! on PostgreSQL by one transaction-scoped advisory lock taken first in every write transaction
//! (`WRITE_LOCK`), whichever process runs it. So every rule that leaned on SQLite's single
//! writer holds unchanged across processes: a giver's allowance is read and spent under the
//! lock, an event id is checked and stored under it, and the boards' fold never passes a kudos
//! that another process has not committed yet. Reads take no lock.

use std::future::Future;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{
    ColumnIndex, Decode, PgConnection, PgPool, Postgres, Sqlite, SqlitePool, Transaction, Type,
};

/// The advisory lock key every PostgreSQL write transaction takes ("SPOTLITE" as bytes).
pub(super) const WRITE_LOCK: i64 = 0x5350_4f54_4c49_5445;

#[derive(Debug, Clone)]
pub(super) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which SQL text a statement needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Db {
    pub(super) fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// A transaction that writes, begun the way each backend serialises writers.
pub(super) trait BeginWrite {
    type DB: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::DB>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type DB = Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type DB = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let mut tx = self.begin().await?;
        lock_writes(&mut tx).await?;
        Ok(tx)
    }
}

/// Waits for PostgreSQL's write lock; it is released when the transaction ends.
pub(super) async fn lock_writes(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A column type both backends decode.
pub(super) trait Col:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Col for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A column name or position both backends' rows accept.
pub(super) trait Idx: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + std::fmt::Debug {}
impl<I> Idx for I where I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + std::fmt::Debug {}

/// A row of either backend, read the same way (`row.get("name")`).
pub(super) trait Read {
    fn get<T: Col, I: Idx>(&self, index: I) -> T;
}

impl Read for SqliteRow {
    fn get<T: Col, I: Idx>(&self, index: I) -> T {
        sqlx::Row::get(self, index)
    }
}

impl Read for PgRow {
    fn get<T: Col, I: Idx>(&self, index: I) -> T {
        sqlx::Row::get(self, index)
    }
}

/// Implements a trait of connection helpers for both backends' connections from one body.
macro_rules! for_each_conn {
    (impl $trait:ident { $($body:tt)* }) => {
        impl $trait for sqlx::SqliteConnection {
            $($body)*
        }
        impl $trait for sqlx::PgConnection {
            $($body)*
        }
    };
}
pub(super) use for_each_conn;

/// Which dialect a connection speaks, for helpers written once for both.
pub(super) trait HasDialect {
    const DIALECT: Dialect;
}

impl HasDialect for sqlx::SqliteConnection {
    const DIALECT: Dialect = Dialect::Sqlite;
}

impl HasDialect for PgConnection {
    const DIALECT: Dialect = Dialect::Postgres;
}

/// The statement text (or texts) for connection `C`'s backend, where the two dialects differ.
pub(super) fn sql_for<C: HasDialect, T>(sqlite: T, postgres: T) -> T {
    match C::DIALECT {
        Dialect::Sqlite => sqlite,
        Dialect::Postgres => postgres,
    }
}

/// A row of either backend, so a function can fetch in `on_db!` and read after it.
pub(super) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for Row {
    fn from(r: SqliteRow) -> Self {
        Row::Sqlite(r)
    }
}

impl From<PgRow> for Row {
    fn from(r: PgRow) -> Self {
        Row::Postgres(r)
    }
}

impl Read for Row {
    fn get<T: Col, I: Idx>(&self, index: I) -> T {
        match self {
            Row::Sqlite(r) => sqlx::Row::get(r, index),
            Row::Postgres(r) => sqlx::Row::get(r, index),
        }
    }
}

pub(super) fn one<R: Into<Row>>(r: R) -> Row {
    r.into()
}

pub(super) fn opt<R: Into<Row>>(r: Option<R>) -> Option<Row> {
    r.map(Into::into)
}

pub(super) fn all<R: Into<Row>>(rows: Vec<R>) -> Vec<Row> {
    rows.into_iter().map(Into::into).collect()
}

/// What a statement of either backend changed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Done(u64);

impl Done {
    pub(super) fn rows_affected(&self) -> u64 {
        self.0
    }
}

impl From<sqlx::sqlite::SqliteQueryResult> for Done {
    fn from(r: sqlx::sqlite::SqliteQueryResult) -> Self {
        Done(r.rows_affected())
    }
}

impl From<sqlx::postgres::PgQueryResult> for Done {
    fn from(r: sqlx::postgres::PgQueryResult) -> Self {
        Done(r.rows_affected())
    }
}

pub(super) fn done<R: Into<Done>>(r: R) -> Done {
    r.into()
}
