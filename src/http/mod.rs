//! The app's one HTTP server: Slack's endpoints, the wall of thanks and the books, and what
//! operators expect: `/healthz`, `/readyz` and `/metrics` (which may get its own address).

mod ops;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;

/// Every route the app serves. `metrics` is false when `/metrics` has its own listener.
pub fn router(
    app: &App,
    slack: Option<&crate::slack::Slack>,
    stopped: watch::Receiver<bool>,
    metrics: bool,
) -> Router {
    let mut router = Router::new()
        .merge(crate::web::routes(crate::web::Web {
            app: app.clone(),
            stopped,
        }))
        .merge(ops::health_routes(app.clone()));
    if metrics {
        router = router.merge(ops::metrics_routes(app.clone()));
    }
    if let Some(slack) = slack {
        router = router.merge(slack.routes());
    }
    router.fallback(|| async { crate::web::not_found() })
}

/// `/metrics` alone, for `server.metrics_listen`.
pub fn metrics_router(app: &App) -> Router {
    ops::metrics_routes(app.clone())
}

/// Binds `address`, naming the setting it came from when that fails (a port in use, say).
pub async fn bind(address: std::net::SocketAddr, setting: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => "the port is already in use".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        anyhow::anyhow!("{setting}: cannot listen on {address}: {why}")
    })
}

/// Serves until `shutdown` resolves; requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::serve::ListenerExt;
    let address = listener.local_addr()?;
    tracing::info!(%address, "HTTP server listening");
    // Small writes (a live card, an acknowledgement) go out at once instead of waiting on the
    // peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
