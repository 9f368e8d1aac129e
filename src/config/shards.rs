//! Which of the bot's Discord gateway shards this process runs. Discord sends each guild's
//! events to one shard only, so a bot split between processes must run every shard exactly once.

use anyhow::bail;

/// The gateway connections `spotlight run` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// One connection for every guild, as serenity's `start` opens: a bot run by one process.
    One,
    /// Every shard of `total`, all in this process.
    All { total: u32 },
    /// Shards `first` to `last`, both included, of `total`; other processes run the rest.
    Range { first: u32, last: u32, total: u32 },
}

impl std::fmt::Display for Shards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shards::One => f.write_str("one shard"),
            Shards::All { total } => write!(f, "all {total} shards"),
            Shards::Range { first, last, total } if first == last => {
                write!(f, "shard {first} of {total}")
            }
            Shards::Range { first, last, total } => {
                write!(f, "shards {first}-{last} of {total}")
            }
        }
    }
}

/// `shards` as `discord.shards` is written ("", "2", "0-1"), checked against `count`
/// (`discord.shard_count`, 0 when unset).
pub(super) fn parse(shards: &str, count: u32) -> anyhow::Result<Shards> {
    let text = shards.trim();
    if text.is_empty() {
        return Ok(match count {
            0 => Shards::One,
            total => Shards::All { total },
        });
    }
    let (first, last) = match text.split_once('-') {
        Some((first, last)) => (number(first, text)?, number(last, text)?),
        None => {
            let only = number(text, text)?;
            (only, only)
        }
    };
    if last < first {
        bail!("discord.shards: '{text}' ends before it starts; write the lower shard first, such as {last}-{first}");
    }
    // Processes that each guessed the total could disagree, and then some guilds would have
    // no shard at all.
    if count == 0 {
        bail!("discord.shards: '{text}' needs discord.shard_count, the number of shards across every process");
    }
    if last >= count {
        bail!(
            "discord.shards: '{text}' is out of range for discord.shard_count {count} (shards 0 to {})",
            count - 1
        );
    }
    Ok(Shards::Range {
        first,
        last,
        total: count,
    })
}

/// Digits only: `u32::from_str` would also take "+1".
fn number(part: &str, whole: &str) -> anyhow::Result<u32> {
    let part = part.trim();
    match part.bytes().all(|b| b.is_ascii_digit()) {
        true => part.parse().ok(),
        false => None,
    }
    .ok_or_else(|| {
        anyhow::anyhow!(
            "discord.shards: '{whole}' is not a shard number or a range such as 0-1, or empty for all"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_and_ranges_within_the_count() {
        assert_eq!(parse("", 0).unwrap(), Shards::One);
        assert_eq!(parse(" ", 4).unwrap(), Shards::All { total: 4 });
        assert_eq!(
            parse("2", 4).unwrap(),
            Shards::Range {
                first: 2,
                last: 2,
                total: 4
            }
        );
        assert_eq!(
            parse(" 0 - 3 ", 4).unwrap(),
            Shards::Range {
                first: 0,
                last: 3,
                total: 4
            }
        );
    }

    #[test]
    fn bad_ranges_say_why() {
        let why = |s: &str, n: u32| parse(s, n).unwrap_err().to_string();
        assert!(why("0-5", 4).contains("out of range for discord.shard_count 4 (shards 0 to 3)"));
        assert!(why("4", 4).contains("out of range"));
        assert!(why("b-a", 4).contains("is not a shard number or a range"));
        assert!(why("+1", 4).contains("is not a shard number"));
        assert!(why("1-", 4).contains("is not a shard number"));
        assert!(why("0-1-2", 4).contains("is not a shard number"));
        assert!(why("3-1", 4).contains("ends before it starts"));
        assert!(why("0-1", 0).contains("needs discord.shard_count"));
        assert!(why("0", 0).contains("needs discord.shard_count"));
    }
}
