//! Outgoing webhooks on PostgreSQL. A registration locks the row of its scope (the member or
//! the space) before counting its live webhooks, so two concurrent registrations cannot both
//! pass the limit.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{Channel, ClaimedDelivery, EventKind};
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope, WebhookSecret};
use jiff::{SignedDuration, Timestamp};
use tokio_postgres::Row;

use super::PgStore;
use super::error::corrupt;
use super::query::{self, Params, found};
use super::rows::{self, ms};
use crate::columns::webhook_cols;
use crate::{Constraint, StoreError, StoreResult, WebhookStore};

/// Columns of [`webhook`], for a query over `webhooks w`.
const COLS: &str = webhook_cols!();

fn webhook(row: &Row) -> StoreResult<Webhook> {
    let member: Option<&str> = row.try_get("member_id")?;
    let scope = match member {
        Some(_) => WebhookScope::Member(rows::id(row, "member_id")?),
        None => WebhookScope::Space(rows::id(row, "space_id")?),
    };
    Ok(Webhook {
        workspace_id: rows::id(row, "workspace_id")?,
        id: rows::id(row, "id")?,
        scope,
        url: row.try_get("url")?,
        created_by: rows::id(row, "created_by")?,
        created_at: rows::ts(row, "created_at")?,
    })
}

fn signed(row: &Row) -> StoreResult<SignedWebhook> {
    Ok(SignedWebhook {
        webhook: webhook(row)?,
        secret: WebhookSecret::from_stored(row.try_get("secret")?),
    })
}

/// Reads an optional id column.
fn opt_id(row: &Row, column: &str) -> StoreResult<Option<Id>> {
    match row.try_get::<_, Option<&str>>(column)? {
        None => Ok(None),
        Some(_) => rows::id(row, column).map(Some),
    }
}

/// A claimed webhook delivery.
fn claimed(row: &Row) -> StoreResult<ClaimedDelivery> {
    let kind: &str = row.try_get("kind")?;
    let attempts: i32 = row.try_get("attempts")?;
    let id = rows::id(row, "id")?;
    Ok(ClaimedDelivery {
        workspace_id: rows::id(row, "workspace_id")?,
        id,
        event_id: rows::id(row, "event_id")?,
        recipient_id: rows::id(row, "recipient_id")?,
        channel: Channel::Webhook,
        due_at: rows::ts(row, "due_at")?,
        attempts: u32::try_from(attempts).map_err(corrupt)?,
        kind: EventKind::parse(kind).ok_or_else(|| corrupt(format_args!("event kind {kind}")))?,
        thread_id: opt_id(row, "thread_id")?,
        post_id: opt_id(row, "post_id")?,
        digest_id: id,
    })
}

/// `(member_id, space_id)` columns of a scope.
fn scope_columns(scope: WebhookScope) -> (Option<String>, Option<String>) {
    match scope {
        WebhookScope::Member(m) => (Some(m.to_string()), None),
        WebhookScope::Space(s) => (None, Some(s.to_string())),
    }
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn create_webhook(&self, ws: Id, signed: SignedWebhook, limit: u32) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, w) = (ws.to_string(), &signed.webhook);
        let lock = match w.scope {
            WebhookScope::Member(_) => {
                "SELECT 1 FROM members WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE"
            }
            WebhookScope::Space(_) => {
                "SELECT 1 FROM spaces WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE"
            }
        };
        let (member, space) = scope_columns(w.scope);
        let owner = member.clone().or_else(|| space.clone());
        query::one(&tx, lock, &[&ws, &owner], |_| Ok(())).await?;
        let live: i64 = query::one(
            &tx,
            "SELECT COUNT(*) FROM webhooks WHERE workspace_id = $1 AND deleted_at IS NULL
               AND (member_id = $2 OR space_id = $3)",
            &[&ws, &member, &space],
            |r| Ok(r.try_get(0)?),
        )
        .await?;
        if live >= i64::from(limit) {
            return Err(StoreError::Conflict {
                constraint: Constraint::WebhooksLimit,
            });
        }
        let params: Params = &[
            &ws,
            &w.id.to_string(),
            &member,
            &space,
            &w.url,
            &signed.secret.expose(),
            &w.created_by.to_string(),
            &ms(w.created_at),
        ];
        let inserted = query::exec(
            &tx,
            "INSERT INTO webhooks (workspace_id, id, member_id, space_id, url, secret, created_by, created_at)
             SELECT $1, $2, $3, $4, $5, $6, m.id, $8 FROM members m WHERE m.workspace_id = $1 AND m.id = $7",
            params,
        )
        .await?;
        found(inserted)?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhooks(&self, ws: Id, scope: WebhookScope) -> StoreResult<Vec<Webhook>> {
        let (member, space) = scope_columns(scope);
        query::all(
            &self.client().await?,
            &format!(
                "SELECT {COLS} FROM webhooks w WHERE w.workspace_id = $1 AND w.deleted_at IS NULL
                   AND (w.member_id = $2 OR w.space_id = $3) ORDER BY w.seq"
            ),
            &[&ws.to_string(), &member, &space],
            webhook,
        )
        .await
    }

    async fn webhook(&self, ws: Id, id: Id) -> StoreResult<Webhook> {
        query::one(
            &self.client().await?,
            &format!(
                "SELECT {COLS} FROM webhooks w
                 WHERE w.workspace_id = $1 AND w.id = $2 AND w.deleted_at IS NULL"
            ),
            &[&ws.to_string(), &id.to_string()],
            webhook,
        )
        .await
    }

    async fn delete_webhook(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        let changed = query::exec(
            &self.client().await?,
            "UPDATE webhooks SET deleted_at = $3, secret = ''
             WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
            &[&ws.to_string(), &id.to_string(), &ms(at)],
        )
        .await?;
        found(changed)
    }

    async fn delivery_webhook(&self, ws: Id, delivery: Id) -> StoreResult<Option<SignedWebhook>> {
        query::opt(
            &self.client().await?,
            &format!(
                "SELECT {COLS}, w.secret FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.workspace_id = $1 AND d.id = $2 AND w.workspace_id = $1 AND w.deleted_at IS NULL"
            ),
            &[&ws.to_string(), &delivery.to_string()],
            signed,
        )
        .await
    }

    async fn claim_due_webhooks(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let until = now
            .checked_add(lease)
            .map_err(|e| StoreError::Other(e.into()))?;
        // Each delivery on its own: the rows are locked `SKIP LOCKED`, so concurrent claimers
        // (and the email claim, which re-checks the lease after waiting for a row) never take
        // the same one.
        let sql = "WITH due AS (
                       SELECT id FROM deliveries
                       WHERE state = 'queued' AND channel = 'webhook' AND next_attempt_at <= $2
                         AND (lease_until IS NULL OR lease_until <= $2)
                       ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED
                   ), leased AS (
                       UPDATE deliveries d SET lease_owner = $1, lease_until = $3, attempts = d.attempts + 1
                       FROM due WHERE d.id = due.id
                       RETURNING d.workspace_id, d.id, d.event_id, d.recipient_id, d.due_at, d.attempts
                   )
                   SELECT l.*, e.kind, e.thread_id, e.post_id FROM leased l JOIN events e ON e.id = l.event_id";
        let params: Params = &[&owner, &ms(now), &ms(until), &i64::from(limit)];
        query::all(&self.client().await?, sql, params, claimed).await
    }
}
