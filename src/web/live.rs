//! The wall's live feed: server-sent events. Each open wall hears the core's changes for its
//! workspace; the browser's EventSource reconnects by itself and the page then reloads its
//! cards, so nothing given while it was away is missed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;

use super::{failed, not_found, pages, period, Web};
use crate::domain::model::Workspace;
use crate::domain::period::{Period, ResolvedPeriod};
use crate::service::{WallChange, WallEvent};

/// How often an open feed checks that its link still works (rotated or turned off: it ends).
const RECHECK: Duration = Duration::from_secs(10);
/// What the browser waits before reconnecting, in ms.
const RETRY_MS: u64 = 1000;

struct Feed {
    web: Web,
    token: String,
    ws: Workspace,
    show_customers: bool,
    resolved: ResolvedPeriod,
    events: tokio::sync::broadcast::Receiver<WallEvent>,
    recheck: tokio::time::Interval,
    greeted: bool,
    done: bool,
}

pub async fn events(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let core = &web.app.spotlight;
    // Subscribed before the wall is checked, so nothing stored in between is missed.
    let events = core.subscribe();
    let (ws, row) = match core.wall_by_token(&token).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return failed("opening a wall's feed", e),
    };
    let resolved = match core
        .resolve_period(&ws, period(&params, Period::Week))
        .await
    {
        Ok(r) => r,
        Err(e) => return failed("opening a wall's feed", e),
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset();
    let feed = Feed {
        web,
        token,
        ws,
        show_customers: row.show_customers,
        resolved,
        events,
        recheck,
        greeted: false,
        done: false,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok::<_, Infallible>(event), feed))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

impl Feed {
    async fn next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        if !self.greeted {
            self.greeted = true;
            return Some(
                Event::default()
                    .event("hello")
                    .retry(Duration::from_millis(RETRY_MS))
                    .data("{}"),
            );
        }
        let mut stopped = self.web.stopped.clone();
        loop {
            tokio::select! {
                _ = async { let _ = stopped.wait_for(|s| *s).await; } => return None,
                _ = self.recheck.tick() => {
                    match self.web.app.spotlight.wall_by_token(&self.token).await {
                        Ok(Some(_)) => {}
                        // The admin rotated the link or turned the wall off.
                        Ok(None) => {
                            self.done = true;
                            return Some(Event::default().event("gone").data("{}"));
                        }
                        Err(e) => tracing::warn!(error = ?e, "cannot recheck a wall's link"),
                    }
                }
                received = self.events.recv() => match received {
                    Ok(event) if event.workspace == self.ws.id => {
                        if let Some(e) = self.render(&event.change) {
                            return Some(e);
                        }
                    }
                    Ok(_) => {}
                    // Too far behind to replay: the page reloads its cards.
                    Err(RecvError::Lagged(_)) => return Some(Event::default().event("reload").data("{}")),
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }

    fn render(&self, change: &WallChange) -> Option<Event> {
        match change {
            WallChange::Added(k) => {
                let shown = match self.resolved.dates {
                    Some((from, to)) => (from..=to).contains(&k.local_date),
                    None => true,
                };
                shown.then(|| {
                    let html =
                        pages::card(k, self.ws.settings.timezone, self.show_customers, false)
                            .into_string();
                    Event::default()
                        .event("added")
                        .id(k.id.to_string())
                        .data(serde_json::json!({ "id": k.id, "html": html }).to_string())
                })
            }
            WallChange::Removed(id) => Some(
                Event::default()
                    .event("removed")
                    .data(serde_json::json!({ "id": id }).to_string()),
            ),
            WallChange::Medallion(m) => {
                let shown = match self.resolved.dates {
                    Some((from, to)) => (from..=to).contains(&m.local_date),
                    None => true,
                };
                shown.then(|| {
                    let html = pages::medallion_card(m, self.ws.settings.timezone).into_string();
                    let id = format!("m{}", m.id);
                    Event::default()
                        .event("added")
                        .data(serde_json::json!({ "id": id, "html": html }).to_string())
                })
            }
            WallChange::MedallionRemoved(id) => Some(
                Event::default()
                    .event("removed")
                    .data(serde_json::json!({ "id": format!("m{id}") }).to_string()),
            ),
        }
    }
}
