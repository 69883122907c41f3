//! The EMSP portal and the domain shared by the browser and the server.
//!
//! `domain` and `ui` compile for both wasm (feature `hydrate`) and the server (feature `ssr`);
//! everything else exists only on the server. Imports run one way, from the top of this list to
//! the bottom, never back up (`server/tests/api/layers.rs` checks it):
//! `ui` → `services` → `auth` → `store` → `uploads`, `mail` → `error` → `domain`, `clock`, `secret`.
#![recursion_limit = "256"]

pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod uploads;

pub use ui::{shell, App};
