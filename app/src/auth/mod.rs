//! Credentials: password hashing, JWTs, sign-in throttling. Random secrets and their digests
//! live in the `secret` leaf, which the store uses too.
pub mod charger_key;
pub mod jwt;
pub mod password;
pub mod service;
