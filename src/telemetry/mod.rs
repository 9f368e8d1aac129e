//! Logs go to stderr (stdout belongs to the shell and to exports), pretty or JSON.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// `interactive` commands (the shell, one-off CLI commands) keep the default `info` level down
/// to warnings so logs do not interleave with what the user reads; RUST_LOG or an explicit
/// `log.level` other than the default still wins.
pub fn init(config: &LogConfig, interactive: bool) {
    let level = if interactive && config.level == "info" {
        "warn"
    } else {
        config.level.as_str()
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes are noise in a log file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        // Reporting a failed log write goes through eprintln!, which panics when stderr is a closed
        // pipe; a panic on the database worker thread would hang the command.
        .log_internal_errors(false);
    let result = match config.format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    // A second init (tests building the app twice) keeps the first subscriber.
    let _ = result;
}

pub mod health;
pub mod metrics;
