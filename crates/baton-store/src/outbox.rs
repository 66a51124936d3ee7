//! What both backends share about settling deliveries: the state a settled delivery ends in
//! and the mapping of stored states to [`Backlog`] counts. The SQL stays in each backend.

use baton_core::delivery::outbox::{Backlog, Retry, Settled};
use jiff::Timestamp;

use crate::{Constraint, StoreError, StoreResult};

/// The columns one settling `UPDATE` writes, whether the send succeeded or failed: one
/// statement per backend serves `mark_sent` and `mark_failed` alike.
pub(crate) struct Settlement {
    /// The new state.
    pub state: &'static str,
    /// `sent_at`, when sent or dropped.
    pub sent_at: Option<i64>,
    /// The next attempt, when retried.
    pub next_attempt_at: Option<i64>,
    /// The failure, when failed.
    pub error: Option<String>,
}

impl Settlement {
    /// A delivery that ended without error at `at`.
    pub fn settled(how: Settled, at: Timestamp) -> Self {
        let state = match how {
            Settled::Sent => "sent",
            Settled::Dropped => "dropped",
        };
        Self {
            state,
            sent_at: Some(at.as_millisecond()),
            next_attempt_at: None,
            error: None,
        }
    }

    /// A delivery whose send failed with `error`.
    pub fn failed(error: &str, retry: Retry) -> Self {
        let (state, next_attempt_at) = match retry {
            Retry::At(t) => ("queued", Some(t.as_millisecond())),
            Retry::Park => ("parked", None),
        };
        Self {
            state,
            sent_at: None,
            next_attempt_at,
            error: Some(error.to_owned()),
        }
    }
}

/// A day in stored milliseconds: the backlog's "sent in the last day".
pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a parked delivery could not be retried: it does not exist in the workspace, or it is
/// not parked.
pub(crate) fn not_parked(exists: bool) -> StoreError {
    if exists {
        StoreError::Conflict {
            constraint: Constraint::DeliveryNotParked,
        }
    } else {
        StoreError::NotFound
    }
}

/// The `once_key` of the end-of-day reminder of `holder` for the working day ending at
/// `day_end`: one such event per holder and day, however many workers ask.
pub(crate) fn reminder_key(holder: baton_core::Id, day_end: Timestamp) -> String {
    format!("baton_reminder:{holder}:{}", day_end.as_millisecond())
}

/// The field of `backlog` that counts deliveries in the stored `state`.
pub(crate) fn backlog_slot<'a>(backlog: &'a mut Backlog, state: &str) -> StoreResult<&'a mut u64> {
    Ok(match state {
        "queued" => &mut backlog.queued,
        "sent" => &mut backlog.sent,
        "dropped" => &mut backlog.dropped,
        "parked" => &mut backlog.parked,
        other => {
            return Err(StoreError::Other(anyhow::anyhow!(
                "unknown delivery state in database: {other}"
            )));
        }
    })
}
