use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::db::{BeginWrite, Read};
use super::schedule::ScheduleConn;
use super::{to_millis, Store};
use crate::domain::calendar::WeekDates;
use crate::domain::model::{Settings, Workspace, WorkspaceId};
use crate::domain::themes::Theme;

// One read brings a workspace with its values, moved weeks and rewritten themes.
const WORKSPACE_COLUMNS: &str = "SELECT w.id, w.platform, w.external_id, w.name, \
 w.timezone, \
     w.celebration_channel, w.daily_allowance, w.prompt_time, w.prompts_enabled, \
      w.kudos_emoji, \
     w.medallions_per_year, w.welcome_enabled, \
     (SELECT json_group_array(name) FROM (SELECT name FROM workspace_values \
        WHERE workspace_id = w.id ORDER BY position)) AS values_json, \
     (SELECT json_group_array(json_array(year, start_date, end_date)) FROM week_overrides \
        WHERE workspace_id = w.id) AS weeks_json, \
     (SELECT json_group_array(json_array(day, title, prompt, action)) FROM \
      workspace_themes \
        WHERE workspace_id = w.id) AS themes_json \
     FROM workspaces w";

const WORKSPACE_COLUMNS_PG: &str = "SELECT w.id, w.platform, w.external_id, w.name, \
 w.timezone, \
     w.celebration_channel, w.daily_allowance, w.prompt_time, w.prompts_enabled, \
      w.kudos_emoji, \
     w.medallions_per_year, w.welcome_enabled, \
     (SELECT COALESCE(json_agg(name ORDER BY position), '[]')::text FROM workspace_values \
        WHERE workspace_id = w.id) AS values_json, \
     (SELECT COALESCE(json_agg(json_build_array(year, start_date, end_date)), '[]')::text \
        FROM week_overrides WHERE workspace_id = w.id) AS weeks_json, \
     (SELECT COALESCE(json_agg(json_build_array(day, title, prompt, action)), '[]')::text \
        FROM workspace_themes WHERE workspace_id = w.id) AS themes_json \
     FROM workspaces w";

/// One settings column an admin can change.
#[derive(Debug, Clone)]
pub enum SettingChange {
    Timezone(Tz),
    Channel(Option<String>),
    Allowance(u32),
    PromptTime(NaiveTime),
    PromptsEnabled(bool),
    Emoji(String),
    MedallionsPerYear(u32),
    Welcome(bool),
}

impl Store {
    fn workspace_columns(&self) -> &'static str {
        self.sql(WORKSPACE_COLUMNS, WORKSPACE_COLUMNS_PG)
    }

    pub async fn workspace(&self, id: WorkspaceId) -> anyhow::Result<Workspace> {
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE w.id = $1",
            self.workspace_columns()
        )))
        .bind(id)
        .fetch_one(pool)
        .await
        .map(super::db::one))
        .with_context(|| format!("loading workspace {id}"))?;
        workspace_from_row(&row)
    }

    pub async fn workspace_by_external(
        &self,
        platform: &str,
        external_id: &str,
    ) -> anyhow::Result<Option<Workspace>> {
        if let Some(ws) = self.cache.workspace(platform, external_id) {
            return Ok(Some(ws));
        }
        let seen = self.cache.epoch();
        let row = on_db!(self, |pool| sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE w.platform = $1 AND w.external_id = $2",
            self.workspace_columns()
        )))
        .bind(platform)
        .bind(external_id)
        .fetch_optional(pool)
        .await
        .map(super::db::opt))?;
        match row {
            Some(row) => {
                let ws = workspace_from_row(&row)?;
                self.cache.put_workspace(seen, &ws);
                Ok(Some(ws))
            }
            None => Ok(None),
        }
    }

    /// Workspaces whose name or external id is `key`, case-insensitively.
    pub async fn workspaces_named(&self, key: &str) -> anyhow::Result<Vec<Workspace>> {
        let rows = on_db!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{} WHERE w.name = $1 COLLATE NOCASE OR w.external_id = $1 OR \
                 w.platform || ':' \
             || w.external_id = $1 ORDER BY w.id",
                self.workspace_columns()
            )))
            .bind(key)
            .fetch_all(pool)
            .await
            .map(super::db::all)
        })?;
        rows.iter().map(workspace_from_row).collect()
    }

    pub async fn workspace_names(&self) -> anyhow::Result<Vec<String>> {
        Ok(on_db!(self, |pool| sqlx::query_scalar(
            "SELECT name FROM workspaces ORDER BY name"
        )
        .fetch_all(pool)
        .await)?)
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
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO workspaces (platform, external_id, name, timezone, \
             celebration_channel, \
             daily_allowance, prompt_time, prompts_enabled, kudos_emoji, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (platform, external_id) DO NOTHING RETURNING id",
            )
            .bind(platform)
            .bind(external_id)
            .bind(name)
            .bind(settings.timezone.name())
            .bind(&settings.celebration_channel)
            .bind(i64::from(settings.daily_allowance))
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
                        "INSERT INTO workspace_values (workspace_id, position, name) \
                         VALUES ($1, \
                     $2, $3)",
                    )
                    .bind(id)
                    .bind(position as i64)
                    .bind(value)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            anyhow::Ok(())
        })?;
        self.workspace_by_external(platform, external_id)
            .await?
            .context("workspace vanished after creation")
    }

    pub async fn rename_workspace(&self, id: WorkspaceId, name: &str) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE workspaces SET name = $1 WHERE id = $2 AND name <> $3"
        )
        .bind(name)
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .map(super::db::done))?;
        self.forget_workspace(id).await;
        Ok(())
    }

    pub async fn change_setting(
        &self,
        id: WorkspaceId,
        change: &SettingChange,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            let query = match change {
                SettingChange::Timezone(tz) => {
                    sqlx::query("UPDATE workspaces SET timezone = $1 WHERE id = $2").bind(tz.name())
                }
                SettingChange::Channel(channel) => {
                    sqlx::query("UPDATE workspaces SET celebration_channel = $1 WHERE id = $2")
                        .bind(channel.clone())
                }
                SettingChange::Allowance(n) => {
                    sqlx::query("UPDATE workspaces SET daily_allowance = $1 WHERE id = $2")
                        .bind(i64::from(*n))
                }
                SettingChange::PromptTime(t) => {
                    sqlx::query("UPDATE workspaces SET prompt_time = $1 WHERE id = $2")
                        .bind(t.format("%H:%M").to_string())
                }
                SettingChange::PromptsEnabled(on) => {
                    sqlx::query("UPDATE workspaces SET prompts_enabled = $1 WHERE id = $2")
                        .bind(*on)
                }
                SettingChange::Emoji(e) => {
                    sqlx::query("UPDATE workspaces SET kudos_emoji = $1 WHERE id = $2")
                        .bind(e.clone())
                }
                SettingChange::MedallionsPerYear(n) => {
                    sqlx::query("UPDATE workspaces SET medallions_per_year = $1 WHERE id = $2")
                        .bind(i64::from(*n))
                }
                SettingChange::Welcome(on) => {
                    sqlx::query("UPDATE workspaces SET welcome_enabled = $1 WHERE id = $2")
                        .bind(*on)
                }
            };
            query.bind(id).execute(pool).await?;
            // Any setting can move a post: the next tick re-plans this workspace.
            let mut conn = pool.acquire().await?;
            conn.wake_scheduler(id).await?;
            anyhow::Ok(())
        })?;
        self.forget_workspace(id).await;
        Ok(())
    }

    /// Appends a value tag; false when the workspace already has it.
    pub async fn add_value(&self, id: WorkspaceId, name: &str) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO workspace_values (workspace_id, position, name) \
             SELECT $1, COALESCE(MAX(position), -1) + 1, $2 FROM workspace_values WHERE \
              workspace_id = $1 \
             ON CONFLICT (workspace_id, name) DO NOTHING",
            )
            .bind(id)
            .bind(name)
            .execute(pool)
            .await
            .map(super::db::done)
        })?;
        self.forget_workspace(id).await;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove_value(&self, id: WorkspaceId, name: &str) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "DELETE FROM workspace_values WHERE workspace_id = $1 AND name = $2"
        )
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .map(super::db::done))?;
        self.forget_workspace(id).await;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_theme(&self, id: WorkspaceId, day: u8, theme: &Theme) -> anyhow::Result<()> {
        on_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO workspace_themes (workspace_id, day, title, prompt, \
                 action) VALUES \
             ($1, $2, $3, $4, $5) \
             ON CONFLICT (workspace_id, day) DO UPDATE SET title = excluded.title, \
             prompt = excluded.prompt, action = excluded.action",
            )
            .bind(id)
            .bind(i64::from(day))
            .bind(&theme.title)
            .bind(&theme.prompt)
            .bind(&theme.action)
            .execute(pool)
            .await
            .map(super::db::done)
        })?;
        self.forget_workspace(id).await;
        Ok(())
    }

    pub async fn reset_theme(&self, id: WorkspaceId, day: u8) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "DELETE FROM workspace_themes WHERE workspace_id = $1 AND day = $2"
        )
        .bind(id)
        .bind(i64::from(day))
        .execute(pool)
        .await
        .map(super::db::done))?;
        self.forget_workspace(id).await;
        Ok(())
    }
}

fn workspace_from_row(row: &impl Read) -> anyhow::Result<Workspace> {
    let tz_name: String = row.get("timezone");
    let time: String = row.get("prompt_time");
    let values: Vec<String> =
        serde_json::from_str(&row.get::<String, _>("values_json")).context("stored values")?;
    let weeks: Vec<(i32, String, String)> =
        serde_json::from_str(&row.get::<String, _>("weeks_json"))
            .context("stored week overrides")?;
    let themes: Vec<(u8, String, String, String)> =
        serde_json::from_str(&row.get::<String, _>("themes_json")).context("stored themes")?;
    Ok(Workspace {
        id: row.get("id"),
        platform: row.get("platform"),
        external_id: row.get("external_id"),
        name: row.get("name"),
        settings: Settings {
            timezone: tz_name
                .parse()
                .map_err(|_| anyhow::anyhow!("stored time zone '{tz_name}' is invalid"))?,
            celebration_channel: row.get("celebration_channel"),
            daily_allowance: u32::try_from(row.get::<i64, _>("daily_allowance")).unwrap_or(0),
            values,
            prompt_time: NaiveTime::parse_from_str(&time, "%H:%M")
                .with_context(|| format!("stored prompt time '{time}' is invalid"))?,
            prompts_enabled: row.get("prompts_enabled"),
            kudos_emoji: row.get("kudos_emoji"),
            medallions_per_year: u32::try_from(row.get::<i64, _>("medallions_per_year"))
                .unwrap_or(0),
            welcome_enabled: row.get("welcome_enabled"),
            weeks: weeks
                .into_iter()
                .filter_map(|(year, start, end)| {
                    let start: NaiveDate = start.parse().ok()?;
                    let end: NaiveDate = end.parse().ok()?;
                    Some((year, WeekDates::new(start, end)?))
                })
                .collect(),
            themes: themes
                .into_iter()
                .map(|(day, title, prompt, action)| {
                    (
                        day,
                        Theme {
                            title,
                            prompt,
                            action,
                        },
                    )
                })
                .collect(),
        },
    })
}
