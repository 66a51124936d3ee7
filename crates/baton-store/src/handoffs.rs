//! What both backends share about the steps of a baton's life: when a status change or a
//! handoff is refused, the values the resolving `UPDATE` writes, what a resolution that found
//! nothing pending means, and whether the baton changes hands. The SQL (and the locking that
//! makes each check hold until the write) stays in each backend.

use baton_core::Id;
use baton_core::model::{Baton, BatonStatus, Handoff, HandoffStatus, Resolution};
use jiff::Timestamp;

use crate::{Constraint, StoreError, StoreResult};

fn conflict(constraint: Constraint) -> StoreError {
    StoreError::Conflict { constraint }
}

/// Whether `baton` may change to `status`, `pending` saying whether a handoff of it waits for
/// its receiver: not to the status it has, and not while a handoff waits.
pub(crate) fn may_set_status(baton: &Baton, status: BatonStatus, pending: bool) -> StoreResult<()> {
    if baton.status == status {
        Err(conflict(Constraint::BatonStatus))
    } else if pending {
        Err(conflict(Constraint::HandoffPending))
    } else {
        Ok(())
    }
}

/// Whether `from` may hand `baton` off, `pending` as for [`may_set_status`]: only its holder,
/// only while it is open, and not while another handoff of it waits.
pub(crate) fn may_hand_off(baton: &Baton, from: Id, pending: bool) -> StoreResult<()> {
    if baton.status != BatonStatus::Open || baton.holder_id != from {
        Err(conflict(Constraint::BatonHolder))
    } else if pending {
        Err(conflict(Constraint::HandoffPending))
    } else {
        Ok(())
    }
}

/// The columns one resolving `UPDATE … WHERE status = 'pending'` writes, in stored form.
pub(crate) struct Resolving {
    /// `accepted` or `bounced`.
    pub status: &'static str,
    /// When, in stored milliseconds.
    pub resolved_at: i64,
    /// Why, when bounced.
    pub bounce_reason: Option<String>,
}

impl Resolving {
    /// The values `resolution` at `at` stores.
    pub fn new(resolution: Resolution, at: Timestamp) -> Self {
        let status = resolution.status().as_str();
        let bounce_reason = match resolution {
            Resolution::Accept => None,
            Resolution::Bounce { reason } => Some(reason),
        };
        Self {
            status,
            resolved_at: at.as_millisecond(),
            bounce_reason,
        }
    }
}

/// The answer when the resolving `UPDATE` changed nothing though the handoff exists: it is no
/// longer pending (resolved before, or by a racing resolution that won).
pub(crate) fn already_resolved() -> StoreError {
    conflict(Constraint::HandoffResolved)
}

/// The baton `resolved` passes and its new holder, in stored form: the receiver, when it was
/// accepted; `None` after a bounce, which leaves the baton with its giver.
pub(crate) fn new_holder(resolved: &Handoff) -> Option<(String, String)> {
    (resolved.status == HandoffStatus::Accepted)
        .then(|| (resolved.baton_id.to_string(), resolved.to_id.to_string()))
}
