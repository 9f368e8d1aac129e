//! Posts held over a shutdown: written when a stop interrupts a post, taken back at the next
//! start. Taking deletes them first, so a crash in between loses a post but never sends it twice.

use super::db::Read;
use chrono::{DateTime, Utc};

use super::{to_millis, Store};
use crate::domain::model::WorkspaceId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPost {
    pub workspace: WorkspaceId,
    pub what: String,
    pub channel: String,
    /// The message as JSON.
    pub body: String,
}

impl Store {
    pub async fn hold_post(
        &self,
        platform: &str,
        post: &HeldPost,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO held_posts (workspace_id, platform, what, channel, body, held_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(post.workspace)
        .bind(platform)
        .bind(&post.what)
        .bind(&post.channel)
        .bind(&post.body)
        .bind(to_millis(now))
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(())
    }

    /// Every post held for `platform`, oldest first; they are no longer held afterwards.
    pub async fn take_held_posts(&self, platform: &str) -> anyhow::Result<Vec<HeldPost>> {
        let rows = on_db!(self, |pool| sqlx::query(
            "DELETE FROM held_posts WHERE platform = $1 \
             RETURNING id, workspace_id, what, channel, body",
        )
        .bind(platform)
        .fetch_all(pool)
        .await
        .map(super::db::all))?;
        let mut rows: Vec<(i64, HeldPost)> = rows
            .iter()
            .map(|r| {
                (
                    r.get("id"),
                    HeldPost {
                        workspace: r.get("workspace_id"),
                        what: r.get("what"),
                        channel: r.get("channel"),
                        body: r.get("body"),
                    },
                )
            })
            .collect();
        rows.sort_by_key(|(id, _)| *id);
        Ok(rows.into_iter().map(|(_, p)| p).collect())
    }
}
