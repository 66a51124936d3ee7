//! Outgoing webhooks on SQLite. The limit per scope is checked and the row inserted in one
//! write job, which the single writer thread runs alone, so two registrations cannot both
//! pass the check.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{Channel, ClaimedDelivery, EventKind};
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope, WebhookSecret};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row};

use super::SqliteStore;
use super::rows::{self, ms, ts};
use crate::columns::webhook_cols;
use crate::{Constraint, StoreError, StoreResult, WebhookStore};

/// Columns of [`webhook`], in order, for `SELECT … FROM webhooks w`.
const COLS: &str = webhook_cols!();

fn webhook(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    let scope = match (
        r.get::<_, Option<String>>(2)?,
        r.get::<_, Option<String>>(3)?,
    ) {
        (Some(_), None) => WebhookScope::Member(rows::id(r, 2)?),
        _ => WebhookScope::Space(rows::id(r, 3)?),
    };
    Ok(Webhook {
        workspace_id: rows::id(r, 0)?,
        id: rows::id(r, 1)?,
        scope,
        url: r.get(4)?,
        created_by: rows::id(r, 5)?,
        created_at: ts(r.get(6)?)?,
    })
}

/// Reads an optional id column.
fn opt_id(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Id>> {
    match r.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => rows::id(r, idx).map(Some),
    }
}

/// A claimed webhook delivery from `d.workspace_id, d.id, d.event_id, d.recipient_id, d.due_at,
/// d.attempts, e.kind, e.thread_id, e.post_id`.
fn claimed(r: &Row<'_>) -> rusqlite::Result<ClaimedDelivery> {
    let kind: String = r.get(6)?;
    let id = rows::id(r, 1)?;
    Ok(ClaimedDelivery {
        workspace_id: rows::id(r, 0)?,
        id,
        event_id: rows::id(r, 2)?,
        recipient_id: rows::id(r, 3)?,
        channel: Channel::Webhook,
        due_at: ts(r.get(4)?)?,
        attempts: r.get(5)?,
        kind: EventKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(format!(
                "unknown event kind in database: {kind}"
            ))))
        })?,
        thread_id: opt_id(r, 7)?,
        post_id: opt_id(r, 8)?,
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

/// Fails with `NotFound` unless `scope`'s member or space is in `ws`.
fn scope_exists(c: &Connection, ws: &str, scope: WebhookScope) -> StoreResult<()> {
    let (sql, id) = match scope {
        WebhookScope::Member(m) => (
            "SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2",
            m,
        ),
        WebhookScope::Space(s) => (
            "SELECT 1 FROM spaces WHERE workspace_id = ?1 AND id = ?2",
            s,
        ),
    };
    c.prepare_cached(sql)?
        .query_row((ws, id.to_string()), |_| Ok(()))?;
    Ok(())
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, ws: Id, signed: SignedWebhook, limit: u32) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, w) = (ws.to_string(), &signed.webhook);
                scope_exists(c, &ws, w.scope)?;
                let (member, space) = scope_columns(w.scope);
                let live: u32 = c
                    .prepare_cached(
                        "SELECT COUNT(*) FROM webhooks WHERE workspace_id = ?1 AND deleted_at IS NULL
                           AND (member_id = ?2 OR space_id = ?3)",
                    )?
                    .query_row((&ws, &member, &space), |r| r.get(0))?;
                if live >= limit {
                    return Err(StoreError::Conflict {
                        constraint: Constraint::WebhooksLimit,
                    });
                }
                let inserted = c
                    .prepare_cached(
                        "INSERT INTO webhooks (workspace_id, id, member_id, space_id, url, secret, created_by, created_at)
                         SELECT ?1, ?2, ?3, ?4, ?5, ?6, m.id, ?8 FROM members m
                         WHERE m.workspace_id = ?1 AND m.id = ?7",
                    )?
                    .execute((
                        &ws,
                        w.id.to_string(),
                        &member,
                        &space,
                        &w.url,
                        signed.secret.expose(),
                        w.created_by.to_string(),
                        ms(w.created_at),
                    ))?;
                if inserted == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn webhooks(&self, ws: Id, scope: WebhookScope) -> StoreResult<Vec<Webhook>> {
        self.engine
            .read(move |c| {
                let (member, space) = scope_columns(scope);
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {COLS} FROM webhooks w WHERE w.workspace_id = ?1 AND w.deleted_at IS NULL
                       AND (w.member_id = ?2 OR w.space_id = ?3) ORDER BY w.seq"
                ))?;
                let found = stmt
                    .query_map((ws.to_string(), member, space), webhook)?
                    .collect::<Result<_, _>>()?;
                Ok(found)
            })
            .await
    }

    async fn webhook(&self, ws: Id, id: Id) -> StoreResult<Webhook> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {COLS} FROM webhooks w
                     WHERE w.workspace_id = ?1 AND w.id = ?2 AND w.deleted_at IS NULL"
                ))?
                .query_row((ws.to_string(), id.to_string()), webhook)?)
            })
            .await
    }

    async fn delete_webhook(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let changed = c
                    .prepare_cached(
                        "UPDATE webhooks SET deleted_at = ?3, secret = ''
                         WHERE workspace_id = ?1 AND id = ?2 AND deleted_at IS NULL",
                    )?
                    .execute((ws.to_string(), id.to_string(), ms(at)))?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn delivery_webhook(&self, ws: Id, delivery: Id) -> StoreResult<Option<SignedWebhook>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {COLS}, w.secret FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE d.workspace_id = ?1 AND d.id = ?2 AND w.workspace_id = ?1 AND w.deleted_at IS NULL"
                ))?
                .query_row((ws.to_string(), delivery.to_string()), |r| {
                    Ok(SignedWebhook {
                        webhook: webhook(r)?,
                        secret: WebhookSecret::from_stored(r.get(7)?),
                    })
                })
                .optional()?)
            })
            .await
    }

    async fn claim_due_webhooks(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let owner = owner.to_owned();
        let until = now
            .checked_add(lease)
            .map_err(|e| StoreError::Other(e.into()))?;
        self.engine
            .write(move |c| {
                let ids: Vec<String> = c
                    .prepare_cached(
                        "UPDATE deliveries SET lease_owner = ?1, lease_until = ?3, attempts = attempts + 1
                         WHERE id IN (
                             SELECT id FROM deliveries
                             WHERE state = 'queued' AND channel = 'webhook' AND next_attempt_at <= ?2
                               AND (lease_until IS NULL OR lease_until <= ?2)
                             ORDER BY next_attempt_at LIMIT ?4)
                         RETURNING id",
                    )?
                    .query_map((&owner, ms(now), ms(until), i64::from(limit)), |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut read = c.prepare_cached(
                    "SELECT d.workspace_id, d.id, d.event_id, d.recipient_id, d.due_at, d.attempts,
                            e.kind, e.thread_id, e.post_id
                     FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?1",
                )?;
                let mut found = Vec::with_capacity(ids.len());
                for id in &ids {
                    found.push(read.query_row([id], claimed)?);
                }
                Ok(found)
            })
            .await
    }
}
