use std::process::ExitCode;

use clap::Parser;
use spotlight::cli::{self, Cli};
use spotlight::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    spotlight::telemetry::init(&config.log, cli.command.is_interactive());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli, config)) {
        Ok(code) => code,
        Err(e) => {
            tracing::debug!(error = ?e, "command failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
