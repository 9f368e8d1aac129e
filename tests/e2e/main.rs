//! One integration-test binary: the core on real SQLite files, and the built `spotlight`
//! binary driven as a user would drive it.

mod backends;
mod both_platforms;
mod cli;
mod copy_data;
mod core_awards;
mod core_boards;
mod core_kudos;
mod core_settings;
mod core_wal;
mod core_yearround;
pub mod discord;
mod faults;
mod malformed;
mod polish;
/// The store's tests again, on PostgreSQL (see `backends`): the same files on purpose.
#[allow(clippy::duplicate_mod)]
mod postgres;
mod process;
mod properties;
mod scheduler;
mod shell;
mod shell_awards;
mod shell_refusals;
mod shell_yearround;
pub mod slack;
mod soak;
mod support;
mod two_processes;
mod web;
