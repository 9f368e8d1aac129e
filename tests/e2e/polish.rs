//! What a newcomer hit following the README, each reproduced in the shell as they typed it.

use crate::support::Cli;

fn lines_with<'a>(out: &'a str, needle: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn the_last_admin_cannot_step_down_and_only_admins_are_removed() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T09:00:00Z",
        "/kudos @li thanks\n/config admin @ana off\n/config admin @li off\n/config admin @li\n/config admin @li\n/config admin @ana off\n/config timezone Europe/London\n",
    );
    let out = &run.stdout;
    for line in [
        "⚠ ana is the last admin: appoint another admin first (/config admin @name), so someone can still change the settings.",
        "⚠ li is not an admin.",
        "li is now an admin.",
        "⚠ li is already an admin.",
        "ana is no longer an admin.",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in:\n{out}");
    }
    assert!(
        out.contains("⚠ Only admins can change the time zone."),
        "{out}"
    );
    // li, the remaining admin, can still change the settings.
    let li = cli.shell(
        "li",
        "2026-10-05T09:05:00Z",
        "/config timezone Europe/London\n/config admin @li off\n",
    );
    assert!(
        li.stdout.contains("Time zone set to Europe/London."),
        "{}",
        li.stdout
    );
    assert!(
        li.stdout.contains("⚠ li is the last admin"),
        "{}",
        li.stdout
    );
}

#[test]
fn a_settings_change_that_moves_a_post_into_the_past_does_not_claim_an_outage() {
    let cli = Cli::new();
    // Monday of the 2026 week, 08:31 UTC: 17:31 in Tokyo, past its 09:00 prompt and its 17:00 recap.
    let run = cli.shell(
        "ana",
        "2026-10-05T08:31:00Z",
        "/config timezone Asia/Tokyo\n:clock +1m\n",
    );
    let out = &run.stdout;
    assert_eq!(
        lines_with(out, "Customer Service Week, day 1").len(),
        1,
        "{out}"
    );
    assert_eq!(lines_with(out, "Day 1 recap").len(), 1, "{out}");
    assert!(!out.contains("the bot was away"), "{out}");
    assert!(
        out.contains("(Posted at 17:31: the schedule was changed after 09:00 had passed.)"),
        "{out}"
    );
    assert!(
        out.contains("(Posted at 17:31: the schedule was changed after 17:00 had passed.)"),
        "{out}"
    );

    // Moving the recap to 08:00 at 10:30 does the same; a real outage still says so.
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-06T10:30:00Z",
        "/config post recap 08:00\n:clock +1m\n",
    );
    let out = &run.stdout;
    assert!(out.contains("Day 2 recap"), "{out}");
    assert!(
        out.contains("(Posted at 10:30: the schedule was changed after 08:00 had passed.)"),
        "{out}"
    );
    // The prompt was due at 09:00 and nothing changed it: the bot (this shell) was away.
    assert!(
        out.contains("(Posted late: the bot was away at 09:00.)"),
        "{out}"
    );
}

#[test]
fn every_day_of_a_seven_day_week_gets_its_prompt_and_its_own_number() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-01T09:00:00Z",
        "/config week 2026-10-05 2026-10-11\n/calendar\n:clock 2026-10-11T18:00\n",
    );
    let out = &run.stdout;
    assert!(
        out.contains("Sat 2026-10-10  Day 6: Thanks all round"),
        "{out}"
    );
    assert!(out.contains("Sun 2026-10-11  Day 7: Looking back"), "{out}");
    for day in 1..=7 {
        assert_eq!(
            lines_with(out, &format!("Customer Service Week, day {day}:")).len(),
            1,
            "day {day}'s prompt:\n{out}"
        );
    }
    for day in 1..=6 {
        assert_eq!(
            lines_with(out, &format!("Day {day} recap")).len(),
            1,
            "day {day}:\n{out}"
        );
    }
    assert!(out.contains("Day 6 recap: Thanks all round"), "{out}");
    assert!(
        !out.contains("Day 7 recap"),
        "the last day has the awards:\n{out}"
    );
    assert_eq!(lines_with(out, "the awards").len(), 1, "{out}");
    // The heads-up names all seven days.
    assert!(out.contains("• Sunday: Looking back"), "{out}");
    // Admins can word the extra days too.
    let run = cli.shell(
        "ana",
        "2026-10-01T09:10:00Z",
        "/config theme saturday title Weekend heroes\n/calendar\n",
    );
    assert!(
        run.stdout.contains("Sat 2026-10-10  Day 6: Weekend heroes"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_tie_at_the_cut_shows_everyone_tied_or_counts_them() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-09T09:00:00Z",
        "/kudos @bo thanks\n:as cy\n/kudos @bo thanks\n/kudos @ana thanks\n:as di\n/kudos @cy thanks\n:as bo\n/kudos @di thanks\n:clock 2026-10-09T16:00\n",
    );
    let out = &run.stdout;
    assert!(
        out.contains("Most thanked: 1. bo (2), 2. ana (1), 2. cy (1), 2. di (1)"),
        "{out}"
    );

    let cli = Cli::new();
    let mut script = String::from("/kudos @bo thanks\n");
    for name in ["e1", "e2", "e3", "e4", "e5"] {
        script.push_str(&format!(":as {name}\n/kudos @{name}x thanks\n"));
    }
    script.push_str(":as ana\n:clock 2026-10-09T16:00\n");
    let run = cli.shell("ana", "2026-10-09T09:00:00Z", &script);
    let out = &run.stdout;
    assert!(
        out.contains("Most thanked: 1. bo (1), 1. e1x (1), 1. e2x (1), and 3 more with 1"),
        "{out}"
    );
}

#[test]
fn the_times_shown_are_the_times_used() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-09T09:00:00Z",
        "/kudos @li thanks\n/config post awards 15:30\n/config\n/config post book 17:45\n:clock 2026-10-09T15:30\n",
    );
    let out = &run.stdout;
    assert!(out.contains("book 15:30 (with the awards)"), "{out}");
    assert!(
        out.contains("The book post is on: it goes out with the awards, at 15:30 (UTC); its own time, 17:45, is used when the awards are off."),
        "{out}"
    );
    assert!(
        out.contains("[DM to li]"),
        "the book went out at 15:30:\n{out}"
    );

    let run = cli.run_env(
        &["shell", "--as", "ana", "--workspace", "acme"],
        ":help\n",
        &[("SPOTLIGHT_RULES_UNDO_WINDOW_MINUTES", "2")],
    );
    assert!(run.stdout.contains("(within 2 minutes)"), "{}", run.stdout);
    assert!(!run.stdout.contains("10 minutes"), "{}", run.stdout);
}

#[test]
fn setting_replies_read_right() {
    let cli = Cli::new();
    let run = cli.shell(
        "ana",
        "2026-10-05T09:00:00Z",
        "\
/config allowance 1
/config post recap off
/config emoji abc
/config emoji :star2:
/config emoji :partyblob:
/config prompts off
/config post prompt on
/config nosuch
/feedback @li from:\"Acme great work
/feedback great work
",
    );
    let out = &run.stdout;
    for line in [
        "Daily allowance: 1 thank-you per person per day.",
        "The recap post is off (when on, it goes out at 17:00, UTC).",
        "⚠ 'abc' is not an emoji. Use one such as 🌟, a shortcode such as :star2:, or a custom emoji such as :partyblob:.",
        "Reacting with 🌟 now gives kudos.",
        "Reacting with :partyblob: now gives kudos.",
        "The week's posts are off.",
        "The prompt post is on, at 09:00 (UTC). But the week's posts are all off: switch them on to send it.",
        "⚠ The customer's name has no closing quote: use from:\"Customer Name\".",
        "⚠ Name at least one colleague the customer praised, e.g. /feedback @li from:\"Acme\" Li fixed it in minutes.",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in:\n{out}");
    }
    let unknown = lines_with(out, "Unknown setting 'nosuch'");
    assert!(unknown.len() == 1 && unknown[0].contains("post"), "{out}");
    assert!(
        !lines_with(out, "⚠").iter().any(|l| l.contains("/kudos")),
        "feedback refusals speak of feedback:\n{out}"
    );
}

#[test]
fn the_default_kudos_emoji_is_checked_and_stored_in_one_form() {
    let cli = Cli::new();
    let run = cli.run_env(
        &["migrate"],
        "",
        &[("SPOTLIGHT_DEFAULTS_KUDOS_EMOJI", "abc")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("defaults.kudos_emoji: 'abc' is not an emoji"),
        "{}",
        run.stderr
    );
    let run = cli.run_env(
        &["shell", "--as", "ana", "--workspace", "acme"],
        "/config\n",
        &[("SPOTLIGHT_DEFAULTS_KUDOS_EMOJI", ":star2:")],
    );
    assert!(run.stdout.contains("kudos emoji: 🌟"), "{}", run.stdout);
}
