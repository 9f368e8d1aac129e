//! What the fuzz targets check besides "no panic": no live mass mention in text that went
//! through the mention rules, and no Slack control sequence but the ones the bot means.

use serde_json::Value;

/// Which mass or role mention `text` would ping with, if any, on Discord or Slack.
pub fn live_mass_mention(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        "@everyone",
        "@here",
        "<@&",
        "<!channel",
        "<!here",
        "<!everyone",
        "<!subteam^",
    ]
    .into_iter()
    .find(|m| lower.contains(m))
}

/// The text Slack reads as markup in a message: the notification text and every mrkdwn block.
pub fn slack_markup(content: &impl serde::Serialize) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                    if let Some(t) = map.get("text").and_then(Value::as_str) {
                        out.push(t.to_string());
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let json = serde_json::to_value(content).expect("a message serializes");
    let mut out = Vec::new();
    if let Some(t) = json["text"].as_str() {
        out.push(t.to_string());
    }
    walk(&json["blocks"], &mut out);
    out
}

/// Panics unless every `<…>` Slack would read in `content` is a channel link or a mention of
/// one of `users`.
pub fn assert_slack_controls(content: &impl serde::Serialize, users: &[&str]) {
    for text in slack_markup(content) {
        let mut rest = text.as_str();
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after
                .find('>')
                .unwrap_or_else(|| panic!("a bare '<' in {text:?}"));
            let inner = &after[..end];
            let ok = match inner.strip_prefix('@') {
                Some(id) => users.contains(&id),
                None => inner.strip_prefix('#').is_some_and(|id| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
                }),
            };
            assert!(ok, "<{inner}> is live in {text:?}");
            rest = &after[end + 1..];
        }
    }
}
