//! The delivery worker: turns outbox events into per-recipient deliveries and sends the due
//! ones as one email digest per recipient, and as webhooks.
//!
//! Owns: the [`tick`] (record due end-of-day reminders, expand a batch of events, then claim,
//! check, send and settle a batch of due email deliveries), the loop `baton serve` runs it in
//! ([`run`]), the digest email ([`digest`]), the reminder email ([`remind`]), the email that
//! brings a handoff to its receiver ([`handoff`]), what every email shares ([`email`]: the
//! envelope and the one layout, `templates/email/layout.*`) and the [`Mailer`] they go
//! through, and the webhook channel: its own loop ([`run_webhooks`], with per-host slots),
//! signed POSTs (`webhook`) through the SSRF-checked [`webhook_client`]. The two loops share nothing but
//! the store, so a webhook receiver that never answers cannot hold up an email. Does not own:
//! when a delivery is due (`baton_core::delivery::next_delivery`), how long to back off
//! (`baton_core::delivery::outbox::retry_after`), visibility (`services::access::sees`) or how
//! claims stay exclusive (the store's `DeliveryStore`).
//!
//! Time comes from the [`AppState`] clock, so tests drive a [`tick`] with a manual clock.

pub mod digest;
pub mod email;
#[cfg(test)]
mod email_snapshots;
mod expand;
pub mod handoff;
pub mod mailer;
mod meeting_close;
mod reads;
pub mod remind;
mod send;
mod urgent;
mod webhook;
pub mod webhook_client;
mod webhook_loop;

use std::sync::Arc;
use std::time::Duration;

use baton_core::Id;
use lettre::message::Mailbox;

pub use mailer::{Mailer, SmtpMailer};
pub use webhook_loop::{PER_HOST, START_WITHIN, run_webhooks};

use crate::state::AppState;

/// Events expanded per tick: bounds one tick's work; the next tick continues.
const EXPAND_BATCH: u32 = 200;
/// Recipients whose due deliveries one tick claims.
const CLAIM_BATCH: u32 = 128;
/// Digests in flight at once, and webhook sends. SMTP clients wait on the network most of the time (lettre leaves
/// Nagle's algorithm on, which costs a delayed ACK per message), so throughput grows with
/// this until the mail server or the store is the limit. Also the SMTP pool's size.
const SEND_CONCURRENCY: usize = 64;
/// How long a claim is held: far longer than one SMTP send, short enough that deliveries of a
/// worker that died are picked up again within minutes.
const LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);
/// Pause between ticks that found nothing to do.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// How this process delivers: who it is when claiming, where mail goes, what links point at.
pub struct Worker {
    /// This worker's name on its leases; unique per process so instances never share one.
    pub owner: String,
    /// Where digests are sent; `None` (no `--smtp-url`) leaves deliveries queued.
    pub mailer: Option<Arc<dyn Mailer>>,
    /// The address the web app is reached at, for links, without a trailing slash.
    pub base_url: String,
    /// The digest's `From`.
    pub from: Mailbox,
    /// How much working time before a holder's day ends their end-of-day reminder is due
    /// (`--baton-reminder-minutes`; [`baton_core::delivery::DEFAULT_LEAD`] unless set).
    pub reminder_lead: jiff::SignedDuration,
    /// Signs the one-click unsubscribe link of every digest.
    pub unsubscribe: crate::services::unsubscribe::LinkSigner,
    /// Told by [`tick`] when it expanded events, so the webhook loop sends what is due at
    /// once without waiting for its next poll.
    expanded: tokio::sync::Notify,
}

impl Worker {
    /// A worker with a fresh random owner name.
    pub fn new(mailer: Option<Arc<dyn Mailer>>, base_url: &str, from: Mailbox) -> Self {
        Self {
            owner: format!("baton-{}", Id::random()),
            mailer,
            base_url: base_url.trim_end_matches('/').to_owned(),
            from,
            reminder_lead: baton_core::delivery::DEFAULT_LEAD,
            unsubscribe: crate::services::unsubscribe::LinkSigner::default(),
            expanded: tokio::sync::Notify::new(),
        }
    }
}

/// What one [`tick`] did, for tests, logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// End-of-day reminders recorded.
    pub reminded: usize,
    /// Events expanded into deliveries.
    pub expanded: usize,
    /// Digests sent.
    pub digests: usize,
    /// Deliveries settled as sent.
    pub sent: usize,
    /// Deliveries dropped because the recipient may no longer receive them.
    pub dropped: usize,
    /// Deliveries whose send failed (retried later or parked).
    pub failed: usize,
}

impl TickReport {
    /// Adds another report's counts to this one.
    fn absorb(&mut self, other: TickReport) {
        self.reminded += other.reminded;
        self.expanded += other.expanded;
        self.digests += other.digests;
        self.sent += other.sent;
        self.dropped += other.dropped;
        self.failed += other.failed;
    }

    /// Whether the tick found anything to do.
    pub fn is_idle(&self) -> bool {
        *self == Self::default()
    }
}

/// One round of work at the clock's now: records the end-of-day reminders that are due,
/// expands up to a batch of events (into email and webhook deliveries), then (when a mailer
/// is configured) claims, checks and sends up to a batch of due email deliveries. Webhook
/// deliveries are sent by [`run_webhooks`].
///
/// # Errors
/// When the store fails; a failed send is not an error (the delivery is retried).
pub async fn tick(state: &AppState, worker: &Worker) -> anyhow::Result<TickReport> {
    let mut report = TickReport {
        reminded: remind::record_due(state, worker).await?
            + meeting_close::record_due(state).await?,
        expanded: expand::expand_batch(state, EXPAND_BATCH).await?,
        ..TickReport::default()
    };
    if report.expanded > 0 {
        worker.expanded.notify_one();
    }
    if let Some(mailer) = &worker.mailer {
        send::send_due(state, worker, mailer.as_ref(), &mut report).await?;
    }
    Ok(report)
}

/// Runs [`tick`] forever: again at once while there is work, every few seconds when idle. A
/// failing tick is logged and retried after the pause; leases keep a crash mid-send safe.
/// `baton serve` runs [`run_webhooks`] next to it, with the same worker.
pub async fn run(state: AppState, worker: Arc<Worker>) {
    loop {
        let pause = match tick(&state, &worker).await {
            Ok(report) if !report.is_idle() => {
                tracing::info!(?report, "delivery tick");
                Duration::ZERO
            }
            Ok(_) => {
                tracing::debug!("delivery tick: nothing to do");
                IDLE_POLL
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "delivery tick failed");
                IDLE_POLL
            }
        };
        tokio::time::sleep(pause).await;
    }
}
