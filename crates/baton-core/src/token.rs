//! API token hashing. Tokens are random secrets shown once; only their SHA-256 is stored, so a
//! leaked database does not leak working credentials.
//!
//! A fast hash is right here (unlike passwords): tokens carry 256 bits of entropy, so there is
//! nothing to brute-force, and lookups by hash must be cheap on every request.

use sha2::{Digest, Sha256};

/// The prefix every Baton API token starts with, so leaked tokens are easy to scan for.
pub const TOKEN_PREFIX: &str = "baton_";

/// Formats 32 random bytes as a token the client will present.
pub fn format_token(secret: &[u8; 32]) -> String {
    let mut out = String::with_capacity(TOKEN_PREFIX.len() + 64);
    out.push_str(TOKEN_PREFIX);
    out.push_str(&hex(secret));
    out
}

/// The stored form of a token: lowercase hex SHA-256 of the whole token text.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lowercase hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hash_to_64_hex_digits_and_differ_per_secret() {
        let a = format_token(&[1; 32]);
        let b = format_token(&[2; 32]);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
        assert!(!hash_token(&a).contains(&a[TOKEN_PREFIX.len()..]));
    }
}
