//! Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane),
//! per-password random salt, stored as a PHC string so parameters can change later; and the
//! [`PasswordGate`] every hash and verification on a request's path goes through.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::services::error::{ServiceError, ServiceResult};

/// What a busy server asks a refused password check to wait, in seconds: a check takes tens
/// of milliseconds, so the queue has moved on by then.
const BUSY_RETRY_AFTER: u64 = 1;

/// Bounds the password work running at once. Each argon2 check holds 19 MiB and a core for
/// tens of milliseconds, so a flood of sign-ins (say, random emails) without a bound would
/// take all the memory and every core from other requests. At most `limit` checks run, at
/// most `queue` more wait their turn, and any beyond are refused at once with 503 and
/// `Retry-After`: waiting longer would only hold their connections and memory.
///
/// Why refuse rather than queue without end: a queue that grows under a flood makes every
/// sign-in, the real users' too, wait behind it; a short queue keeps the wait of an admitted
/// check to a few check times and tells the rest when to come back.
#[derive(Debug, Clone)]
pub struct PasswordGate {
    /// Checks that may run at once.
    running: Arc<Semaphore>,
    /// Checks admitted: running plus waiting.
    admitted: Arc<Semaphore>,
}

impl PasswordGate {
    /// A gate running at most `limit` checks (at least one) with up to `queue` waiting.
    pub fn new(limit: usize, queue: usize) -> Self {
        let limit = limit.max(1);
        Self {
            running: Arc::new(Semaphore::new(limit)),
            admitted: Arc::new(Semaphore::new(limit + queue)),
        }
    }

    /// The gate for this machine: two checks per core at once (one per core leaves cores idle
    /// while a check's thread is being scheduled; more only adds memory), and as many again
    /// waiting.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(2 * cores, 2 * cores)
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once the gate lets it.
    ///
    /// # Errors
    /// 503 with `Retry-After` when the gate is full; 500 if the work panicked.
    pub async fn run<T, F>(&self, work: F) -> ServiceResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let busy = || ServiceError::Busy {
            detail: "Too many sign-ins are being checked right now. Try again in a moment."
                .to_owned(),
            retry_after: BUSY_RETRY_AFTER,
        };
        let _admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| busy())?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| busy())?;
        tokio::task::spawn_blocking(move || {
            let _running = running;
            work()
        })
        .await
        .map_err(|e| ServiceError::internal(&e))
    }

    /// [`verify`] through the gate; an account without a password still costs one
    /// verification, so timing does not reveal which emails exist.
    ///
    /// # Errors
    /// As [`PasswordGate::run`].
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> ServiceResult<bool> {
        let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
        self.run(move || match stored {
            Some(stored) => verify(&password, &stored),
            None => {
                verify(&password, decoy_hash());
                false
            }
        })
        .await
    }

    /// [`hash`] through the gate.
    ///
    /// # Errors
    /// As [`PasswordGate::run`], and 500 when the system's random source fails.
    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let password = password.to_owned();
        self.run(move || hash(&password))
            .await?
            .map_err(|e| ServiceError::internal(&e))
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password that already passed `baton_core::validate::password`.
///
/// # Errors
/// When the system's random source fails.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// Whether `password` matches the stored PHC string (constant-time comparison inside argon2).
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A real hash of nothing anyone types, made once per process.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that never matches").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery staple").unwrap();
        let b = hash("correct horse battery staple").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery staple", &a));
        assert!(!verify("correct horse battery stapl", &a));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let long = "p".repeat(200);
        let h = hash(&long).unwrap();
        assert!(verify(&long, &h));
        assert!(!verify(&"p".repeat(199), &h));
    }

    #[tokio::test]
    async fn a_full_gate_refuses_with_retry_after_and_admits_again_once_free() {
        let gate = PasswordGate::new(1, 1);
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let first = tokio::spawn({
            let gate = gate.clone();
            async move {
                gate.run(move || {
                    let _ = started.send(());
                    held.recv().ok();
                })
                .await
            }
        });
        running.await.unwrap();
        let queued = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| 7).await }
        });
        tokio::task::yield_now().await;
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let refused = gate.run(|| 0).await.unwrap_err();
        assert!(
            matches!(refused, ServiceError::Busy { retry_after, .. } if retry_after == BUSY_RETRY_AFTER),
            "{refused:?}"
        );
        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        assert_eq!(queued.await.unwrap().unwrap(), 7, "the queued check ran");
        assert_eq!(gate.run(|| 8).await.unwrap(), 8);
    }
}
