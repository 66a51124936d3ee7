//! `Idempotency-Key` on POST: the same key and body returns the first response and writes
//! nothing new; the same key with another body is refused (422, from the store); a duplicate
//! arriving while the first is still running gets 409. Keys are scoped per member.
//!
//! The durable half lives in the store (the key is recorded in the write's own transaction).
//! This module adds the in-process half: a set of keys whose first request is still running.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use baton_core::Id;
use baton_store::IdempotencyKey;

use crate::error::{ApiError, ApiResult};

/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 255;

/// The request header carrying the key.
pub const HEADER: &str = "idempotency-key";

/// The request's `Idempotency-Key` header, if any, checked for shape.
#[derive(Debug, Clone, Default)]
pub struct KeyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for KeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(Self(None));
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters."),
                )
            })?;
        Ok(Self(Some(key.to_owned())))
    }
}

/// Keys whose first request is running in this process.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<(Id, String)>>);

/// Holds a key as in flight; releases it when dropped (also when the request is cancelled).
#[derive(Debug)]
pub struct InFlightGuard<'a> {
    set: &'a InFlight,
    entry: (Id, String),
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.entry);
    }
}

impl InFlight {
    /// Turns the header into a store key for `member`, marking it in flight. `None` when the
    /// request carries no key.
    ///
    /// # Errors
    /// 409 when the same member's same key is already being processed.
    pub fn claim(
        &self,
        member: Id,
        header: KeyHeader,
        fingerprint: &str,
    ) -> ApiResult<Option<(IdempotencyKey, InFlightGuard<'_>)>> {
        let Some(key) = header.0 else {
            return Ok(None);
        };
        let entry = (member, key.clone());
        if !self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(entry.clone())
        {
            return Err(ApiError::conflict(
                "A request with this Idempotency-Key is still being processed; retry in a moment.",
            ));
        }
        let guard = InFlightGuard { set: self, entry };
        Ok(Some((
            IdempotencyKey {
                member_id: member,
                key,
                fingerprint: fingerprint.to_owned(),
            },
            guard,
        )))
    }
}
