//! The [`ThrottleStore`] role trait: the sign-in throttle's counters, kept in the database so
//! every instance on one PostgreSQL sees the same failures. The SQL lives in each backend's
//! `throttle.rs`; the rule that reads the counters is `baton_core::throttle`.
//!
//! The one table not scoped by workspace, on purpose: a password attempt is counted before
//! anyone knows which workspace (if any) the email belongs to, and an account's failures must
//! count across all of them.

use async_trait::async_trait;
use baton_core::throttle::{Counter, Failure};
use jiff::Timestamp;

use crate::StoreResult;

/// Counters of failed (and, for known addresses, successful) sign-ins, by opaque key.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// The stored counters of these keys (keys without one are left out).
    async fn throttle_counters(&self, keys: &[String]) -> StoreResult<Vec<Counter>>;
    /// Counts one failure at `at` under each key, in one transaction: a counter last touched
    /// before its `forget_before` starts again from one. Counters last touched before
    /// `expired_before` are deleted in the same transaction, so the table stays small.
    async fn count_failures(
        &self,
        failures: &[Failure],
        at: Timestamp,
        expired_before: Timestamp,
    ) -> StoreResult<()>;
    /// Sets each key's counter to no failures as of `at`, creating it when missing.
    async fn reset_counters(&self, keys: &[String], at: Timestamp) -> StoreResult<()>;
}
