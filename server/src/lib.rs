//! The `emsp` server: configuration, command line, router, REST, GraphQL and middleware.
pub mod cli;
pub mod commands;
pub mod config;
pub mod telemetry;

mod application;
mod bench_routes;
pub mod graphql;
mod health;
mod middleware;
mod portal;
pub mod rest;
mod shutdown;
mod state;

pub use application::Application;
pub use state::AppState;
