//! The wall of thanks, the books, health and metrics: the real app's HTTP server on
//! 127.0.0.1, read over HTTP and in a real headless Chromium.

pub mod browser;
mod live;
mod medallions;
mod metrics;
mod routes;

use spotlight::domain::model::{Actor, Member, Workspace};
use spotlight::service::WallCommand;
use tokio::sync::watch;

use crate::support::TestApp;

/// The app with its HTTP server on a free port, as `spotlight run` serves it.
pub struct Site {
    pub test: TestApp,
    pub base: String,
    addr: std::net::SocketAddr,
    stop: watch::Sender<bool>,
    tasks: tokio::task::JoinSet<anyhow::Result<()>>,
    pub http: reqwest::Client,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Site {
    pub async fn start(at: &str) -> Self {
        let test = TestApp::at(at).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut site = Self {
            test,
            base: format!("http://127.0.0.1:{}", addr.port()),
            addr,
            stop: watch::channel(false).0,
            tasks: tokio::task::JoinSet::new(),
            http: reqwest::Client::new(),
        };
        site.serve(listener);
        site
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (stop, stopped) = watch::channel(false);
        self.stop = stop;
        spotlight::run::Listeners {
            http: listener,
            metrics: None,
        }
        .serve(&self.test.app, None, &stopped, &mut self.tasks)
        .unwrap();
    }

    /// Stops the server as a shutdown does: live feeds end, the server closes.
    pub async fn stop_server(&mut self) {
        let _ = self.stop.send(true);
        let stopped = async {
            while let Some(done) = self.tasks.join_next().await {
                done.unwrap().unwrap();
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), stopped)
            .await
            .expect("the server stops within 10 s even with walls open");
    }

    /// The same app served again on the same port, as after a restart.
    pub async fn restart_server(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.addr),
            }
        };
        self.serve(listener);
    }

    pub async fn get(&self, path_or_url: &str) -> Page {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let response = self.http.get(&url).send().await.unwrap();
        Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// Turns the wall on (or changes it) as an admin; returns its link.
    pub async fn wall(
        &self,
        ws: &Workspace,
        admin: &Actor,
        command: WallCommand,
    ) -> Option<String> {
        self.test
            .core()
            .set_wall(ws, admin, command)
            .await
            .unwrap()
            .link
    }

    /// The path part of a link the core handed out.
    pub fn path(link: &str) -> String {
        let url = url::Url::parse(link).unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn book_link(&self, ws: &Workspace, member: &Member) -> String {
        self.test.core().book_link(ws, member.id).await.unwrap()
    }
}
