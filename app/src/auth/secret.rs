//! High-entropy random secrets (API tokens, invitation links) and how they are stored.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret: `prefix` followed by 256 random bits, URL-safe.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
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
        assert_ne!(a, b);
        assert!(a.starts_with("emsp_") && a.len() == 5 + 43);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
    }
}
