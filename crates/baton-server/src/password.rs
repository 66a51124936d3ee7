//! Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane),
//! per-password random salt, stored as a PHC string so parameters can change later.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

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

/// [`verify`] off the async runtime: a verification takes tens of milliseconds of CPU.
pub async fn verify_off_thread(password: &str, stored: Option<&str>) -> bool {
    let (password, stored) = (password.to_owned(), stored.map(str::to_owned));
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            // An account without a password still costs one verification, so timing does not
            // reveal which emails exist.
            verify(&password, decoy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
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
}
