//! The web pages: the wall of thanks (with its live feed) and the thank-you books. They read
//! through the core's services only, and carry a Content-Security-Policy that forbids inline
//! script; the script and stylesheet are embedded in the binary.

mod charts;
mod live;
mod pages;

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;

use crate::app::App;
use crate::domain::period::Period;
use crate::service::page_period;

pub use pages::{BOOK_PERIODS, WALL_PERIODS};

/// What every page handler needs.
#[derive(Clone)]
pub struct Web {
    pub app: App,
    /// Turns true when the server stops, so live feeds end and the server can close.
    pub stopped: watch::Receiver<bool>,
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn routes(web: Web) -> Router {
    Router::new()
        .route("/wall/{token}", get(wall))
        .route("/wall/{token}/cards", get(wall_cards))
        .route("/wall/{token}/side", get(wall_side))
        .route("/wall/{token}/events", get(live::events))
        .route("/book/{token}", get(book))
        .route("/assets/{file}", get(asset))
        .layer(axum::middleware::from_fn(headers))
        .with_state(web)
}

/// Links carry secrets: no referrer leaves the page, nothing is cached or framed.
async fn headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

type Params = Query<HashMap<String, String>>;

fn tv(params: &HashMap<String, String>) -> bool {
    matches!(
        params.get("tv").map(String::as_str),
        Some("1" | "true" | "on")
    )
}

fn period(params: &HashMap<String, String>, default: Period) -> Period {
    page_period(params.get("period").map(String::as_str), default)
}

pub(crate) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(pages::not_found().into_string()),
    )
        .into_response()
}

pub(crate) fn failed(what: &str, e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "{what} failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(pages::unavailable().into_string()),
    )
        .into_response()
}

/// The wall behind a token with what it shows, or the response to send instead.
async fn load_wall(
    web: &Web,
    token: &str,
    params: &HashMap<String, String>,
) -> Result<crate::service::WallView, Response> {
    let core = &web.app.spotlight;
    let (ws, row) = match core.wall_by_token(token).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(not_found()),
        Err(e) => return Err(failed("loading a wall", e)),
    };
    core.wall_view(&ws, &row, period(params, Period::Week))
        .await
        .map_err(|e| failed("loading a wall", e))
}

#[tracing::instrument(skip_all, name = "wall")]
async fn wall(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    match load_wall(&web, &token, &params).await {
        Ok(view) => Html(pages::wall(&view, &token, tv(&params)).into_string()).into_response(),
        Err(response) => response,
    }
}

async fn wall_cards(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    match load_wall(&web, &token, &params).await {
        Ok(view) => Html(pages::cards(&view, tv(&params)).into_string()).into_response(),
        Err(response) => response,
    }
}

async fn wall_side(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    match load_wall(&web, &token, &params).await {
        Ok(view) => Html(pages::side(&view).into_string()).into_response(),
        Err(response) => response,
    }
}

#[tracing::instrument(skip_all, name = "book")]
async fn book(
    State(web): State<Web>,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    let core = &web.app.spotlight;
    let (ws, member) = match core.book_by_token(&token).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return failed("loading a book", e),
    };
    match core.book(&ws, &member, period(&params, Period::Year)).await {
        Ok(book) => Html(pages::book(&book, &token).into_string()).into_response(),
        Err(e) => failed("loading a book", e),
    }
}

const CSS: &str = include_str!("assets/spotlight.css");
const JS: &str = include_str!("assets/wall.js");

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "spotlight.css" => (CSS, "text/css; charset=utf-8"),
        "wall.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return not_found(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}
