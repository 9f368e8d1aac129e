//! Gateway shards split between processes: each process identifies as its own shards only,
//! and a bad `discord.shards` stops start-up in one line.

use serde_json::json;

use super::payloads::{slash, user};
use super::Bot;
use crate::cli::assert_one_line;
use crate::support::Cli;

#[tokio::test]
async fn a_process_given_shard_1_of_2_identifies_as_it_and_serves_its_commands() {
    let bot = Bot::start_tweaked("2026-10-05T09:00:00Z", |c| {
        c.discord.shards = "1-1".into();
        c.discord.shard_count = 2;
    })
    .await;
    let identified = bot.fake.identify_payloads();
    assert_eq!(identified.len(), 1, "{identified:#?}");
    assert_eq!(identified[0]["shard"], json!([1, 2]), "{:#}", identified[0]);

    let dana = user(2, "dana");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            11,
            "kudos",
            &user(1, "ana"),
            "0",
            json!([
                {"name": "member", "type": 6, "value": "2"},
                {"name": "message", "type": 3, "value": "Thanks for the queue"}
            ]),
            &[dana],
        ),
    );
    let reply = bot
        .fake
        .wait_for("the interaction reply", |r| {
            r.path == "/api/v10/interactions/11/token-11/callback"
        })
        .await;
    let content = reply.body["data"]["content"].as_str().unwrap_or_default();
    assert!(content.contains("Kudos sent to dana"), "{:#}", reply.body);
    bot.stop().await.unwrap();
}

/// serenity reads a range's end as the last shard to run: "0-1" must open both.
#[tokio::test]
async fn a_range_opens_every_shard_in_it_and_no_other() {
    let bot = Bot::start_tweaked("2026-10-05T09:00:00Z", |c| {
        c.discord.shards = "0-1".into();
        c.discord.shard_count = 3;
    })
    .await;
    // serenity waits 5 s between one shard's start and the next.
    bot.fake.wait_sessions(2).await;
    let mut shards: Vec<_> = bot
        .fake
        .identify_payloads()
        .iter()
        .map(|d| d["shard"].clone())
        .collect();
    shards.sort_by_key(|s| s[0].as_u64());
    assert_eq!(shards, [json!([0, 3]), json!([1, 3])]);
    // A third shard would follow the second by 5 s.
    tokio::time::sleep(std::time::Duration::from_millis(5500)).await;
    assert_eq!(bot.fake.identify_payloads().len(), 2);
    bot.stop().await.unwrap();
}

#[test]
fn bad_shard_settings_stop_start_up_in_one_line() {
    let cli = Cli::new();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("SPOTLIGHT_DISCORD_SHARDS", "0-5"), ("SPOTLIGHT_DISCORD_SHARD_COUNT", "4")],
            "discord.shards: '0-5' is out of range for discord.shard_count 4 (shards 0 to 3)",
        ),
        (
            &[("SPOTLIGHT_DISCORD_SHARDS", "b-a"), ("SPOTLIGHT_DISCORD_SHARD_COUNT", "4")],
            "discord.shards: 'b-a' is not a shard number or a range such as 0-1, or empty for all",
        ),
        (
            &[("SPOTLIGHT_DISCORD_SHARDS", "3-1"), ("SPOTLIGHT_DISCORD_SHARD_COUNT", "4")],
            "discord.shards: '3-1' ends before it starts; write the lower shard first, such as 1-3",
        ),
        (
            &[("SPOTLIGHT_DISCORD_SHARDS", "0-1")],
            "discord.shards: '0-1' needs discord.shard_count, the number of shards across every process",
        ),
        (
            &[("SPOTLIGHT_DISCORD_SHARD_COUNT", "-1")],
            "discord.shard_count: -1 is not a whole number of shards across every process, 0 for one connection (from SPOTLIGHT_DISCORD_SHARD_COUNT)",
        ),
    ];
    for (env, message) in cases {
        let run = cli.run_env(&["migrate"], "", env);
        assert_eq!(run.code, 2, "{env:?}: {}", run.stderr);
        assert_one_line(&run.stderr);
        assert!(run.stderr.contains(message), "{env:?}: {}", run.stderr);
    }
    // From the environment a lone shard arrives as a number.
    for shards in ["1", "0-1"] {
        let env = [
            ("SPOTLIGHT_DISCORD_SHARDS", shards),
            ("SPOTLIGHT_DISCORD_SHARD_COUNT", "2"),
        ];
        let run = cli.run_env(&["migrate"], "", &env);
        assert_eq!(run.code, 0, "{shards}: {}", run.stderr);
    }
}
