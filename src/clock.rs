//! Time is injected so the rules and the scheduler can be driven through a whole week in tests.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Follows the system clock until it is set; from then on it stays where it was put.
#[derive(Debug, Default, Clone)]
pub struct ManualClock {
    fixed: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl ManualClock {
    pub fn at(time: DateTime<Utc>) -> Self {
        let clock = Self::default();
        clock.set(time);
        clock
    }

    pub fn set(&self, time: DateTime<Utc>) {
        *self.fixed.lock().expect("clock lock") = Some(time);
    }

    pub fn advance(&self, by: chrono::Duration) {
        let now = self.now();
        self.set(now + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.fixed
            .lock()
            .expect("clock lock")
            .unwrap_or_else(Utc::now)
    }
}
