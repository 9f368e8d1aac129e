//! In the shell, a refused command changes nothing: the people it names are not recorded, and
//! coverage and the export read the same before and after, whichever rule turned it down.

use crate::support::Cli;

const AT: &str = "2026-10-05T09:00:00Z";

#[derive(Debug, PartialEq)]
struct Snapshot {
    members: Vec<(String, String, bool)>,
    coverage: String,
    export: String,
}

fn snapshot(cli: &Cli) -> Snapshot {
    let db = cli.db();
    let members = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        sqlx::query_as("SELECT external_id, display_name, is_bot FROM members ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    });
    let coverage = cli.shell("ana", AT, "/coverage\n");
    let export = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "json",
            "--include-removed",
        ],
        "",
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    Snapshot {
        members,
        coverage: coverage.stdout,
        export: export.stdout,
    }
}

#[test]
fn refused_commands_record_no_one_and_change_nothing() {
    let cli = Cli::new();
    let setup = cli.shell(
        "ana",
        AT,
        "/kudos @ben @cy thanks both\n/config allowance 2\n",
    );
    assert!(
        setup.stdout.contains("Kudos sent to ben and cy"),
        "{}",
        setup.stdout
    );
    let before = snapshot(&cli);
    assert_eq!(before.members.len(), 4, "ana, the bot, ben, cy: {before:?}");
    assert!(
        before.coverage.contains("2 of 3 people"),
        "{}",
        before.coverage
    );

    let long = "x".repeat(501);
    let too_many: String = (1..=11).map(|i| format!("@p{i} ")).collect();
    let cases = [
        (
            "ana",
            "/kudos @ana @gus self and gus".to_string(),
            "You can't send kudos to yourself",
        ),
        (
            "ana",
            "/kudos @spotlight @gus good bot".into(),
            "spotlight is a bot",
        ),
        (
            "ana",
            "/kudos @gus @hal @ivy @jo too many".into(),
            "at most 3 people",
        ),
        ("ana", "/kudos @gus".into(), "Add a message"),
        ("ana", format!("/kudos @gus {long}"), "the limit is 500"),
        (
            "ana",
            "/kudos @gus thanks #speed".into(),
            "Unknown value 'speed'",
        ),
        (
            "ana",
            "/kudos @gus over the allowance".into(),
            "Daily allowance reached",
        ),
        (
            "ana",
            "/feedback @ana @gus great".into(),
            "Share feedback about your colleagues",
        ),
        (
            "ana",
            format!("/feedback {too_many} great"),
            "at most 10 colleagues",
        ),
        ("ana", "/feedback @gus".into(), "Add the customer's words"),
        (
            "ana",
            format!("/feedback @gus from:\"{}\" great", "C".repeat(101)),
            "not a valid name",
        ),
        (
            "ana",
            "/feedback @gus from:\"Acme great work".into(),
            "no closing quote",
        ),
        (
            "ana",
            "/stats @gus".into(),
            "gus hasn't given or received any kudos here yet",
        ),
        (
            "ana",
            "/config admin @gus off".into(),
            "gus is not an admin",
        ),
        (
            "ana",
            "/config admin @spotlight".into(),
            "only people can be admins",
        ),
        (
            "ana",
            "/config admin @ana off".into(),
            "ana is the last admin",
        ),
        ("ana", "/config department @gus".into(), "Missing a value"),
        (
            "ben",
            "/config department @gus Billing".into(),
            "Only admins",
        ),
        ("ben", "/config admin @gus".into(), "Only admins"),
    ];
    for (who, line, expected) in cases {
        let run = cli.shell(who, AT, &format!("{line}\n"));
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with('⚠') && l.contains(expected)),
            "{line}: expected a refusal with {expected:?}, got:\n{}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("[#"),
            "{line}: nothing is posted:\n{}",
            run.stdout
        );
        assert_eq!(snapshot(&cli), before, "{line} changed something");
    }

    // Once a command goes through, the person it names is recorded.
    let run = cli.shell("ana", AT, "/config allowance 5\n/kudos @gus thanks\n");
    assert!(run.stdout.contains("Kudos sent to gus"), "{}", run.stdout);
    let after = snapshot(&cli);
    assert!(after.members.iter().any(|m| m.1 == "gus"), "{after:?}");
    assert!(
        after.coverage.contains("3 of 4 people"),
        "{}",
        after.coverage
    );
}

/// Databases written before the fix hold people only a refused command named; the upgrade
/// forgets them and keeps everyone with a footprint.
#[tokio::test]
async fn the_upgrade_forgets_people_only_a_refused_command_named() {
    use crate::support::TestApp;
    let test = TestApp::at(AT).await;
    let core = test.core();
    let ws = test.workspace("acme").await;
    let ana = test.member(&ws, "ana").await;
    let ben = test.member(&ws, "ben").await;
    let dept = test.member(&ws, "dee").await;
    let admin = test.member(&ws, "ada").await;
    test.member(&ws, "gus").await;
    core.member(&ws, "robo", "robo", true).await.unwrap();
    let boss = spotlight::domain::model::Actor {
        member: ana.clone(),
        is_admin: true,
    };
    core.set_department(&ws, &boss, &dept, Some("Billing"))
        .await
        .unwrap();
    test.thank(&ws, &ana, &[&ben], "thanks").await.unwrap();
    let pool = core.store().pool();
    sqlx::query("UPDATE members SET is_admin = 1 WHERE id = ?")
        .bind(admin.id)
        .execute(pool)
        .await
        .unwrap();
    // As if the database had stopped before the migration that cleans up.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 4")
        .execute(pool)
        .await
        .unwrap();
    let config = test.app.config.clone();
    test.app.shutdown().await;
    let again = spotlight::app::App::build(config, std::sync::Arc::new(test.clock.clone()))
        .await
        .unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT display_name FROM members ORDER BY id")
        .fetch_all(again.spotlight.store().pool())
        .await
        .unwrap();
    assert_eq!(names, ["ana", "ben", "dee", "ada", "robo"]);
}
