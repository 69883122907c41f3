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
    fn secrets_do_not_show_in_debug_output() {
        let secret = generate("emsp_");
        assert!(!format!("{secret:?}").contains(secret.expose_secret()));
    }
}
