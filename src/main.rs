use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use spotlight::cli::{self, Cli};
use spotlight::config::Config;

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
            ExitCode::FAILURE
        }
    }
}

/// eprintln! would panic when stderr is closed; a failed report is not worth a panic.
fn report(e: &anyhow::Error) {
    let _ = writeln!(std::io::stderr(), "error: {e:#}");
}
