//! Announcements between every process that shares one database: "something changed, look
//! again". Live views (inbox counters over server-sent events) subscribe; writes announce.
//!
//! Owns: the [`ChangeFeed`] role trait and what a subscriber hears ([`Heard`]). Each backend
//! carries it its own way: SQLite in process (only one process serves a SQLite file), PostgreSQL
//! with `NOTIFY` and one `LISTEN` connection per process, so an announcement made through one
//! `baton serve` instance reaches the subscribers of all of them.
//! Does not own: what an announcement means (baton-server encodes and decodes it) or who may
//! see what (a subscriber re-reads through the visibility check; an announcement is only a
//! hint, never trusted for access).

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::broadcast;

use crate::StoreResult;

/// Longest announcement, in bytes. PostgreSQL refuses a `NOTIFY` payload of 8000 bytes or
/// more; the same bound holds on SQLite so callers cannot come to rely on more.
pub const MAX_ANNOUNCEMENT: usize = 7_900;

/// Announcements a slow subscriber may fall behind by before it hears [`Heard::Missed`].
pub const FEED_CAPACITY: usize = 1_024;

/// What a feed subscriber receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// One announcement, exactly as it was made.
    Announced(Arc<str>),
    /// Announcements may have been lost (the `LISTEN` connection dropped and came back, or the
    /// subscriber fell behind): whatever the subscriber shows must be read again.
    Missed,
}

/// Announcements to every subscriber of every process on this database.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Announces `payload` to every subscriber, in this process and in every other process on
    /// the same database (on PostgreSQL, the same schema). Call it after the write it describes
    /// has committed. Delivery is best effort: a subscriber that may have missed announcements
    /// hears [`Heard::Missed`] instead.
    ///
    /// # Errors
    /// `Other` when `payload` is longer than [`MAX_ANNOUNCEMENT`] bytes (a caller's bug);
    /// `Unavailable` when the database cannot be reached.
    async fn announce(&self, payload: &str) -> StoreResult<()>;

    /// A receiver of every announcement made after this returns, from any process. On
    /// PostgreSQL the first subscription opens the process's `LISTEN` connection and waits
    /// until it listens; the connection reconnects on loss, and every receiver hears
    /// [`Heard::Missed`] each time it starts listening again, since announcements made
    /// meanwhile were lost. A receiver that lags by more than [`FEED_CAPACITY`] gets
    /// `RecvError::Lagged`, which means the same as `Missed`.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be listened to in time.
    async fn subscribe(&self) -> StoreResult<broadcast::Receiver<Heard>>;
}

/// Refuses an announcement too long for every backend.
pub(crate) fn check_size(payload: &str) -> StoreResult<()> {
    if payload.len() > MAX_ANNOUNCEMENT {
        return Err(crate::StoreError::Other(anyhow::anyhow!(
            "an announcement of {} bytes is over the limit of {MAX_ANNOUNCEMENT}",
            payload.len()
        )));
    }
    Ok(())
}
