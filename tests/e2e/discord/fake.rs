//! A fake Discord on 127.0.0.1: the REST API serenity calls (recording every request) and a
//! gateway websocket that plays Hello, READY, heartbeat acks and the dispatches a test sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

pub const APP_ID: u64 = 900;
pub const GUILD_ID: u64 = 100;
pub const CHANNEL_ID: u64 = 200;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub authorization: Option<String>,
    /// When the fake received it.
    pub at: std::time::Instant,
}

/// How the fake ends a gateway session (`FakeDiscord::drop_gateway`).
#[derive(Debug, Clone, Copy)]
pub enum GatewayDrop {
    /// A Close frame with this code, then the socket ends.
    Close(u16),
    /// The TCP connection ends with no Close frame, as when a network path dies.
    Abrupt,
    /// op 7 Reconnect: Discord asks the bot to reconnect and resume.
    Reconnect,
    /// op 9 Invalid Session; `true` when the session may be resumed.
    InvalidSession(bool),
}

/// An instruction to the gateway task, sent down the dispatch channel.
const CONTROL: &str = "__fake_control";

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Request>>,
    changed: Notify,
    /// Failures to answer, by path prefix, for the next matching requests.
    failures: Mutex<HashMap<String, Vec<Failure>>>,
    /// The live gateway session: its number and where its dispatches go.
    dispatch: Mutex<Option<(u64, mpsc::UnboundedSender<Value>)>>,
    /// Gateway connections opened, IDENTIFYs and RESUMEs received.
    connections: std::sync::atomic::AtomicU64,
    identifies: std::sync::atomic::AtomicU64,
    resumes: std::sync::atomic::AtomicU64,
    identified: Notify,
    /// Each IDENTIFY's `d`, in the order received.
    identify_payloads: Mutex<Vec<Value>>,
    next_message_id: Mutex<u64>,
    /// Messages the fake knows, by id, for GET /channels/{c}/messages/{m}.
    messages: Mutex<HashMap<String, Value>>,
    /// Holds interaction callbacks this long before answering, to keep a command in flight.
    slow_callbacks: Mutex<Option<Duration>>,
    /// Where every request is also sent as it arrives (the load bench), and whether requests
    /// are kept for `requests()` (a long bench would keep them all).
    tap: Mutex<Option<mpsc::UnboundedSender<(std::time::Instant, Request)>>>,
    forget: std::sync::atomic::AtomicBool,
}

/// One injected failure: a status, and for a 429 the wait Discord asks for, as the
/// `Retry-After` header or only in the JSON body.
#[derive(Debug, Clone, Copy)]
struct Failure {
    status: u16,
    retry_after: Option<(f64, bool)>,
}

#[derive(Clone)]
pub struct FakeDiscord {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl FakeDiscord {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        *shared.next_message_id.lock().unwrap() = 5000;
        let state = (shared.clone(), format!("ws://{addr}"));
        let app = Router::new()
            .route("/", get(gateway))
            .route("/api/v10/gateway", get(gateway_url))
            .route("/api/v10/gateway/bot", get(gateway_bot))
            .route("/api/v10/applications/{app}/commands", any(register))
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                any(register),
            )
            .fallback(rest)
            .with_state(state);
        tokio::spawn(async move {
            use axum::serve::ListenerExt;
            // Gateway frames are small: without this each waits on Nagle and a delayed ACK.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base_url: format!("http://{addr}"),
            shared,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until a recorded request matches, and returns it.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Request) -> bool) -> Request {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.shared.changed.notified();
            if let Some(r) = self.requests().into_iter().find(|r| matches(r)) {
                return r;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {what}; requests so far: {:#?}",
                    self.requests()
                );
            }
        }
    }

    /// Answers the next request whose path starts with `prefix` with `status`.
    pub fn fail_next(&self, prefix: &str, status: u16) {
        self.push_failure(
            prefix,
            Failure {
                status,
                retry_after: None,
            },
        );
    }

    /// Answers the next request whose path starts with `prefix` with 429 and a wait of
    /// `seconds`, in the `Retry-After` header (`in_header`) or only as the body's `retry_after`.
    pub fn rate_limit_next(&self, prefix: &str, seconds: f64, in_header: bool) {
        self.push_failure(
            prefix,
            Failure {
                status: 429,
                retry_after: Some((seconds, in_header)),
            },
        );
    }

    fn push_failure(&self, prefix: &str, failure: Failure) {
        self.shared
            .failures
            .lock()
            .unwrap()
            .entry(prefix.to_string())
            .or_default()
            .push(failure);
    }

    /// Failures still waiting for a request.
    pub fn failures_left(&self) -> usize {
        self.shared
            .failures
            .lock()
            .unwrap()
            .values()
            .map(Vec::len)
            .sum()
    }

    /// (IDENTIFYs, RESUMEs) received so far.
    pub fn sessions(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::SeqCst;
        (
            self.shared.identifies.load(SeqCst),
            self.shared.resumes.load(SeqCst),
        )
    }

    /// The `d` of every IDENTIFY received so far (the shard, intents, token).
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.shared.identify_payloads.lock().unwrap().clone()
    }

    /// Gateway connections opened so far.
    pub fn connections(&self) -> u64 {
        self.shared
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ends the live gateway session the way `how` says.
    pub fn drop_gateway(&self, how: GatewayDrop) {
        let control = match how {
            GatewayDrop::Close(code) => json!({CONTROL: "close", "code": code}),
            GatewayDrop::Abrupt => json!({CONTROL: "abrupt"}),
            GatewayDrop::Reconnect => json!({CONTROL: "send", "frame": {"op": 7, "d": null}}),
            GatewayDrop::InvalidSession(resumable) => {
                json!({CONTROL: "send", "frame": {"op": 9, "d": resumable}})
            }
        };
        self.send_on_gateway(control);
    }

    /// Waits (up to 20 s: a fresh IDENTIFY waits out serenity's 5 s between shard starts)
    /// until the bot has identified or resumed `n` times in all.
    pub async fn wait_sessions(&self, n: u64) {
        let reached = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let notified = self.shared.identified.notified();
                let (i, r) = self.sessions();
                if i + r >= n && self.shared.dispatch.lock().unwrap().is_some() {
                    return;
                }
                notified.await;
            }
        })
        .await;
        assert!(
            reached.is_ok(),
            "the bot did not come back: {:?} sessions",
            self.sessions()
        );
    }

    /// Every request from now on, with the instant it arrived; requests stop being kept.
    #[allow(dead_code)]
    pub fn tap(&self) -> mpsc::UnboundedReceiver<(std::time::Instant, Request)> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.shared.tap.lock().unwrap() = Some(tx);
        self.shared
            .forget
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.shared.requests.lock().unwrap().clear();
        rx
    }

    pub fn slow_callbacks(&self, by: Duration) {
        *self.shared.slow_callbacks.lock().unwrap() = Some(by);
    }

    /// A message in a channel, written by `author` (a user object).
    pub fn add_message(&self, channel: u64, id: u64, author: Value, content: &str) {
        let mut m = message(id, &channel.to_string(), &json!({"content": content}));
        m["author"] = author;
        self.shared
            .messages
            .lock()
            .unwrap()
            .insert(id.to_string(), m);
    }

    pub async fn wait_identified(&self) {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if self.shared.dispatch.lock().unwrap().is_some() {
                    return;
                }
                self.shared.identified.notified().await;
            }
        })
        .await
        .expect("the bot identified on the gateway");
    }

    /// Sends a dispatch (`op 0`) with event name `t` on the gateway.
    pub fn dispatch(&self, t: &str, d: Value) {
        self.send_on_gateway(json!({"op": 0, "t": t, "d": d}));
    }

    fn send_on_gateway(&self, frame: Value) {
        let (_, tx) = self
            .shared
            .dispatch
            .lock()
            .unwrap()
            .clone()
            .expect("gateway connected");
        tx.send(frame).unwrap();
    }
}

async fn gateway_url(State((_, ws)): State<(Arc<Shared>, String)>) -> Json<Value> {
    Json(json!({ "url": ws }))
}

async fn gateway_bot(State((_, ws)): State<(Arc<Shared>, String)>) -> Json<Value> {
    Json(json!({
        "url": ws, "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    }))
}

/// Command registration: echo the commands back with the fields Discord adds.
async fn register(
    State((shared, _)): State<(Arc<Shared>, String)>,
    method: Method,
    uri: Uri,
    Json(body): Json<Value>,
) -> Json<Value> {
    record(&shared, method.as_str(), uri.path(), body.clone(), None);
    let echoed: Vec<Value> = body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c["id"] = json!((7000 + i).to_string());
            c["application_id"] = json!(APP_ID.to_string());
            c["version"] = json!("1");
            if c.get("type").is_none() {
                c["type"] = json!(1);
            }
            // Discord answers "" for context-menu commands, which have none.
            if c.get("description").is_none() {
                c["description"] = json!("");
            }
            c
        })
        .collect();
    Json(Value::Array(echoed))
}

async fn rest(
    State((shared, _)): State<(Arc<Shared>, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // A file upload is multipart: kept as its text, for tests to read.
    let body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| match body.is_empty() {
        true => Value::Null,
        false => Value::String(String::from_utf8_lossy(&body).into_owned()),
    });
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let path = uri.path().to_string();
    let failure = {
        let mut failures = shared.failures.lock().unwrap();
        failures
            .iter_mut()
            .find(|(prefix, codes)| path.starts_with(prefix.as_str()) && !codes.is_empty())
            .map(|(_, codes)| codes.remove(0))
    };
    record(&shared, method.as_str(), &path, body.clone(), auth);
    if let Some(failure) = failure {
        let status = StatusCode::from_u16(failure.status).unwrap();
        if let Some((seconds, in_header)) = failure.retry_after {
            // Discord's 429 body has no `code`.
            let body = Json(json!({"message": "You are being rate limited.",
                "retry_after": seconds, "global": false}));
            let mut response = (status, body).into_response();
            if in_header {
                response
                    .headers_mut()
                    .insert("retry-after", seconds.to_string().parse().unwrap());
            }
            return response;
        }
        return (
            status,
            Json(json!({"message": "fake failure", "code": 50013})),
        )
            .into_response();
    }
    if method == Method::POST && path == "/api/v10/users/@me/channels" {
        // A direct-message channel numbered after its recipient.
        let recipient = body["recipient_id"].as_str().unwrap_or("0").to_string();
        let channel = json!({"id": format!("6{recipient}"), "type": 1, "last_message_id": null,
            "recipients": [{"id": recipient, "username": "member", "discriminator": "0"}]});
        return Json(channel).into_response();
    }
    if method == Method::GET {
        if let Some(id) = path
            .strip_prefix("/api/v10/channels/")
            .and_then(|rest| rest.split("/messages/").nth(1))
        {
            if let Some(m) = shared.messages.lock().unwrap().get(id) {
                return Json(m.clone()).into_response();
            }
        }
    }
    if path.ends_with("/callback") {
        let slow = *shared.slow_callbacks.lock().unwrap();
        if let Some(by) = slow {
            tokio::time::sleep(by).await;
        }
        return StatusCode::NO_CONTENT.into_response();
    }
    if let Some(channel) = path
        .strip_prefix("/api/v10/channels/")
        .and_then(|rest| rest.strip_suffix("/messages"))
    {
        let id = {
            let mut next = shared.next_message_id.lock().unwrap();
            *next += 1;
            *next
        };
        return Json(message(id, channel, &body)).into_response();
    }
    if path.starts_with("/api/v10/webhooks/") {
        return Json(message(1, &CHANNEL_ID.to_string(), &body)).into_response();
    }
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "Unknown", "code": 0})),
    )
        .into_response()
}

/// A Message object as serenity needs it.
pub fn message(id: u64, channel: &str, body: &Value) -> Value {
    json!({
        "id": id.to_string(), "channel_id": channel,
        "author": {"id": APP_ID.to_string(), "username": "Spotlight", "discriminator": "0", "bot": true},
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-10-05T09:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "pinned": false, "type": 0
    })
}

fn record(shared: &Shared, method: &str, path: &str, body: Value, authorization: Option<String>) {
    let request = Request {
        method: method.to_string(),
        path: path.to_string(),
        body,
        authorization,
        at: std::time::Instant::now(),
    };
    if let Some(tap) = shared.tap.lock().unwrap().as_ref() {
        let _ = tap.send((std::time::Instant::now(), request.clone()));
    }
    if !shared.forget.load(std::sync::atomic::Ordering::Relaxed) {
        shared.requests.lock().unwrap().push(request);
    }
    shared.changed.notify_waiters();
}

async fn gateway(
    State((shared, _)): State<(Arc<Shared>, String)>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| play_gateway(socket, shared))
}

async fn play_gateway(mut socket: WebSocket, shared: Arc<Shared>) {
    use std::sync::atomic::Ordering::SeqCst;
    let session = shared.connections.fetch_add(1, SeqCst) + 1;
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 1000}, "s": null, "t": null});
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    // Sequence numbers go on across a resumed session, as Discord's do.
    let mut seq = 0u64;
    let mut abrupt = false;
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(frame)) = incoming else { break };
                let Message::Text(text) = frame else { continue };
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match v["op"].as_u64() {
                    Some(op @ (2 | 6)) => {
                        let (name, d) = if op == 2 {
                            shared.identify_payloads.lock().unwrap().push(v["d"].clone());
                            ("READY", super::payloads::ready())
                        } else {
                            seq = v["d"]["seq"].as_u64().unwrap_or(0);
                            ("RESUMED", json!({}))
                        };
                        seq += 1;
                        let frame = json!({"op": 0, "t": name, "s": seq, "d": d});
                        if socket.send(Message::Text(frame.to_string().into())).await.is_err() { break; }
                        *shared.dispatch.lock().unwrap() = Some((session, tx.clone()));
                        let counter = if op == 2 { &shared.identifies } else { &shared.resumes };
                        counter.fetch_add(1, SeqCst);
                        shared.identified.notify_waiters();
                    }
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if socket.send(Message::Text(ack.to_string().into())).await.is_err() { break; }
                    }
                    _ => {}
                }
            }
            Some(mut event) = rx.recv() => {
                match event[CONTROL].as_str() {
                    Some("close") => {
                        let code = event["code"].as_u64().unwrap_or(4000) as u16;
                        let close = axum::extract::ws::CloseFrame { code, reason: "fake".into() };
                        let _ = socket.send(Message::Close(Some(close))).await;
                        // Nothing more is sent on this session; the bot ends the socket.
                        shared.dispatch.lock().unwrap().take();
                        continue;
                    }
                    Some("abrupt") => {
                        abrupt = true;
                        break;
                    }
                    Some(_) => {
                        let frame = event["frame"].clone();
                        if socket.send(Message::Text(frame.to_string().into())).await.is_err() { break; }
                        continue;
                    }
                    None => {}
                }
                seq += 1;
                event["s"] = json!(seq);
                if socket.send(Message::Text(event.to_string().into())).await.is_err() { break; }
            }
        }
    }
    // Only this session's own sender is cleared: a newer session may have started already.
    let mut dispatch = shared.dispatch.lock().unwrap();
    if dispatch.as_ref().is_some_and(|(s, _)| *s == session) {
        dispatch.take();
    }
    drop(dispatch);
    if abrupt {
        // Dropping the socket here ends the TCP connection without a Close frame.
        drop(socket);
    }
}
