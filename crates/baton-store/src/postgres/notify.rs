//! The PostgreSQL change feed: `pg_notify` to announce, one `LISTEN` connection per process to
//! hear, so an announcement made through one `baton serve` instance reaches the live views of
//! every instance on the database.
//!
//! Owns: the channel name, the listening connection (opened by the first subscription, driven
//! through `Connection::poll_message`, reopened with backoff when it drops) and the local
//! broadcast that fans each notification out to this process's subscribers.
//! Does not own: what announcements mean (baton-server) or batching them (the caller announces
//! many changes in one payload).
//!
//! Why a dedicated connection: a pooled connection goes back to the pool between statements,
//! and a `LISTEN` belongs to the session that issued it. The channel is named after the current
//! schema, so deployments (or tests) that share a database in different schemas do not hear
//! each other.

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls, Notification};

use super::PgStore;
use crate::feed::{ChangeFeed, FEED_CAPACITY, Heard, check_size};
use crate::{StoreError, StoreResult};

/// The channel of this schema: `baton_feed.<schema>`, cut to PostgreSQL's 63-byte identifier
/// limit. The same expression names it on both sides.
const CHANNEL: &str = "left('baton_feed.' || COALESCE(current_schema(), ''), 63)";
/// First pause before reconnecting a lost `LISTEN` connection; it doubles up to
/// [`RETRY_MAX`] while connecting keeps failing.
const RETRY_FIRST: Duration = Duration::from_millis(250);
/// Longest pause between two reconnection attempts.
const RETRY_MAX: Duration = Duration::from_secs(10);
/// Idle time after which the listening connection's TCP keepalives start probing.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
/// How long a subscription waits for the connection to listen before `Unavailable`.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

/// The process's side of the feed: the local broadcast and the listening task.
pub(super) struct PgFeed {
    config: tokio_postgres::Config,
    sender: broadcast::Sender<Heard>,
    /// Whether the `LISTEN` connection is listening right now.
    listening: watch::Sender<bool>,
    /// The listening task, started by the first subscription and stopped with the store.
    listener: OnceLock<tokio::task::AbortHandle>,
}

impl PgFeed {
    /// A feed for the database `config` names; it connects on the first subscription.
    pub(super) fn new(mut config: tokio_postgres::Config) -> Self {
        // A connection that only listens sends nothing, so a peer that vanished without a word
        // would go unnoticed for the system default of two hours; TCP keepalives notice it.
        config.keepalives(true).keepalives_idle(KEEPALIVE_IDLE);
        Self {
            config,
            sender: broadcast::Sender::new(FEED_CAPACITY),
            listening: watch::Sender::new(false),
            listener: OnceLock::new(),
        }
    }
}

impl Drop for PgFeed {
    fn drop(&mut self) {
        if let Some(task) = self.listener.get() {
            task.abort();
        }
    }
}

#[async_trait]
impl ChangeFeed for PgStore {
    async fn announce(&self, payload: &str) -> StoreResult<()> {
        check_size(payload)?;
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!("SELECT pg_notify({CHANNEL}, $1)"))
            .await?;
        client.execute(&stmt, &[&payload]).await?;
        Ok(())
    }

    async fn subscribe(&self) -> StoreResult<broadcast::Receiver<Heard>> {
        let feed = &self.feed;
        // Subscribe before waiting, so nothing heard after listening starts is lost.
        let receiver = feed.sender.subscribe();
        let mut listening = feed.listening.subscribe();
        feed.listener.get_or_init(|| {
            let (config, sender, state) = (
                feed.config.clone(),
                feed.sender.clone(),
                feed.listening.clone(),
            );
            tokio::spawn(listen(config, sender, state)).abort_handle()
        });
        match tokio::time::timeout(LISTEN_WAIT, listening.wait_for(|l| *l)).await {
            Ok(Ok(_)) => Ok(receiver),
            _ => Err(StoreError::Unavailable(format!(
                "not listening for changes after {LISTEN_WAIT:?}"
            ))),
        }
    }
}

/// Keeps one connection listening for as long as the store lives, reconnecting with backoff.
async fn listen(
    config: tokio_postgres::Config,
    sender: broadcast::Sender<Heard>,
    listening: watch::Sender<bool>,
) {
    let mut pause = RETRY_FIRST;
    loop {
        let outcome = listen_once(&config, &sender, &listening).await;
        listening.send_replace(false);
        match outcome {
            // It listened, then the connection ended: reconnect promptly.
            Ok(()) => {
                tracing::warn!("the change feed's LISTEN connection closed; reconnecting");
                pause = RETRY_FIRST;
            }
            Err(e) => {
                tracing::warn!(error = %super::error::describe(&e), retry_in = ?pause, "the change feed cannot listen; retrying");
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_MAX);
    }
}

/// One connection's life: connect, `LISTEN`, tell subscribers they may have missed changes,
/// then pass every notification on until the connection ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    sender: &broadcast::Sender<Heard>,
    listening: &watch::Sender<bool>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    // The connection must be driven for the client's queries to complete, and only
    // `poll_message` hands out notifications, so a small task drives it and forwards them.
    // It ends when the connection does, which dropping `client` brings about.
    let (forward, mut notifications) = mpsc::unbounded_channel::<Result<Notification, _>>();
    tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if forward.send(Ok(n)).is_err() {
                        return;
                    }
                }
                // Notices (warnings from the server) mean nothing here.
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    let _ = forward.send(Err(e));
                    return;
                }
                None => return,
            }
        }
    });
    let channel: String = client
        .query_one(&format!("SELECT {CHANNEL}"), &[])
        .await?
        .get(0);
    client
        .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
        .await?;
    listening.send_replace(true);
    // Whatever was announced before this point (while disconnected) is lost.
    let _ = sender.send(Heard::Missed);
    while let Some(heard) = notifications.recv().await {
        // An error only means that nobody is subscribed right now.
        let _ = sender.send(Heard::Announced(heard?.payload().into()));
    }
    drop(client);
    Ok(())
}
