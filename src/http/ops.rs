//! Health and metrics for whoever runs the bot.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::app::App;

pub fn health_routes(app: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state(app)
}

pub fn metrics_routes(app: App) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(app)
}

/// Ready when the database answers and every configured platform is connected; the body says
/// which part is not.
async fn ready(State(app): State<App>) -> Response {
    let database =
        match tokio::time::timeout(Duration::from_secs(2), app.spotlight.store().ping()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(e)) => {
                tracing::warn!(error = ?e, "readiness: the database does not answer");
                "unavailable"
            }
            Err(_) => "timed out",
        };
    let platforms = app.health.platforms();
    let ready = database == "ok" && platforms.values().all(|c| *c);
    let body = serde_json::json!({
        "ready": ready,
        "database": database,
        "platforms": platforms
            .iter()
            .map(|(p, c)| (p.to_string(), if *c { "connected" } else { "disconnected" }))
            .collect::<std::collections::BTreeMap<_, _>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn metrics(State(app): State<App>) -> Response {
    let (size, idle, max) = app.spotlight.store().pool_stats();
    crate::telemetry::metrics::pool(size, idle, max);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::telemetry::metrics::render(),
    )
        .into_response()
}
