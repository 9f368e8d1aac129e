//! Platform installs: the workspaces that added Spotlight through an OAuth flow, their sealed
//! tokens, and the one-time states that flow needs.

use chrono::Duration;

use super::Spotlight;
use crate::domain::error::Result;
use crate::store::{NewInstall, SealedInstall};

/// How long an install link stays valid.
const STATE_TTL_MINUTES: i64 = 10;

impl Spotlight {
    /// Starts an install: a one-time state for the platform's authorize page.
    pub async fn new_install_state(&self) -> Result<String> {
        let state = crate::secrets::random_token();
        self.store.save_oauth_state(&state, self.now()).await?;
        Ok(state)
    }

    /// True once for a state this app made in the last ten minutes.
    pub async fn take_install_state(&self, state: &str) -> Result<bool> {
        let not_before = self.now() - Duration::minutes(STATE_TTL_MINUTES);
        Ok(self.store.take_oauth_state(state, not_before).await?)
    }

    pub async fn save_install(&self, install: &NewInstall<'_>) -> Result<()> {
        self.store.save_slack_install(install, self.now()).await?;
        tracing::info!(team = install.team_id, "workspace installed");
        Ok(())
    }

    pub async fn install(&self, team_id: &str) -> Result<Option<SealedInstall>> {
        Ok(self.store.slack_install(team_id).await?)
    }

    /// The workspace removed the app: its token goes, its thank-yous stay.
    pub async fn forget_install(&self, team_id: &str) -> Result<bool> {
        let removed = self.store.remove_slack_install(team_id).await?;
        if removed {
            tracing::info!(
                team = team_id,
                "workspace uninstalled; its token is deleted"
            );
        }
        Ok(removed)
    }
}
