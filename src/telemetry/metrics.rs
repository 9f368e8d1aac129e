//! Prometheus metrics through the `metrics` facade. One recorder per process, installed on first
//! use; `/metrics` renders it. Names and labels are listed here so they stay consistent.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::domain::model::KudosKind;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Seconds: commands answer in milliseconds, scheduler ticks may take a few seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed the first time anything asks.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!(
                    "another metrics recorder was installed first; /metrics stays empty"
                );
            }
            handle
        })
        .clone()
}

/// Prometheus text exposition of everything recorded so far.
pub fn render() -> String {
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}

pub fn kudos_given(platform: &str, kind: KudosKind) {
    handle();
    counter!(
        "spotlight_kudos_given_total",
        "platform" => platform.to_string(),
        "kind" => kind.as_str()
    )
    .increment(1);
}

/// A command's outcome: `ok`, `refused` (with the rule that refused it) or `error`.
pub fn command(platform: &str, command: &str, outcome: &Outcome, took: Duration) {
    handle();
    let (label, rule) = match outcome {
        Outcome::Ok => ("ok", None),
        Outcome::Refused(rule) => ("refused", Some(*rule)),
        Outcome::Error => ("error", None),
    };
    counter!(
        "spotlight_commands_total",
        "platform" => platform.to_string(),
        "command" => command.to_string(),
        "outcome" => label
    )
    .increment(1);
    histogram!(
        "spotlight_command_duration_seconds",
        "platform" => platform.to_string(),
        "command" => command.to_string()
    )
    .record(took.as_secs_f64());
    if let Some(rule) = rule {
        counter!("spotlight_refusals_total", "platform" => platform.to_string(), "rule" => rule)
            .increment(1);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Refused(&'static str),
    Error,
}

impl Outcome {
    pub fn of<T>(result: &crate::domain::error::Result<T>) -> Self {
        use crate::domain::error::Error;
        match result {
            Ok(_) => Outcome::Ok,
            Err(Error::Refused(r)) => Outcome::Refused(r.rule()),
            Err(_) => Outcome::Error,
        }
    }
}

/// A scheduled post's outcome: `delivered`, `late`, `retry` or `failed`.
pub fn post(platform: &str, kind: &'static str, outcome: &'static str) {
    handle();
    counter!(
        "spotlight_posts_total",
        "platform" => platform.to_string(),
        "kind" => kind,
        "outcome" => outcome
    )
    .increment(1);
}

pub fn scheduler_tick(platform: &str, took: Duration) {
    handle();
    histogram!("spotlight_scheduler_tick_seconds", "platform" => platform.to_string())
        .record(took.as_secs_f64());
}

pub fn platform_connected(platform: &'static str, connected: bool) {
    handle();
    gauge!("spotlight_platform_connected", "platform" => platform)
        .set(f64::from(u8::from(connected)));
}

/// The database pool, read when metrics are scraped.
pub fn pool(size: u32, idle: usize, max: u32) {
    handle();
    gauge!("spotlight_db_pool_connections", "state" => "open").set(f64::from(size));
    gauge!("spotlight_db_pool_connections", "state" => "idle").set(idle as f64);
    gauge!("spotlight_db_pool_connections", "state" => "in_use")
        .set(f64::from(size).max(idle as f64) - idle as f64);
    gauge!("spotlight_db_pool_max_connections").set(f64::from(max));
}
