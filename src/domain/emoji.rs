//! The kudos emoji: one setting that both platforms understand. Discord sends reactions as
//! Unicode (or custom emoji by name and id); Slack names every emoji by shortcode (🌟 is
//! `star2`). The setting is kept as the Unicode emoji when there is one, so either form matches.

use super::error::Refusal;

/// Reads what an admin typed: a Unicode emoji, a shortcode (`:star2:`), or a custom emoji
/// (`:partyblob:`, or Discord's `<:partyblob:123>`). Returns the form to store.
pub fn parse_kudos_emoji(text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    let refuse = || Refusal::InvalidEmoji(text.to_string());
    if let Some(e) = unicode(text) {
        return Ok(e.as_str().to_string());
    }
    if let Some(code) = text
        .strip_prefix(':')
        .and_then(|t| t.strip_suffix(':'))
        .filter(|c| is_shortcode(c))
    {
        return Ok(match emojis::get_by_shortcode(code) {
            Some(e) => e.as_str().to_string(),
            // A team's own emoji: kept by name.
            None => format!(":{code}:"),
        });
    }
    if let Some(inner) = text
        .strip_prefix("<a:")
        .or_else(|| text.strip_prefix("<:"))
        .and_then(|t| t.strip_suffix('>'))
    {
        let (name, id) = inner.split_once(':').ok_or_else(refuse)?;
        if is_shortcode(name) && !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
            return Ok(text.to_string());
        }
    }
    Err(refuse())
}

/// True when a reaction Slack names by `shortcode` is the workspace's kudos emoji.
pub fn matches_shortcode(configured: &str, shortcode: &str) -> bool {
    // Slack adds skin tones as "::skin-tone-2".
    let code = shortcode.split("::").next().unwrap_or(shortcode);
    if configured.trim_matches(':') == code {
        return true;
    }
    match (unicode(configured), emojis::get_by_shortcode(code)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn unicode(text: &str) -> Option<&'static emojis::Emoji> {
    emojis::get(text).or_else(|| emojis::get(&text.replace('\u{FE0F}', "")))
}

fn is_shortcode(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_shortcodes_and_custom_emoji_are_accepted() {
        assert_eq!(parse_kudos_emoji("🌟").unwrap(), "🌟");
        assert_eq!(parse_kudos_emoji(":star2:").unwrap(), "🌟");
        assert_eq!(parse_kudos_emoji("❤️").unwrap(), "❤️");
        assert_eq!(parse_kudos_emoji(":partyblob:").unwrap(), ":partyblob:");
        assert_eq!(
            parse_kudos_emoji("<:partyblob:123>").unwrap(),
            "<:partyblob:123>"
        );
    }

    #[test]
    fn words_are_not_emoji() {
        for bad in ["abc", "", ":", "::", "<:x:>", "star2", "🌟🌟 great"] {
            assert_eq!(
                parse_kudos_emoji(bad),
                Err(Refusal::InvalidEmoji(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn slack_shortcodes_match_the_stored_emoji() {
        assert!(matches_shortcode("🌟", "star2"));
        assert!(matches_shortcode("👍", "+1::skin-tone-3"));
        assert!(matches_shortcode(":partyblob:", "partyblob"));
        assert!(!matches_shortcode("🌟", "star"));
    }
}
