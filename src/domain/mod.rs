//! The domain core: rules, periods, the calendar and the week's plan. Knows nothing of any
//! chat platform.

pub mod awards;
pub mod calendar;
pub mod emoji;
pub mod error;
pub mod model;
pub mod period;
pub mod schedule;
pub mod text;
pub mod themes;
