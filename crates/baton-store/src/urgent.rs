//! The [`UrgentStore`] role trait: the workspace's urgent budget, the posts that spend it and
//! the audit log that records them. The SQL lives in each backend's `urgent.rs`.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::{AuditEntry, UrgentBudget, UrgentOutcome, UrgentSend};
use baton_core::model::{CreatedThread, NewPost, NewThread, Post};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;

use crate::{IdempotencyKey, StoreResult};

/// Urgent sends. An urgent post is written together with its budget decision, its outbox
/// event and its audit entry in one transaction, and the sender's earlier sends are counted
/// inside it, serialized per sender, so concurrent urgent posts never overshoot the budget.
#[async_trait]
pub trait UrgentStore: Send + Sync {
    /// The workspace's urgent budget ([`UrgentBudget::DEFAULT`] until an admin sets one).
    async fn urgent_budget(&self, ws: Id) -> StoreResult<UrgentBudget>;
    /// Sets the workspace's urgent budget, as set by `by` (a member of `ws`, `NotFound`
    /// otherwise) at `at`.
    async fn set_urgent_budget(
        &self,
        ws: Id,
        budget: UrgentBudget,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// When `member`'s urgent sends that counted against the budget were made, those after
    /// `since` only (newest first).
    async fn urgent_sends_since(
        &self,
        ws: Id,
        member: Id,
        since: Timestamp,
    ) -> StoreResult<Vec<Timestamp>>;
    /// [`ThreadStore::create_thread`](crate::ThreadStore::create_thread) for an opening post
    /// marked urgent: see [`UrgentStore::create_urgent_post`].
    async fn create_urgent_thread(
        &self,
        ws: Id,
        thread: NewThread,
        urgent: UrgentSend,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<(CreatedThread, UrgentOutcome)>;
    /// [`ThreadStore::create_post`](crate::ThreadStore::create_post) for a post marked urgent.
    /// In the same transaction, with the sender's other urgent writes held off: counts the
    /// sender's urgent sends within the rolling week before the post; within `urgent.budget`
    /// it stores an `urgent` event and an `urgent.sent` audit entry with `urgent.legs`,
    /// otherwise an ordinary `ask` event for the same recipients and an `urgent.over_budget`
    /// entry. An idempotent replay answers the first outcome.
    async fn create_urgent_post(
        &self,
        ws: Id,
        post: NewPost,
        urgent: UrgentSend,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<(Post, UrgentOutcome)>;
    /// The workspace's audit log, newest first; the cursor is over `seq`, descending.
    async fn audit_log(&self, ws: Id, page: PageRequest) -> StoreResult<Page<AuditEntry>>;
    /// The audit entry of an urgent post, if it is one: where the delivery worker reads the
    /// routes an urgent event's deliveries follow.
    async fn audit_of_post(&self, ws: Id, post: Id) -> StoreResult<Option<AuditEntry>>;
    /// The legs of the relays whose open batons link `thread`, in link order then leg order,
    /// without repeats: who covers an urgent post in the thread before the space's members.
    async fn thread_relay_legs(&self, ws: Id, thread: Id) -> StoreResult<Vec<Id>>;
}
