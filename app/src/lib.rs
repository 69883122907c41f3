//! The EMSP portal and the domain shared by the browser and the server.
//!
//! `domain` and `ui` compile for both wasm (feature `hydrate`) and the server (feature `ssr`);
//! `store` and `auth` exist only on the server.
#![recursion_limit = "256"]

pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod uploads;

pub use ui::{shell, App};
