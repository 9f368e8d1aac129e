//! The command line: `spotlight shell | calendar | leaderboard | export | migrate`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::app::App;
use crate::clock::{Clock, ManualClock};
use crate::config::{BadInput, Config};
use crate::domain::error::Error;
use crate::domain::period::{Board, Period};
use crate::render;
use crate::service::{write_export, ExportFormat};
use crate::shell::{Shell, ShellOptions};
use crate::store::KudosFilter;

#[derive(Debug, Parser)]
#[command(
    name = "spotlight",
    version,
    about = "Spotlight: thank the people who serve customers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot on Discord (needs SPOTLIGHT_DISCORD_TOKEN).
    Run,
    /// Chat with the bot locally, on the real core and database (no credentials needed).
    Shell {
        /// Who you are speaking as (created on first use).
        #[arg(long = "as", value_name = "NAME", default_value_t = default_user())]
        user: String,
        /// The local workspace to use (created on first use).
        #[arg(long, value_name = "NAME", default_value = "local")]
        workspace: String,
        /// Start the simulated clock at this RFC 3339 time, e.g. 2026-10-05T09:00:00+01:00.
        #[arg(long, value_name = "RFC3339-TIME", value_parser = parse_rfc3339)]
        at: Option<DateTime<Utc>>,
    },
    /// Customer Service Week's dates and the day-by-day plan.
    Calendar {
        /// The year, 1990 to 2200 (default: this year).
        year: Option<i32>,
        /// Show a workspace's own dates and themes.
        #[arg(long, value_name = "NAME")]
        workspace: Option<String>,
    },
    /// Print a leaderboard.
    Leaderboard {
        /// The workspace: its name in any case, its platform id, or platform:id (e.g. local:acme).
        #[arg(long, value_name = "NAME")]
        workspace: String,
        /// today, week, csw, csw2025, month, year or all.
        #[arg(long, default_value = "week")]
        period: Period,
        /// received, given, departments, values or crossteam.
        #[arg(long, default_value = "received")]
        board: Board,
        /// How many places to show, 1 to 100.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        /// Compute periods as of this RFC 3339 time instead of now.
        #[arg(long, value_name = "RFC3339-TIME", value_parser = parse_rfc3339)]
        at: Option<DateTime<Utc>>,
    },
    /// Export every kudos and shout-out, e.g. for the year-end awards.
    Export {
        /// The workspace: its name in any case, its platform id, or platform:id (e.g. local:acme).
        #[arg(long, value_name = "NAME")]
        workspace: String,
        /// csv or json.
        #[arg(long)]
        format: ExportFormat,
        /// First local date to include (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last local date to include (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Also list undone and revoked thank-yous (with their status).
        #[arg(long)]
        include_removed: bool,
        /// Export the latest Excellence in Service awards instead: each department's shortlist
        /// and the quotes behind it, one row per quote (once nominations have closed).
        #[arg(long, conflicts_with_all = ["from", "to", "include_removed"])]
        awards: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Copy every workspace, member, kudos, setting and ledger entry from one database into
    /// another, empty one, e.g. from SQLite to PostgreSQL; then check the counts.
    CopyData {
        /// The database to copy: a SQLite file path or sqlite: URL, or a postgres:// URL.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The empty database to copy into (its tables are created first).
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

impl Command {
    /// Commands a person runs and reads; a long-running bot would not be one.
    pub fn is_interactive(&self) -> bool {
        !matches!(self, Command::Run)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Shell { .. } => "shell",
            Command::Calendar { .. } => "calendar",
            Command::Leaderboard { .. } => "leaderboard",
            Command::Export { .. } => "export",
            Command::Migrate => "migrate",
            Command::CopyData { .. } => "copy-data",
        }
    }
}

fn default_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| crate::shell::is_valid_name(u) && u != "root")
        .unwrap_or_else(|| "you".to_string())
}

fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{s}' is not an RFC 3339 time such as 2026-10-05T09:00:00+01:00"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::service::parse_date(s).map_err(|e| e.to_string())
}

/// Core errors at the command line: a refusal turned down what the user typed (exit status 2),
/// internals keep their cause.
fn cli_error(e: Error) -> anyhow::Error {
    match e {
        Error::Refused(r) => BadInput(r.to_string()).into(),
        Error::Internal(cause) => cause,
        other => anyhow::anyhow!(other.to_string()),
    }
}

/// Set once a write to stdout found the reader gone.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Standard output for everything a command prints. `spotlight export | head -1` closes the pipe
/// early; the failed write stops the command, which then ends quietly with status 0, as Unix
/// tools do. (println! would panic instead.)
struct Stdout(std::io::StdoutLock<'static>);

fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

impl Stdout {
    fn note<T>(result: std::io::Result<T>) -> std::io::Result<T> {
        if matches!(&result, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe) {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Self::note(self.0.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Self::note(self.0.flush())
    }
}

fn print(text: &str) -> std::io::Result<()> {
    let mut out = stdout();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Runs one command inside its own tracing span.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<ExitCode> {
    use tracing::Instrument;
    let span = tracing::info_span!("command", name = cli.command.name());
    match dispatch(cli.command, config).instrument(span).await {
        // However the write error was wrapped, the reader left: nothing is wrong.
        Err(_) if STDOUT_CLOSED.load(Ordering::Relaxed) => Ok(ExitCode::SUCCESS),
        result => result,
    }
}

async fn dispatch(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run => {
            let platforms = crate::secrets::Secrets::from_env()?
                .platforms()
                .map_err(|e| BadInput(e.to_string()))?;
            if platforms.is_empty() {
                anyhow::bail!("{}", crate::run::NO_CREDENTIALS);
            }
            // Bound first: a port in use stops here, before anything connects.
            let listeners = crate::run::Listeners::bind(&config.server).await?;
            let app = App::build(config, Arc::new(crate::clock::SystemClock)).await?;
            crate::run::run(app, platforms, listeners, shutdown_signal()).await?;
        }
        Command::Shell {
            user,
            workspace,
            at,
        } => {
            let clock = ManualClock::default();
            // The pages are a bonus in the shell: without the port it goes on without them.
            let listeners = match crate::run::Listeners::bind(&config.server).await {
                Ok(l) => Some(l),
                Err(e) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "warning: {e:#}; the wall and the books are not served this session \
                         (set SPOTLIGHT_SERVER_LISTEN to another port, e.g. 127.0.0.1:8181)"
                    );
                    None
                }
            };
            let app = App::build(config, Arc::new(clock.clone())).await?;
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let mut servers = tokio::task::JoinSet::new();
            if let Some(listeners) = listeners {
                listeners.serve(&app, None, &stopped, &mut servers)?;
            }
            let opts = ShellOptions {
                user,
                workspace,
                at,
                pages: (!servers.is_empty()).then(|| app.spotlight.base_url()),
            };
            let mut shell = Shell::start(&app, clock, &opts).await?;
            let stdin = std::io::stdin();
            let result = shell.run(stdin.lock(), stdout()).await;
            let _ = stop.send(true);
            while let Some(done) = servers.join_next().await {
                if let Ok(Err(e)) = done {
                    tracing::warn!(error = ?e, "the shell's HTTP server failed");
                }
            }
            app.shutdown().await;
            result?;
        }
        Command::Calendar { year, workspace } => {
            let clock = crate::clock::SystemClock;
            let year = year.unwrap_or_else(|| clock.now().year());
            if !(1990..=2200).contains(&year) {
                let message = format!("'{year}' is not a year between 1990 and 2200");
                return Err(BadInput(message).into());
            }
            let app = App::build(config, Arc::new(clock)).await?;
            let ws = match workspace {
                Some(name) => Some(
                    app.spotlight
                        .find_workspace(&name)
                        .await
                        .map_err(cli_error)?,
                ),
                None => None,
            };
            let plan = app
                .spotlight
                .week_plan(ws.as_ref(), year)
                .await
                .map_err(cli_error)?;
            print(&render::week_plan(&plan))?;
            app.shutdown().await;
        }
        Command::Leaderboard {
            workspace,
            period,
            board,
            limit,
            at,
        } => {
            let clock = ManualClock::default();
            if let Some(at) = at {
                clock.set(at);
            }
            let app = App::build(config, Arc::new(clock)).await?;
            let ws = app
                .spotlight
                .find_workspace(&workspace)
                .await
                .map_err(cli_error)?;
            let lb = app
                .spotlight
                .leaderboard(&ws, None, period, board, limit)
                .await
                .map_err(cli_error)?;
            print(&render::leaderboard(&lb))?;
            app.shutdown().await;
        }
        Command::Export {
            workspace,
            format,
            from,
            to,
            include_removed,
            awards,
            output,
        } => {
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    return Err(BadInput(format!("--from {f} is after --to {t}")).into());
                }
            }
            let app = App::build(config, Arc::new(crate::clock::SystemClock)).await?;
            let ws = app
                .spotlight
                .find_workspace(&workspace)
                .await
                .map_err(cli_error)?;
            if awards {
                let shortlists = app
                    .spotlight
                    .awards_export_local(&ws)
                    .await
                    .map_err(cli_error)?;
                let rows = crate::service::awards_export_rows(&shortlists);
                let write = |out: &mut dyn Write| {
                    crate::service::write_awards_export(&rows, format, &mut *out)?;
                    if format == ExportFormat::Json {
                        writeln!(out)?;
                    }
                    out.flush()?;
                    anyhow::Ok(())
                };
                match &output {
                    Some(path) => {
                        let cannot_write = || format!("cannot write {}", path.display());
                        let file = std::fs::File::create(path).with_context(cannot_write)?;
                        write(&mut std::io::BufWriter::new(file)).with_context(cannot_write)?;
                        let _ = writeln!(
                            std::io::stderr(),
                            "Wrote {} quotes of the {} awards to {}.",
                            rows.len(),
                            shortlists.round.year,
                            path.display()
                        );
                    }
                    None => write(&mut std::io::BufWriter::new(stdout()))?,
                }
                app.shutdown().await;
                return Ok(ExitCode::SUCCESS);
            }
            let filter = KudosFilter {
                from,
                to,
                include_removed,
            };
            let rows = app
                .spotlight
                .export_rows(&ws, &filter)
                .await
                .map_err(cli_error)?;
            match output {
                Some(path) => {
                    let cannot_write = || format!("cannot write {}", path.display());
                    let file = std::fs::File::create(&path).with_context(cannot_write)?;
                    let mut out = std::io::BufWriter::new(file);
                    write_export(&rows, format, &mut out).with_context(cannot_write)?;
                    // Dropping a BufWriter would lose a failed last write (a full disk).
                    out.flush().with_context(cannot_write)?;
                    // eprintln! would panic if stderr is closed; the file is written either way.
                    let _ = writeln!(
                        std::io::stderr(),
                        "Wrote {} thank-yous to {}.",
                        rows.len(),
                        path.display()
                    );
                }
                None => {
                    let mut out = std::io::BufWriter::new(stdout());
                    write_export(&rows, format, &mut out)?;
                    if format == ExportFormat::Json {
                        writeln!(out)?;
                    }
                    out.flush()?;
                }
            }
            app.shutdown().await;
        }
        Command::CopyData { from, to } => copy_data(&config, &from, &to).await?,
        Command::Migrate => {
            let app = App::build(config, Arc::new(crate::clock::SystemClock)).await?;
            let store = app.spotlight.store();
            print(&format!(
                "Database {} is up to date ({} migrations applied).",
                store.location(),
                store.applied_migrations().await?
            ))?;
            app.shutdown().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn copy_data(config: &Config, from: &str, to: &str) -> anyhow::Result<()> {
    use crate::store::Store;
    if let Some(path) = crate::store::missing_sqlite_file(from) {
        return Err(BadInput(format!(
            "--from: there is no database at {}",
            path.display()
        ))
        .into());
    }
    crate::store::check_url(from).map_err(|e| BadInput(e.0.replace("database.url", "--from")))?;
    crate::store::check_url(to).map_err(|e| BadInput(e.0.replace("database.url", "--to")))?;
    let with_url = |url: &str| crate::config::DatabaseConfig {
        url: url.to_string(),
        ..config.database.clone()
    };
    let source = Store::connect(&with_url(from)).await?;
    let target = Store::connect(&with_url(to)).await?;
    if same_database(source.location(), target.location()) {
        source.close().await;
        target.close().await;
        return Err(BadInput(format!(
            "--from and --to both name {}; copy into another, empty database",
            source.location()
        ))
        .into());
    }
    let copied = source.copy_into(&target).await;
    source.close().await;
    target.close().await;
    let report = match copied {
        Ok(report) => report,
        Err(e) => match e.downcast::<crate::store::TargetNotEmpty>() {
            Ok(not_empty) => return Err(BadInput(not_empty.to_string()).into()),
            Err(e) => return Err(e),
        },
    };
    let mut text = format!("Copied {} into {}:\n", source.location(), target.location());
    for (table, rows, _) in report.tables.iter().filter(|(_, rows, _)| *rows > 0) {
        text.push_str(&format!("  {table:<20} {rows:>9}\n"));
    }
    if report.tables.iter().all(|(_, rows, _)| *rows == 0) {
        text.push_str("  (nothing: the source holds no data)\n");
    }
    if !report.matches() {
        let wrong: Vec<String> = report
            .tables
            .iter()
            .filter(|(_, a, b)| a != b)
            .map(|(t, a, b)| format!("{t} ({a} in the source, {b} copied)"))
            .collect();
        anyhow::bail!("the copy's counts do not match: {}", wrong.join(", "));
    }
    text.push_str("Every table's row count matches.");
    print(&text)?;
    Ok(())
}

/// Whether two store locations are one database (a file reached by two paths counts).
fn same_database(a: &str, b: &str) -> bool {
    let canonical = |l: &str| std::fs::canonicalize(l).unwrap_or_else(|_| PathBuf::from(l));
    a == b || canonical(a) == canonical(b)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
