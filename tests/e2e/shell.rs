//! `spotlight shell` driven through piped stdin, as a newcomer would script it.

use crate::support::Cli;

#[test]
fn a_scripted_session_thanks_refuses_and_shows_boards() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T09:00:00+01:00",
        "\
/config timezone Europe/London
/kudos @dana @li Thanks for covering the queue #teamwork
/kudos @ana me
/kudos @spotlight good bot
/kudos @dana nice #speed
/kudos @a @b @c @d too many
/feedback @li from:\"Maria Lopez\" Li solved my billing problem in one call
/leaderboard week
/stats @li
/frobnicate
:quit
/kudos @dana never reached
",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    let expect = [
        "Time zone set to Europe/London.",
        "✅ Kudos sent to dana and li (#1). You can thank 3 more people today.",
        "[#general] 🌟 ana thanked dana and li: “Thanks for covering the queue” · Teamwork · Thank a teammate (#1)",
        "⚠ You can't send kudos to yourself. Thank a colleague instead!",
        "⚠ spotlight is a bot; kudos are for people.",
        "⚠ Unknown value 'speed'. Valid values: Patience, Teamwork, Going the extra mile, Customer first, Integrity.",
        "⚠ You can thank at most 3 people at once (you named 4).",
        "[#general] 💬 Customer feedback for li, shared by ana: “Li solved my billing problem in one call” — Maria Lopez · Thank a teammate (#2)",
        "🏆 People thanked — this week (Mon 5 Oct to Sun 11 Oct 2026)",
        "   1. dana — 1",
        "   1. li — 1",
        "   Kudos received: 1 · given: 0 · customer feedback: 1",
        "⚠ Unknown command '/frobnicate'. Type :help for the list.",
    ];
    for line in expect {
        assert!(
            out.lines().any(|l| l == line),
            "missing line {line:?} in:\n{out}"
        );
    }
    assert!(!out.contains("never reached"));
    assert_eq!(
        out.matches("[#general]").count(),
        2,
        "refusals post nothing:\n{out}"
    );
}

#[test]
fn admin_rights_clock_and_undo_work_across_sessions() {
    let cli = Cli::new();
    // ana speaks first and so is the workspace's admin.
    let first = cli.shell(
        "ana",
        "2026-10-05T08:00:00Z",
        "/kudos @li thanks\n/config department @li Billing\n/config allowance 2\n",
    );
    assert!(
        first.stdout.contains("li is now in Billing."),
        "{}",
        first.stdout
    );
    let second = cli.shell(
        "li",
        "2026-10-05T08:05:00Z",
        "\
/config allowance 9
/kudos @ana @dana thanks both
/kudos @sam one more
/undo
/kudos @sam now it fits
:clock +11m
/undo
:clock 2026-10-06T00:00
/kudos @bo new day
",
    );
    let out = &second.stdout;
    assert!(
        out.contains("⚠ Only admins can change the daily allowance."),
        "{out}"
    );
    assert!(
        out.contains("✅ Kudos sent to ana and dana (#2). That was your last thank-you for today."),
        "{out}"
    );
    assert!(
        out.contains(
            "⚠ Daily allowance reached: you can thank 2 people a day and have 0 left today"
        ),
        "{out}"
    );
    assert!(
        out.contains("Undone: your kudos #2 to ana and dana is withdrawn"),
        "{out}"
    );
    assert!(out.contains("✅ Kudos sent to sam (#3)."), "{out}");
    assert!(out.contains("undo works for 10 minutes"), "{out}");
    assert!(
        out.contains("🕘 It is Tue 6 Oct 2026 00:00 (UTC)."),
        "{out}"
    );
    assert!(out.contains("✅ Kudos sent to bo (#4)."), "{out}");
}

#[test]
fn revoke_and_coverage_for_admins_only() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-07T10:00:00Z",
        "\
/kudos @li thanks
/kudos @dana thanks
:as li
/config revoke 1 mistake
/coverage
:as ana
/config revoke 1 posted by mistake
/coverage
/leaderboard today
",
    );
    let out = &run.stdout;
    assert!(out.contains("⚠ Only admins can revoke kudos."), "{out}");
    assert!(
        out.contains("Revoked #1 (ana → li); it no longer counts on any board."),
        "{out}"
    );
    assert!(out.contains("🤝 Coverage — this week (Mon 5 Oct to Sun 11 Oct 2026): 1 of 3 people thanked at least once (33%)."), "{out}");
    assert!(
        out.contains("Not thanked yet (only you can see this): ana, li"),
        "{out}"
    );
    assert_eq!(
        out.matches("Not thanked yet").count(),
        1,
        "li is no admin:\n{out}"
    );
    assert!(out.contains("   1. dana — 1"), "{out}");
}

#[test]
fn bad_start_options_fail_with_a_clear_message() {
    let cli = Cli::new();
    let run = cli.run(&["shell", "--at", "next tuesday"], "");
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("is not an RFC 3339 time"),
        "{}",
        run.stderr
    );
    let run = cli.run(&["shell", "--as", "bad name!"], "");
    assert_eq!(run.code, 2, "a bad argument");
    assert!(
        run.stderr.contains("--as: 'bad name!' is not a name"),
        "{}",
        run.stderr
    );
    let run = cli.run(&["shell", "--workspace", ""], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_mass_mention_in_kudos_text_pings_nobody() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T09:00:00Z",
        "/kudos @li thanks @everyone and @here\n",
    );
    let post = run
        .stdout
        .lines()
        .find(|l| l.starts_with("[#general]"))
        .unwrap()
        .to_string();
    assert!(
        !post.contains("@everyone") && !post.contains("@here"),
        "{post}"
    );
}

#[test]
fn the_clock_runs_the_week_and_prints_each_post_as_it_falls_due() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-01T12:00:00Z",
        "\
/config timezone Europe/London
:clock 2026-10-05T08:59
:clock 2026-10-05T09:00
/kudos @li Thanks for the handover
:clock 2026-10-09T17:00
:clock 2026-10-09T18:00
",
    );
    let out = &run.stdout;
    let heads_up = out
        .find("[#general] 📣 Customer Service Week starts Monday!")
        .expect(out);
    let before_monday = out.find("🕘 It is Mon 5 Oct 2026 08:59").expect(out);
    assert!(
        heads_up < before_monday,
        "the heads-up came on Friday:\n{out}"
    );
    let prompt = out
        .find("[#general] 📣 Customer Service Week, day 1: Thank a teammate")
        .expect(out);
    assert!(before_monday < prompt, "{out}");
    assert_eq!(
        out.matches("📣 Customer Service Week, day").count(),
        5,
        "{out}"
    );
    assert_eq!(out.matches("recap:").count(), 4, "{out}");
    assert!(
        out.contains("[#general] 📣 Customer Service Week 2026: the awards"),
        "{out}"
    );
    assert!(
        out.contains("[DM to li] 📣 Your thank-you book from Customer Service Week 2026"),
        "{out}"
    );
    assert!(
        out.contains("    • ana (Monday): “Thanks for the handover”"),
        "{out}"
    );
    let last = out.rfind("🕘 It is Fri 9 Oct 2026 18:00").expect(out);
    assert_eq!(
        out[last..].lines().count(),
        1,
        "nothing posted twice:\n{out}"
    );
}

#[test]
fn admins_switch_and_move_posts_from_the_shell() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T07:00:00Z",
        "\
/config post recap off
/config post prompt 10:15
/config post gossip on
/config
:clock 2026-10-05T18:00
",
    );
    let out = &run.stdout;
    assert!(
        out.contains("The recap post is off (when on, it goes out at 17:00, UTC)."),
        "{out}"
    );
    assert!(
        out.contains("The prompt post is on, at 10:15 (UTC)."),
        "{out}"
    );
    assert!(out.contains("⚠ 'gossip' is not a post"), "{out}");
    assert!(out.contains("scheduled posts: heads-up 09:00, prompt 10:15, recap off, awards 16:00, book 16:00 (with the awards), digest off"), "{out}");
    assert!(out.contains("📣 Customer Service Week, day 1"), "{out}");
    assert!(!out.contains("recap:"), "{out}");
}
