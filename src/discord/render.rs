//! Discord messages and embeds for the core's results. User text only ever goes into embeds,
//! and every message says exactly whom it may ping.

use poise::serenity_prelude as serenity;

use crate::domain::model::{Kudos, KudosKind};
use crate::render::names;

const GOLD: u32 = 0xF5B301;

/// The celebration-channel post: recipients (and the giver) named in the content, so they are
/// notified, and `allowed_mentions` limited to exactly those users.
pub fn announcement(
    k: &Kudos,
    recipients: &[serenity::UserId],
    giver: serenity::UserId,
) -> serenity::CreateMessage {
    let mentions: Vec<String> = recipients.iter().map(|id| format!("<@{id}>")).collect();
    let content = match k.kind {
        KudosKind::Kudos => format!("🌟 {}: <@{giver}> says thank you!", names(&mentions)),
        KudosKind::Feedback => format!(
            "💬 {}: a customer said something lovely about you!",
            names(&mentions)
        ),
    };
    let mut allowed: Vec<serenity::UserId> = recipients.to_vec();
    allowed.push(giver);
    serenity::CreateMessage::new()
        .content(content)
        .embed(embed(k))
        .allowed_mentions(
            serenity::CreateAllowedMentions::new()
                .users(allowed)
                .everyone(false)
                .all_roles(false),
        )
}

pub fn embed(k: &Kudos) -> serenity::CreateEmbed {
    let who = names(
        &k.recipients
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
    );
    let title = match k.kind {
        KudosKind::Kudos => format!("{} thanked {who}", k.giver.name),
        KudosKind::Feedback => format!("Customer feedback for {who}"),
    };
    let mut e = serenity::CreateEmbed::new()
        .title(title)
        .description(&k.message)
        .colour(GOLD)
        .footer(serenity::CreateEmbedFooter::new(format!("Kudos #{}", k.id)));
    if let Some(value) = &k.value {
        e = e.field("Value", value, true);
    }
    if let Some(customer) = &k.customer {
        e = e.field("Customer", customer, true);
    }
    if k.kind == KudosKind::Feedback {
        e = e.field("Shared by", &k.giver.name, true);
    }
    if let Some(theme) = &k.theme {
        e = e.field("Today's theme", theme, true);
    }
    if let Some(link) = &k.link {
        e = e.url(link);
    }
    e
}

/// A text block for an ephemeral or public reply that pings no one.
pub fn quiet(text: String) -> poise::CreateReply {
    poise::CreateReply::default()
        .content(text)
        .allowed_mentions(
            serenity::CreateAllowedMentions::new()
                .empty_users()
                .empty_roles()
                .everyone(false),
        )
}

/// A leaderboard as an embed: the top lines, and the caller's own place in the footer.
pub fn leaderboard(lb: &crate::service::Leaderboard) -> poise::CreateReply {
    use crate::service::Mine;
    let mut lines: Vec<String> = lb
        .lines
        .iter()
        .map(|l| format!("**{}.** {} — {}", l.rank, l.label, l.count))
        .collect();
    if lines.is_empty() {
        lines.push("Nothing yet. Be the first to thank someone!".into());
    }
    let footer = match &lb.mine {
        Some(Mine::Ranked { label, rank, count }) => {
            format!("{label}: #{rank} with {count} · times in {}", lb.timezone)
        }
        Some(Mine::Unranked { label }) => {
            format!("{label}: not on this board yet · times in {}", lb.timezone)
        }
        None => format!("Times in {}", lb.timezone),
    };
    let embed = serenity::CreateEmbed::new()
        .title(format!("🏆 {} — {}", lb.board.title(), lb.period.label))
        .description(lines.join("\n"))
        .colour(GOLD)
        .footer(serenity::CreateEmbedFooter::new(footer));
    quiet(String::new()).embed(embed)
}
