//! The cache (`cache`) kept true when several processes share one PostgreSQL store: every
//! change that makes this process forget a cached workspace, member or role mapping is
//! announced on a channel (`NOTIFY`), and every process listening forgets the same entry. A
//! listener that lost its connection may have missed announcements, so it forgets everything
//! and reads afresh. On SQLite, one process owns the file and nothing is announced.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::cache::Cache;
use super::db::Db;
use super::Store;
use crate::domain::model::{MemberId, WorkspaceId};

const CHANNEL: &str = "spotlight_cache";

impl Store {
    pub(super) async fn forget_workspace(&self, id: WorkspaceId) {
        self.cache.forget_workspace(id);
        self.announce(format!("w:{id}")).await;
    }

    pub(super) async fn forget_member(&self, id: MemberId) {
        self.cache.forget_member(id);
        self.announce(format!("m:{id}")).await;
    }

    pub(super) async fn forget_roles(&self, ws: WorkspaceId) {
        self.cache.forget_roles(ws);
        self.announce(format!("r:{ws}")).await;
    }

    async fn announce(&self, what: String) {
        if let Db::Postgres(pool) = &self.db {
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&what)
                .execute(pool)
                .await
            {
                tracing::warn!(error = %e, change = %what, "could not tell other processes to forget a cached entry");
            }
        }
    }
}

/// Forgets what other processes announce, until the store closes (the task is aborted).
pub(super) fn listen(pool: PgPool, cache: Arc<Cache>) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        loop {
            match follow(&pool, &cache).await {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the cache's change feed stopped; reconnecting")
                }
            }
            cache.clear();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .abort_handle()
}

async fn follow(pool: &PgPool, cache: &Cache) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Anything cached before the feed was on may be stale.
    cache.clear();
    loop {
        match listener.try_recv().await? {
            Some(notice) => apply(cache, notice.payload()),
            // The connection dropped (and is back): announcements may have been missed.
            None => cache.clear(),
        }
    }
}

fn apply(cache: &Cache, payload: &str) {
    let Some((kind, id)) = payload.split_once(':') else {
        return;
    };
    let Ok(id) = id.parse::<i64>() else {
        return;
    };
    match kind {
        "w" => cache.forget_workspace(id),
        "m" => cache.forget_member(id),
        "r" => cache.forget_roles(id),
        _ => {}
    }
}
