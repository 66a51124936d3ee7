//! Idempotency keys: a client's promise that two POSTs with the same key are the same request.
//!
//! A backend records the key in the same transaction as the write it guards, together with the
//! result, so a replay returns the first result and no crash can separate the two.

use baton_core::Id;

/// A claimed key: per member (keys from different members never collide), with a fingerprint
/// of the request (method, path and body) to detect reuse with a different request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Who sent the request.
    pub member_id: Id,
    /// The client's `Idempotency-Key` header.
    pub key: String,
    /// SHA-256 of the request, hex.
    pub fingerprint: String,
}
