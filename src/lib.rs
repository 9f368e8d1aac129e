//! Spotlight: an appreciation bot that runs Customer Service Week for a team.

pub mod clock;
pub mod config;
pub mod domain;
pub mod store;
pub mod service;
pub mod app;
pub mod render;
pub mod shell;
pub mod telemetry;
pub mod cli;
