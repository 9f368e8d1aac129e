//! Gateway payloads, each checked against serenity's own types before it is sent: a payload
//! serenity cannot read is dropped silently and a test would only time out.

use poise::serenity_prelude as serenity;
use serde_json::{json, Value};

use super::fake::{APP_ID, CHANNEL_ID, GUILD_ID};

pub fn ready() -> Value {
    let d = json!({
        "v": 10,
        "user": {"id": APP_ID.to_string(), "username": "Spotlight", "discriminator": "0", "bot": true},
        "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
        "session_id": "fake-session",
        "resume_gateway_url": "ws://127.0.0.1:1",
        "application": {"id": APP_ID.to_string(), "flags": 0}
    });
    serde_json::from_value::<serenity::Ready>(d.clone()).expect("READY matches serenity's type");
    d
}

pub fn user(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name})
}

pub fn bot_user(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "bot": true})
}

/// A slash command from `caller` with `options`; `users` resolves USER options.
pub fn slash(
    interaction_id: u64,
    command: &str,
    caller: &Value,
    permissions: &str,
    options: Value,
    users: &[Value],
) -> Value {
    let users: serde_json::Map<String, Value> = users
        .iter()
        .map(|u| (u["id"].as_str().unwrap().to_string(), u.clone()))
        .collect();
    slash_resolved(
        interaction_id,
        command,
        caller,
        permissions,
        options,
        json!({"users": users}),
    )
}

/// `/kudos member:to message:text` from `giver`, with no permissions.
pub fn kudos(interaction_id: u64, giver: &Value, to: &Value, text: &str) -> Value {
    slash(
        interaction_id,
        "kudos",
        giver,
        "0",
        json!([
            {"name": "member", "type": 6, "value": to["id"]},
            {"name": "message", "type": 3, "value": text}
        ]),
        std::slice::from_ref(to),
    )
}

/// A text channel as Discord resolves a CHANNEL option.
pub fn channel(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "name": name, "type": 0, "permissions": "2048"})
}

/// A slash command with an explicit `resolved` object (users, channels, roles).
pub fn slash_resolved(
    interaction_id: u64,
    command: &str,
    caller: &Value,
    permissions: &str,
    options: Value,
    resolved: Value,
) -> Value {
    let d = json!({
        "id": interaction_id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": 2,
        "token": format!("token-{interaction_id}"),
        "version": 1,
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "locale": "en-GB",
        "entitlements": [],
        "attachment_size_limit": 8388608,
        "app_permissions": "2147485696",
        "member": {
            "user": caller, "roles": [], "deaf": false, "mute": false, "flags": 0,
            "joined_at": "2024-01-01T00:00:00.000000+00:00", "permissions": permissions
        },
        "data": {
            "id": "7000", "name": command, "type": 1, "options": options,
            "resolved": resolved
        }
    });
    serde_json::from_value::<serenity::Interaction>(d.clone())
        .expect("INTERACTION_CREATE matches serenity's type");
    d
}

pub fn reaction_add(user: &Value, message_id: u64, author_id: u64, emoji: &str) -> Value {
    let d = json!({
        "user_id": user["id"], "channel_id": CHANNEL_ID.to_string(), "message_id": message_id.to_string(),
        "guild_id": GUILD_ID.to_string(),
        "member": {"user": user, "roles": [], "deaf": false, "mute": false, "flags": 0,
                   "joined_at": "2024-01-01T00:00:00.000000+00:00"},
        "emoji": {"id": null, "name": emoji},
        "message_author_id": author_id.to_string(), "burst": false, "type": 0
    });
    serde_json::from_value::<serenity::Reaction>(d.clone())
        .expect("MESSAGE_REACTION_ADD matches serenity's type");
    d
}

pub fn reaction_remove(user_id: u64, message_id: u64, emoji: &str) -> Value {
    let d = json!({
        "user_id": user_id.to_string(), "channel_id": CHANNEL_ID.to_string(),
        "message_id": message_id.to_string(), "guild_id": GUILD_ID.to_string(),
        "emoji": {"id": null, "name": emoji}, "burst": false, "type": 0
    });
    serde_json::from_value::<serenity::Reaction>(d.clone())
        .expect("MESSAGE_REACTION_REMOVE matches serenity's type");
    d
}

fn interaction(id: u64, kind: u8, caller: &Value, data: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": APP_ID.to_string(), "type": kind,
        "token": format!("token-{id}"), "version": 1,
        "guild_id": GUILD_ID.to_string(), "channel_id": CHANNEL_ID.to_string(),
        "locale": "en-GB", "entitlements": [], "attachment_size_limit": 8388608,
        "app_permissions": "2147485696",
        "member": {
            "user": caller, "roles": [], "deaf": false, "mute": false, "flags": 0,
            "joined_at": "2024-01-01T00:00:00.000000+00:00", "permissions": "0"
        },
        "data": data
    })
}

/// The "Give kudos" message command on `message` (a Message object).
pub fn message_command(id: u64, caller: &Value, name: &str, message: &Value) -> Value {
    let target = message["id"].as_str().unwrap().to_string();
    let d = interaction(
        id,
        2,
        caller,
        json!({"id": "7100", "name": name, "type": 3, "target_id": target,
               "resolved": {"messages": {target.clone(): message}}}),
    );
    serde_json::from_value::<serenity::Interaction>(d.clone())
        .expect("message command matches serenity's type");
    d
}

/// The submitted form: text inputs by custom id.
pub fn modal_submit(id: u64, caller: &Value, custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}))
        .collect();
    let d = interaction(
        id,
        5,
        caller,
        json!({"custom_id": custom_id, "components": rows}),
    );
    serde_json::from_value::<serenity::Interaction>(d.clone())
        .expect("modal submit matches serenity's type");
    d
}

pub fn role(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "name": name, "color": 0, "hoist": false, "position": 1,
           "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
           "permissions": "0", "managed": false, "mentionable": false, "flags": 0})
}

/// `slash` from a caller holding `roles`.
pub fn with_roles(mut interaction: Value, roles: &[u64]) -> Value {
    interaction["member"]["roles"] = json!(roles.iter().map(|r| r.to_string()).collect::<Vec<_>>());
    serde_json::from_value::<serenity::Interaction>(interaction.clone())
        .expect("still an interaction");
    interaction
}

/// The user typing into an autocompleted option of `/command` (`sub` for a subcommand).
pub fn autocomplete(id: u64, caller: &Value, command: &str, options: Value) -> Value {
    let d = interaction(
        id,
        4,
        caller,
        json!({"id": "7000", "name": command, "type": 1, "options": options}),
    );
    serde_json::from_value::<serenity::Interaction>(d.clone())
        .expect("autocomplete matches serenity's type");
    d
}
