//! App Home: the member's own thank-yous and allowance, this week's board, the day's theme
//! during Customer Service Week, and a button that opens the kudos form.

use chrono::Datelike;
use slack_morphism::prelude::*;

use super::interactions::OPEN_FORM;
use super::render::{escape, header, section};
use super::Slack;
use crate::domain::period::{Board, Period};
use crate::render;

const BOARD_SIZE: u32 = 5;

/// Publishes the member's Home tab.
pub async fn publish(slack: &Slack, team: &str, user: &str) -> anyhow::Result<()> {
    let Some(token) = slack.token_for(team).await else {
        return Ok(());
    };
    let core = &slack.app.spotlight;
    let (ws, me, _) = slack.caller(&token, team, None, user).await?;
    let mut stats = core.stats(&ws, &me).await?;
    core.attach_book(&ws, &me, &mut stats).await?;
    let mut boards = Vec::new();
    for board in [Board::Received, Board::Given] {
        boards.push(
            core.leaderboard(&ws, Some(&me), Period::Week, board, BOARD_SIZE)
                .await?,
        );
    }
    let today = core.today(&ws);
    let week = core.week_dates(&ws, today.year());
    let mut blocks = vec![header("Spotlight")];
    if let Some(day) = week.day_number(today) {
        if let Some(theme) = core.plan_for(&ws).days.get(usize::from(day) - 1) {
            blocks.push(section(&format!(
                "*Customer Service Week, day {day}: {}*\n{}\n_Try this:_ {}",
                escape(&theme.title),
                escape(&theme.prompt),
                escape(&theme.action)
            )));
        }
    }
    let left = match stats.left_today {
        Some(n) => format!("You can thank {n} more people today."),
        None => "You can thank as many people as you like today.".to_string(),
    };
    blocks.push(section(&escape(&left)));
    blocks.push(
        SlackActionsBlock::new(vec![SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(SlackBlockPlainTextOnly::from("Give kudos".to_string()))
                .with_action_id(OPEN_FORM.into())
                .with_style(SlackBlockButtonStyle::Primary),
        )])
        .into(),
    );
    blocks.push(header("Your thank-yous"));
    blocks.push(section(&escape(&render::stats(&stats))));
    for board in &boards {
        blocks.push(section(&escape(&render::leaderboard(board))));
    }
    let view = SlackView::Home(SlackHomeView::new(blocks));
    let request = SlackApiViewsPublishRequest::new(user.into(), view);
    let session = slack.api.client().open_session(&token);
    slack
        .api
        .call("views.publish", || session.views_publish(&request))
        .await?;
    Ok(())
}
