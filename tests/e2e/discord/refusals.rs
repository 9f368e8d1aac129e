//! A refused command changes nothing: the people it names are not recorded, and coverage and
//! the export read the same before and after, whichever rule turned it down.

use serde_json::{json, Value};
use spotlight::domain::model::{Actor, Workspace};
use spotlight::domain::period::Period;

use super::fake::{CHANNEL_ID, GUILD_ID};
use super::payloads::{bot_user, reaction_add, slash, user};
use super::Bot;

const MEMBER: &str = "0";

/// What a refused command must leave exactly as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    members: Vec<(String, String, bool)>,
    coverage: String,
    export: Vec<String>,
}

async fn snapshot(bot: &Bot, ws: &Workspace) -> Snapshot {
    let core = bot.test.core();
    let members = sqlx::query_as(
        "SELECT external_id, display_name, is_bot FROM members WHERE workspace_id = ? ORDER BY id",
    )
    .bind(ws.id)
    .fetch_all(core.store().pool())
    .await
    .unwrap();
    let admin = Actor {
        member: core.member_by_external(ws, "1").await.unwrap().unwrap(),
        is_admin: true,
    };
    let coverage = core.coverage(ws, &admin, Period::Week).await.unwrap();
    let export = core
        .export_rows(ws, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{r:?}"))
        .collect();
    Snapshot {
        members,
        coverage: spotlight::render::coverage(&coverage),
        export,
    }
}

/// A slash command naming `users` as member, member2, member3, then `text` (and an optional
/// extra option) under the command's own names.
fn naming(
    id: u64,
    command: &str,
    caller: &Value,
    users: &[Value],
    text: (&str, &str),
    extra: Option<(&str, &str)>,
) -> Value {
    let mut options: Vec<Value> = users
        .iter()
        .zip(["member", "member2", "member3"])
        .map(|(u, name)| json!({"name": name, "type": 6, "value": u["id"]}))
        .collect();
    options.push(json!({"name": text.0, "type": 3, "value": text.1}));
    if let Some((name, value)) = extra {
        options.push(json!({"name": name, "type": 3, "value": value}));
    }
    slash(id, command, caller, MEMBER, Value::Array(options), users)
}

fn kudos_to(id: u64, caller: &Value, users: &[Value], message: &str, value: Option<&str>) -> Value {
    naming(
        id,
        "kudos",
        caller,
        users,
        ("message", message),
        value.map(|v| ("value", v)),
    )
}

fn feedback_for(
    id: u64,
    caller: &Value,
    users: &[Value],
    words: &str,
    customer: Option<&str>,
) -> Value {
    naming(
        id,
        "feedback",
        caller,
        users,
        ("words", words),
        customer.map(|c| ("customer", c)),
    )
}

async fn reply_to(bot: &Bot, id: u64) -> String {
    let path = format!("/interactions/{id}/");
    let r = bot
        .fake
        .wait_for("the reply", |r| r.path.contains(&path))
        .await;
    assert_eq!(
        r.body["data"]["flags"], 64,
        "refusals are private: {:#}",
        r.body
    );
    r.body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn refused_commands_record_no_one_and_change_nothing() {
    let bot = Bot::start("2026-10-05T09:00:00Z").await;
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    let gus = user(7, "gus");
    let robo = bot_user(50, "robo");

    bot.fake.dispatch(
        "INTERACTION_CREATE",
        kudos_to(10, &ana, std::slice::from_ref(&dana), "thanks", None),
    );
    assert!(reply_to(&bot, 10).await.contains("Kudos sent to dana"));
    let core = bot.test.core();
    let ws = core.find_workspace(&GUILD_ID.to_string()).await.unwrap();
    let admin = Actor {
        member: core.member_by_external(&ws, "1").await.unwrap().unwrap(),
        is_admin: true,
    };
    // ana has now used her whole allowance for the day.
    core.set_allowance(&ws, &admin, "1").await.unwrap();
    let before = snapshot(&bot, &ws).await;
    assert_eq!(before.members.len(), 2, "{before:?}");

    let long = "x".repeat(600);
    let cases: Vec<(Value, &str)> = vec![
        (
            kudos_to(11, &ana, &[ana.clone(), gus.clone()], "self and gus", None),
            "You can't send kudos to yourself",
        ),
        (
            kudos_to(12, &ana, &[robo.clone(), gus.clone()], "beep", None),
            "robo is a bot",
        ),
        (
            kudos_to(13, &ana, std::slice::from_ref(&gus), "   ", None),
            "Add a message",
        ),
        (
            kudos_to(14, &ana, std::slice::from_ref(&gus), &long, None),
            "the limit is 500",
        ),
        (
            kudos_to(
                15,
                &ana,
                std::slice::from_ref(&gus),
                "thanks",
                Some("speed"),
            ),
            "Unknown value 'speed'",
        ),
        (
            kudos_to(16, &ana, std::slice::from_ref(&gus), "thanks", None),
            "Daily allowance reached",
        ),
        (
            feedback_for(17, &ana, &[ana.clone(), gus.clone()], "great", None),
            "Share feedback about your colleagues",
        ),
        (
            feedback_for(18, &ana, std::slice::from_ref(&gus), "  ", None),
            "Add the customer's words",
        ),
        (
            feedback_for(
                19,
                &ana,
                std::slice::from_ref(&gus),
                "great",
                Some(&"C".repeat(101)),
            ),
            "not a valid name",
        ),
        (
            slash(
                20,
                "spotlight",
                &dana,
                MEMBER,
                json!([{"name": "department", "type": 1, "options": [
                {"name": "name", "type": 3, "value": "Billing"},
                {"name": "member", "type": 6, "value": "7"}]}]),
                std::slice::from_ref(&gus),
            ),
            "Only admins",
        ),
    ];
    for (interaction, expected) in cases {
        let id: u64 = interaction["id"].as_str().unwrap().parse().unwrap();
        bot.fake.dispatch("INTERACTION_CREATE", interaction);
        let said = reply_to(&bot, id).await;
        assert!(said.contains(expected), "interaction {id}: {said}");
        assert_eq!(snapshot(&bot, &ws).await, before, "interaction {id}");
    }

    // Looking at someone's stats does not record them.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        slash(
            30,
            "stats",
            &ana,
            MEMBER,
            json!([{"name": "member", "type": 6, "value": "7"}]),
            std::slice::from_ref(&gus),
        ),
    );
    let said = reply_to(&bot, 30).await;
    assert_eq!(said, "gus hasn't given or received any kudos here yet.");
    assert_eq!(snapshot(&bot, &ws).await, before);

    // "Give kudos" on a new colleague's message, over the allowance.
    let (_, refusal) = bot
        .give_kudos_on_message(31, &ana, user(8, "hal"), "Thanks!")
        .await;
    assert!(
        refusal.body["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Daily allowance reached"),
        "{:#}",
        refusal.body
    );
    assert_eq!(snapshot(&bot, &ws).await, before);

    // The kudos emoji on a new colleague's message, over the allowance.
    bot.fake
        .add_message(CHANNEL_ID, 778, user(9, "ivy"), "Fixed the printer");
    bot.fake
        .dispatch("MESSAGE_REACTION_ADD", reaction_add(&ana, 778, 9, "🌟"));
    bot.fake
        .wait_for("the message fetch", |r| {
            r.method == "GET" && r.path.ends_with("/messages/778")
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(snapshot(&bot, &ws).await, before);

    // The same people, once a command goes through, are recorded.
    core.set_allowance(&ws, &admin, "5").await.unwrap();
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        kudos_to(40, &ana, std::slice::from_ref(&gus), "thanks", None),
    );
    assert!(reply_to(&bot, 40).await.contains("Kudos sent to gus"));
    let after = snapshot(&bot, &ws).await;
    assert_eq!(after.members.len(), 3, "{after:?}");
    assert_eq!(after.export.len(), 2);
    bot.stop().await.unwrap();
}
