//! The store's tests a second time, on PostgreSQL: the same files, included again (see
//! `backends`).

#[path = "core_awards.rs"]
mod core_awards;
#[path = "core_boards.rs"]
mod core_boards;
#[path = "core_kudos.rs"]
mod core_kudos;
#[path = "core_settings.rs"]
mod core_settings;
#[path = "core_yearround.rs"]
mod core_yearround;
#[path = "scheduler.rs"]
mod scheduler;
