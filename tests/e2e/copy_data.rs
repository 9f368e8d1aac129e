//! `spotlight copy-data`: a team's SQLite database moved into PostgreSQL, through the built
//! binary, gives the same boards, stats and export; a second copy into the now non-empty
//! target is refused.

use crate::support::{Cli, Run};

/// The shell's output with its HTTP port (a free one each run) taken out.
fn without_port(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("localhost:") {
        out.push_str(&rest[..at + "localhost:".len()]);
        rest = rest[at + "localhost:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("PORT");
    }
    out.push_str(rest);
    out
}

/// What a team would look at, read from the database at `url`.
fn views(cli: &Cli, url: &str) -> Vec<String> {
    let env = [("SPOTLIGHT_DATABASE_URL", url)];
    let mut seen = Vec::new();
    for board in ["received", "given", "departments", "values", "crossteam"] {
        let run = cli.run_env(
            &[
                "leaderboard",
                "--workspace",
                "acme",
                "--period",
                "all",
                "--board",
                board,
                "--at",
                "2026-10-07T09:00:00Z",
            ],
            "",
            &env,
        );
        assert_eq!(run.code, 0, "{board}: {}", run.stderr);
        seen.push(run.stdout);
    }
    for format in ["csv", "json"] {
        let run = cli.run_env(
            &[
                "export",
                "--workspace",
                "acme",
                "--format",
                format,
                "--include-removed",
            ],
            "",
            &env,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        seen.push(run.stdout);
    }
    for who in ["dana", "li", "ana"] {
        let run = cli.run_env(
            &[
                "shell",
                "--as",
                who,
                "--workspace",
                "acme",
                "--at",
                "2026-10-07T09:00:00+01:00",
            ],
            "/stats\n/leaderboard week\n/leaderboard departments all\n",
            &env,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        seen.push(without_port(&run.stdout));
    }
    seen
}

fn copy(cli: &Cli, from: &str, to: &str) -> Run {
    cli.run(&["copy-data", "--from", from, "--to", to], "")
}

#[tokio::test]
async fn a_shell_made_database_copied_to_postgres_shows_the_same_boards_stats_and_export() {
    if crate::backends::server().is_none() {
        eprintln!("skipped: needs PostgreSQL; set SPOTLIGHT_TEST_POSTGRES_URL (scripts/with-postgres does)");
        return;
    }
    let cli = Cli::new();
    let day_one = cli.shell(
        "ana",
        "2026-10-05T09:00:00+01:00",
        "/config timezone Europe/London\n\
         /config department @dana Billing\n\
         /config department @li Support\n\
         /config department @ana Sales\n\
         /kudos @dana @li Thanks for covering the queue #teamwork\n\
         /feedback @dana The customer loved her call\n\
         /medallion @li For every night shift\n\
         /thanked-customer wrote to ACME\n\
         /kudos @sam quick one\n\
         /undo\n",
    );
    assert_eq!(day_one.code, 0, "{}", day_one.stderr);
    let day_two = cli.shell(
        "dana",
        "2026-10-06T10:00:00+01:00",
        "/kudos @li Sorted my invoice #teamwork\n/kudos @ana Thanks for the intro\n",
    );
    assert_eq!(day_two.code, 0, "{}", day_two.stderr);
    let sqlite = cli.db().display().to_string();
    let before = views(&cli, &sqlite);
    assert!(before[0].contains("li"), "{}", before[0]);

    let postgres = crate::backends::fresh_database().await;
    let copied = copy(&cli, &format!("sqlite://{sqlite}"), &postgres);
    assert_eq!(copied.code, 0, "{}", copied.stderr);
    assert!(
        copied.stdout.contains("Every table's row count matches."),
        "{}",
        copied.stdout
    );
    for (table, rows) in [
        ("workspaces", 1),
        ("kudos", 5),
        ("medallions", 1),
        ("customer_thanks", 1),
    ] {
        let line = copied
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .unwrap_or_else(|| panic!("{table} in {}", copied.stdout));
        assert_eq!(
            line.split_whitespace().nth(1),
            Some(rows.to_string().as_str()),
            "{line}"
        );
    }

    let after = views(&cli, &postgres);
    for (sqlite_view, postgres_view) in before.iter().zip(&after) {
        assert_eq!(sqlite_view, postgres_view);
    }

    // Into a database that now holds the team: refused, and nothing changes there.
    let again = copy(&cli, &sqlite, &postgres);
    assert_eq!(again.code, 2, "{}", again.stderr);
    crate::cli::assert_one_line(&again.stderr);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
    assert_eq!(views(&cli, &postgres), after);

    // One database named twice (a file by two paths) is refused before anything is read.
    let twice = copy(
        &cli,
        &sqlite,
        &format!("{}/./data/spotlight.db", cli.dir.path().display()),
    );
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("--from and --to both name"),
        "{}",
        twice.stderr
    );

    // A source that does not exist is not created.
    let missing = copy(
        &cli,
        "nowhere/old.db",
        &crate::backends::fresh_database().await,
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("there is no database at nowhere/old.db"),
        "{}",
        missing.stderr
    );
    assert!(!cli.dir.path().join("nowhere").exists());
}
