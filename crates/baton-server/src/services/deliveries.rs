//! The delivery backlog as admins see it: how much waits, how much went out, what is parked,
//! and re-queueing a parked delivery.
//!
//! Owns: who may see and act on the backlog (admins), and what a parked row shows. A parked
//! delivery names its thread only when the admin may see that thread (`services::access`):
//! administering a workspace does not open private conversations. Does not own: the counts
//! (the store's `backlog`) or sending.

use baton_core::Id;
use baton_core::delivery::outbox::{Backlog, ParkedDelivery};
use baton_core::model::{Member, Thread};
use baton_store::StoreError;

use super::error::{ServiceError, ServiceResult};
use crate::services::access::visible_thread;
use crate::state::AppState;

/// Parked deliveries listed at most: enough to see what is wrong; the count shows the rest.
pub const PARKED_SHOWN: u32 = 50;

/// The backlog of the caller's workspace with its parked deliveries, for the API and the page.
#[derive(Debug, Clone)]
pub struct BacklogView {
    /// The counts, as of the clock's now.
    pub counts: Backlog,
    /// The clock's now, to say how old the oldest due delivery is.
    pub now: jiff::Timestamp,
    /// Up to [`PARKED_SHOWN`] parked deliveries, oldest first.
    pub parked: Vec<ParkedRow>,
}

/// One parked delivery with what the admin may know about it.
#[derive(Debug, Clone)]
pub struct ParkedRow {
    /// The delivery.
    pub delivery: ParkedDelivery,
    /// Its recipient, if still a member of the workspace.
    pub recipient: Option<Member>,
    /// Its thread, when the admin may see it.
    pub thread: Option<Thread>,
}

impl BacklogView {
    /// Seconds the longest-waiting due delivery has waited, if any is due.
    pub fn oldest_due_seconds(&self) -> Option<i64> {
        self.counts
            .oldest_due_at
            .map(|t| self.now.duration_since(t).as_secs().max(0))
    }
}

fn admin_only(caller: &Member) -> ServiceResult<()> {
    if caller.role.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "Only workspace admins can see the delivery backlog.",
        ))
    }
}

/// The caller's workspace's delivery counts and parked deliveries (admins only): the one
/// place an unreachable mail server or a parked delivery shows up.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn backlog(state: &AppState, caller: &Member) -> ServiceResult<BacklogView> {
    admin_only(caller)?;
    let ws = caller.workspace_id;
    let now = state.clock.now();
    let counts = state.store.backlog(ws, now).await?;
    let mut parked = Vec::new();
    for delivery in state.store.parked(ws, PARKED_SHOWN).await? {
        let recipient = match state.store.member(ws, delivery.recipient_id).await {
            Ok(member) => Some(member),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let thread = match delivery.thread_id {
            Some(id) => match visible_thread(state, caller, id).await {
                Ok(thread) => Some(thread),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        parked.push(ParkedRow {
            delivery,
            recipient,
            thread,
        });
    }
    Ok(BacklogView {
        counts,
        now,
        parked,
    })
}

/// Queues a parked delivery of the caller's workspace again, due now, with a fresh set of
/// attempts (admins only). 404 for a delivery the workspace does not have, 409 for one that is
/// not parked.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn retry(state: &AppState, caller: &Member, id: Id) -> ServiceResult<()> {
    if !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only workspace admins can retry a delivery.",
        ));
    }
    match state
        .store
        .retry_parked(caller.workspace_id, id, state.clock.now())
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(ServiceError::not_found("delivery")),
        Err(StoreError::Conflict { .. }) => Err(ServiceError::conflict(
            "Only a parked delivery can be retried; this one is queued or already settled.",
        )),
        Err(e) => Err(e.into()),
    }
}
