//! The one place the application's state is built, so tests build exactly what runs.

use std::sync::Arc;

use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::themes::Plan;
use crate::service::Spotlight;
use crate::store::Store;
use crate::telemetry::health::Health;

#[derive(Debug, Clone)]
pub struct App {
    pub config: Config,
    pub spotlight: Spotlight,
    /// Each configured platform's connection, as its adapter last saw it.
    pub health: Health,
}

impl App {
    /// Opens the database (applying migrations), loads the week's plan and wires the core.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let plan = Plan::load(&config.prompts.file)?;
        let store = Store::connect(&config.database)
            .await
            .context("database.url")?;
        let spotlight = Spotlight::new(store, clock, &config, plan)?;
        crate::telemetry::metrics::handle();
        Ok(Self {
            config,
            spotlight,
            health: Health::default(),
        })
    }

    pub async fn shutdown(&self) {
        self.spotlight.store().close().await;
    }
}
