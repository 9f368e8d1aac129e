//! The one-shot commands: calendar, leaderboard, export, migrate, and their bad input.

use std::io::{BufRead, Write};

use crate::support::{Cli, TestApp};

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
    assert_eq!(run.code, 2, "a bad argument: {}", run.stderr);
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
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
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
    assert_eq!(run.code, 2, "a path through a file is a bad value");
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
    assert_eq!(run.code, 2, "a file that is not a database is a bad value");
    assert!(
        run.stderr.contains("not a SQLite database"),
        "{}",
        run.stderr
    );

    let run = cli.run_env(
        &["migrate"],
        "",
        &[(
            "SPOTLIGHT_DATABASE_URL",
            &cli.dir.path().display().to_string(),
        )],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_one_line(&run.stderr);
    assert!(
        run.stderr
            .contains("is a folder; name a database file in it"),
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
            .contains(&format!("cannot reach the Discord API at {base}: ")),
        "{}",
        run.stderr
    );
    assert_one_line(&run.stderr);
    assert!(
        run.stderr.contains("onnection refused"),
        "the root cause: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("Error while sending HTTP request"),
        "not the library's wrappers: {}",
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

/// The error report is one line, however deep the chain of causes (`run` logs what it started
/// before it; those log lines are not the report).
pub(crate) fn assert_one_line(stderr: &str) {
    let report: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains(" INFO ") && !l.contains(" DEBUG "))
        .collect();
    assert_eq!(report.len(), 1, "one line:\n{stderr}");
    assert!(report[0].starts_with("error: "), "{stderr}");
}

/// Runs the binary with its stdout read for `keep` lines and then closed, as `| head` does.
fn run_into_closed_pipe(cli: &Cli, args: &[&str], stdin: &str, keep: usize) -> (i32, String) {
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_spotlight"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SPOTLIGHT_DATABASE_URL", cli.db())
        .current_dir(cli.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spotlight binary runs");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    // The child may be gone before it reads all of its input.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    for _ in 0..keep {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
    }
    drop(reader);
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn output_into_a_closed_pipe_ends_quietly() {
    let cli = Cli::new();
    // Enough rows that the export outgrows the pipe's buffer after the reader leaves.
    let seeded = TestApp::with_config("2026-10-05T09:00:00Z", |c| {
        c.database.url = cli.db().display().to_string();
        c.defaults.daily_allowance = 0;
    })
    .await;
    let ws = seeded.workspace("acme").await;
    let ana = seeded.member(&ws, "ana").await;
    let li = seeded.member(&ws, "li").await;
    let long = "Thanks for covering the queue again. ".repeat(10);
    for _ in 0..300 {
        seeded.thank(&ws, &ana, &[&li], &long).await.unwrap();
    }
    seeded.app.shutdown().await;
    drop(seeded);

    let script = "/stats\n".repeat(2000);
    let cases: [(&[&str], &str, usize); 7] = [
        (&["calendar", "2026"], "", 0),
        (&["migrate"], "", 0),
        (
            &["leaderboard", "--workspace", "acme", "--period", "all"],
            "",
            0,
        ),
        (&["export", "--workspace", "acme", "--format", "csv"], "", 1),
        (
            &["export", "--workspace", "acme", "--format", "json"],
            "",
            1,
        ),
        (&["export", "--workspace", "acme", "--format", "csv"], "", 0),
        (&["shell", "--as", "ana", "--workspace", "acme"], &script, 1),
    ];
    for (args, stdin, keep) in cases {
        let (code, stderr) = run_into_closed_pipe(&cli, args, stdin, keep);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: nothing on stderr");
    }
}

#[test]
fn bad_arguments_exit_with_status_2_and_one_line() {
    let cli = Cli::new();
    cli.shell("ana", "2026-10-05T09:00:00Z", "/kudos @li thanks\n");
    let cases: [(&[&str], &str); 4] = [
        (
            &["calendar", "0"],
            "'0' is not a year between 1990 and 2200",
        ),
        (
            &[
                "export",
                "--workspace",
                "acme",
                "--format",
                "csv",
                "--from",
                "2026-10-07",
                "--to",
                "2026-10-05",
            ],
            "--from 2026-10-07 is after --to 2026-10-05",
        ),
        (
            &["export", "--workspace", "nope", "--format", "csv"],
            "No workspace named 'nope'",
        ),
        (
            &["calendar", "2026", "--workspace", "discord:1"],
            "No workspace",
        ),
    ];
    for (args, message) in cases {
        let run = cli.run(args, "");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_one_line(&run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn a_missing_or_broken_prompts_file_is_a_configuration_error() {
    let cli = Cli::new();
    std::fs::write(cli.dir.path().join("broken.toml"), "[[day]]\ntitle = \n").unwrap();
    std::fs::write(cli.dir.path().join("short.toml"), "[posts]\n").unwrap();
    let cases = [
        ("missing.toml", "prompts.file: cannot read 'missing.toml'"),
        (
            "broken.toml",
            "prompts.file: 'broken.toml' is not a valid plan",
        ),
        (
            "short.toml",
            "prompts.file: 'short.toml' is not a valid plan",
        ),
    ];
    for (file, message) in cases {
        let run = cli.run_env(
            &["calendar", "2026"],
            "",
            &[("SPOTLIGHT_PROMPTS_FILE", file)],
        );
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        assert_one_line(&run.stderr);
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
    }
    let run = cli.run_env(
        &["calendar", "2026"],
        "",
        &[("SPOTLIGHT_PROMPTS_FILE", "broken.toml")],
    );
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
}

#[test]
fn configuration_errors_say_what_is_allowed_in_one_line() {
    let cli = Cli::new();
    let dir = cli.dir.path();
    std::fs::write(
        dir.join("typo.toml"),
        "[defaults]\ntimezon = \"Europe/London\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("section.toml"), "[defalts]\ntimezone = \"UTC\"\n").unwrap();
    std::fs::write(dir.join("syntax.toml"), "[defaults]\ntimezone = \n").unwrap();
    let cases = [
        ("SPOTLIGHT_DEFAULTS_DAILY_ALLOWANCE", "-3", "defaults.daily_allowance: -3 is not a whole number, 0 for unlimited (from SPOTLIGHT_DEFAULTS_DAILY_ALLOWANCE)"),
        ("SPOTLIGHT_DEFAULTS_VALUES", "7", "defaults.values: 7 is not a list such as [\"Patience\", \"Teamwork\"] or a comma-separated text such as Patience, Teamwork"),
        ("SPOTLIGHT_CONFIG", "typo.toml", "defaults.timezon: unknown key; did you mean defaults.timezone? (in typo.toml)"),
        ("SPOTLIGHT_CONFIG", "section.toml", "defalts: unknown key; did you mean defaults?"),
        ("SPOTLIGHT_DEFAULTS_TIMEZON", "UTC", "defaults.timezon: unknown key; did you mean defaults.timezone? (from SPOTLIGHT_DEFAULTS_TIMEZON)"),
        ("SPOTLIGHT_CONFIG", "missing.toml", "cannot read missing.toml, the file SPOTLIGHT_CONFIG names: "),
        ("SPOTLIGHT_CONFIG", "syntax.toml", "syntax.toml, the file SPOTLIGHT_CONFIG names, is not valid TOML: line 2: "),
    ];
    for (var, value, message) in cases {
        let run = cli.run_env(&["migrate"], "", &[(var, value)]);
        assert_eq!(run.code, 2, "{var}={value}: {}", run.stderr);
        assert_one_line(&run.stderr);
        assert!(
            run.stderr.contains(message),
            "{var}={value}: {}",
            run.stderr
        );
    }
}

#[test]
fn values_from_the_environment_are_a_list_or_comma_separated() {
    let cli = Cli::new();
    for (i, values) in ["Alpha, Beta", "[Alpha, Beta]"].into_iter().enumerate() {
        let run = cli.run_env(
            &["shell", "--as", "ana", "--workspace", &format!("fresh{i}")],
            "/values\n",
            &[("SPOTLIGHT_DEFAULTS_VALUES", values)],
        );
        assert_eq!(run.code, 0, "{values}: {}", run.stderr);
        assert!(
            run.stdout.contains("Values: Alpha, Beta\n"),
            "{values}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_numeric_guild_id_from_the_environment_is_accepted() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DISCORD_DEV_GUILD_ID", "123456789012345678")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn other_databases_are_refused_and_an_unreachable_postgres_says_so_without_its_password() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DATABASE_URL", "mysql://spot:s3cret@db/spotlight")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_one_line(&run.stderr);
    assert!(
        run.stderr
            .contains("database.url: mysql:// is not supported"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    // Port 1 on loopback: nothing listens, and nothing leaves the machine.
    let run = cli.run_env(
        &["migrate"],
        "",
        &[(
            "SPOTLIGHT_DATABASE_URL",
            "postgres://spot:s3cret@127.0.0.1:1/spotlight",
        )],
    );
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_one_line(&run.stderr);
    assert!(
        run.stderr.contains(
            "cannot open the database at postgres://spot@127.0.0.1:1/spotlight: the server cannot be reached"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("s3cret"),
        "no password: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    let created: Vec<_> = std::fs::read_dir(cli.dir.path()).unwrap().collect();
    assert!(created.is_empty(), "{created:?}");
}

#[test]
fn logs_into_a_pipe_have_no_colour_codes() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["leaderboard", "--workspace", "nope"],
        "",
        &[("SPOTLIGHT_LOG_LEVEL", "debug")],
    );
    assert!(run.stderr.contains("command failed"), "{}", run.stderr);
    let coloured = run.stderr.lines().filter(|l| l.contains('\x1b')).count();
    assert_eq!(coloured, 0, "lines with colour codes");
}

#[test]
fn workspace_options_are_described_in_help() {
    let cli = Cli::new();
    for command in ["leaderboard", "export"] {
        let run = cli.run(&[command, "--help"], "");
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout
                .contains("its name in any case, its platform id, or platform:id"),
            "{command}: {}",
            run.stdout
        );
    }
}

#[test]
fn export_says_who_removed_a_thank_you_and_why() {
    let cli = Cli::new();
    let seed = cli.shell(
        "ana",
        "2026-10-05T09:00:00Z",
        "/kudos @li first thanks\n/kudos @dana second thanks\n/undo\n/kudos @li third thanks\n\
         /config revoke 3 posted by mistake\n",
    );
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    let export = &[
        "export",
        "--workspace",
        "acme",
        "--include-removed",
        "--format",
    ];
    let run = cli.run(&[export.as_slice(), &["json"]].concat(), "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let removal = |i: usize| {
        let row = &rows[i];
        (
            row["status"].as_str().unwrap().to_string(),
            row["removed_by"].as_str().unwrap().to_string(),
            row["removed_reason"].as_str().unwrap().to_string(),
        )
    };
    let expected = |s: &str, by: &str, why: &str| (s.to_string(), by.to_string(), why.to_string());
    assert_eq!(removal(0), expected("active", "", ""));
    assert_eq!(
        removal(1),
        expected("undone", "ana", ""),
        "its giver undid it"
    );
    assert_eq!(removal(2), expected("revoked", "ana", "posted by mistake"));

    let run = cli.run(&[export.as_slice(), &["csv"]].concat(), "");
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (by, why) = (column("removed_by"), column("removed_reason"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!((&records[0][by], &records[0][why]), ("", ""));
    assert_eq!(
        (&records[2][by], &records[2][why]),
        ("ana", "posted by mistake")
    );
}

#[test]
fn run_on_slack_needs_a_whole_set_of_credentials_and_a_reachable_api() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["run"],
        "",
        &[("SPOTLIGHT_SLACK_SIGNING_SECRET", "s3cr3t")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_one_line(&run.stderr);
    assert!(
        run.stderr.contains("SPOTLIGHT_SLACK_BOT_TOKEN"),
        "{}",
        run.stderr
    );
    let run = cli.run_env(
        &["run"],
        "",
        &[
            ("SPOTLIGHT_SLACK_SIGNING_SECRET", "s3cr3t"),
            ("SPOTLIGHT_SLACK_CLIENT_ID", "1.2"),
            ("SPOTLIGHT_SLACK_CLIENT_SECRET", "shh"),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("SPOTLIGHT_SECRET_KEY"),
        "{}",
        run.stderr
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api");
    let run = cli.run_env(
        &["run"],
        "",
        &[
            ("SPOTLIGHT_SLACK_SIGNING_SECRET", "s3cr3t"),
            ("SPOTLIGHT_SLACK_BOT_TOKEN", "xoxb-not-real"),
            ("SPOTLIGHT_SLACK_API_BASE_URL", &base),
            ("SPOTLIGHT_SERVER_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_one_line(&run.stderr);
    assert!(
        run.stderr
            .contains(&format!("cannot reach the Slack API at {base}")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("xoxb-not-real") && !run.stderr.contains("s3cr3t"));
}

#[test]
fn a_full_database_refuses_writes_clearly_and_keeps_everything_acknowledged() {
    let cli = Cli::new();
    let mut script = String::from("/config allowance 0\n");
    let words = "thanks for the queue, ".repeat(20);
    for n in 0..4000 {
        script.push_str(&format!("/kudos @li kudos-{n} {words}\n"));
    }
    script.push_str("/stats\n");
    let limit = [("SPOTLIGHT_DATABASE_MAX_SIZE_MB", "1")];
    let run = cli.run_env(
        &[
            "shell",
            "--as",
            "ana",
            "--workspace",
            "acme",
            "--at",
            "2026-10-05T09:00:00Z",
        ],
        &script,
        &limit,
    );
    assert_eq!(run.code, 0, "the shell goes on: {}", run.stderr);
    let sent: Vec<usize> = run
        .stdout
        .lines()
        .filter(|l| l.contains("Kudos sent to li"))
        .map(|l| {
            let number = l.rsplit("(#").next().unwrap().split(')').next().unwrap();
            number.parse().unwrap()
        })
        .collect();
    let full = run
        .stdout
        .lines()
        .filter(|l| l.contains("my database is full"))
        .count();
    assert!(!sent.is_empty(), "{}", run.stdout);
    assert!(
        full > 0,
        "some kudos hit the limit: {}",
        &run.stdout[run.stdout.len().saturating_sub(2000)..]
    );
    assert_eq!(
        sent.len() + full,
        4000,
        "each kudos was either sent or refused"
    );
    assert!(
        !run.stdout.contains("went wrong"),
        "a full database is named, not an apology"
    );
    assert!(
        run.stdout.contains("📊 ana"),
        "reading still works when full"
    );

    // Without the limit: exactly the acknowledged kudos are there, whole.
    let export = cli.run(&["export", "--workspace", "acme", "--format", "json"], "");
    assert_eq!(export.code, 0, "{}", export.stderr);
    let rows: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows.len(),
        sent.len(),
        "nothing refused was stored, nothing sent was lost"
    );
    for row in rows {
        let message = row["message"].as_str().unwrap();
        assert!(
            message.starts_with("kudos-") && message.ends_with("queue,"),
            "{message}"
        );
    }
}
