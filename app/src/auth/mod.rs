//! Credentials: random secrets and their digests, password hashing, JWTs, sign-in throttling.
pub mod jwt;
pub mod password;
pub mod secret;
pub mod service;
