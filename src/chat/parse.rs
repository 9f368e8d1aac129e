//! Reading what people type: mentions (`@name` in the shell, `<@U123|name>` in Slack), a
//! trailing `#value`, a leading `from:"Customer"`, the first word.

use crate::domain::error::Refusal;

pub const MAX_NAME_LEN: usize = 32;

/// Checks a shell user name: letters, digits, dots, dashes and underscores.
pub fn valid_name(raw: &str) -> Result<String, Refusal> {
    let name = raw.trim().trim_start_matches('@');
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(Refusal::Usage(format!(
            "'{raw}' is not a name: use up to {MAX_NAME_LEN} letters, digits, dots, dashes or underscores."
        )))
    }
}

/// A person named in a command's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    /// `@dana`: a name, as the shell's users type it.
    Name(String),
    /// `<@U123>` or `<@U123|dana>`: a platform user id, as Slack escapes mentions.
    User { id: String, label: Option<String> },
}

/// Reads one mention token, if it is one.
pub fn mention(token: &str) -> Option<Result<Mention, Refusal>> {
    let token = token.trim_end_matches([',', ':']);
    if let Some(inner) = token.strip_prefix("<@").and_then(|t| t.strip_suffix('>')) {
        let (id, label) = match inner.split_once('|') {
            Some((id, label)) => (id, Some(label.to_string())),
            None => (inner, None),
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Some(Err(Refusal::Usage(format!("'{token}' is not a mention."))));
        }
        return Some(Ok(Mention::User {
            id: id.to_string(),
            label,
        }));
    }
    token
        .starts_with('@')
        .then(|| valid_name(token).map(Mention::Name))
}

/// Splits leading mentions off `args`; returns them and the rest of the line.
pub fn leading_mentions(args: &str) -> Result<(Vec<Mention>, &str), Refusal> {
    let mut names = Vec::new();
    let mut rest = args.trim_start();
    loop {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        match mention(&rest[..end]) {
            Some(m) => names.push(m?),
            None => break,
        }
        rest = rest[end..].trim_start();
    }
    Ok((names, rest))
}

/// Takes a trailing `#value` word off a message.
pub fn trailing_tag(message: &str) -> (&str, Option<&str>) {
    let trimmed = message.trim_end();
    match trimmed.rsplit_once(char::is_whitespace) {
        Some((head, last)) if last.len() > 1 && last.starts_with('#') => (head, Some(&last[1..])),
        None if trimmed.len() > 1 && trimmed.starts_with('#') => ("", Some(&trimmed[1..])),
        _ => (trimmed, None),
    }
}

/// Takes a leading `from:Name` or `from:"Full Name"` word off a feedback message.
pub fn leading_customer(text: &str) -> Result<(Option<String>, &str), Refusal> {
    let Some(after) = text.trim_start().strip_prefix("from:") else {
        return Ok((None, text));
    };
    if let Some(quoted) = after.strip_prefix('"') {
        let end = quoted.find('"').ok_or(Refusal::UnclosedQuote)?;
        return Ok((
            Some(quoted[..end].to_string()),
            quoted[end + 1..].trim_start(),
        ));
    }
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    Ok((Some(after[..end].to_string()), after[end..].trim_start()))
}

/// The first word and the rest.
pub fn first_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.split_once(char::is_whitespace) {
        Some((w, rest)) => (w, rest.trim_start()),
        None => (s, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Mention {
        Mention::Name(n.to_string())
    }

    #[test]
    fn slack_mentions_carry_the_user_id() {
        let (names, rest) = leading_mentions("<@U1|dana> <@U2> thanks <@U3>").unwrap();
        assert_eq!(
            names,
            [
                Mention::User {
                    id: "U1".into(),
                    label: Some("dana".into())
                },
                Mention::User {
                    id: "U2".into(),
                    label: None
                }
            ]
        );
        assert_eq!(rest, "thanks <@U3>");
        assert!(leading_mentions("<@U1!x> hi").is_err());
    }

    #[test]
    fn mentions_then_message_then_tag() {
        let (names, rest) =
            leading_mentions("@dana @li Thanks for covering the queue #teamwork").unwrap();
        assert_eq!(names, [name("dana"), name("li")]);
        let (message, tag) = trailing_tag(rest);
        assert_eq!(message, "Thanks for covering the queue");
        assert_eq!(tag, Some("teamwork"));
    }

    #[test]
    fn mentions_inside_the_message_stay_text() {
        let (names, rest) = leading_mentions("@dana thanks, and @li too").unwrap();
        assert_eq!(names, [name("dana")]);
        assert_eq!(rest, "thanks, and @li too");
    }

    #[test]
    fn bad_names_are_refused() {
        assert!(leading_mentions("@ hi").is_err());
        assert!(leading_mentions("@da$na hi").is_err());
    }

    #[test]
    fn lone_hash_is_text() {
        assert_eq!(trailing_tag("we are #1 #"), ("we are #1 #", None));
        assert_eq!(trailing_tag("#teamwork"), ("", Some("teamwork")));
    }

    #[test]
    fn customer_names_may_be_quoted() {
        assert_eq!(
            leading_customer("from:\"Maria Lopez\" solved it").unwrap(),
            (Some("Maria Lopez".to_string()), "solved it")
        );
        assert_eq!(
            leading_customer("from:Maria solved it").unwrap(),
            (Some("Maria".to_string()), "solved it")
        );
        assert_eq!(leading_customer("solved it").unwrap(), (None, "solved it"));
        assert_eq!(
            leading_customer("from:\"Acme great work"),
            Err(Refusal::UnclosedQuote)
        );
    }
}
