//! The real Discord adapter (serenity + poise) against a fake Discord on 127.0.0.1.

mod awards;
pub mod fake;
pub mod payloads;
mod refusals;
mod shards;
mod tests;
mod yearround;

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
        Self::start_tweaked(at, move |c| {
            c.defaults.prompts_enabled = posts;
            if dev_guild {
                c.discord.dev_guild_id = GUILD_ID.to_string();
            }
        })
        .await
    }

    /// On the fake with the week's posts off, and `tweak` made to the configuration last.
    pub async fn start_tweaked(
        at: &str,
        tweak: impl FnOnce(&mut spotlight::config::Config),
    ) -> Self {
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
            c.defaults.prompts_enabled = false;
            tweak(c);
        })
        .await;
        Self::start_on(fake, test).await
    }

    /// The bot on an existing fake and database (a restart): returns once it has connected and
    /// registered its commands anew.
    pub async fn start_on(fake: FakeDiscord, test: TestApp) -> Self {
        let (identified, resumed) = fake.sessions();
        let registered = |fake: &FakeDiscord| {
            fake.requests()
                .iter()
                .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
                .count()
        };
        let registrations = registered(&fake);
        let (stop, stopped) = oneshot::channel::<()>();
        let app = test.app.clone();
        let running = tokio::spawn(async move {
            spotlight::discord::run(app, Secret::new("fake-token"), async {
                let _ = stopped.await;
            })
            .await
        });
        fake.wait_sessions(identified + resumed + 1).await;
        fake.wait_for("command registration", |_| {
            registered(&fake) > registrations
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

impl Bot {
    /// "Give kudos" on a message by `author` in the test channel, with `text` in the form: the
    /// message command `id`, then the form submitted as `id + 1`. Returns the form Discord was
    /// asked to show, and the follow-up that answered the submission.
    pub async fn give_kudos_on_message(
        &self,
        id: u64,
        caller: &serde_json::Value,
        author: serde_json::Value,
        text: &str,
    ) -> (fake::Request, fake::Request) {
        use payloads::{message_command, modal_submit};
        let mut msg = fake::message(
            777,
            &fake::CHANNEL_ID.to_string(),
            &serde_json::json!({"content": "Refund done!"}),
        );
        msg["author"] = author;
        self.fake.dispatch(
            "INTERACTION_CREATE",
            message_command(id, caller, "Give kudos", &msg),
        );
        let path = format!("/interactions/{id}/");
        let modal = self
            .fake
            .wait_for("the modal", |r| r.path.contains(&path))
            .await;
        let custom_id = modal.body["data"]["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        self.fake.dispatch(
            "INTERACTION_CREATE",
            modal_submit(id + 1, caller, &custom_id, &[("message", text)]),
        );
        let hook = format!("/api/v10/webhooks/{}/token-{id}", fake::APP_ID);
        let followup = self
            .fake
            .wait_for("the answer to the form", |r| {
                r.method == "POST" && r.path.starts_with(&hook)
            })
            .await;
        (modal, followup)
    }
}
