//! Credentials: random secrets and their hashes, and password hashing.
pub mod password;
pub mod secret;
