//! What Spotlight says in Slack, as Block Kit. Every piece of text a member typed (messages,
//! names, customers) is escaped, so nothing can become `<!channel>`, `<!here>`, a user-group
//! ping or a link; only the people thanked and the giver are mentioned, in announcements.

use slack_morphism::prelude::*;

use crate::chat::Answer;
use crate::domain::model::{Kudos, KudosKind};
use crate::render;

/// Slack's three control characters, and nothing else.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(super) fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
            text.to_string(),
        )))
        .into()
}

pub(super) fn header(text: &str) -> SlackBlock {
    // Headers are plain text: nothing in them is a mention or a link.
    let text: String = text.chars().take(150).collect();
    SlackHeaderBlock::new(SlackBlockPlainTextOnly::from(text)).into()
}

/// Escapes a reply but keeps channel links (`<#C123>`): they never ping, and admins' replies name
/// the celebration channel that way.
fn escape_reply(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(at) = rest.find("&lt;#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        let id_len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        if id_len > 0 && after[id_len..].starts_with("&gt;") {
            out.push_str(&format!("<#{}>", &after[..id_len]));
            rest = &after[id_len + 4..];
        } else {
            out.push_str("&lt;#");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A block of plain text, escaped, with a fallback for notifications.
pub fn plain(text: &str) -> SlackMessageContent {
    let escaped = escape_reply(text);
    SlackMessageContent::new()
        .with_text(escaped.clone())
        .with_blocks(vec![section(&escaped)])
}

/// The private reply to a command.
pub fn answer(answer: &Answer) -> SlackMessageContent {
    titled(&answer.text())
}

/// The first line as a header, the rest as a section (leaderboards, stats, plans); a one-line
/// reply stays an ordinary section (headers are large and cut at 150 characters).
pub fn titled(text: &str) -> SlackMessageContent {
    let Some((first, rest)) = text.split_once('\n') else {
        return plain(text);
    };
    let rest = rest
        .lines()
        .map(|l| escape_reply(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut blocks = vec![header(first)];
    if !rest.trim().is_empty() {
        // A long reply (the awards' lists) in several sections, cut between lines.
        let pieces = reply_sections(&rest);
        let room = MAX_BLOCKS - 1;
        let cut = pieces.len() > room;
        for (i, piece) in pieces.into_iter().take(room).enumerate() {
            blocks.push(section(if cut && i == room - 1 { "…" } else { &piece }));
        }
    }
    let fallback: String = escape(text).chars().take(FALLBACK_CHARS).collect();
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(blocks)
}

/// Escaped lines grouped into sections Slack accepts; a line longer than a section is cut.
fn reply_sections(escaped: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in escaped.split('\n') {
        let chars: Vec<char> = line.chars().collect();
        for piece in chars
            .chunks(SECTION_CHARS)
            .map(|c| c.iter().collect::<String>())
        {
            if !current.is_empty()
                && current.chars().count() + piece.chars().count() + 1 > SECTION_CHARS
            {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A refusal or an apology, privately.
pub fn refusal(text: &str) -> SlackMessageContent {
    plain(&format!("⚠️ {text}"))
}

/// The celebration channel's post for a new thank-you: the recipients and the giver mentioned
/// by id, everything typed escaped.
pub fn announcement(k: &Kudos, recipients: &[String], giver: &str) -> SlackMessageContent {
    let who: Vec<String> = recipients.iter().map(|id| format!("<@{id}>")).collect();
    let who = render::names(&who);
    let mut text = match k.kind {
        KudosKind::Kudos => format!("🌟 {who}: <@{giver}> says thank you!"),
        KudosKind::Feedback => format!("💬 Customer feedback for {who}, shared by <@{giver}>"),
    };
    let mut quote = format!("> {}", escape(&k.message).replace('\n', "\n> "));
    if let Some(customer) = &k.customer {
        quote.push_str(&format!("\n— {}", escape(customer)));
    }
    let mut context = Vec::new();
    if let Some(value) = &k.value {
        context.push(escape(value));
    }
    if let Some(theme) = &k.theme {
        context.push(escape(theme));
    }
    if let Some(link) = &k.link {
        context.push(format!("<{link}|the message>"));
    }
    context.push(format!("#{}", k.id));
    text.push_str(&format!("\n{quote}"));
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(&text), section(&context.join(" · "))])
}

/// The celebration channel's post for a new service medallion, with its own look: a header, the
/// recipient and the giver mentioned by id, the message escaped.
pub fn medallion_announcement(
    m: &crate::domain::model::Medallion,
    recipient: &str,
    giver: &str,
) -> SlackMessageContent {
    let text = format!(
        "🏅 <@{recipient}> receives a service medallion from <@{giver}>\n> {}",
        escape(&m.message).replace('\n', "\n> ")
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![
            header(&format!("🏅 Service medallion {}", m.year)),
            section(&text),
            section(&format!("medallion #{}", m.id)),
        ])
}

/// A scheduled post: its title and body, all of it escaped.
/// Slack's limits: a section's text, blocks per message, and what a notification shows.
const SECTION_CHARS: usize = 3000;
const MAX_BLOCKS: usize = 50;
const FALLBACK_CHARS: usize = 3000;

pub fn post(title: &str, body: &str) -> SlackMessageContent {
    let mut blocks = vec![header(title)];
    let sections = sections(body);
    let room = MAX_BLOCKS - 1;
    let cut = sections.len() > room;
    for (i, text) in sections.into_iter().take(room).enumerate() {
        if cut && i == room - 1 {
            blocks.push(section("…"));
        } else {
            blocks.push(section(&text));
        }
    }
    let fallback: String = format!("{}\n{}", escape(title), escape(body))
        .chars()
        .take(FALLBACK_CHARS)
        .collect();
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(blocks)
}

/// The escaped body in sections Slack accepts, cut between lines where it can. A line is cut
/// before escaping, so an entity such as `&amp;` is never split.
fn sections(body: &str) -> Vec<String> {
    // Escaping at most quintuples a character (`&` becomes `&amp;`).
    const RAW_PIECE: usize = SECTION_CHARS / 5;
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.split('\n') {
        let chars: Vec<char> = line.chars().collect();
        let pieces: Vec<String> = if chars.is_empty() {
            vec![String::new()]
        } else {
            chars
                .chunks(RAW_PIECE)
                .map(|c| escape(&c.iter().collect::<String>()))
                .collect()
        };
        for piece in pieces {
            let needed = piece.chars().count() + usize::from(!current.is_empty());
            if current.chars().count() + needed > SECTION_CHARS && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&piece);
        }
    }
    if !current.trim().is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_replies_are_cut_into_sections_slack_accepts() {
        let text = format!(
            "Title\n{}",
            vec!["• ana: “a <reason> & more”"; 400].join("\n")
        );
        let content = titled(&text);
        let blocks = content.blocks.as_ref().unwrap();
        assert!(blocks.len() > 2 && blocks.len() <= MAX_BLOCKS);
        let json = serde_json::to_value(blocks).unwrap();
        for b in json.as_array().unwrap().iter().skip(1) {
            let t = b["text"]["text"].as_str().unwrap();
            assert!(t.chars().count() <= SECTION_CHARS, "{}", t.len());
            assert!(!t.contains('<'), "escaped");
        }
        assert!(content.text.as_ref().unwrap().chars().count() <= FALLBACK_CHARS);
    }

    #[test]
    fn long_posts_are_cut_into_sections_slack_accepts() {
        let line = "ana (Monday): “Thanks & more” ".repeat(8);
        let body = vec![line.as_str(); 400].join("\n");
        let sections = sections(&body);
        assert!(sections.len() > 1);
        assert!(sections.iter().all(|s| s.chars().count() <= SECTION_CHARS));
        assert!(sections
            .iter()
            .all(|s| !s.ends_with('&') && !s.contains("&amp&")));
        let rejoined = sections.join("\n");
        assert_eq!(rejoined, escape(&body), "nothing lost or doubled");
        let one_long_line = "&".repeat(10_000);
        assert!(sections_fit(&one_long_line));
        let content = post("Your thank-you book", &body);
        assert!(content.blocks.as_ref().unwrap().len() <= MAX_BLOCKS);
        assert!(content.text.as_ref().unwrap().chars().count() <= FALLBACK_CHARS);
    }

    fn sections_fit(body: &str) -> bool {
        let s = sections(body);
        s.iter().all(|p| p.chars().count() <= SECTION_CHARS)
            && s.join("") == escape(body).replace('\n', "")
    }

    #[test]
    fn replies_keep_channel_links_only() {
        assert_eq!(
            escape_reply("in <#C9>, not <!here> or <#C9|x> or <#>"),
            "in <#C9>, not &lt;!here&gt; or &lt;#C9|x&gt; or &lt;#&gt;"
        );
    }

    #[test]
    fn typed_text_cannot_ping_or_link() {
        assert_eq!(
            escape("<!channel> & <@U1> <!subteam^S1|@support> <http://x|y>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;!subteam^S1|@support&gt; &lt;http://x|y&gt;"
        );
    }
}
