use chrono::{DateTime, Utc};

use super::{to_millis, Store};

/// A workspace's install, its token still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedInstall {
    pub team_name: String,
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// A workspace that has just installed the app, its token sealed.
#[derive(Debug, Clone)]
pub struct NewInstall<'a> {
    pub team_id: &'a str,
    pub team_name: &'a str,
    pub bot_user_id: Option<&'a str>,
    pub scopes: &'a str,
    pub nonce: &'a [u8],
    pub sealed: &'a [u8],
}

impl Store {
    pub async fn save_slack_install(
        &self,
        i: &NewInstall<'_>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO slack_installs (team_id, team_name, bot_user_id, scopes, \
             token_nonce, \
               token_sealed, installed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (team_id) DO UPDATE SET team_name = excluded.team_name, \
               bot_user_id = excluded.bot_user_id, scopes = excluded.scopes, \
               token_nonce = excluded.token_nonce, token_sealed = excluded.token_sealed, \
               installed_at = excluded.installed_at",
        )
        .bind(i.team_id)
        .bind(i.team_name)
        .bind(i.bot_user_id)
        .bind(i.scopes)
        .bind(i.nonce)
        .bind(i.sealed)
        .bind(to_millis(now))
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(())
    }

    pub async fn slack_install(&self, team_id: &str) -> anyhow::Result<Option<SealedInstall>> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT team_name, token_nonce, token_sealed FROM slack_installs WHERE \
             team_id = $1",
            )
            .bind(team_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(team_name, nonce, sealed)| SealedInstall {
            team_name,
            nonce,
            sealed,
        }))
    }

    /// Forgets a workspace's token; true when there was one.
    pub async fn remove_slack_install(&self, team_id: &str) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "DELETE FROM slack_installs WHERE team_id = $1"
        )
        .bind(team_id)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn save_oauth_state(&self, state: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO oauth_states (state, created_at) VALUES ($1, $2)"
        )
        .bind(state)
        .bind(to_millis(now))
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(())
    }

    /// Uses up a state made after `not_before`; false when unknown, used or expired. Expired
    /// states are swept on the way.
    pub async fn take_oauth_state(
        &self,
        state: &str,
        not_before: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        on_db!(self, |pool| sqlx::query(
            "DELETE FROM oauth_states WHERE created_at < $1"
        )
        .bind(to_millis(not_before))
        .execute(pool)
        .await
        .map(super::db::done))?;
        let done = on_db!(self, |pool| sqlx::query(
            "DELETE FROM oauth_states WHERE state = $1"
        )
        .bind(state)
        .execute(pool)
        .await
        .map(super::db::done))?;
        Ok(done.rows_affected() == 1)
    }
}
