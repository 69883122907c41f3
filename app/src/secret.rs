//! High-entropy random secrets (API tokens, invitation links, signing keys) and how they are
//! stored. A leaf: it imports nothing of this crate, so the store, authentication and (later)
//! charger keys and OCPI tokens share one definition.
//!
//! Secrets travel as [`SecretString`]: its `Debug` prints `[REDACTED]`, and reading it takes an
//! explicit `expose_secret()`, so a secret cannot reach a log or an error by accident.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
pub use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::{Digest, Sha256};

/// A new secret: `prefix` followed by 256 random bits, URL-safe.
pub fn generate(prefix: &str) -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// What is stored instead of a secret. A fast hash is enough: the secret has 256 bits of entropy,
/// so unlike a password it cannot be guessed from its hash.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A charger key as the OCPP 1.6 security white paper writes an `AuthorizationKey`: 20 random
/// bytes as 40 lowercase hexadecimal characters.
pub fn charger_key() -> SecretString {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(hex::encode(bytes))
}

/// What is stored for a key we generated: `sha256:<salt>:<SHA-256 of salt and key>`. A fast
/// hash is defensible because the key has 160 random bits; the salt keeps equal keys apart. A
/// reconnect storm of a thousand chargers then costs a thousand hashes, not a thousand Argon2s.
pub fn salted_digest(key: &[u8]) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    format!("sha256:{}:{}", hex::encode(salt), salted(&salt, key))
}

fn salted(salt: &[u8], key: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(key);
    hex::encode(hasher.finalize())
}

/// True when `stored` is a `salted_digest` of `key`; `None` when `stored` is not one at all.
pub fn salted_matches(stored: &str, key: &[u8]) -> Option<bool> {
    let mut parts = stored.splitn(3, ':');
    let (Some("sha256"), Some(salt), Some(digest)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let salt = hex::decode(salt).ok()?;
    Some(salted(&salt, key) == digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_prefixed_and_hash_stably() {
        let a = generate("emsp_");
        let b = generate("emsp_");
        let (a, b) = (a.expose_secret(), b.expose_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("emsp_") && a.len() == 5 + 43);
        assert_eq!(digest(a), digest(a));
        assert_ne!(digest(a), digest(b));
    }

    #[test]
    fn charger_keys_are_forty_hex_digits_and_match_only_their_digest() {
        let key = charger_key();
        let key = key.expose_secret();
        assert!(key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let stored = salted_digest(key.as_bytes());
        assert_ne!(stored, salted_digest(key.as_bytes()), "salted");
        assert_eq!(salted_matches(&stored, key.as_bytes()), Some(true));
        assert_eq!(salted_matches(&stored, b"wrong"), Some(false));
        assert_eq!(salted_matches("$argon2id$v=19$...", b"x"), None);
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let secret = generate("emsp_");
        assert!(!format!("{secret:?}").contains(secret.expose_secret()));
    }
}
