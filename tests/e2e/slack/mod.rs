//! The real Slack adapter (slack-morphism, the app's HTTP server) against a fake Slack Web API
//! on 127.0.0.1, with every request signed the way Slack signs it.

mod awards;
pub mod fake;
mod manifest;
mod tests;
mod yearround;

use std::net::SocketAddr;

use hmac::{KeyInit, Mac};
use serde_json::Value;
use spotlight::secrets::Secret;
use spotlight::slack::SlackCredentials;
use tokio::sync::oneshot;

use crate::support::TestApp;
use fake::{FakeSlack, TEAM};

pub const SECRET: &str = "test-signing-secret";

/// `v0=` HMAC-SHA256 over `v0:{timestamp}:{body}`, as Slack signs requests.
pub fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn now_ts() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The private reply's text, as Slack shows it in notifications.
    pub fn text(&self) -> String {
        self.json()["text"].as_str().unwrap_or_default().to_string()
    }
}

/// The bot running against the fake, with its own database, clock and HTTP server.
pub struct SlackBot {
    pub fake: FakeSlack,
    pub test: TestApp,
    pub addr: SocketAddr,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl SlackBot {
    pub async fn start(at: &str) -> Self {
        Self::start_with(
            at,
            SlackCredentials {
                signing_secret: Secret::new(SECRET),
                bot_token: Some(Secret::new("xoxb-test")),
                oauth: None,
                app_token: None,
            },
        )
        .await
    }

    /// Installable in many workspaces, with no token of its own.
    pub async fn start_oauth(at: &str) -> Self {
        Self::start_with(at, Self::start_oauth_credentials()).await
    }

    pub async fn start_with(at: &str, credentials: SlackCredentials) -> Self {
        Self::start_on(at, credentials, None).await
    }

    /// With `oauth` credentials, on the database at `database` when given (several processes
    /// sharing one PostgreSQL).
    pub async fn start_oauth_on(at: &str, database: &str) -> Self {
        let oauth = Self::start_oauth_credentials();
        Self::start_on(at, oauth, Some(database.to_string())).await
    }

    fn start_oauth_credentials() -> SlackCredentials {
        SlackCredentials {
            signing_secret: Secret::new(SECRET),
            bot_token: None,
            oauth: Some(spotlight::slack::OAuthApp {
                client_id: "123.456".into(),
                client_secret: Secret::new("client-secret"),
                vault: spotlight::secrets::Vault::new(&Secret::new("test key")),
            }),
            app_token: None,
        }
    }

    async fn start_on(at: &str, credentials: SlackCredentials, database: Option<String>) -> Self {
        let has_token = credentials.bot_token.is_some();
        let fake = FakeSlack::start().await;
        fake.add_user("UANA", "ana");
        fake.add_user("UDANA", "dana");
        fake.add_user("ULI", "li");
        fake.add_user("UGUS", "gus");
        fake.add_admin("UBOSS", "boss");
        fake.add_bot("UROBO", "robo");
        let base = fake.base_url.clone();
        let test = TestApp::with_config(at, move |c| {
            c.slack.api_base_url = base;
            c.scheduler.tick_ms = 50;
            c.defaults.prompts_enabled = false;
            if let Some(url) = database {
                c.database.url = url;
            }
        })
        .await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let app = test.app.clone();
        let platforms = spotlight::run::Platforms {
            discord: None,
            slack: Some(credentials),
        };
        let running = tokio::spawn(spotlight::run::run(
            app,
            platforms,
            spotlight::run::Listeners {
                http: listener,
                metrics: None,
            },
            async {
                let _ = stopped.await;
            },
        ));
        if has_token {
            fake.wait_for("auth.test", |_| true).await;
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            fake,
            test,
            addr,
            http,
            stop: Some(stop),
            running,
        }
    }

    /// POSTs `body` to `path`, signed now with the right secret.
    pub async fn signed(&self, path: &str, content_type: &str, body: &str) -> Reply {
        let ts = now_ts();
        self.send(
            path,
            content_type,
            body,
            Some((&sign(SECRET, &ts, body), &ts)),
        )
        .await
    }

    pub async fn send(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
        signature: Option<(&str, &str)>,
    ) -> Reply {
        let mut request = self
            .http
            .post(format!("http://{}{path}", self.addr))
            .header("content-type", content_type)
            .body(body.to_string());
        if let Some((sig, ts)) = signature {
            request = request
                .header("x-slack-signature", sig)
                .header("x-slack-request-timestamp", ts);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.unwrap(),
        }
    }

    /// A slash command as Slack sends it, from `user` in channel C1.
    pub async fn command(&self, user: &str, command: &str, text: &str) -> Reply {
        let hook = self.fake.base_url.replace("/api", "/hooks/1");
        let body = command_body(user, command, text).replace(
            "response_url=http%3A%2F%2F127.0.0.1%3A9%2Fresponse",
            &format!("response_url={}", urlencode(&hook)),
        );
        self.signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            &body,
        )
        .await
    }

    pub async fn event(&self, event: Value, event_id: &str) -> Reply {
        let body = serde_json::json!({
            "type": "event_callback", "team_id": TEAM, "api_app_id": "A1",
            "event_id": event_id, "event_time": 1760000000, "event": event
        });
        self.signed("/slack/events", "application/json", &body.to_string())
            .await
    }

    pub async fn stop(mut self) -> TestApp {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(std::time::Duration::from_secs(10), &mut self.running)
            .await
            .expect("the bot stops within 10 s")
            .expect("the bot task does not panic")
            .expect("the bot ends cleanly");
        self.test
    }
}

pub fn command_body(user: &str, command: &str, text: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "legacy"),
        ("team_id", TEAM),
        ("team_domain", "acme"),
        ("channel_id", "C1"),
        ("channel_name", "general"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", command),
        ("text", text),
        ("api_app_id", "A1"),
        ("response_url", "http://127.0.0.1:9/response"),
        ("trigger_id", &format!("trigger-{}", rand_id())),
    ])
    .unwrap()
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

impl SlackBot {
    /// An interaction payload (`payload=<json>`), signed.
    pub async fn interaction(&self, payload: Value) -> Reply {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &body,
        )
        .await
    }
}

/// Submits a form Slack opened, as the user filled it in: `state` is the view's state values.
pub fn submission(opened: &Value, user: &str, state: Value) -> Value {
    let mut view = opened.clone();
    view["state"] = serde_json::json!({ "values": state });
    serde_json::json!({
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": "someone", "team_id": TEAM},
        "api_app_id": "A1",
        "trigger_id": "trigger-view",
        "view": view
    })
}

impl SlackBot {
    /// A browser's GET: the status, the redirect target if any, and the page.
    pub async fn get(&self, path: &str) -> (u16, Option<String>, String) {
        let response = self
            .http
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (
            response.status().as_u16(),
            location,
            response.text().await.unwrap(),
        )
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}
