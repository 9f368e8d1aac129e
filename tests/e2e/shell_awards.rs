//! The Excellence in Service awards in `spotlight shell`: every command's reply and post, the
//! ceremony through `:clock` (once, across a second session too) and `spotlight export --awards`.

use crate::support::Cli;

fn has_line(out: &str, line: &str) -> bool {
    out.lines().any(|l| l == line)
}

const SETUP: &str = "\
/config timezone Europe/London
/config department @ana Support
/config department @dana Billing
/config department @li Billing
/config department @sam Sales
/config department @bo Sales
";

#[test]
fn awards_in_the_shell_from_nominations_to_the_ceremony_and_the_export() {
    let cli = Cli::new();
    let script = format!(
        "{SETUP}\
/nominate @dana great
/config awards open 2026-11-30
/config awards open 2026-12-10
/config awards open 2026-12-11
/kudos @dana Fixed my invoice @everyone
/medallion @li Untangled the refund
/nominate @dana Always answers Support's questions the same day
/nominate @li Saves our refunds
/nominate @dana Always answers Support's questions the same day @here
/nominate @ana me
/nominate @spotlight good bot
/nominate @sam
/nominate @sam @bo both
:as li
/nominate @sam Helped Billing with the Sales handover
/config awards
:as sam
/nominate @li Handles our refunds
/kudos @bo thanks teammate
:as bo
/nominate @sam great teammate
:as ana
/config awards
/config awards shortlist
/config awards bogus
:clock 2026-12-11T00:01
/nominate @sam late
/config awards shortlist
/config awards ceremony 2026-12-18
/config awards pick @ana
/config awards pick @dana
/config awards accept
/config awards ceremony 2026-12-10 16:00
/config awards ceremony 2026-12-18
/config awards export
:clock 2026-12-18T16:01
:clock +1d
"
    );
    let run = cli.shell("ana", "2026-12-01T09:00:00Z", &script);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for line in [
        "⚠ Nominations for the Excellence in Service awards are not open.",
        "⚠ Nominations would close at the end of Mon 30 Nov 2026, which has passed: choose a moment in the future.",
        "Nominations for the 2026 awards are open until the end of Thu 10 Dec 2026 (Europe/London); the announcement is posted.",
        "[#general] 🏆 Nominations for the Excellence in Service awards 2026 are open until the end of Thu 10 Dec 2026 (Europe/London). Who in another department gave you great service this year? Nominate them: /nominate @name why (one colleague per department; nominations are private).",
        "⚠ Nominations are already open, until the end of Thu 10 Dec 2026. Close them first (`awards close`) to change that.",
        "🏆 You nominated dana for the Excellence in Service award (Billing). Nominations close at the end of Thu 10 Dec 2026.",
        "🏆 You nominated li for the Excellence in Service award (Billing). It replaces your nomination of dana (one nominee per department). Nominations close at the end of Thu 10 Dec 2026.",
        "🏆 You nominated dana for the Excellence in Service award (Billing). It replaces your nomination of li (one nominee per department). Nominations close at the end of Thu 10 Dec 2026.",
        "⚠ You can't nominate yourself: nominate a colleague whose service to your department stood out.",
        "⚠ spotlight is a bot; the Excellence in Service awards are for people.",
        "⚠ Say why you nominate them, e.g. /nominate @dana answers Billing's questions the same day.",
        "⚠ Nominate one colleague at a time; you named 2.",
        "🏆 You nominated sam for the Excellence in Service award (Sales). Nominations close at the end of Thu 10 Dec 2026.",
        "⚠ Only admins can see the award nominations.",
        // The admins' private list.
        "🏆 Excellence in Service awards 2026: nominations open until the end of Thu 10 Dec 2026; 4 nominations by 4 members (private to admins)",
        "   dana — 1 nomination",
        "      • ana: “Always answers Support's questions the same day @\u{200B}here”",
        "   sam — 2 nominations",
        "      • bo: “great teammate”",
        "⚠ Nominations are open until the end of Thu 10 Dec 2026; the shortlists come once they close (or close them now with `awards close`).",
        "⚠ Unknown awards command 'bogus': use status, open UNTIL, close, shortlist, pick @name, accept, ceremony WHEN or export.",
        "⚠ Nominations for the Excellence in Service awards closed on Fri 11 Dec 2026 00:00.",
        // The channel hears that nominations closed, in numbers only.
        "[#general] 📣 🏆 Nominations for the Excellence in Service awards 2026 are closed",
        // The shortlists: li's medallion from Support outweighs dana's kudos; bo's kudos from
        // sam (the same department) counts for nothing.
        "🏆 Excellence in Service awards 2026: shortlists",
        "   1. li — 6 (1 nomination, 1 medallion, 0 kudos, 0 compliments)",
        "      “Untangled the refund” — ana (Support)",
        "   2. dana — 4 (1 nomination, 0 medallions, 1 kudos, 0 compliments)",
        "   1. sam — 6 (2 nominations, 0 medallions, 0 kudos, 0 compliments)",
        "⚠ Pick a winner for Billing, Sales first (`awards pick @name`, or `awards accept` for the top of each shortlist).",
        "⚠ ana is not on any shortlist: a winner is one of their department's nominees.",
        "🏆 dana is the Billing winner of the Excellence in Service awards.",
        "🏆 Winners:",
        "   Sales: sam (top of the shortlist)",
        "   Billing: dana (already picked)",
        "⚠ Thu 10 Dec 2026 16:00 has passed: schedule the ceremony in the future.",
        "🏆 The 2026 Excellence in Service ceremony will be posted Fri 18 Dec 2026 16:00 (Europe/London), with a direct message to each winner. Winners: Billing: dana; Sales: sam.",
        "Excellence in Service awards 2026: shortlists and quotes (CSV); also `spotlight export --awards`.",
        "year,department,rank,tied,member,score,nominations,medallions,kudos,feedback,winner,quote_kind,quote_from,quote_from_department,quote_date,quote",
        "2026,Billing,1,false,li,6,1,1,0,0,false,medallion,ana,Support,2026-12-01,Untangled the refund",
        "2026,Sales,1,false,sam,6,2,0,0,0,true,nomination,,,2026-12-01,great teammate",
    ] {
        assert!(has_line(out, line), "missing line {line:?} in:\n{out}");
    }
    let closing: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    Thank you: ") && l.contains("nominations from"))
        .collect();
    assert_eq!(
        closing.len(),
        1,
        "told once that nominations closed:\n{out}"
    );
    // The ceremony, once, with its two DMs; nothing a day later.
    let ceremony = "\
[#general] 📣 🏆 Excellence in Service awards 2026
    One person in every department, for the service they gave the rest of us, their internal customers:
    
    🏆 Billing: dana
        “Fixed my invoice @\u{200B}everyone” — ana (Support)
    
    🏆 Sales: sam
        Nominated by 2 colleagues.
    
    Congratulations to all of them, and thank you to everyone who nominated.
[DM to dana] 📣 🏆 You won the Excellence in Service award 2026
    Congratulations, dana! You are the Billing winner of the 2026 Excellence in Service awards.
    
    What colleagues in other departments said about you this year:
    • “Fixed my invoice @\u{200B}everyone” — ana (Support)
    
    Why you were nominated:
    • “Always answers Support's questions the same day @\u{200B}here”
[DM to sam] 📣 🏆 You won the Excellence in Service award 2026
    Congratulations, sam! You are the Sales winner of the 2026 Excellence in Service awards.
    
    Why you were nominated:
    • “Helped Billing with the Sales handover”
    • “great teammate”
🕘 It is Fri 18 Dec 2026 16:01 (Europe/London).
🕘 It is Sat 19 Dec 2026 16:01 (Europe/London).";
    assert!(out.contains(ceremony), "{out}");
    assert_eq!(
        out.matches("Excellence in Service awards 2026\n").count(),
        1
    );

    // A second session on the same database: nothing is posted again; the round is over.
    let again = cli.shell(
        "ana",
        "2026-12-18T16:30:00Z",
        ":clock +1d\n/config awards\n/nominate @li again\n",
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(!again.stdout.contains("📣"), "{}", again.stdout);
    assert!(
        has_line(
            &again.stdout,
            "🏆 Excellence in Service awards 2026: the ceremony was posted; 4 nominations by 4 members (private to admins)"
        ),
        "{}",
        again.stdout
    );
    assert!(
        has_line(
            &again.stdout,
            "⚠ Nominations for the Excellence in Service awards are not open."
        ),
        "{}",
        again.stdout
    );

    // The printed ceremony's file, from the command line.
    let csv = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "csv",
            "--awards",
        ],
        "",
    );
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert_eq!(
        csv.stdout.lines().next(),
        Some("year,department,rank,tied,member,score,nominations,medallions,kudos,feedback,winner,quote_kind,quote_from,quote_from_department,quote_date,quote")
    );
    assert_eq!(csv.stdout.lines().count(), 7, "{}", csv.stdout);
    assert!(has_line(
        &csv.stdout,
        "2026,Billing,2,false,dana,4,1,0,1,0,true,kudos,ana,Support,2026-12-01,Fixed my invoice @\u{200B}everyone"
    ), "{}", csv.stdout);
    let json = cli.run(
        &[
            "export",
            "--workspace",
            "acme",
            "--format",
            "json",
            "--awards",
            "-o",
            "awards.json",
        ],
        "",
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(
        json.stderr
            .contains("Wrote 6 quotes of the 2026 awards to awards.json."),
        "{}",
        json.stderr
    );
    let rows: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            cli.db()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .join("awards.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    assert_eq!(rows[5]["member"], "sam");
    assert_eq!(rows[5]["winner"], true);
}

#[test]
fn closing_early_and_members_without_a_department() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-12-01T09:00:00Z",
        "\
/config timezone Europe/London
/config awards close
/config awards open 2026-12-10 17:30
:as zoe
/config awards open 2026-12-12
/nominate @kai Kept the office running
:as ana
/config awards close
/nominate @kai too late
/config awards shortlist
/config awards accept
/config awards export json
",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for line in [
        "⚠ The Excellence in Service awards have not been opened yet: an admin opens nominations with `awards open 2026-12-15`.",
        "Nominations for the 2026 awards are open until Thu 10 Dec 2026 17:30 (Europe/London); the announcement is posted.",
        "⚠ Only admins can open the Excellence in Service awards.",
        "🏆 You nominated kai for the Excellence in Service award (No department). Nominations close at Thu 10 Dec 2026 17:30.",
        "Nominations for the 2026 awards closed at Tue 1 Dec 2026 09:00. See the shortlists with `awards shortlist`.",
        "⚠ Nominations for the Excellence in Service awards closed on Tue 1 Dec 2026 09:00.",
        "No department",
        "   1. kai — 3 (1 nomination, 0 medallions, 0 kudos, 0 compliments)",
        "   No department: kai (top of the shortlist)",
        "    \"department\": \"No department\",",
    ] {
        assert!(has_line(out, line), "missing line {line:?} in:\n{out}");
    }
}
