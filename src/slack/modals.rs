//! The kudos form: opened by `/kudos` with no text, by the "Give kudos" message shortcut, and by
//! the App Home button. What it was opened for travels in the view's private metadata.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use super::render::escape;

pub const CALLBACK: &str = "kudos";
pub const WHO: &str = "who";
pub const MESSAGE: &str = "msg";
pub const VALUE: &str = "value";

/// What the form was opened for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// Where a confirmation can be shown privately, when the form came from a channel.
    pub channel: Option<String>,
    /// The message a shortcut thanks its author for: (channel, ts, author).
    pub message: Option<(String, String, String)>,
}

fn plain(text: &str) -> SlackBlockPlainTextOnly {
    SlackBlockPlainTextOnly::from(text.to_string())
}

/// The form. `author` names the person a shortcut thanks (no people picker then).
pub fn kudos_form(
    opened: &Opened,
    author: Option<&str>,
    values: &[String],
    max_chars: usize,
) -> SlackView {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    match author {
        Some(name) => blocks.push(
            SlackSectionBlock::new()
                .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
                    format!("Thanking *{}* for their message.", escape(name)),
                )))
                .into(),
        ),
        None => blocks.push(
            SlackInputBlock::new(
                plain("Who are you thanking? (up to 3)"),
                SlackInputBlockElement::MultiUsersSelect(
                    SlackBlockMultiUsersSelectElement::new()
                        .with_action_id(WHO.into())
                        .with_max_selected_items(3),
                ),
            )
            .with_block_id(WHO.into())
            .into(),
        ),
    }
    blocks.push(
        SlackInputBlock::new(
            plain("What are you thankful for?"),
            SlackInputBlockElement::PlainTextInput(
                SlackBlockPlainTextInputElement::new()
                    .with_action_id(MESSAGE.into())
                    .with_multiline(true)
                    .with_max_length(max_chars as u64)
                    .with_placeholder(plain(
                        "Thanks for sorting out that customer's refund so quickly!",
                    )),
            ),
        )
        .with_block_id(MESSAGE.into())
        .into(),
    );
    if author.is_none() && !values.is_empty() {
        let options = values
            .iter()
            .map(|v| SlackBlockChoiceItem::new(plain(v), v.clone()))
            .collect();
        blocks.push(
            SlackInputBlock::new(
                plain("The value they showed"),
                SlackInputBlockElement::StaticSelect(
                    SlackBlockStaticSelectElement::new()
                        .with_action_id(VALUE.into())
                        .with_options(options),
                ),
            )
            .with_block_id(VALUE.into())
            .with_optional(true)
            .into(),
        );
    }
    SlackView::Modal(
        SlackModalView::new(plain("Give kudos"), blocks)
            .with_submit(plain("Send"))
            .with_close(plain("Cancel"))
            .with_callback_id(CALLBACK.into())
            .with_private_metadata(serde_json::to_string(opened).unwrap_or_default()),
    )
}

/// What a submitted form holds.
#[derive(Debug, Default)]
pub struct Filled {
    pub people: Vec<String>,
    pub message: String,
    pub value: Option<String>,
}

pub fn read(state: Option<&SlackViewState>) -> Filled {
    let mut filled = Filled::default();
    let Some(state) = state else {
        return filled;
    };
    for (block, actions) in &state.values {
        for value in actions.values() {
            match block.0.as_str() {
                WHO => {
                    filled.people = value
                        .selected_users
                        .iter()
                        .flatten()
                        .map(|u| u.0.clone())
                        .collect()
                }
                MESSAGE => filled.message = value.value.clone().unwrap_or_default(),
                VALUE => {
                    filled.value = value.selected_option.as_ref().map(|o| o.value.clone());
                }
                _ => {}
            }
        }
    }
    filled
}
