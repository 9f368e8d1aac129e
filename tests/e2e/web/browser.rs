//! A minimal Chrome DevTools Protocol driver for end-to-end tests.
//!
//! It talks to a real headless Chromium over one websocket so tests exercise
//! the same CSP, layout and print code paths a user's browser would, without
//! pulling a browser-automation framework (and its download step) into the
//! build. Everything is bounded by timeouts: a broken page must fail a test,
//! never hang it.

// As a module of a test binary, whatever API one binary's tests don't call
// would otherwise fail `clippy -D warnings` as dead code.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Chromium on a loaded 2-core machine can take several seconds to start.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Generous because screenshots and PDFs of long pages are slow to render.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// A test page that has not loaded in this long is broken, not slow.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);
const POLL_INTERVAL: Duration = Duration::from_millis(20);

type Reply = Result<Value, String>;

/// What one tab has seen, filled in by the reader task so that `console()`
/// stays synchronous and nothing is lost between two test calls.
struct PageState {
    console: Mutex<Vec<String>>,
    /// Counts `Page.loadEventFired`; a counter (not a flag) lets a waiter
    /// take a snapshot before navigating and so never miss a fast load.
    loads: watch::Sender<u64>,
}

impl PageState {
    fn push(&self, line: String) {
        self.console.lock().unwrap().push(line);
    }

    fn on_event(&self, method: &str, params: &Value) {
        match method {
            "Page.loadEventFired" => self.loads.send_modify(|n| *n += 1),
            "Runtime.consoleAPICalled" => {
                let kind = params["type"].as_str().unwrap_or("log");
                let args: Vec<String> = params["args"]
                    .as_array()
                    .map(|a| a.iter().map(remote_object_text).collect())
                    .unwrap_or_default();
                self.push(format!("console.{kind}: {}", args.join(" ")));
            }
            "Runtime.exceptionThrown" => {
                self.push(format!(
                    "exception: {}",
                    exception_text(&params["exceptionDetails"])
                ));
            }
            "Log.entryAdded" => {
                // CSP violations arrive here (source "security"), not as
                // console API calls, which is why the Log domain is enabled.
                let e = &params["entry"];
                let mut line = format!(
                    "log.{} [{}]: {}",
                    e["level"].as_str().unwrap_or("?"),
                    e["source"].as_str().unwrap_or("?"),
                    e["text"].as_str().unwrap_or("")
                );
                if let Some(url) = e["url"].as_str().filter(|u| !u.is_empty()) {
                    line.push_str(&format!(" ({url})"));
                }
                self.push(line);
            }
            "Inspector.targetCrashed" => self.push("page crashed".to_string()),
            _ => {}
        }
    }
}

fn remote_object_text(o: &Value) -> String {
    match &o["value"] {
        Value::String(s) => s.clone(),
        Value::Null => o["description"]
            .as_str()
            .or(o["unserializableValue"].as_str())
            .or(o["type"].as_str())
            .unwrap_or("")
            .to_string(),
        v => v.to_string(),
    }
}

fn exception_text(details: &Value) -> String {
    // `description` holds the message and stack; `text` alone is often just
    // "Uncaught", which would make a failing test useless to read.
    details["exception"]["description"]
        .as_str()
        .or(details["exception"]["value"].as_str())
        .or(details["text"].as_str())
        .unwrap_or("unknown JavaScript exception")
        .to_string()
}

/// The shared websocket: replies are routed by id to whoever is awaiting
/// them, events by sessionId to their page, so many pages can run at once.
struct Conn {
    next_id: AtomicU64,
    out: mpsc::UnboundedSender<String>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    pages: Mutex<HashMap<String, Arc<PageState>>>,
    closed: AtomicBool,
}

impl Conn {
    fn encode(id: u64, session: Option<&str>, method: &str, params: Value) -> String {
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        msg.to_string()
    }

    /// For Drop paths, which cannot await a reply.
    fn send(&self, method: &str, params: Value) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _ = self.out.send(Self::encode(id, None, method, params));
    }

    async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.pending.lock().unwrap().insert(id, tx);
        // Checked after registering: the reader sets `closed` before it
        // clears `pending`, so one of the two always notices a dead browser.
        if self.closed.load(Ordering::SeqCst) {
            self.pending.lock().unwrap().remove(&id);
            bail!("CDP {method} failed: connection to chromium is closed");
        }
        if self
            .out
            .send(Self::encode(id, session, method, params))
            .is_err()
        {
            self.pending.lock().unwrap().remove(&id);
            bail!("CDP {method} failed: connection to chromium is closed");
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(anyhow!("CDP {method} failed: {e}")),
            Ok(Err(_)) => bail!("CDP {method} failed: chromium closed the connection"),
            Err(_) => {
                self.pending.lock().unwrap().remove(&id);
                bail!("CDP {method} timed out after {COMMAND_TIMEOUT:?}")
            }
        }
    }

    fn dispatch(&self, text: &str) {
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            return;
        };
        if let Some(id) = msg["id"].as_u64() {
            let Some(tx) = self.pending.lock().unwrap().remove(&id) else {
                return; // fire-and-forget command, or its caller timed out
            };
            let reply = match msg.get("error") {
                Some(e) => Err(format!(
                    "{} (code {}){}",
                    e["message"].as_str().unwrap_or("unknown error"),
                    e["code"],
                    e["data"]
                        .as_str()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                )),
                None => Ok(msg["result"].clone()),
            };
            let _ = tx.send(reply);
        } else if let (Some(method), Some(session)) =
            (msg["method"].as_str(), msg["sessionId"].as_str())
        {
            let page = self.pages.lock().unwrap().get(session).cloned();
            if let Some(page) = page {
                page.on_event(method, &msg["params"]);
            }
        }
    }

    fn shut(&self) {
        self.closed.store(true, Ordering::SeqCst);
        // Dropping the senders wakes every waiter with an error at once
        // instead of letting each one sit out its timeout.
        self.pending.lock().unwrap().clear();
    }
}

/// A headless Chromium owned by one test; it dies with this value so a
/// failing test leaves no browser or profile behind.
pub struct Browser {
    conn: Arc<Conn>,
    child: Child,
    profile: Option<PathBuf>,
    tasks: Vec<JoinHandle<()>>,
}

impl Browser {
    /// A browser and throwaway profile per test, so no cookie or storage
    /// leaks between tests. A missing binary fails naming `apt-get install
    /// chromium`, the fix on every machine this runs on; $CHROMIUM overrides
    /// /usr/bin/chromium for machines that keep it elsewhere.
    pub async fn launch() -> anyhow::Result<Browser> {
        let bin = std::env::var_os("CHROMIUM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
        if !bin.is_file() {
            bail!(
                "chromium not found at {}: install it with `apt-get install chromium` \
                 (or point $CHROMIUM at a Chromium binary)",
                bin.display()
            );
        }
        let profile = tempfile::Builder::new()
            .prefix("e2e-chromium-")
            .tempdir()
            .context("creating a temporary chromium profile")?;
        let mut child = Command::new(&bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                // No internet here: these stop chromium phoning home and
                // stalling or spamming stderr while it tries.
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        match connect(&mut child).await {
            Ok((conn, tasks)) => Ok(Browser {
                conn,
                child,
                profile: Some(profile.keep()),
                tasks,
            }),
            Err(e) => {
                // Reap before the profile is removed (when `profile` drops),
                // or chromium may recreate files in it while dying.
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                Err(e)
            }
        }
    }

    /// A tab on a flattened session of the one browser websocket, so several
    /// pages can run at once without a connection each. The viewport is
    /// fixed so layout assertions and screenshots are reproducible, and it
    /// returns only once the load event fired (15 s at most) so a test starts
    /// from a loaded page.
    pub async fn open(&self, url: &str, width: u32, height: u32) -> anyhow::Result<Page> {
        let created = self
            .conn
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await?;
        let target_id = created["targetId"]
            .as_str()
            .context("Target.createTarget returned no targetId")?
            .to_string();
        let attached = self
            .conn
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
            )
            .await?;
        let session = attached["sessionId"]
            .as_str()
            .context("Target.attachToTarget returned no sessionId")?
            .to_string();
        let state = Arc::new(PageState {
            console: Mutex::new(Vec::new()),
            loads: watch::channel(0).0,
        });
        self.conn
            .pages
            .lock()
            .unwrap()
            .insert(session.clone(), state.clone());
        // From here on the Page owns the tab, so an early error closes it.
        let page = Page {
            conn: self.conn.clone(),
            session,
            target_id,
            state,
        };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            page.call(domain, json!({})).await?;
        }
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        )
        .await?;
        page.goto(url).await?;
        Ok(page)
    }
}

/// Everything after spawning that can fail, split out so `launch` has one
/// place that reaps chromium on error.
async fn connect(child: &mut Child) -> anyhow::Result<(Arc<Conn>, Vec<JoinHandle<()>>)> {
    let (url, mut lines) = tokio::time::timeout(LAUNCH_TIMEOUT, devtools_url(child))
        .await
        .map_err(|_| anyhow!("chromium printed no DevTools URL within {LAUNCH_TIMEOUT:?}"))??;
    let mut tasks = vec![tokio::spawn(async move {
        // Chromium keeps logging (dbus noise and more); an undrained pipe
        // would eventually block it mid-test.
        while let Ok(Some(_)) = lines.next_line().await {}
    })];
    // Full-page screenshots and PDFs come back as one big base64 message.
    let config = WebSocketConfig::default()
        .max_message_size(Some(512 << 20))
        .max_frame_size(Some(512 << 20));
    let connecting = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
    let (ws, _) = tokio::time::timeout(LAUNCH_TIMEOUT, connecting)
        .await
        .map_err(|_| anyhow!("connecting to chromium's DevTools at {url} timed out"))?
        .with_context(|| format!("connecting to chromium's DevTools at {url}"))?;
    let (mut sink, mut stream) = ws.split();
    let (out, mut out_rx) = mpsc::unbounded_channel::<String>();
    let conn = Arc::new(Conn {
        next_id: AtomicU64::new(1),
        out,
        pending: Mutex::new(HashMap::new()),
        pages: Mutex::new(HashMap::new()),
        closed: AtomicBool::new(false),
    });
    tasks.push(tokio::spawn(async move {
        while let Some(text) = out_rx.recv().await {
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
        }
    }));
    let reader = conn.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            match msg {
                Message::Text(t) => reader.dispatch(t.as_str()),
                Message::Close(_) => break,
                _ => {}
            }
        }
        reader.shut();
    }));
    Ok((conn, tasks))
}

/// Reads stderr up to the DevTools line, keeping what came before so a
/// chromium that dies at startup explains itself in the error.
async fn devtools_url(
    child: &mut Child,
) -> anyhow::Result<(
    String,
    tokio::io::Lines<BufReader<tokio::process::ChildStderr>>,
)> {
    let stderr = child
        .stderr
        .take()
        .context("chromium stderr not captured")?;
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    while let Some(line) = lines.next_line().await.context("reading chromium stderr")? {
        if let Some(rest) = line.trim().strip_prefix("DevTools listening on ") {
            return Ok((rest.trim().to_string(), lines));
        }
        seen.push(line);
    }
    let status = child.wait().await.ok();
    let tail = seen[seen.len().saturating_sub(20)..].join("\n");
    bail!("chromium exited ({status:?}) before printing its DevTools URL; stderr:\n{tail}")
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        // Drop cannot await, so reap synchronously: the profile can only be
        // removed once chromium has stopped writing to it.
        for _ in 0..250 {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                _ => break,
            }
        }
        for task in &self.tasks {
            task.abort();
        }
        self.conn.shut();
        if let Some(profile) = self.profile.take() {
            // Chromium's helper processes exit a moment after the browser
            // and may still be flushing files into the profile.
            for _ in 0..10 {
                if std::fs::remove_dir_all(&profile).is_ok() || !profile.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// One tab; it is closed when dropped so long tests don't pile up renderers.
pub struct Page {
    conn: Arc<Conn>,
    session: String,
    target_id: String,
    state: Arc<PageState>,
}

impl Page {
    async fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.conn.call(Some(&self.session), method, params).await
    }

    /// Returns JSON by value with promises awaited, so tests assert on plain
    /// data; a thrown exception is an Err carrying its message, so a broken
    /// script cannot pass as `null`.
    pub async fn eval(&self, js: &str) -> anyhow::Result<Value> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": js, "returnByValue": true, "awaitPromise": true }),
            )
            .await?;
        if let Some(details) = r.get("exceptionDetails") {
            bail!("JavaScript threw in `{js}`: {}", exception_text(details));
        }
        Ok(r["result"]["value"].clone())
    }

    /// For what happens after load (timers, fetches): polling the boolean
    /// expression every 20 ms is as fast as the page allows, unlike a sleep,
    /// and the error names the expression so a timeout says what was awaited.
    pub async fn wait_for(&self, js: &str, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last_err = None;
        loop {
            // Errors are retried, not returned: mid-navigation the execution
            // context can vanish under an otherwise fine expression.
            match tokio::time::timeout_at(deadline, self.eval(js)).await {
                Ok(Ok(Value::Bool(true))) => return Ok(()),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => last_err = Some(e),
                Err(_) => {}
            }
            if tokio::time::Instant::now() + POLL_INTERVAL >= deadline {
                let why = last_err
                    .map(|e| format!(" (last error: {e:#})"))
                    .unwrap_or_default();
                bail!("timed out after {timeout:?} waiting for `{js}` to be true{why}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits for the load event so the next assertion sees the new document,
    /// not the old one; a network error is an Err, not a Chromium error page.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        let mut loads = self.state.loads.subscribe();
        let before = *loads.borrow_and_update();
        let nav = self.call("Page.navigate", json!({ "url": url })).await?;
        if let Some(err) = nav["errorText"].as_str().filter(|e| !e.is_empty()) {
            bail!("navigating to {url} failed: {err}");
        }
        if nav["loaderId"].as_str().is_none_or(str::is_empty) {
            return Ok(()); // same-document navigation: no load event follows
        }
        let wait = async {
            let mut seen = before;
            loop {
                loads
                    .wait_for(|n| *n > seen)
                    .await
                    .map_err(|_| anyhow!("chromium connection closed"))?;
                seen = *loads.borrow();
                // A late load event of the previous document (e.g. the
                // initial about:blank) must not pass for this one.
                let ready = self.eval("document.readyState === 'complete'").await;
                if matches!(ready, Ok(Value::Bool(true))) {
                    return anyhow::Ok(());
                }
            }
        };
        tokio::time::timeout(LOAD_TIMEOUT, wait)
            .await
            .map_err(|_| anyhow!("{url} did not fire Page.loadEventFired within {LOAD_TIMEOUT:?}"))?
            .with_context(|| format!("waiting for {url} to load"))
    }

    /// A full-page PNG, so whoever reads a failed test sees everything the
    /// test looked at; parent folders are created so tests can write into a
    /// fresh artifacts folder.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        // A background tab never paints, and its capture never returns.
        self.call("Page.bringToFront", json!({})).await?;
        let m = self.call("Page.getLayoutMetrics", json!({})).await?;
        let size = if m["cssContentSize"].is_object() {
            &m["cssContentSize"]
        } else {
            &m["contentSize"]
        };
        // captureBeyondViewport alone still crops to the viewport; a clip of
        // the whole content is what makes the shot full-page.
        let mut params = json!({ "format": "png", "captureBeyondViewport": true });
        if let (Some(w), Some(h)) = (size["width"].as_f64(), size["height"].as_f64()) {
            if w > 0.0 && h > 0.0 {
                params["clip"] =
                    json!({ "x": 0, "y": 0, "width": w.ceil(), "height": h.ceil(), "scale": 1 });
            }
        }
        let shot = self.call("Page.captureScreenshot", params).await?;
        let png = decode_data(&shot, "Page.captureScreenshot")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// Console messages, uncaught exceptions and CSP violations since the
    /// page opened, one entry each, so a test can assert a page ran cleanly.
    /// CSP reports arrive through the Log domain, not the console API, which
    /// is why both are recorded.
    pub fn console(&self) -> Vec<String> {
        self.state.console.lock().unwrap().clone()
    }

    /// The page count of the printed document, with `@page` sizes honoured,
    /// to check that a print stylesheet lays a document out on pages.
    pub async fn pdf_pages(&self) -> anyhow::Result<usize> {
        let r = self
            .call(
                "Page.printToPDF",
                json!({ "preferCSSPageSize": true, "printBackground": true }),
            )
            .await?;
        let pdf = decode_data(&r, "Page.printToPDF")?;
        if !pdf.starts_with(b"%PDF") {
            bail!("Page.printToPDF did not return a PDF");
        }
        count_pdf_pages(&pdf).context("no page objects found in the PDF from Page.printToPDF")
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.conn.pages.lock().unwrap().remove(&self.session);
        // Fire-and-forget: Drop cannot await, and the reply is of no use.
        self.conn
            .send("Target.closeTarget", json!({ "targetId": self.target_id }));
    }
}

fn decode_data(result: &Value, method: &str) -> anyhow::Result<Vec<u8>> {
    let data = result["data"]
        .as_str()
        .with_context(|| format!("{method} returned no data"))?;
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .with_context(|| format!("{method} returned invalid base64"))
}

/// Counts `/Type /Page` dictionaries (not `/Type /Pages`); Chromium's Skia
/// PDF writer keeps them uncompressed, so no PDF parser is needed.
fn count_pdf_pages(pdf: &[u8]) -> Option<usize> {
    let mut count = 0;
    let mut i = 0;
    while let Some(pos) = find(&pdf[i..], b"/Type") {
        let mut j = i + pos + b"/Type".len();
        while pdf.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if pdf[j..].starts_with(b"/Page")
            && !pdf
                .get(j + b"/Page".len())
                .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            count += 1;
        }
        i = j;
    }
    (count > 0).then_some(count)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
