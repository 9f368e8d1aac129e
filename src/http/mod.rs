//! The app's one HTTP server: Slack's endpoints today; health, metrics and the web pages mount
//! here too.

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

/// Every route the app serves.
pub fn router(slack: Option<&crate::slack::Slack>) -> Router {
    let mut router = Router::new();
    if let Some(slack) = slack {
        router = router.merge(slack.routes());
    }
    router
}

/// Serves until `shutdown` resolves; requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "HTTP server listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
