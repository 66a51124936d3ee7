//! The webhook loop: sends due webhook deliveries from a task of its own, next to the email
//! loop ([`super::run`]), so a receiver that is slow or never answers holds up no email, and
//! of the other receivers' sends only the few slots its host is given.
//!
//! Owns: [`run_webhooks`] (claim while there is room, send each claimed delivery in a task of
//! its own), the send [`Slots`] (at most [`PER_HOST`] sends to one host and
//! [`SEND_CONCURRENCY`] in all at once) and [`START_WITHIN`], which keeps every send inside
//! its lease. Does not own: one send (`webhook::deliver`), the HTTP exchange and its deadline
//! (`webhook_client`), or how claims stay exclusive (the store's `claim_due_webhooks`).
//!
//! Why a task per claimed delivery rather than a batch per tick: a batch ends with its slowest
//! send, so one host that never answers would set the pace of every other. Here a send waits
//! only for a slot of its own host; the claim takes more as soon as there is room.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use jiff::SignedDuration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::webhook_client::TIMEOUT;
use super::{CLAIM_BATCH, IDLE_POLL, LEASE, SEND_CONCURRENCY, TickReport, Worker};
use crate::state::AppState;

/// Sends to one host at once. A host that never answers holds this many slots for a whole
/// [`TIMEOUT`] each, and no more.
pub const PER_HOST: usize = 4;

/// Claimed webhook deliveries the loop holds at once, sending or waiting for a slot: bounds
/// memory, and what deliveries to slow hosts can keep from being claimed behind them.
const MAX_HELD: usize = 4 * CLAIM_BATCH as usize;

/// Time left at the end of a lease for the write that settles a send that took its whole
/// [`TIMEOUT`].
const SETTLE_MARGIN: SignedDuration = SignedDuration::from_secs(30);

/// How long after its claim a webhook delivery may still start to be sent: its lease less one
/// whole send and [`SETTLE_MARGIN`]. A send that started later could outlive the lease, and
/// another claim could take the delivery and send it again meanwhile; a delivery that waited
/// this long for a slot is released as a failed attempt instead.
pub const START_WITHIN: SignedDuration =
    SignedDuration::from_secs(LEASE.as_secs() - TIMEOUT.as_secs() as i64 - SETTLE_MARGIN.as_secs());

/// The slots webhook sends run in: [`PER_HOST`] per host and [`SEND_CONCURRENCY`] in all.
pub(super) struct Slots {
    all: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A slot taken from [`Slots`], given back when dropped.
pub(super) struct Slot {
    _host: OwnedSemaphorePermit,
    _all: OwnedSemaphorePermit,
}

impl Slots {
    fn new() -> Self {
        Self {
            all: Arc::new(Semaphore::new(SEND_CONCURRENCY)),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot to `host`. The host's own slot comes first, so a send waiting behind a
    /// busy host holds none of the shared ones.
    pub(super) async fn take(&self, host: &str) -> anyhow::Result<Slot> {
        let per_host = {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            let slots = hosts
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)));
            Arc::clone(slots)
        };
        let host = per_host
            .acquire_owned()
            .await
            .context("the host's send slots were closed")?;
        let all = Arc::clone(&self.all)
            .acquire_owned()
            .await
            .context("the send slots were closed")?;
        Ok(Slot {
            _host: host,
            _all: all,
        })
    }

    /// Forgets the hosts no send holds or waits for (only the map keeps their semaphore).
    fn prune(&self) {
        self.hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, slots| Arc::strong_count(slots) > 1);
    }
}

/// Sends due webhook deliveries until the task is aborted. Claims as many as there is room for
/// and sends each in a task of its own; when nothing more is due, waits a few seconds, or
/// less when the email loop has expanded new events. A failed claim is logged and retried
/// after the pause; leases keep a crash mid-send safe.
pub async fn run_webhooks(state: AppState, worker: Arc<Worker>) {
    let slots = Arc::new(Slots::new());
    let mut sends: JoinSet<anyhow::Result<TickReport>> = JoinSet::new();
    loop {
        let mut report = TickReport::default();
        while let Some(done) = sends.try_join_next() {
            record(&mut report, done);
        }
        slots.prune();
        let room = MAX_HELD
            .saturating_sub(sends.len())
            .min(CLAIM_BATCH as usize);
        let mut more = false;
        if room == 0 {
            // Full: the next claim waits for a send to end.
            if let Some(done) = sends.join_next().await {
                record(&mut report, done);
            }
            more = true;
        } else {
            let now = state.clock.now();
            let limit = u32::try_from(room).unwrap_or(CLAIM_BATCH);
            match state
                .store
                .claim_due_webhooks(&worker.owner, now, LEASE, limit)
                .await
            {
                Ok(claimed) => {
                    more = claimed.len() == room;
                    for d in claimed {
                        let (state, worker, slots) =
                            (state.clone(), Arc::clone(&worker), Arc::clone(&slots));
                        sends.spawn(async move {
                            super::webhook::deliver(&state, &worker, &slots, now, &d).await
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed"),
            }
        }
        if report.is_idle() {
            tracing::debug!(held = sends.len(), "webhook sends: none ended");
        } else {
            tracing::info!(?report, "webhook sends");
        }
        if !more {
            tokio::select! {
                () = tokio::time::sleep(IDLE_POLL) => {}
                () = worker.expanded.notified() => {}
            }
        }
    }
}

/// Adds the outcome of one send task to `report`, logging a failure of the store or a panic
/// (the delivery's lease runs out and it is claimed again).
fn record(
    report: &mut TickReport,
    done: Result<anyhow::Result<TickReport>, tokio::task::JoinError>,
) {
    match done {
        Ok(Ok(one)) => report.absorb(one),
        Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "a webhook send failed to settle"),
        Err(e) => tracing::error!(error = %e, "a webhook send task ended abnormally"),
    }
}
