//! What both backends share about resolving a handoff: the values the resolving `UPDATE`
//! writes, what a resolution that found nothing pending means, and whether the baton changes
//! hands. The SQL stays in each backend.

use baton_core::model::{Handoff, HandoffStatus, Resolution};
use jiff::Timestamp;

use crate::{Constraint, StoreError};

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
    StoreError::Conflict {
        constraint: Constraint::HandoffResolved,
    }
}

/// The baton `resolved` passes and its new holder, in stored form: the receiver, when it was
/// accepted; `None` after a bounce, which leaves the baton with its giver.
pub(crate) fn new_holder(resolved: &Handoff) -> Option<(String, String)> {
    (resolved.status == HandoffStatus::Accepted)
        .then(|| (resolved.baton_id.to_string(), resolved.to_id.to_string()))
}
