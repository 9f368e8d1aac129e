use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use spotlight::app::App;
use spotlight::clock::ManualClock;
use spotlight::config::Config;
use spotlight::domain::error::{Error, Refusal};
use spotlight::domain::model::{Actor, KudosRequest, Member, Workspace};
use spotlight::service::Spotlight;
use tempfile::TempDir;

/// The real app on a fresh database file of its own, with a clock the test moves.
pub struct TestApp {
    pub app: App,
    pub clock: ManualClock,
    _dir: TempDir,
}

pub fn t(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

impl TestApp {
    pub async fn at(time: &str) -> Self {
        Self::with_config(time, |_| {}).await
    }

    pub async fn with_config(time: &str, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("nested/folder/spotlight.db");
        let mut config = Config::defaults();
        config.database.url = if crate::backends::on_postgres() {
            crate::backends::fresh_database().await
        } else {
            db_path.display().to_string()
        };
        tweak(&mut config);
        let clock = ManualClock::at(t(time));
        let app = App::build(config, Arc::new(clock.clone())).await.unwrap();
        Self {
            app,
            clock,
            _dir: dir,
        }
    }

    pub fn core(&self) -> &Spotlight {
        &self.app.spotlight
    }

    pub fn set_time(&self, time: &str) {
        self.clock.set(t(time));
    }

    pub async fn workspace(&self, name: &str) -> Workspace {
        self.core()
            .workspace("test", name, Some(name))
            .await
            .unwrap()
    }

    pub async fn member(&self, ws: &Workspace, name: &str) -> Member {
        self.core().member(ws, name, name, false).await.unwrap()
    }

    pub async fn admin(&self, ws: &Workspace, name: &str) -> Actor {
        Actor {
            member: self.member(ws, name).await,
            is_admin: true,
        }
    }

    /// An admin-changed workspace, re-read as an adapter would before its next command.
    pub async fn reload(&self, ws: &Workspace) -> Workspace {
        self.core().reload(ws).await.unwrap()
    }

    /// Every thank-you of the workspace that still counts, oldest first.
    pub async fn stored(&self, ws: &Workspace) -> Vec<spotlight::domain::model::Kudos> {
        self.core()
            .store()
            .kudos_list(ws.id, &spotlight::store::KudosFilter::default())
            .await
            .unwrap()
    }

    pub async fn thank(
        &self,
        ws: &Workspace,
        giver: &Member,
        to: &[&Member],
        message: &str,
    ) -> Result<i64, Error> {
        self.core()
            .give_kudos(
                ws,
                giver,
                KudosRequest {
                    recipients: to.iter().map(|m| m.id.into()).collect(),
                    message: message.into(),
                    ..Default::default()
                },
            )
            .await
            .map(|g| g.kudos.id)
    }
}

/// Every board of every period (today, this week, Customer Service Week 2026, this month, all
/// time), 50 places each, as anyone reading them would see them.
pub async fn every_board(core: &Spotlight, ws: &Workspace) -> Vec<Vec<spotlight::service::Line>> {
    use spotlight::domain::period::{Board, Period};
    let mut all = Vec::new();
    for period in [
        Period::Today,
        Period::Week,
        Period::Csw(Some(2026)),
        Period::Month,
        Period::All,
    ] {
        for board in [
            Board::Received,
            Board::Given,
            Board::Departments,
            Board::Values,
            Board::CrossTeam,
        ] {
            all.push(
                core.leaderboard(ws, None, period, board, 50)
                    .await
                    .unwrap()
                    .lines,
            );
        }
    }
    all
}

pub fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The built `spotlight` binary, run as a user would, with a database of its own.
pub struct Cli {
    pub dir: TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Cli {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("data/spotlight.db")
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        self.run_env(args, stdin, &[])
    }

    pub fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
        use std::io::Write;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_spotlight"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SPOTLIGHT_DATABASE_URL", self.db())
            // Tests run side by side: each binary's HTTP server takes a free port.
            .env("SPOTLIGHT_SERVER_LISTEN", "127.0.0.1:0")
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spotlight binary runs");
        // Written from another thread: a long script would otherwise fill the output pipe
        // while this one still writes the input, and both would wait for ever.
        let mut input = child.stdin.take().unwrap();
        let script = stdin.to_string();
        let writer = std::thread::spawn(move || {
            // The binary may stop reading early (an error at start-up); that is its answer.
            let _ = input.write_all(script.as_bytes());
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// A shell session started at `at` (RFC 3339), speaking as `who`.
    pub fn shell(&self, who: &str, at: &str, script: &str) -> Run {
        self.run(
            &["shell", "--as", who, "--workspace", "acme", "--at", at],
            script,
        )
    }
}
