//! Spotlight: an appreciation bot that runs Customer Service Week for a team.

pub mod app;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod discord;
pub mod domain;
pub mod http;
pub mod render;
pub mod replies;
pub mod run;
pub mod scheduler;
pub mod secrets;
pub mod service;
pub mod shell;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod web;
