//! Malformed platform payloads: Discord dispatches with missing or wrong-typed fields, Slack
//! bodies that are truncated, oversized, not UTF-8, of the wrong content type or replayed. Each
//! is refused or ignored (the adapters log it); the bot keeps answering, and nothing of a
//! refused request is written.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::{json, Value};

use crate::discord::fake::CHANNEL_ID;
use crate::discord::payloads::{slash, user};
use crate::discord::Bot;
use crate::slack::fake::TEAM;
use crate::slack::{command_body, now_ts, SlackBot, SECRET};

const AT: &str = "2026-10-05T09:00:00Z";
const MEMBER: &str = "0";

/// Rows that a request could write: thank-yous, their recipients, members and workspaces.
async fn rows(pool: &sqlx::SqlitePool) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM kudos), (SELECT COUNT(*) FROM kudos_recipients), \
                (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM workspaces)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A valid `/kudos` from ana to dana, with `options` replaced by `f`.
fn kudos_with(id: u64, f: impl FnOnce(&mut Value)) -> Value {
    let ana = user(1, "ana");
    let dana = user(2, "dana");
    let mut d = slash(
        id,
        "kudos",
        &ana,
        MEMBER,
        json!([
            {"name": "member", "type": 6, "value": "2"},
            {"name": "message", "type": 3, "value": "thanks for the queue"}
        ]),
        &[dana],
    );
    f(&mut d);
    d
}

#[tokio::test]
async fn discord_dispatches_with_missing_or_wrong_typed_fields_write_nothing() {
    let bot = Bot::start(AT).await;
    let pool = bot.test.core().store().pool().clone();
    let before = rows(&pool).await;
    let huge = "é".repeat(200_000);
    let malformed: Vec<(&str, Value)> = vec![
        (
            "no data",
            kudos_with(101, |d| {
                d.as_object_mut().unwrap().remove("data");
            }),
        ),
        ("data is null", kudos_with(102, |d| d["data"] = Value::Null)),
        (
            "options is not a list",
            kudos_with(103, |d| d["data"]["options"] = json!("member=2")),
        ),
        (
            "a user option given as a string",
            kudos_with(104, |d| {
                d["data"]["options"][0] = json!({"name": "member", "type": 3, "value": "2"})
            }),
        ),
        (
            "the message given as a number",
            kudos_with(105, |d| {
                d["data"]["options"][1] = json!({"name": "message", "type": 4, "value": 42})
            }),
        ),
        (
            "a user option pointing at an unresolved user",
            kudos_with(106, |d| {
                d["data"]["options"][0] = json!({"name": "member", "type": 6, "value": "999"})
            }),
        ),
        (
            "a user id that is not a number",
            kudos_with(107, |d| {
                d["data"]["options"][0] = json!({"name": "member", "type": 6, "value": "dana"})
            }),
        ),
        (
            "the required message missing",
            kudos_with(108, |d| {
                d["data"]["options"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "a value of the wrong type",
            kudos_with(109, |d| {
                d["data"]["options"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "value", "type": 5, "value": true}))
            }),
        ),
        (
            "an id that is no snowflake",
            kudos_with(110, |d| d["id"] = json!("not-a-number")),
        ),
        (
            "a type that is text",
            kudos_with(111, |d| d["type"] = json!("two")),
        ),
        (
            "a member that is text",
            kudos_with(112, |d| d["member"] = json!("nobody")),
        ),
        (
            "no caller at all",
            kudos_with(113, |d| {
                d.as_object_mut().unwrap().remove("member");
            }),
        ),
        (
            "an unknown command",
            kudos_with(114, |d| d["data"]["name"] = json!("nope")),
        ),
        ("a dispatch that is null", Value::Null),
        ("a dispatch that is a list", json!([1, 2, 3])),
        (
            "a huge message",
            kudos_with(115, |d| d["data"]["options"][1]["value"] = json!(huge)),
        ),
    ];
    for (_, d) in malformed {
        bot.fake.dispatch("INTERACTION_CREATE", d);
    }
    // The huge message reaches the core, which refuses it privately.
    let refused = bot
        .fake
        .wait_for("the refusal of the huge message", |r| {
            r.path.contains("/interactions/115/")
        })
        .await;
    let text = refused.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        text.contains("Your message is 200000 characters; the limit is 500"),
        "{:#}",
        refused.body
    );
    assert_eq!(refused.body["data"]["flags"], 64, "privately");

    // Still connected and answering: a valid command goes through, with every mass mention
    // defused in what it stores and announces.
    let valid = kudos_with(120, |d| {
        d["data"]["options"][1]["value"] =
            json!("Thanks @everyone @here <@&77> <!channel> <!here> <!subteam^S1>")
    });
    bot.fake.dispatch("INTERACTION_CREATE", valid);
    let reply = bot
        .fake
        .wait_for("the answer to the valid command", |r| {
            r.path == "/api/v10/interactions/120/token-120/callback"
        })
        .await;
    assert!(
        reply.body["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Kudos sent to dana"),
        "{:#}",
        reply.body
    );
    let post = bot
        .fake
        .wait_for("the announcement", |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
        })
        .await;
    let shown = post.body.to_string().to_ascii_lowercase();
    for ping in [
        "@everyone",
        "@here",
        "<@&",
        "<!channel",
        "<!here",
        "<!subteam^",
    ] {
        assert!(!shown.contains(ping), "{ping} is live in {shown}");
    }
    // Give any straggler time to be written, if one could be.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rows(&pool).await;
    assert_eq!(after.0, before.0 + 1, "only the valid command's thank-you");
    assert_eq!(after.1, before.1 + 1, "one recipient: dana");
    assert_eq!(after.2, before.2 + 2, "ana and dana, no placeholder caller");
    // Answered: the huge message (refused), the valid command, and the one with no caller
    // (logged as a fault, with an apology). Arguments serenity or poise could not read get no
    // answer at all, only poise's log line; nothing else was called back.
    let mut answered: Vec<String> = bot
        .fake
        .requests()
        .into_iter()
        .filter_map(|r| {
            let rest = r.path.strip_prefix("/api/v10/interactions/")?;
            Some(rest.split('/').next()?.to_string())
        })
        .collect();
    answered.sort();
    answered.dedup();
    assert_eq!(answered, ["113", "115", "120"]);
    let apology = bot
        .fake
        .wait_for("the answer to the command with no caller", |r| {
            r.path.contains("/interactions/113/")
        })
        .await;
    assert_eq!(
        apology.body["data"]["content"],
        spotlight::domain::error::APOLOGY
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM members WHERE display_name = ''")
            .fetch_one(&pool)
            .await
            .unwrap(),
        0,
        "no member was renamed to the placeholder's blank name"
    );
    bot.stop().await.unwrap();
}

/// `v0=` HMAC-SHA256 over `v0:{timestamp}:` and the raw body bytes, as Slack signs requests.
fn sign_bytes(timestamp: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// POSTs raw bytes to the bot, signed with `timestamp` (now when `None`).
async fn post_raw(
    bot: &SlackBot,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    timestamp: Option<String>,
) -> (u16, String) {
    let ts = timestamp.unwrap_or_else(now_ts);
    let response = reqwest::Client::new()
        .post(format!("http://{}{path}", bot.addr))
        .header("content-type", content_type)
        .header("x-slack-signature", sign_bytes(&ts, &body))
        .header("x-slack-request-timestamp", ts)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What is sent, where, as what, signed with which timestamp, and the statuses that refuse it.
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Vec<u8>,
    Option<String>,
    &'a [u16],
);

#[tokio::test]
async fn slack_bodies_truncated_oversized_not_utf8_mistyped_or_replayed_write_nothing() {
    let bot = SlackBot::start(AT).await;
    let pool = bot.test.core().store().pool().clone();
    let form = "application/x-www-form-urlencoded";
    // ana is on record before anything malformed arrives.
    let reply = bot.command("UANA", "/stats", "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let before = rows(&pool).await;

    let kudos = command_body("UANA", "/kudos", "<@UDANA> thanks for the queue");
    let event = json!({
        "type": "event_callback", "team_id": TEAM, "api_app_id": "A1",
        "event_id": "Ev1", "event_time": 1760000000,
        "event": {"type": "reaction_added", "user": "UANA", "reaction": "star2",
                  "item_user": "UDANA", "item": {"type": "message", "channel": "C1", "ts": "1.2"},
                  "event_ts": "1.3"}
    })
    .to_string();
    let interaction = serde_urlencoded::to_string([(
        "payload",
        json!({"type": "view_submission", "team": {"id": TEAM}, "user": {"id": "UANA"},
               "view": {"id": "V1", "callback_id": "kudos_form", "state": {"values": {}}}})
        .to_string(),
    )])
    .unwrap();
    let mut not_utf8 = kudos.clone().into_bytes();
    not_utf8.extend_from_slice(b"&extra=\xff\xfe\xc3");
    let stale = (now_ts().parse::<i64>().unwrap() - 301).to_string();
    let future = (now_ts().parse::<i64>().unwrap() + 600).to_string();
    let cases: Vec<Case> = vec![
        (
            "a command cut in half",
            "/slack/commands",
            form,
            kudos.as_bytes()[..kudos.len() / 2].to_vec(),
            None,
            &[400, 422],
        ),
        (
            "an event cut in half",
            "/slack/events",
            "application/json",
            event.as_bytes()[..event.len() / 2].to_vec(),
            None,
            &[400],
        ),
        (
            "an interaction cut in half",
            "/slack/interactions",
            form,
            interaction.as_bytes()[..interaction.len() / 2].to_vec(),
            None,
            &[400, 422],
        ),
        (
            "a command over 64 KiB",
            "/slack/commands",
            form,
            format!("{kudos}&pad={}", "x".repeat(70_000)).into_bytes(),
            None,
            &[413],
        ),
        (
            "an event over 64 KiB",
            "/slack/events",
            "application/json",
            format!("{{\"pad\": \"{}\"}}", "x".repeat(70_000)).into_bytes(),
            None,
            &[413],
        ),
        (
            "an interaction over 64 KiB",
            "/slack/interactions",
            form,
            format!("payload={}", "x".repeat(70_000)).into_bytes(),
            None,
            &[413],
        ),
        (
            "a body that is not UTF-8",
            "/slack/commands",
            form,
            not_utf8,
            None,
            &[401],
        ),
        (
            "an event that is not UTF-8",
            "/slack/events",
            "application/json",
            b"{\"type\": \"event_callback\", \"team_id\": \"\xff\xfe\"}".to_vec(),
            None,
            &[401],
        ),
        (
            // Decoded with replacement characters: no longer a mention, so a refusal.
            "a command whose text decodes to no UTF-8",
            "/slack/commands",
            form,
            kudos
                .replace("text=", "text=%FF%FE%3C%40UDANA%3E+")
                .into_bytes(),
            None,
            &[200],
        ),
        (
            "a command sent as JSON",
            "/slack/commands",
            "application/json",
            kudos.clone().into_bytes(),
            None,
            &[415],
        ),
        (
            "a command sent as text",
            "/slack/commands",
            "text/plain",
            kudos.clone().into_bytes(),
            None,
            &[415],
        ),
        (
            "an interaction sent as JSON",
            "/slack/interactions",
            "application/json",
            interaction.clone().into_bytes(),
            None,
            &[415],
        ),
        (
            "a form where an event is expected",
            "/slack/events",
            form,
            kudos.clone().into_bytes(),
            None,
            &[400],
        ),
        (
            "an event of the wrong shape",
            "/slack/events",
            "application/json",
            json!({"type": "event_callback", "team_id": 7, "event": "reaction_added"})
                .to_string()
                .into_bytes(),
            None,
            &[400],
        ),
        (
            "a command replayed more than five minutes later",
            "/slack/commands",
            form,
            kudos.clone().into_bytes(),
            Some(stale),
            &[401],
        ),
        (
            "a command stamped in the future",
            "/slack/commands",
            form,
            kudos.clone().into_bytes(),
            Some(future),
            &[401],
        ),
    ];
    for (what, path, content_type, body, ts, expected) in cases {
        let (status, text) = post_raw(&bot, path, content_type, body, ts).await;
        assert!(expected.contains(&status), "{what}: {status} {text:.200}");
        if status == 200 {
            assert!(
                text.contains("⚠️ Name at least one colleague"),
                "{what}: {text}"
            );
        }
        assert_eq!(rows(&pool).await, before, "{what} wrote nothing");
    }
    assert!(bot.fake.calls("chat.postMessage").is_empty());

    // The same signed body and timestamp twice, within the five minutes: stored once.
    let ts = now_ts();
    let (status, first) = post_raw(
        &bot,
        "/slack/commands",
        form,
        kudos.clone().into_bytes(),
        Some(ts.clone()),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert!(first.contains("Kudos sent to dana"), "{first}");
    let (status, again) = post_raw(
        &bot,
        "/slack/commands",
        form,
        kudos.clone().into_bytes(),
        Some(ts),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert!(again.contains("already recorded"), "{again}");
    let after = rows(&pool).await;
    assert_eq!(after.0, before.0 + 1, "one thank-you, not two");
    assert_eq!(after.1, before.1 + 1);

    // A replayed event is stored once too.
    for _ in 0..2 {
        let (status, body) = post_raw(
            &bot,
            "/slack/events",
            "application/json",
            event.clone().into_bytes(),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let reply = bot.command("UANA", "/stats", "").await;
    assert_eq!(reply.status, 200, "still answering: {}", reply.body);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while rows(&pool).await.0 < before.0 + 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rows(&pool).await.0,
        before.0 + 2,
        "the reaction counts once"
    );
    bot.stop().await;
}
