//! Argon2id password hashing (m = 19456 KiB, t = 2, p = 1), run off the async runtime on
//! low-priority threads so a burst of sign-ins cannot starve request handling or exhaust memory.
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing runs on its own threads, one per core, at the lowest CPU priority: it soaks up idle
/// CPU at full speed, but API and page requests on the async runtime win whenever they need a
/// core, so a flood of sign-ins cannot slow reads down. The queue also bounds memory to one
/// 19 MiB Argon2 block per thread.
fn pool() -> Result<&'static rayon_core::ThreadPool, &'static rayon_core::ThreadPoolBuildError> {
    static POOL: OnceLock<Result<rayon_core::ThreadPool, rayon_core::ThreadPoolBuildError>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(2);
        rayon_core::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("argon2-{i}"))
            .start_handler(|_| lower_priority())
            .build()
    })
    .as_ref()
}

/// A hash of a random password, verified against when the user does not exist so that an unknown
/// username costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        use crate::secret::ExposeSecret;
        hash_blocking(crate::secret::generate("").expose_secret()).unwrap_or_default()
    })
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The pool keeps its build error, so this holds its text.
    #[error("the password hashing threads could not be started: {0}")]
    NoThreads(String),
    #[error("the password hashing thread stopped")]
    Stopped(#[source] tokio::sync::oneshot::error::RecvError),
    #[error("argon2 failed: {0}")]
    Argon2(argon2::password_hash::Error),
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(HashError::Argon2)
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

/// Linux: SCHED_IDLE, which a waking request thread preempts at once (at nice 19 it still waited
/// for the hash's time slice: API p99 doubled during a login flood). Elsewhere: the lowest
/// priority. Best effort: where the OS refuses, hashing runs at normal priority.
fn lower_priority() {
    use thread_priority::ThreadPriority;
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{
            set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy, ThreadSchedulePolicy,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle).is_ok() {
            return;
        }
    }
    let _ = ThreadPriority::Min.set_for_current();
}

async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
    let pool = pool().map_err(|e| HashError::NoThreads(e.to_string()))?;
    let (done, result) = tokio::sync::oneshot::channel();
    pool.spawn(move || {
        let _ = done.send(work());
    });
    result.await.map_err(HashError::Stopped)
}

/// Hashes a new password into a PHC string.
pub async fn hash(password: String) -> Result<String, HashError> {
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

    /// Field 41 of /proc/thread-self/stat is the scheduling policy (5: SCHED_IDLE).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_idle_priority() {
        let policy = off_runtime(|| {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
            let after_name = stat.rsplit_once(')').map(|(_, rest)| rest.to_owned()).unwrap_or_default();
            after_name.split_whitespace().nth(38).and_then(|n| n.parse::<i32>().ok())
        })
        .await
        .expect("ran");
        assert_eq!(policy, Some(5));
    }

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
