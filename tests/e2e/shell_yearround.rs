//! Medallions, customers thanked and the welcome in `spotlight shell`, through to the week's
//! posts and the export.

use crate::support::Cli;

fn has_line(out: &str, line: &str) -> bool {
    out.lines().any(|l| l == line)
}

#[test]
fn medallions_customers_and_welcomes_in_the_shell_and_the_week_s_posts() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T09:00:00+01:00",
        "\
/config timezone Europe/London
/medallion @dana Untangled my customer's order @everyone
/medallion @li and you
/medallion @ana me
/medallion @spotlight good bot
/medallion @dana @li both
/medallion @li
:clock +1m
/thanked-customer Mrs Patel @here
/thanked-customer
/stats
/stats @dana
/leaderboard medallions
/undo
/leaderboard medallions
/config medallions 4
/config medallions 3
:clock +1m
/medallion @li Fixed the refund #speed
:clock +1m
/config welcome off
:as sam
/stats
:as dana
/thanked-customer
/kudos @ana thanks for the medallion
:clock 2026-10-07T17:01
:clock 2026-10-09T16:01
",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for line in [
        "🏅 Service medallion given to dana (medallion #1). That was your medallion for this year.",
        "⚠ You have given all 1 of your service medallions for 2026; you get 1 more on 1 January. Kudos are always there: /kudos.",
        "⚠ You can't give a service medallion to yourself: it is for a colleague whose service to you stood out.",
        "⚠ spotlight is a bot; service medallions are for people.",
        "⚠ A service medallion goes to one colleague; you named 2.",
        "⚠ Add a message saying what you are thankful for.",
        "💌 Thank you for thanking a customer! Recorded (“Mrs Patel @\u{200B}here”). You have thanked 1 customer this week (1 in all); the team has thanked 1 customer today.",
        "💌 Thank you for thanking a customer! Recorded. You have thanked 2 customers this week (2 in all); the team has thanked 2 customers today.",
        "   🏅 You have given your service medallion for this year.",
        "   Customers thanked (thank-you notes): 2 this week (2 in all)",
        "   🏅 Service medallions received: 1 this year (1 in all)",
        "🏆 Service medallions — this year (2026)",
        "   1. dana — 1",
        "Undone: your service medallion #1 to dana is withdrawn and you have it back for 2026.",
        "   Nothing yet. Be the first to thank someone!",
        "⚠ '4' is not a number of medallions: use 0 to 3 per member per year.",
        "Service medallions: 3 per member per year.",
        "🏅 Service medallion given to li (medallion #2). You have 2 more this year.",
        "The welcome for newcomers is off.",
    ] {
        assert!(has_line(out, line), "missing line {line:?} in:\n{out}");
    }
    // Its own look in the channel, the mass mention defused.
    assert!(
        has_line(
            out,
            "[#general] 🏅 Service medallion 2026 · ana honours dana: “Untangled my customer's order @\u{200B}everyone” (medallion #1)"
        ),
        "{out}"
    );
    assert_eq!(
        out.matches("[#general] 🏅").count(),
        2,
        "refusals post nothing:\n{out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("[#general]") && !l.contains("📣"))
            .count(),
        3,
        "two medallions and a kudos; customers thanked are never posted:\n{out}"
    );

    // ana's first command brought her welcome, once; dana's medallion brought her a DM.
    assert_eq!(out.matches("👋 Welcome to Spotlight").count(), 3, "{out}");
    let first = out
        .lines()
        .position(|l| l.starts_with("👋 Welcome"))
        .unwrap();
    assert!(
        out.lines().nth(first - 1).unwrap() == "Time zone set to Europe/London.",
        "the welcome follows the first reply:\n{out}"
    );
    assert!(
        out.contains("[DM to dana] ana just thanked you through Spotlight!\n👋 Welcome"),
        "{out}"
    );
    // li's medallion came before welcomes were switched off; sam spoke after: no welcome.
    assert!(out.contains("[DM to li] ana just thanked you"), "{out}");
    assert!(!out.contains("[DM to sam]"), "{out}");

    // The recap counts the day's customers thanked; the awards the week's medallions and customers.
    assert!(
        out.contains("    Customers thanked today: 3 (a thank-you note to a customer counts: /thanked-customer)."),
        "{out}"
    );
    let awards = &out[out
        .find("📣 Customer Service Week 2026: the awards")
        .expect(out)..];
    assert!(
        awards.contains("    🏅 Service medallions: 1 this week, 1 so far in 2026."),
        "{awards}"
    );
    assert!(
        awards.contains("    • ana to li: “Fixed the refund #speed”"),
        "{awards}"
    );
    assert!(
        awards.contains("    💌 Customers thanked this week: 3 (2 people wrote)."),
        "{awards}"
    );

    // The export has them all, in order.
    let export = cli.run(&["export", "--workspace", "acme", "--format", "json"], "");
    assert_eq!(export.code, 0, "{}", export.stderr);
    let rows: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let kinds: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        // dana's kudos and note share a minute: kudos come first at the same time.
        [
            "customer_thanks",
            "customer_thanks",
            "medallion",
            "kudos",
            "customer_thanks"
        ],
        "{rows:#}"
    );
    assert_eq!(rows[2]["recipients"], serde_json::json!(["li"]));
    assert_eq!(rows[0]["message"], "Mrs Patel @\u{200B}here");
    let with_removed = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "csv",
            "--include-removed",
        ],
        "",
    );
    assert!(
        with_removed.stdout.contains(",medallion,") && with_removed.stdout.contains(",undone,ana,"),
        "{}",
        with_removed.stdout
    );
}
