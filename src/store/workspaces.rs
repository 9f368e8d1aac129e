use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;

use super::{to_millis, Store};
use crate::domain::calendar::WeekDates;
use crate::domain::model::{Settings, Workspace, WorkspaceId};
use crate::domain::themes::Theme;

const WORKSPACE_COLUMNS: &str = "SELECT id, platform, external_id, name, timezone, celebration_channel, \
     daily_allowance, prompt_time, prompts_enabled, kudos_emoji FROM workspaces";

/// One settings column an admin can change.
#[derive(Debug, Clone)]
pub enum SettingChange {
    Timezone(Tz),
    Channel(Option<String>),
    Allowance(u32),
    PromptTime(NaiveTime),
    PromptsEnabled(bool),
    Emoji(String),
}

impl Store {
    pub async fn workspace(&self, id: WorkspaceId) -> anyhow::Result<Workspace> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{WORKSPACE_COLUMNS} WHERE id = ?")))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .with_context(|| format!("loading workspace {id}"))?;
        self.workspace_from_row(row).await
    }

    pub async fn workspace_by_external(
        &self,
        platform: &str,
        external_id: &str,
    ) -> anyhow::Result<Option<Workspace>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{WORKSPACE_COLUMNS} WHERE platform = ? AND external_id = ?"
        )))
        .bind(platform)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.workspace_from_row(row).await?)),
            None => Ok(None),
        }
    }

    /// Workspaces whose name or external id is `key`, case-insensitively.
    pub async fn workspaces_named(&self, key: &str) -> anyhow::Result<Vec<Workspace>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{WORKSPACE_COLUMNS} WHERE name = ?1 COLLATE NOCASE OR external_id = ?1 ORDER BY id"
        )))
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.workspace_from_row(row).await?);
        }
        Ok(out)
    }

    pub async fn workspace_names(&self) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM workspaces ORDER BY name")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Creates the workspace with `settings`, or returns the one that already exists.
    pub async fn create_workspace(
        &self,
        platform: &str,
        external_id: &str,
        name: &str,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Workspace> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO workspaces (platform, external_id, name, timezone, celebration_channel, \
             daily_allowance, prompt_time, prompts_enabled, kudos_emoji, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (platform, external_id) DO NOTHING RETURNING id",
        )
        .bind(platform)
        .bind(external_id)
        .bind(name)
        .bind(settings.timezone.name())
        .bind(&settings.celebration_channel)
        .bind(settings.daily_allowance)
        .bind(settings.prompt_time.format("%H:%M").to_string())
        .bind(settings.prompts_enabled)
        .bind(&settings.kudos_emoji)
        .bind(to_millis(now))
        .fetch_optional(&mut *tx)
        .await
        .context("creating workspace")?;
        if let Some(id) = inserted {
            for (position, value) in settings.values.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO workspace_values (workspace_id, position, name) VALUES (?, ?, ?)",
                )
                .bind(id)
                .bind(position as i64)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.workspace_by_external(platform, external_id)
            .await?
            .context("workspace vanished after creation")
    }

    pub async fn rename_workspace(&self, id: WorkspaceId, name: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE workspaces SET name = ? WHERE id = ? AND name <> ?")
            .bind(name)
            .bind(id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn change_setting(&self, id: WorkspaceId, change: &SettingChange) -> anyhow::Result<()> {
        let query = match change {
            SettingChange::Timezone(tz) => {
                sqlx::query("UPDATE workspaces SET timezone = ? WHERE id = ?").bind(tz.name())
            }
            SettingChange::Channel(channel) => {
                sqlx::query("UPDATE workspaces SET celebration_channel = ? WHERE id = ?")
                    .bind(channel.clone())
            }
            SettingChange::Allowance(n) => {
                sqlx::query("UPDATE workspaces SET daily_allowance = ? WHERE id = ?").bind(*n)
            }
            SettingChange::PromptTime(t) => sqlx::query("UPDATE workspaces SET prompt_time = ? WHERE id = ?")
                .bind(t.format("%H:%M").to_string()),
            SettingChange::PromptsEnabled(on) => {
                sqlx::query("UPDATE workspaces SET prompts_enabled = ? WHERE id = ?").bind(*on)
            }
            SettingChange::Emoji(e) => {
                sqlx::query("UPDATE workspaces SET kudos_emoji = ? WHERE id = ?").bind(e.clone())
            }
        };
        query.bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Appends a value tag; false when the workspace already has it.
    pub async fn add_value(&self, id: WorkspaceId, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO workspace_values (workspace_id, position, name) \
             SELECT ?1, COALESCE(MAX(position), -1) + 1, ?2 FROM workspace_values WHERE workspace_id = ?1 \
             ON CONFLICT (workspace_id, name) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove_value(&self, id: WorkspaceId, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM workspace_values WHERE workspace_id = ? AND name = ?")
            .bind(id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn week_override(&self, id: WorkspaceId, year: i32) -> anyhow::Result<Option<WeekDates>> {
        let row = sqlx::query(
            "SELECT start_date, end_date FROM week_overrides WHERE workspace_id = ? AND year = ?",
        )
        .bind(id)
        .bind(year)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| {
            let start: NaiveDate = r.get::<String, _>(0).parse().ok()?;
            let end: NaiveDate = r.get::<String, _>(1).parse().ok()?;
            WeekDates::new(start, end)
        }))
    }

    /// All of a workspace's overridden weeks, by year.
    pub async fn week_overrides(&self, id: WorkspaceId) -> anyhow::Result<Vec<(i32, WeekDates)>> {
        let rows = sqlx::query(
            "SELECT year, start_date, end_date FROM week_overrides WHERE workspace_id = ? ORDER BY year",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let start: NaiveDate = r.get::<String, _>(1).parse().ok()?;
                let end: NaiveDate = r.get::<String, _>(2).parse().ok()?;
                Some((r.get::<i32, _>(0), WeekDates::new(start, end)?))
            })
            .collect())
    }

    pub async fn theme_overrides(&self, id: WorkspaceId) -> anyhow::Result<Vec<(u8, Theme)>> {
        let rows = sqlx::query(
            "SELECT day, title, prompt, action FROM workspace_themes WHERE workspace_id = ? ORDER BY day",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.get::<u8, _>(0),
                    Theme {
                        title: r.get(1),
                        prompt: r.get(2),
                        action: r.get(3),
                    },
                )
            })
            .collect())
    }

    pub async fn set_theme(&self, id: WorkspaceId, day: u8, theme: &Theme) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO workspace_themes (workspace_id, day, title, prompt, action) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (workspace_id, day) DO UPDATE SET title = excluded.title, \
             prompt = excluded.prompt, action = excluded.action",
        )
        .bind(id)
        .bind(day)
        .bind(&theme.title)
        .bind(&theme.prompt)
        .bind(&theme.action)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn reset_theme(&self, id: WorkspaceId, day: u8) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM workspace_themes WHERE workspace_id = ? AND day = ?")
            .bind(id)
            .bind(day)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn workspace_from_row(&self, row: sqlx::sqlite::SqliteRow) -> anyhow::Result<Workspace> {
        let id: i64 = row.get("id");
        let values: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM workspace_values WHERE workspace_id = ? ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let tz_name: String = row.get("timezone");
        let time: String = row.get("prompt_time");
        Ok(Workspace {
            id,
            platform: row.get("platform"),
            external_id: row.get("external_id"),
            name: row.get("name"),
            settings: Settings {
                timezone: tz_name
                    .parse()
                    .map_err(|_| anyhow::anyhow!("stored time zone '{tz_name}' is invalid"))?,
                celebration_channel: row.get("celebration_channel"),
                daily_allowance: row.get("daily_allowance"),
                values,
                prompt_time: NaiveTime::parse_from_str(&time, "%H:%M")
                    .with_context(|| format!("stored prompt time '{time}' is invalid"))?,
                prompts_enabled: row.get("prompts_enabled"),
                kudos_emoji: row.get("kudos_emoji"),
            },
        })
    }
}
