//! How Slack names people (`<@U123|dana>`), channels (`<#C123|general>`) and user groups
//! (`<!subteam^S123|@support>`) in a command's text, with "escape users and channels" on.

use slack_morphism::prelude::SlackApiToken;

use super::{CallError, Slack};
use crate::chat::parse::Mention;
use crate::chat::Names;
use crate::domain::error::{Refusal, Result};
use crate::domain::model::{MemberRef, Workspace};

pub struct SlackNames<'a> {
    pub slack: &'a Slack,
    pub token: &'a SlackApiToken,
    pub team: &'a str,
    pub ws: &'a Workspace,
}

impl Names for SlackNames<'_> {
    async fn person(&self, mention: &Mention) -> Result<MemberRef> {
        let Mention::User { id, .. } = mention else {
            return Err(Refusal::Usage(
                "Mention colleagues with @ and pick them from Slack's list, e.g. /kudos @dana thanks!"
                    .into(),
            )
            .into());
        };
        // Someone already on record is named by id: the write then needs no transaction.
        if let Some(member) = self.slack.known_member(self.ws, id).await? {
            return Ok(MemberRef::Id(member));
        }
        match self.slack.api.user(self.token, self.team, id).await {
            Ok(info) => Ok(MemberRef::User(info.user)),
            Err(CallError::Permanent(e)) if e.ends_with("user_not_found") => {
                Err(Refusal::Usage("I can't find that person in this workspace.".into()).into())
            }
            Err(e) => Err(anyhow::Error::new(e).into()),
        }
    }

    fn channel(&self, text: &str) -> Result<String> {
        control(text, "<#")
            .map(str::to_string)
            .ok_or_else(|| {
                Refusal::Usage(
                    "Pick the channel from Slack's list: type # and choose it, e.g. /spotlight channel #celebrations."
                        .into(),
                )
                .into()
            })
    }

    fn show_channel(&self, stored: &str) -> String {
        format!("<#{stored}>")
    }

    fn group(&self, text: &str) -> Option<String> {
        control(text, "<!subteam^").map(str::to_string)
    }
}

/// The id inside a control sequence such as `<#C123|general>`.
fn control<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let inner = text.trim().strip_prefix(prefix)?.strip_suffix('>')?;
    let id = inner.split('|').next()?;
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::control;

    #[test]
    fn control_sequences_give_their_ids() {
        assert_eq!(control("<#C123|general>", "<#"), Some("C123"));
        assert_eq!(control("<#C123>", "<#"), Some("C123"));
        assert_eq!(control("<!subteam^S9|@support>", "<!subteam^"), Some("S9"));
        assert_eq!(control("#general", "<#"), None);
    }
}
