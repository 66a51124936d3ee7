//! The [`WebhookStore`] role trait: outgoing webhooks and the secrets they are signed with.
//! The SQL lives in each backend's `webhooks.rs`.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::ClaimedDelivery;
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope};
use jiff::{SignedDuration, Timestamp};

use crate::StoreResult;

/// Outgoing webhooks: registered by a member for their own notifications or for a space,
/// listed, deleted, and looked up with their secret when a delivery to one is sent.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Registers a webhook with its secret. Its scope's member or space and its creator must be
    /// in `ws` (`NotFound` otherwise); `Conflict` on [`Constraint::WebhooksLimit`](crate::Constraint::WebhooksLimit) when its
    /// scope already has `limit` live webhooks (checked atomically with the insert).
    async fn create_webhook(&self, ws: Id, webhook: SignedWebhook, limit: u32) -> StoreResult<()>;
    /// The live webhooks of `scope`, oldest first, without secrets.
    async fn webhooks(&self, ws: Id, scope: WebhookScope) -> StoreResult<Vec<Webhook>>;
    /// One live webhook (`NotFound` when it is not in `ws` or was deleted).
    async fn webhook(&self, ws: Id, id: Id) -> StoreResult<Webhook>;
    /// Deletes a live webhook at `at` and erases its secret (`NotFound` when there is no such
    /// live webhook). Its queued deliveries are then dropped when they come due.
    async fn delete_webhook(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()>;
    /// The live webhook, with its secret, that the delivery `delivery` of `ws` goes to; `None`
    /// when the delivery has no webhook or its webhook was deleted.
    async fn delivery_webhook(&self, ws: Id, delivery: Id) -> StoreResult<Option<SignedWebhook>>;
    /// Leases up to `limit` due webhook deliveries (of every workspace, longest waiting first)
    /// to `owner` until `now + lease`, each on its own: unlike email, webhook deliveries are
    /// not gathered into a digest per recipient, so this claim needs no mail server and takes
    /// no recipient's email. The same lease rules as `DeliveryStore::claim_due` (one claimer
    /// at a time, a lapsed lease is taken again, each claim counts as an attempt), so the
    /// two claims never hand one delivery to two workers. Settled with `mark_sent` and
    /// `mark_failed`; `digest_id` is the delivery's own id.
    async fn claim_due_webhooks(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
}
