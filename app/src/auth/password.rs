//! Argon2id password hashing (m = 19456 KiB, t = 2, p = 1), run off the async runtime behind a
//! semaphore so a burst of sign-ins cannot starve request handling or exhaust memory.
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// One hash at a time per core: more would only queue inside the CPU and use 19 MiB each.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

/// A hash of a random password, verified against when the user does not exist so that an unknown
/// username costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&crate::auth::secret::generate("")).unwrap_or_default())
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

fn verify_blocking(password: &str, stored: Option<&str>) -> bool {
    let (candidate, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    hasher().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let _permit = permits().acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(work).await.map_err(|e| e.to_string())
}

/// Hashes a new password into a PHC string.
pub async fn hash(password: String) -> Result<String, String> {
    off_runtime(move || hash_blocking(&password)).await?
}

/// Checks `password` against `stored`; `None` (unknown user) takes as long and returns false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    off_runtime(move || verify_blocking(&password, stored.as_deref())).await.unwrap_or(false)
}

/// Warms the dummy hash so the first unknown-user login is not slower than the rest.
pub async fn warm_up() {
    let _ = off_runtime(|| dummy_hash().len()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let stored = hash("correct horse battery".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong".into(), Some(stored)).await);
        assert!(!verify("anything".into(), None).await);
        assert!(!verify("x".into(), Some("not a phc string".into())).await);
    }
}
