//! What processes sharing one PostgreSQL store tell each other (`NOTIFY`), so each behaves as
//! if it were the only one:
//! - the cache (`cache`) stays true: every change that makes this process forget a cached
//!   workspace, member or role mapping is announced, and every process forgets the same entry.
//!   A listener that lost its connection may have missed announcements, so it forgets
//!   everything and reads afresh.
//! - open walls stay live: a thank-you stored, undone or revoked through one process is
//!   announced, and the others show it on the walls they serve (`remote_wall_changes`).
//!
//! On SQLite, one process owns the file and nothing is announced.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::cache::Cache;
use super::db::Db;
use super::Store;
use crate::domain::model::{KudosId, MemberId, WorkspaceId};

const CHANNEL: &str = "spotlight_cache";
const WALL_CHANNEL: &str = "spotlight_wall";

/// A change to the thank-yous that open walls show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallNotice {
    Added(KudosId),
    Removed(KudosId),
    Medallion(i64),
    MedallionRemoved(i64),
}

/// A wall change another process announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteWall {
    pub workspace: WorkspaceId,
    pub notice: WallNotice,
}

/// This process's share of the feed: who it is (its own announcements come back to it), and
/// where the wall changes of the others go.
#[derive(Debug)]
pub(super) struct Feed {
    origin: u64,
    /// Subscribed through; the listening task holds the only strong sender, so every receiver
    /// hears the feed close with the store.
    walls: tokio::sync::broadcast::WeakSender<RemoteWall>,
    task: tokio::task::AbortHandle,
}

impl Feed {
    pub(super) fn stop(&self) {
        self.task.abort();
    }
}

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
        self.notify(CHANNEL, what).await;
    }

    /// Tells the other processes of a change their open walls should show.
    pub async fn announce_wall(&self, workspace: WorkspaceId, notice: WallNotice) {
        let Some(feed) = &self.feed else {
            return;
        };
        let (code, id) = match notice {
            WallNotice::Added(id) => ("k+", id),
            WallNotice::Removed(id) => ("k-", id),
            WallNotice::Medallion(id) => ("m+", id),
            WallNotice::MedallionRemoved(id) => ("m-", id),
        };
        self.notify(
            WALL_CHANNEL,
            format!("{}:{workspace}:{code}:{id}", feed.origin),
        )
        .await;
    }

    /// Wall changes made through other processes (none on SQLite).
    pub fn remote_wall_changes(&self) -> Option<tokio::sync::broadcast::Receiver<RemoteWall>> {
        self.feed
            .as_ref()
            .and_then(|f| f.walls.upgrade())
            .map(|walls| walls.subscribe())
    }

    async fn notify(&self, channel: &str, what: String) {
        if let Db::Postgres(pool) = &self.db {
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(&what)
                .execute(pool)
                .await
            {
                tracing::warn!(
                    error = %e, change = %what, channel,
                    "could not tell the other processes of a change"
                );
            }
        }
    }
}

/// Follows what other processes announce, until the store closes.
pub(super) fn listen(pool: PgPool, cache: Arc<Cache>) -> Feed {
    let origin = u64::from_le_bytes(crate::secrets::random_bytes::<8>());
    let sender = tokio::sync::broadcast::channel(1024).0;
    let walls = sender.downgrade();
    let task = tokio::spawn(async move {
        loop {
            if let Err(e) = follow(&pool, &cache, origin, &sender).await {
                tracing::warn!(
                    error = %e,
                    "the feed of other processes' changes stopped; reconnecting"
                );
            }
            cache.clear();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .abort_handle();
    Feed {
        origin,
        walls,
        task,
    }
}

async fn follow(
    pool: &PgPool,
    cache: &Cache,
    origin: u64,
    walls: &tokio::sync::broadcast::Sender<RemoteWall>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all([CHANNEL, WALL_CHANNEL]).await?;
    // Anything cached before the feed was on may be stale.
    cache.clear();
    loop {
        match listener.try_recv().await? {
            Some(notice) if notice.channel() == WALL_CHANNEL => {
                if let Some(change) = wall_change(notice.payload(), origin) {
                    // No open wall means no receiver, which is fine.
                    let _ = walls.send(change);
                }
            }
            Some(notice) => apply(cache, notice.payload()),
            // The connection dropped (and is back): announcements may have been missed. (An
            // open wall reloads its cards when its own feed reconnects.)
            None => cache.clear(),
        }
    }
}

/// Another process's wall change; `None` for this process's own, or anything unreadable.
fn wall_change(payload: &str, origin: u64) -> Option<RemoteWall> {
    let mut parts = payload.split(':');
    let from: u64 = parts.next()?.parse().ok()?;
    if from == origin {
        return None;
    }
    let workspace: WorkspaceId = parts.next()?.parse().ok()?;
    let code = parts.next()?;
    let id: i64 = parts.next()?.parse().ok()?;
    let notice = match code {
        "k+" => WallNotice::Added(id),
        "k-" => WallNotice::Removed(id),
        "m+" => WallNotice::Medallion(id),
        "m-" => WallNotice::MedallionRemoved(id),
        _ => return None,
    };
    Some(RemoteWall { workspace, notice })
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
