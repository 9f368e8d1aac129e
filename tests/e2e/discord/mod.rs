//! The real Discord adapter (serenity + poise) against a fake Discord on 127.0.0.1.

pub mod fake;
mod payloads;
mod refusals;
mod tests;

use spotlight::secrets::Secret;
use tokio::sync::oneshot;

use crate::support::TestApp;
use fake::{FakeDiscord, GUILD_ID};

/// The bot running against the fake, with its own database and clock.
pub struct Bot {
    pub fake: FakeDiscord,
    pub test: TestApp,
    stop: Option<oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Bot {
    pub async fn start(at: &str) -> Self {
        Self::start_with(at, true).await
    }

    /// `dev_guild`: register commands in the test guild rather than globally.
    pub async fn start_with(at: &str, dev_guild: bool) -> Self {
        Self::start_configured(at, dev_guild, false).await
    }

    /// `posts`: run the week's scheduler (ticking every 50 ms) instead of switching posts off.
    pub async fn start_configured(at: &str, dev_guild: bool, posts: bool) -> Self {
        if let Ok(level) = std::env::var("SPOTLIGHT_TEST_LOG") {
            let config = spotlight::config::LogConfig {
                format: spotlight::config::LogFormat::Pretty,
                level,
            };
            spotlight::telemetry::init(&config, false);
        }
        let fake = FakeDiscord::start().await;
        let base = fake.base_url.clone();
        let test = TestApp::with_config(at, move |c| {
            c.discord.api_base_url = base;
            c.scheduler.tick_ms = 50;
            c.defaults.prompts_enabled = posts;
            if dev_guild {
                c.discord.dev_guild_id = GUILD_ID.to_string();
            }
        })
        .await;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = test.app.clone();
        let running = tokio::spawn(async move {
            spotlight::discord::run(app, Secret::new("fake-token"), async {
                let _ = stopped.await;
            })
            .await
        });
        fake.wait_identified().await;
        fake.wait_for("command registration", |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await;
        Self {
            fake,
            test,
            stop: Some(stop),
            running,
        }
    }

    /// Sends SIGTERM's equivalent and waits for the bot to finish; the database stays.
    pub async fn stop(mut self) -> anyhow::Result<TestApp> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(std::time::Duration::from_secs(10), &mut self.running)
            .await
            .expect("the bot stops within 10 s")
            .expect("the bot task does not panic")?;
        Ok(self.test)
    }
}
