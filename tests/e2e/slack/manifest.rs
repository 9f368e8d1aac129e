//! The app manifests a user pastes into Slack say exactly what the code serves.

use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/deploy/slack/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    let mut all: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    all.sort();
    all
}

#[test]
fn the_manifests_match_the_commands_events_scopes_and_routes() {
    for (name, socket) in [
        ("manifest.json", false),
        ("manifest-socket-mode.json", true),
    ] {
        let m = load(name);
        let mut scopes: Vec<String> = spotlight::slack::SCOPES
            .split(',')
            .map(str::to_string)
            .collect();
        scopes.sort();
        assert_eq!(
            strings(&m["oauth_config"]["scopes"]["bot"]),
            scopes,
            "{name}"
        );
        let commands = m["features"]["slash_commands"].as_array().unwrap();
        let mut names: Vec<&str> = commands
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        names.sort();
        let mut expected = spotlight::slack::COMMANDS.to_vec();
        expected.sort();
        assert_eq!(names, expected, "{name}");
        for c in commands {
            assert_eq!(c["should_escape"], true, "mentions arrive as <@U…>: {c}");
            assert_eq!(c.get("url").is_some(), !socket, "{name}: {c}");
            if !socket {
                assert!(c["url"].as_str().unwrap().ends_with("/slack/commands"));
            }
        }
        let mut events = spotlight::slack::EVENTS.map(str::to_string).to_vec();
        events.sort();
        let subs = &m["settings"]["event_subscriptions"];
        assert_eq!(strings(&subs["bot_events"]), events, "{name}");
        assert_eq!(
            m["features"]["shortcuts"][0]["callback_id"],
            spotlight::slack::SHORTCUT,
            "{name}"
        );
        assert_eq!(m["settings"]["socket_mode_enabled"], socket, "{name}");
        assert_eq!(m["features"]["app_home"]["home_tab_enabled"], true);
        if !socket {
            assert!(subs["request_url"]
                .as_str()
                .unwrap()
                .ends_with("/slack/events"));
            assert!(m["settings"]["interactivity"]["request_url"]
                .as_str()
                .unwrap()
                .ends_with("/slack/interactions"));
            assert!(m["oauth_config"]["redirect_urls"][0]
                .as_str()
                .unwrap()
                .ends_with("/slack/oauth/callback"));
        }
    }
}
