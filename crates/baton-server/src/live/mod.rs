//! Live views: the change bus that tells open inbox streams when to look again.
//!
//! Owns: [`Change`] (which write may have moved whose counters), the [`Bus`] that publishes
//! changes after their writes commit and fans what any instance announced out to this
//! process's streams, and the inbox watcher behind `GET /api/v1/inbox/stream` ([`inbox`]).
//! Does not own: carrying announcements between processes (`baton_store::ChangeFeed`: an
//! in-process broadcast on SQLite, `NOTIFY`/`LISTEN` on PostgreSQL) or who may see what (a
//! stream re-reads its member's counters through `services::access`; a change is a hint about
//! *when* to read, never about *what* the member may see).
//!
//! Cost on the write path: `publish` only queues the change. One task per process drains the
//! queue and announces everything waiting in as few payloads as fit, so a burst of posts
//! becomes a handful of `NOTIFY`s, and no row is written per recipient.

pub mod inbox;
pub mod limit;
mod wire;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use baton_core::Id;
use baton_core::model::NewPost;
use baton_store::{Heard, Store, StoreResult};
use serde::{Deserialize, Serialize};
use tokio::sync::{OnceCell, broadcast, mpsc, watch};

/// Most changes announced in one round; the rest wait for the next.
const MAX_BATCH: usize = 4_096;
/// How long the first change of a round waits for others to join it. Every announcement wakes
/// every open stream of every instance, so announcing each post alone made 1,000 open streams
/// cost SQLite two thirds of its post rate; gathered, a round a twentieth of a second costs
/// them little, and a count that moves 50 ms later looks the same to a person.
const GATHER: Duration = Duration::from_millis(50);
/// Notices a slow stream may fall behind by before it re-reads anyway.
const LOCAL_CAPACITY: usize = 1_024;

/// One committed write that may have changed some members' inbox counters. A change that
/// names neither a thread nor a member concerns every member of its workspace (a space became
/// private or public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The workspace it happened in.
    #[serde(rename = "w")]
    pub workspace: Id,
    /// The thread it happened in: members with open asks there look again.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Id>,
    /// Members whose counters it may have moved directly.
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Id>,
}

impl Change {
    /// A post (or a thread's opening post): its author may have answered asks and made new
    /// ones, every member it asks has a new ask, and whoever waits on the author in the thread
    /// may have been answered.
    pub fn of_post(workspace: Id, post: &NewPost) -> Self {
        let mut members = Vec::with_capacity(post.asks.len() + 1);
        members.push(post.author_id);
        members.extend(post.asks.iter().map(|a| a.to_id));
        Self {
            workspace,
            thread: Some(post.thread_id),
            members,
        }
    }

    /// A change to what `member` may see or who they are (space membership, role, sign-out,
    /// a revoked token): their streams look again, and end if their credential stopped working.
    pub fn of_member(workspace: Id, member: Id) -> Self {
        Self {
            workspace,
            thread: None,
            members: vec![member],
        }
    }

    /// A change that may move anyone's counters in the workspace (a space's visibility).
    pub fn of_workspace(workspace: Id) -> Self {
        Self {
            workspace,
            thread: None,
            members: Vec::new(),
        }
    }

    /// Whether it concerns every member of its workspace.
    pub fn is_workspace_wide(&self) -> bool {
        self.thread.is_none() && self.members.is_empty()
    }
}

/// What a stream hears from the bus.
#[derive(Debug)]
pub enum Notice {
    /// Changes announced by some instance.
    Changed(Vec<Change>),
    /// Changes may have been lost (the feed reconnected, a stream fell behind, or a payload
    /// came from a newer version): every stream looks again.
    Missed,
}

/// The change bus of one process.
pub struct Bus {
    store: Arc<dyn Store>,
    /// Changes waiting to be announced; the announcing task starts with the first.
    outgoing: OnceLock<mpsc::UnboundedSender<Change>>,
    /// What this process's streams hear; set up by the first subscription.
    local: OnceCell<broadcast::Sender<Arc<Notice>>>,
    /// Set when the server starts to stop: open streams end, so that graceful shutdown, which
    /// waits for every request to finish, does not wait for clients that never hang up.
    closing: watch::Sender<bool>,
    /// Each member's open streams on this process, at most a few.
    pub streams: limit::StreamLimit,
}

impl Bus {
    /// A bus over `store`'s change feed. Nothing runs until the first publish or subscription.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            outgoing: OnceLock::new(),
            local: OnceCell::new(),
            closing: watch::Sender::new(false),
            streams: limit::StreamLimit::default(),
        }
    }

    /// Ends every open stream of this process (the server is stopping).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Whether, and when, the server starts to stop.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Queues `change` for announcement to every instance. Call it after the write committed.
    /// It never blocks the write's response and never fails it: a change that cannot be
    /// announced is logged, and streams catch up on their next read.
    pub fn publish(&self, change: Change) {
        let outgoing = self.outgoing.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(announce(self.store.clone(), receiver));
            sender
        });
        // The announcing task only ends when every sender is gone, so this cannot fail.
        let _ = outgoing.send(change);
    }

    /// A receiver of every change announced from now on, by any instance.
    ///
    /// # Errors
    /// `Unavailable` when the store's feed cannot be listened to.
    pub async fn subscribe(&self) -> StoreResult<broadcast::Receiver<Arc<Notice>>> {
        let local = self
            .local
            .get_or_try_init(|| async {
                let heard = self.store.subscribe().await?;
                let local = broadcast::Sender::new(LOCAL_CAPACITY);
                tokio::spawn(dispatch(heard, local.clone()));
                Ok::<_, baton_store::StoreError>(local)
            })
            .await?;
        Ok(local.subscribe())
    }
}

/// Announces queued changes until the bus is gone: everything that arrives within [`GATHER`]
/// of a round's first change goes out together, merged and packed into as few payloads as fit.
async fn announce(store: Arc<dyn Store>, mut queue: mpsc::UnboundedReceiver<Change>) {
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        tokio::time::sleep(GATHER).await;
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(change) => batch.push(change),
                Err(_) => break,
            }
        }
        for payload in wire::encode(&batch) {
            if let Err(e) = store.announce(&payload).await {
                tracing::warn!(error = %e, changes = batch.len(), "announcing inbox changes failed: {e}");
            }
        }
        batch.clear();
    }
}

/// Decodes each announcement once and hands it to every local stream.
async fn dispatch(mut heard: broadcast::Receiver<Heard>, local: broadcast::Sender<Arc<Notice>>) {
    loop {
        let notice = match heard.recv().await {
            Ok(Heard::Announced(payload)) => {
                wire::decode(&payload).map_or(Notice::Missed, Notice::Changed)
            }
            Ok(Heard::Missed) | Err(broadcast::error::RecvError::Lagged(_)) => Notice::Missed,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        // An error only means that no stream is open right now.
        let _ = local.send(Arc::new(notice));
    }
}
