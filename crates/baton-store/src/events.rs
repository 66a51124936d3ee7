//! What both backends share about writing outbox events: which event a post, an urgent post
//! or a handoff causes, and its row's stored values. Each backend keeps only its `INSERT`.
//!
//! Owns: the decisions (an urgent post's budget verdict, whether a post needs an event at all)
//! and the mapping of a record to an event row. Does not own: the SQL, or the rules themselves
//! (`UrgentOutcome::decide` and `AuditEntry::of_urgent_post` are in baton-core).

use baton_core::Id;
use baton_core::delivery::outbox::{EventKind, EventPayload};
use baton_core::delivery::{
    AuditAction, AuditEntry, URGENT_BUDGET_WINDOW, UrgentOutcome, UrgentSend,
};
use baton_core::expectation::ExpectationKind;
use baton_core::model::{Handoff, NewAsk, Post};
use jiff::Timestamp;

use crate::{StoreError, StoreResult};

/// One `events` row as both backends insert it, in stored form.
pub(crate) struct EventRow {
    /// A fresh public id.
    pub id: String,
    /// The kind's stored spelling.
    pub kind: &'static str,
    /// The thread it is about, if any.
    pub thread_id: Option<String>,
    /// The post it is about, if any.
    pub post_id: Option<String>,
    /// Who caused it.
    pub actor_id: String,
    /// The [`EventPayload`] as JSON.
    pub payload: String,
    /// When it happened, in stored milliseconds.
    pub created_at: i64,
}

impl EventRow {
    fn new(kind: EventKind, actor: Id, to: Vec<Id>, at: Timestamp) -> StoreResult<Self> {
        let payload =
            serde_json::to_string(&EventPayload { to }).map_err(|e| StoreError::Other(e.into()))?;
        Ok(Self {
            id: Id::random().to_string(),
            kind: kind.as_str(),
            thread_id: None,
            post_id: None,
            actor_id: actor.to_string(),
            payload,
            created_at: at.as_millisecond(),
        })
    }

    /// An event about `post`, by its author, when it was written.
    fn of_post(kind: EventKind, post: &Post, to: Vec<Id>) -> StoreResult<Self> {
        Ok(Self {
            thread_id: Some(post.thread_id.to_string()),
            post_id: Some(post.id.to_string()),
            ..Self::new(kind, post.author_id, to, post.created_at)?
        })
    }

    /// A handoff's `handoff` event, from the giver to the receiver, dated when it reaches
    /// the receiver (`delivers_at`, see `EventKind::Handoff`).
    pub fn of_handoff(handoff: &Handoff) -> StoreResult<Self> {
        Self::new(
            EventKind::Handoff,
            handoff.from_id,
            vec![handoff.to_id],
            handoff.delivers_at,
        )
    }
}

/// The one event an ordinary post causes, and whether it is stored unconditionally.
pub(crate) struct PostEvent {
    /// The row.
    pub row: EventRow,
    /// A post with asks always makes its `ask` event. Without asks the `post` event is stored
    /// only when the post's space has a webhook (one indexed probe, in the backend's SQL), so
    /// ordinary posts elsewhere pay nothing for the outbox.
    pub asked: bool,
}

impl PostEvent {
    /// The event `post` causes with `asks`; `None` for an urgent post without asks, whose
    /// event the urgent path records instead.
    pub fn of(post: &Post, asks: &[NewAsk]) -> StoreResult<Option<Self>> {
        let asked = !asks.is_empty();
        if !asked && is_urgent(post) {
            return Ok(None);
        }
        let kind = if asked {
            EventKind::Ask
        } else {
            EventKind::Post
        };
        let to = asks.iter().map(|a| a.to_id).collect();
        Ok(Some(Self {
            row: EventRow::of_post(kind, post, to)?,
            asked,
        }))
    }
}

/// Whether `post` is urgent: its event is the urgent path's to record (`urgent` or, over the
/// budget, `ask`), never a plain `post` event besides.
fn is_urgent(post: &Post) -> bool {
    post.expectation
        .as_ref()
        .is_some_and(|e| e.kind == ExpectationKind::Urgent)
}

/// What an urgent post stores besides itself: its event and audit entry, after the verdict
/// on the sender's budget.
pub(crate) struct UrgentRecord {
    /// The verdict, answered to the caller.
    pub outcome: UrgentOutcome,
    /// `urgent` within the budget, an ordinary `ask` for the same recipients over it.
    pub event: EventRow,
    /// `urgent.sent` or `urgent.over_budget`, with the routes taken.
    pub audit: AuditEntry,
}

impl UrgentRecord {
    /// Since when the sender's urgent sends count against the budget of `post`: the rolling
    /// window before it. The backend reads the sends after this instant (newest first).
    pub fn counted_since(post: &Post) -> Timestamp {
        post.created_at
            .checked_sub(URGENT_BUDGET_WINDOW)
            .unwrap_or(Timestamp::MIN)
    }

    /// Decides `post` against the sender's urgent sends since [`Self::counted_since`].
    pub fn decide(post: &Post, urgent: &UrgentSend, sent: &[Timestamp]) -> StoreResult<Self> {
        let outcome = UrgentOutcome::decide(sent, post.created_at, urgent.budget);
        let (kind, action) = if outcome.granted {
            (EventKind::Urgent, AuditAction::UrgentSent)
        } else {
            (EventKind::Ask, AuditAction::UrgentOverBudget)
        };
        let to = urgent.legs.iter().map(|l| l.recipient_id).collect();
        Ok(Self {
            outcome,
            event: EventRow::of_post(kind, post, to)?,
            audit: AuditEntry::of_urgent_post(post, action, urgent.legs.clone()),
        })
    }
}
