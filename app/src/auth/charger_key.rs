//! Charger keys (the HTTP Basic password of OCPP security profiles 1 and 2): generated keys are
//! stored with a salted SHA-256 (`secret::salted_digest`), keys a charger already holds are
//! imported and stored with Argon2id like passwords.
use super::password;
use crate::secret::{self, ExposeSecret, SecretString};

pub const IMPORTED_MIN: usize = 16;
pub const IMPORTED_MAX: usize = 40;

/// A new key and what to store for it.
pub fn generate() -> (SecretString, String) {
    let key = secret::charger_key();
    let stored = secret::salted_digest(key.expose_secret().as_bytes());
    (key, stored)
}

/// Checks the rules for a key brought by its owner: 16–40 printable ASCII characters (what a
/// charger's configuration can hold as `AuthorizationKey`).
pub fn imported_rule(key: &str) -> Result<(), String> {
    let len = key.len();
    if !(IMPORTED_MIN..=IMPORTED_MAX).contains(&len) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("must be {IMPORTED_MIN} to {IMPORTED_MAX} printable characters without spaces"));
    }
    Ok(())
}

/// What to store for an imported key (after `imported_rule`).
pub async fn digest_imported(key: &str) -> Result<String, password::HashError> {
    password::hash(key.to_owned()).await
}

/// The forms in which a charger may present its key: the text itself (hex case-insensitively),
/// or the key's bytes (the original OCPP-J text puts the 20 raw bytes in the header), which is
/// compared as their hex text.
fn candidates(presented: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![presented.to_vec()];
    if presented.iter().all(u8::is_ascii_hexdigit) {
        forms.push(presented.to_ascii_lowercase());
    }
    if (IMPORTED_MIN..=20).contains(&presented.len()) {
        forms.push(hex::encode(presented).into_bytes());
    }
    forms.dedup();
    forms
}

/// True when `presented` is the key `stored` was made from.
pub async fn verify(stored: &str, presented: &[u8]) -> bool {
    let forms = candidates(presented);
    if stored.starts_with("sha256:") {
        return forms.iter().any(|form| secret::salted_matches(stored, form) == Some(true));
    }
    for form in forms {
        let Ok(text) = String::from_utf8(form) else { continue };
        if password::verify(text, Some(stored.to_owned())).await {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn generated_keys_verify_as_text_in_either_case_and_as_bytes() {
        let (key, stored) = generate();
        let key = key.expose_secret().to_owned();
        assert!(verify(&stored, key.as_bytes()).await);
        assert!(verify(&stored, key.to_uppercase().as_bytes()).await);
        let raw = hex::decode(&key).expect("hex");
        assert!(verify(&stored, &raw).await);
        assert!(!verify(&stored, b"0123456789abcdef0123456789abcdef01234567").await);
    }

    #[tokio::test]
    async fn imported_keys_use_argon2_and_the_length_rule() {
        assert!(imported_rule("short").is_err());
        assert!(imported_rule("sixteen chars!!!").is_err(), "spaces");
        assert!(imported_rule(&"k".repeat(41)).is_err());
        let stored = digest_imported("MyChargerSecret1").await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(&stored, b"MyChargerSecret1").await);
        assert!(!verify(&stored, b"MyChargerSecret2").await);
    }
}
