//! The SQLite change feed: an in-process broadcast. Only one process serves a SQLite file
//! (its single writer thread owns every write), so every subscriber lives in this process and
//! nothing needs to cross a process boundary.

use async_trait::async_trait;
use tokio::sync::broadcast;

use super::SqliteStore;
use crate::StoreResult;
use crate::feed::{ChangeFeed, FEED_CAPACITY, Heard, check_size};

/// The broadcast every subscriber of one SQLite store listens to.
pub(super) struct LocalFeed(broadcast::Sender<Heard>);

impl LocalFeed {
    /// A feed nobody listens to yet.
    pub(super) fn new() -> Self {
        Self(broadcast::Sender::new(FEED_CAPACITY))
    }
}

#[async_trait]
impl ChangeFeed for SqliteStore {
    async fn announce(&self, payload: &str) -> StoreResult<()> {
        check_size(payload)?;
        // An error only means that nobody is subscribed, so there is nobody to tell.
        let _ = self.feed.0.send(Heard::Announced(payload.into()));
        Ok(())
    }

    async fn subscribe(&self) -> StoreResult<broadcast::Receiver<Heard>> {
        Ok(self.feed.0.subscribe())
    }
}
