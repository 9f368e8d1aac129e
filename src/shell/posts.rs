//! The shell as a platform for the week's posts: it prints them, and `:clock` steps the
//! scheduler through every due instant up to the new time, as if the bot had run all along.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::domain::model::Workspace;
use crate::scheduler::{DeliveryError, Post, Recipient, Scheduler, Sink};
use crate::service::Spotlight;

#[derive(Debug, Default)]
pub struct ShellSink {
    lines: Mutex<Vec<String>>,
}

impl ShellSink {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().expect("sink lock"))
    }
}

impl Sink for ShellSink {
    async fn deliver(&self, ws: &Workspace, post: &Post) -> Result<(), DeliveryError> {
        let head = match &post.to {
            Recipient::Channel => format!(
                "[#{}]",
                ws.settings
                    .celebration_channel
                    .as_deref()
                    .unwrap_or(super::DEFAULT_CHANNEL)
            ),
            Recipient::Member { name, .. } => format!("[DM to {name}]"),
        };
        let mut text = format!("{head} 📣 {}", post.title);
        for line in post.body.lines() {
            text.push_str("\n    ");
            text.push_str(line);
        }
        self.lines.lock().expect("sink lock").push(text);
        Ok(())
    }
}

/// Moves the clock to `target`, running the scheduler at every due instant on the way.
pub async fn advance(
    core: &Spotlight,
    clock: &crate::clock::ManualClock,
    ws: &Workspace,
    target: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    use crate::clock::Clock;
    let scheduler = Scheduler::new(core.clone());
    let sink = ShellSink::default();
    for _ in 0..10_000 {
        let due = core.store().next_due_at(ws.id).await?;
        if due > target {
            break;
        }
        if due > clock.now() {
            clock.set(due);
        }
        scheduler.tick_one(ws.id, &sink).await?;
        if core.store().next_due_at(ws.id).await? <= clock.now() {
            break;
        }
    }
    clock.set(target);
    scheduler.tick_one(ws.id, &sink).await?;
    Ok(sink.take())
}
