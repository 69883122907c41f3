//! The `emsp` server: configuration, command line, router, REST, GraphQL and middleware.
//!
//! Imports run downward only (`tests/api/layers.rs` checks it), from the top of this list:
//! `commands` → `application` → `portal`, `bench_routes` → `rest`, `health` → `state` →
//! `graphql`, `ocpp`, `ocpi` → `auth`, `multipart` → `config`, `cli`, `jobs`, `middleware`, `serve`, `shutdown`, `telemetry`.
pub mod cli;
pub mod commands;
pub mod config;
pub mod telemetry;

mod application;
mod auth;
#[cfg(feature = "bench")]
mod bench_routes;
mod events;
pub mod graphql;
mod health;
mod jobs;
mod middleware;
mod multipart;
pub mod ocpi;
pub mod ocpp;
mod portal;
pub mod rest;
pub mod serve;
mod shutdown;
mod state;

pub use application::Application;
pub use state::AppState;
