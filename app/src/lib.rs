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
pub mod store;

pub use ui::{App, shell};
