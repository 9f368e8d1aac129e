//! Text rules shared by every adapter: message limits, value tags and mass-ping safety.

use super::error::Refusal;

/// Trims a kudos message and checks its length in characters.
pub fn clean_message(raw: &str, max: usize) -> Result<String, Refusal> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Refusal::EmptyMessage);
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(Refusal::MessageTooLong { len, max });
    }
    Ok(defuse_mentions(trimmed))
}

/// Makes mass and role mentions inert on every platform while keeping them readable:
/// Discord's `@everyone`, `@here`, `<@&role>`, and Slack's `<!everyone>`, `<!here>`,
/// `<!channel>`, `<!subteam^…>`. A zero-width space after the sigil breaks the mention.
pub fn defuse_mentions(text: &str) -> String {
    const ZWSP: &str = "\u{200B}";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(['@', '<']) {
        let (before, at) = rest.split_at(pos);
        out.push_str(before);
        let lower = at.to_ascii_lowercase();
        if lower.starts_with("@everyone") || lower.starts_with("@here") {
            out.push('@');
            out.push_str(ZWSP);
            rest = &at[1..];
        } else if at.starts_with("<@&") || at.starts_with("<!") {
            out.push('<');
            out.push_str(ZWSP);
            rest = &at[1..];
        } else {
            let c = at.chars().next().expect("found a char");
            out.push(c);
            rest = &at[c.len_utf8()..];
        }
    }
    out.push_str(rest);
    out
}

/// Value tags match case-insensitively, ignoring spaces, dashes and underscores.
pub fn value_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '#'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Finds the workspace's spelling of `given` among `values`.
pub fn match_value(given: &str, values: &[String]) -> Result<String, Refusal> {
    let key = value_key(given);
    values
        .iter()
        .find(|v| value_key(v) == key)
        .cloned()
        .ok_or_else(|| Refusal::UnknownValue {
            given: given.trim().to_string(),
            valid: values.to_vec(),
        })
}

/// Names for departments, values and members: trimmed, 1 to `max` characters.
pub fn clean_name(raw: &str, max: usize) -> Result<String, Refusal> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 || len > max {
        return Err(Refusal::InvalidName(name.to_string(), max));
    }
    Ok(defuse_mentions(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_is_trimmed_and_limited_in_characters() {
        assert_eq!(clean_message("  thanks!  ", 500).unwrap(), "thanks!");
        assert_eq!(clean_message("   ", 500), Err(Refusal::EmptyMessage));
        let long = "é".repeat(501);
        assert_eq!(
            clean_message(&long, 500),
            Err(Refusal::MessageTooLong { len: 501, max: 500 })
        );
        assert!(clean_message(&"é".repeat(500), 500).is_ok());
    }

    #[test]
    fn mass_mentions_are_defused() {
        let out = defuse_mentions("hey @everyone and @here, <@&123> <!channel> <!subteam^S1>");
        assert!(!out.contains("@everyone"));
        assert!(!out.contains("@here"));
        assert!(!out.contains("<@&"));
        assert!(!out.contains("<!"));
        assert!(out.contains("everyone") && out.contains("channel"));
        assert_eq!(
            defuse_mentions("mail me@example.com <@42>"),
            "mail me@example.com <@42>"
        );
        assert!(!defuse_mentions("@EVERYONE").contains("@EVERYONE"));
    }

    #[test]
    fn values_match_loosely() {
        let values: Vec<String> = ["Going the extra mile", "Teamwork"]
            .map(String::from)
            .into();
        assert_eq!(
            match_value("going-the-extra-mile", &values).unwrap(),
            "Going the extra mile"
        );
        assert_eq!(match_value("TEAM_WORK", &values).unwrap(), "Teamwork");
        let err = match_value("speed", &values).unwrap_err();
        assert!(err.to_string().contains("Going the extra mile, Teamwork"));
    }
}
