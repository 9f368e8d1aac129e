//! The one-shot commands: calendar, leaderboard, export, migrate, and their bad input.

use crate::support::Cli;

const SEED: &str = "\
/config timezone Europe/London
/config department @li Billing
/config department @ana Support
/kudos @li @dana Thanks for covering the queue #teamwork
/kudos @li Fixed the \"invoice, again\" bug #integrity
/feedback @dana from:Maria Lovely service
";

#[test]
fn calendar_prints_the_week_and_its_plan() {
    let cli = Cli::new();
    let run = cli.run(&["calendar", "2026"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("Customer Service Week 2026: 2026-10-05 to 2026-10-09\n"),
        "{}",
        run.stdout
    );
    for title in [
        "Thank a teammate",
        "Internal customers",
        "Celebrate customer feedback",
        "Walk in their shoes",
        "Excellence in Service",
    ] {
        assert!(
            run.stdout.contains(title),
            "{title} missing:\n{}",
            run.stdout
        );
    }
    let run = cli.run(&["calendar", "2013"], "");
    assert!(
        run.stdout.contains("2013-10-07 to 2013-10-11"),
        "{}",
        run.stdout
    );
    let run = cli.run(&["calendar", "twenty"], "");
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("invalid value 'twenty'"),
        "{}",
        run.stderr
    );
}

#[test]
fn calendar_shows_a_workspaces_moved_week() {
    let cli = Cli::new();
    cli.shell("ana", "2026-09-01T09:00:00Z", "/config week 2026-10-12\n");
    let run = cli.run(&["calendar", "2026", "--workspace", "acme"], "");
    assert!(
        run.stdout.starts_with(
            "Customer Service Week 2026: 2026-10-12 to 2026-10-16 (moved by an admin)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn leaderboard_command_prints_the_board() {
    let cli = Cli::new();
    let seed = cli.shell("ana", "2026-10-05T09:00:00Z", SEED);
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    let run = cli.run(
        &["leaderboard", "--workspace", "acme", "--period", "csw2026"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "🏆 People thanked — Customer Service Week 2026 (Mon 5 Oct to Fri 9 Oct)\n   1. li — 2\n   2. dana — 1\n   (times in Europe/London)\n"
    );
    let run = cli.run(
        &[
            "leaderboard",
            "--workspace",
            "ACME",
            "--period",
            "week",
            "--board",
            "crossteam",
            "--at",
            "2026-10-06T12:00:00Z",
        ],
        "",
    );
    assert!(
        run.stdout.contains("   1. Support → Billing — 2"),
        "{}",
        run.stdout
    );
    let run = cli.run(
        &[
            "leaderboard",
            "--workspace",
            "acme",
            "--period",
            "fortnight",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("'fortnight' is not a period"),
        "{}",
        run.stderr
    );
    let run = cli.run(&["leaderboard", "--workspace", "nope"], "");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("No workspace named 'nope' (known workspaces: acme)"),
        "{}",
        run.stderr
    );
}

#[test]
fn export_writes_every_thank_you_as_csv_or_json() {
    let cli = Cli::new();
    cli.shell("ana", "2026-10-05T09:00:00Z", SEED);
    let run = cli.run(&["export", "--workspace", "acme", "--format", "json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["giver"], "ana");
    assert_eq!(rows[0]["giver_department"], "Support");
    assert_eq!(rows[0]["recipients"], serde_json::json!(["dana", "li"]));
    assert_eq!(
        rows[0]["recipient_departments"],
        serde_json::json!(["", "Billing"])
    );
    assert_eq!(rows[0]["value"], "Teamwork");
    assert_eq!(rows[0]["time"], "2026-10-05T10:00:00+01:00");
    assert_eq!(rows[2]["kind"], "feedback");
    assert_eq!(rows[2]["customer"], "Maria");

    let run = cli.run(&["export", "--workspace", "acme", "--format", "csv"], "");
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[4], "giver");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(&records[1][8], "Fixed the \"invoice, again\" bug");
    assert_eq!(&records[0][6], "dana; li");

    let run = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "csv",
            "--from",
            "2026-10-06",
        ],
        "",
    );
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "header only:\n{}",
        run.stdout
    );
    let run = cli.run(&["export", "--workspace", "acme", "--format", "xml"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("'xml' is not an export format"),
        "{}",
        run.stderr
    );
    let run = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "csv",
            "--from",
            "2026-13-01",
        ],
        "",
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("is not a date"), "{}", run.stderr);
}

#[test]
fn migrate_creates_the_database_and_its_folder() {
    let cli = Cli::new();
    let run = cli.run(&["migrate"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert!(
        run.stdout
            .contains(&format!("is up to date ({shipped} migrations applied)")),
        "{}",
        run.stdout
    );
    assert!(cli.db().exists());
}

#[test]
fn a_bad_config_value_stops_start_up_naming_the_key() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DEFAULTS_TIMEZONE", "Mars/Base")],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("defaults.timezone: 'Mars/Base' is not an IANA time zone"),
        "{}",
        run.stderr
    );
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DATABASE_MAX_CONNECTIONS", "many")],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("database.max_connections"),
        "{}",
        run.stderr
    );
    std::fs::write(
        cli.dir.path().join("extra.toml"),
        "[defaults]\ndaily_allowance = 1\n",
    )
    .unwrap();
    let run = cli.run_env(
        &["shell", "--at", "2026-10-05T09:00:00Z"],
        "/kudos @a one\n/kudos @b two\n",
        &[("SPOTLIGHT_CONFIG", "extra.toml")],
    );
    assert!(
        run.stdout.contains("you can thank 1 people a day"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unusable_database_path_is_explained() {
    let cli = Cli::new();
    let blocker = cli.dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[(
            "SPOTLIGHT_DATABASE_URL",
            &blocker.join("x.db").display().to_string(),
        )],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot create the database folder"),
        "{}",
        run.stderr
    );

    let not_db = cli.dir.path().join("notes.txt");
    std::fs::write(&not_db, "hello, this is not sqlite at all".repeat(200)).unwrap();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DATABASE_URL", &not_db.display().to_string())],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not a SQLite database"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_read_only_database_is_explained() {
    let cli = Cli::new();
    cli.run(&["migrate"], "");
    let url = format!("sqlite://{}?mode=ro", cli.db().display());
    let run = cli.run_env(
        &[
            "shell",
            "--as",
            "newcomer",
            "--workspace",
            "fresh",
            "--at",
            "2026-10-05T09:00:00Z",
        ],
        "",
        &[("SPOTLIGHT_DATABASE_URL", &url)],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
}

#[tokio::test]
async fn a_database_locked_by_another_process_gets_a_clear_message() {
    use sqlx::{ConnectOptions, Connection};
    let cli = Cli::new();
    cli.run(&["migrate"], "");
    let mut holder = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(cli.db())
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap();
    let run = cli.run_env(
        &["shell", "--as", "ana", "--at", "2026-10-05T09:00:00Z"],
        "",
        &[("SPOTLIGHT_DATABASE_BUSY_TIMEOUT_MS", "200")],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("another process holds a lock"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("SQLITE"),
        "no raw codes: {}",
        run.stderr
    );
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
}

#[test]
fn run_without_credentials_points_to_the_shell() {
    let cli = Cli::new();
    let run = cli.run(&["run"], "");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("SPOTLIGHT_DISCORD_TOKEN"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("spotlight shell"), "{}", run.stderr);
}

#[test]
fn run_fails_loudly_when_the_discord_api_cannot_be_reached() {
    let cli = Cli::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let run = cli.run_env(
        &["run"],
        "",
        &[
            ("SPOTLIGHT_DISCORD_TOKEN", "not-a-real-token"),
            ("SPOTLIGHT_DISCORD_API_BASE_URL", &base),
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("cannot reach the Discord API at {base}")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not-a-real-token"),
        "the token is never printed: {}",
        run.stderr
    );
}

#[test]
fn workspaces_are_found_by_name_in_any_case_or_by_platform_and_id() {
    let cli = Cli::new();
    cli.shell("ana", "2026-10-05T09:00:00Z", "/kudos @li thanks\n");
    cli.run(
        &[
            "shell",
            "--as",
            "bo",
            "--workspace",
            "ACME",
            "--at",
            "2026-10-05T09:00:00Z",
        ],
        "",
    );
    // Same name in another case: the same local workspace, renamed.
    let run = cli.run(
        &["leaderboard", "--workspace", "acme", "--period", "all"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cli.run(
        &[
            "leaderboard",
            "--workspace",
            "local:acme",
            "--period",
            "all",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1. li — 1"), "{}", run.stdout);
}
