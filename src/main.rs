use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use spotlight::cli::{self, Cli};
use spotlight::config::{BadInput, Config};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            report(&e);
            return ExitCode::from(2);
        }
    };
    spotlight::telemetry::init(&config.log, cli.command.is_interactive());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            report(&anyhow::Error::new(e).context("cannot start the async runtime"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli, config)) {
        Ok(code) => code,
        Err(e) => {
            tracing::debug!(error = ?e, "command failed");
            report(&e);
            if BadInput::is_cause_of(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// eprintln! would panic when stderr is closed; a failed report is not worth a panic.
fn report(e: &anyhow::Error) {
    let _ = writeln!(std::io::stderr(), "error: {}", one_line(e));
}

/// The chain of causes on one line, each message once. A failed HTTP call to Discord nests four
/// library errors ("Error while sending HTTP request.", "client error (Connect)", ...) around the
/// one that says what happened, so from a serenity error on only the root cause is shown.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let skip_to_root = cause.is::<serenity::Error>();
        let cause = if skip_to_root { e.root_cause() } else { cause };
        let text = cause
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        // Messages often repeat their neighbour's: a library error its source's, or ours the key
        // a context names.
        match parts.last_mut() {
            _ if text.is_empty() => {}
            Some(last) if last.contains(&text) => {}
            Some(last) if text.starts_with(last.as_str()) => *last = text,
            _ => parts.push(text),
        }
        if skip_to_root {
            break;
        }
    }
    parts.join(": ")
}
