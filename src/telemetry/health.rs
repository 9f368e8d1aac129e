//! Whether each configured platform is connected, as its adapter last saw it, for `/readyz`
//! and the `spotlight_platform_connected` gauge.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Health {
    platforms: Arc<Mutex<BTreeMap<&'static str, bool>>>,
}

impl Health {
    /// A platform this process serves, not connected yet.
    pub fn expect(&self, platform: &'static str) {
        if let Ok(mut p) = self.platforms.lock() {
            p.insert(platform, false);
        }
        super::metrics::platform_connected(platform, false);
    }

    pub fn set(&self, platform: &'static str, connected: bool) {
        if let Ok(mut p) = self.platforms.lock() {
            let before = p.insert(platform, connected);
            if before != Some(connected) {
                tracing::info!(platform, connected, "platform connection changed");
            }
        }
        super::metrics::platform_connected(platform, connected);
    }

    /// Each configured platform and whether it is connected.
    pub fn platforms(&self) -> BTreeMap<&'static str, bool> {
        self.platforms.lock().map(|p| p.clone()).unwrap_or_default()
    }
}
