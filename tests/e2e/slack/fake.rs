//! A fake Slack Web API on 127.0.0.1 that records every call; errors (`ok: false`) and rate
//! limits (429 with Retry-After) can be injected per method.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

pub const TEAM: &str = "T1";
pub const BOT: &str = "UBOT";

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub auth: Option<String>,
    /// JSON body, form fields, or query parameters, as one object.
    pub body: Value,
    /// When the fake received it.
    pub at: std::time::Instant,
}

enum Failure {
    Error(String),
    RateLimit(u64),
    /// An HTTP status with no Slack answer, as a failing load balancer sends.
    Status(u16),
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    users: HashMap<String, Value>,
    failures: Vec<(String, Failure)>,
    /// The Socket Mode address handed out by apps.connections.open.
    socket_url: String,
    /// User groups: (id, members).
    groups: Vec<(String, Vec<String>)>,
    /// The open Socket Mode connection, if any, and how many were opened.
    socket: Option<tokio::sync::mpsc::UnboundedSender<String>>,
    sockets_opened: usize,
    /// Frames the bot sent back (acknowledgements).
    acks: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeSlack {
    /// The API base, with `/api`.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeSlack {
    pub async fn start() -> Self {
        let inner: Arc<Mutex<Inner>> = Arc::default();
        let app = Router::new()
            .route("/api/{method}", any(api))
            .route("/socket", any(socket))
            .route("/hooks/{id}", any(hook))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base_url = format!("http://{addr}/api");
        inner.lock().unwrap().socket_url = format!("ws://{addr}/socket");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base_url, inner }
    }

    /// A member of the team, as `users.info` describes them.
    pub fn add_user(&self, id: &str, name: &str) {
        self.put_user(id, name, json!({}));
    }

    pub fn add_bot(&self, id: &str, name: &str) {
        self.put_user(id, name, json!({"is_bot": true}));
    }

    pub fn add_admin(&self, id: &str, name: &str) {
        self.put_user(id, name, json!({"is_admin": true}));
    }

    fn put_user(&self, id: &str, name: &str, flags: Value) {
        let mut user = json!({
            "id": id, "team_id": TEAM, "name": name.to_lowercase(), "real_name": name,
            "profile": {"display_name": name, "real_name": name}
        });
        for (k, v) in flags.as_object().unwrap() {
            user[k] = v.clone();
        }
        self.inner.lock().unwrap().users.insert(id.into(), user);
    }

    /// A user group and its members, as usergroups.list describes it.
    pub fn add_group(&self, id: &str, handle: &str, members: &[&str]) {
        let _ = handle;
        self.inner.lock().unwrap().groups.push((
            id.to_string(),
            members.iter().map(|m| m.to_string()).collect(),
        ));
    }

    /// The next call to `method` answers `{"ok": false, "error": code}`.
    pub fn fail_next(&self, method: &str, code: &str) {
        self.inner
            .lock()
            .unwrap()
            .failures
            .push((method.into(), Failure::Error(code.into())));
    }

    /// The next call to `method` answers 429 with `Retry-After: seconds`.
    pub fn rate_limit_next(&self, method: &str, seconds: u64) {
        self.inner
            .lock()
            .unwrap()
            .failures
            .push((method.into(), Failure::RateLimit(seconds)));
    }

    /// The next call to `method` answers HTTP `status` (a 5xx) with no Slack body.
    pub fn status_next(&self, method: &str, status: u16) {
        self.inner
            .lock()
            .unwrap()
            .failures
            .push((method.into(), Failure::Status(status)));
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Posts to channels, leaving out direct messages (posted to a user id: welcomes, books).
    pub fn channel_posts(&self) -> Vec<Call> {
        self.calls("chat.postMessage")
            .into_iter()
            .filter(|c| !is_dm(c))
            .collect()
    }

    /// Sends a frame on the open Socket Mode connection.
    pub fn send_frame(&self, frame: Value) {
        let inner = self.inner.lock().unwrap();
        let socket = inner
            .socket
            .as_ref()
            .expect("a Socket Mode connection is open");
        socket.send(frame.to_string()).unwrap();
    }

    pub fn sockets_opened(&self) -> usize {
        self.inner.lock().unwrap().sockets_opened
    }

    /// Waits (up to 10 s) for the acknowledgement of `envelope`.
    pub async fn ack_of(&self, envelope: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found = {
                let inner = self.inner.lock().unwrap();
                inner
                    .acks
                    .iter()
                    .find(|a| a["envelope_id"] == envelope)
                    .cloned()
            };
            if let Some(ack) = found {
                return ack;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no ack of {envelope}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (up to 10 s) until `n` Socket Mode connections have been opened.
    pub async fn wait_sockets(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.sockets_opened() < n || self.inner.lock().unwrap().socket.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} sockets",
                self.sockets_opened()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (up to 10 s) for a call to `method` that `matches`.
    pub async fn wait_for(&self, method: &str, matches: impl Fn(&Call) -> bool) -> Call {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(c) = self.calls(method).into_iter().find(|c| matches(c)) {
                return c;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {method}; calls so far: {:#?}",
                self.inner.lock().unwrap().calls
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn api(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(method): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut fields = if body.trim_start().starts_with('{') {
        serde_json::from_str(&body).unwrap_or(Value::Null)
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    };
    if !fields.is_object() {
        fields = json!({});
    }
    for (k, v) in query {
        fields[k] = Value::String(v);
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut inner = inner.lock().unwrap();
    inner.calls.push(Call {
        method: method.clone(),
        auth,
        body: fields.clone(),
        at: std::time::Instant::now(),
    });
    if let Some(i) = inner.failures.iter().position(|(m, _)| *m == method) {
        return match inner.failures.remove(i).1 {
            Failure::Error(code) => Json(json!({"ok": false, "error": code})).into_response(),
            Failure::RateLimit(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response(),
            Failure::Status(code) => (
                StatusCode::from_u16(code).unwrap(),
                "upstream connect error",
            )
                .into_response(),
        };
    }
    let reply = match method.as_str() {
        "usergroups.list" => {
            let groups: Vec<Value> = inner
                .groups
                .iter()
                .map(|(id, users)| {
                    json!({"id": id, "team_id": TEAM, "name": id, "handle": id,
                    "is_external": false, "date_create": 1700000000, "created_by": "UBOSS",
                    "prefs": {"channels": [], "groups": []}, "users": users,
                    "user_count": users.len()})
                })
                .collect();
            json!({"ok": true, "usergroups": groups})
        }
        "apps.connections.open" => json!({"ok": true, "url": inner.socket_url}),
        "auth.test" => json!({"ok": true, "url": "https://acme.slack.com/", "team": "Acme",
            "user": "spotlight", "team_id": TEAM, "user_id": BOT}),
        "users.info" => {
            let id = fields["user"].as_str().unwrap_or_default();
            match inner.users.get(id) {
                Some(user) => json!({"ok": true, "user": user}),
                None => json!({"ok": false, "error": "user_not_found"}),
            }
        }
        "chat.postMessage" => {
            let n = inner.calls.len();
            json!({"ok": true, "channel": fields["channel"], "ts": format!("1760000000.{n:06}"),
                "message": {"type": "message", "text": fields["text"], "ts": format!("1760000000.{n:06}")}})
        }
        "views.open" | "views.publish" => {
            let mut view = match &fields["view"] {
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            let n = inner.calls.len();
            view["id"] = json!(format!("V{n}"));
            view["team_id"] = json!(TEAM);
            view["hash"] = json!(format!("hash-{n}"));
            json!({"ok": true, "view": view})
        }
        "oauth.v2.access" => json!({"ok": true, "access_token": "xoxb-installed",
            "token_type": "bot", "scope": "commands,chat:write,users:read,reactions:read,im:write",
            "bot_user_id": BOT, "app_id": "A1", "team": {"id": TEAM, "name": "Acme"},
            "authed_user": {"id": "UBOSS"}}),
        "chat.postEphemeral" => json!({"ok": true, "message_ts": "1760000000.999999"}),
        _ => json!({"ok": true}),
    };
    Json(reply).into_response()
}

async fn socket(
    State(inner): State<Arc<Mutex<Inner>>>,
    ws: axum::extract::ws::WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |mut ws| async move {
        use axum::extract::ws::Message;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        {
            let mut inner = inner.lock().unwrap();
            inner.socket = Some(tx);
            inner.sockets_opened += 1;
        }
        let hello = json!({"type": "hello", "num_connections": 1,
            "debug_info": {"host": "fake-applink"}, "connection_info": {"app_id": "A1"}});
        if ws
            .send(Message::Text(hello.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
        loop {
            tokio::select! {
                out = rx.recv() => {
                    let Some(out) = out else { break };
                    let closing = out.contains("\"disconnect\"");
                    if ws.send(Message::Text(out.into())).await.is_err() || closing {
                        let _ = ws.send(Message::Close(None)).await;
                        break;
                    }
                }
                incoming = ws.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Ok(v) = serde_json::from_str::<Value>(&text) {
                            inner.lock().unwrap().acks.push(v);
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        inner.lock().unwrap().socket = None;
    })
}

/// A command's response_url: what the bot sends there is recorded as method "response_url".
async fn hook(State(inner): State<Arc<Mutex<Inner>>>, body: String) -> Response {
    let body = serde_json::from_str(&body).unwrap_or(Value::Null);
    inner.lock().unwrap().calls.push(Call {
        method: "response_url".into(),
        auth: None,
        body,
        at: std::time::Instant::now(),
    });
    Json(json!({"ok": true})).into_response()
}

/// A post to a user id (Slack opens the bot's DM with them), not to a channel.
pub fn is_dm(c: &Call) -> bool {
    c.body["channel"]
        .as_str()
        .is_some_and(|ch| ch.starts_with('U'))
}
