//! The outbox and its deliveries on PostgreSQL.
//!
//! Several `baton serve` instances claim from one database. A claim locks the recipients it
//! takes (`FOR NO KEY UPDATE … SKIP LOCKED` on their member rows) and leases their due
//! deliveries in the same statement: two claimers never take the same recipient, so each
//! recipient's due deliveries go to one worker and make one digest, and neither claimer waits
//! for the other. `NO KEY` keeps the lock from blocking inserts that merely reference the
//! member (a post by them, a delivery to them).

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{
    Backlog, Channel, ClaimedDelivery, Event, EventKind, EventPayload, NewDelivery, ParkedDelivery,
    Retry, Settled,
};
use baton_core::model::{NewAsk, Post};
use deadpool_postgres::Transaction;
use jiff::{SignedDuration, Timestamp};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::error::corrupt;
use super::query::{self, Params, found};
use super::rows::{self, from_json, ms, to_json};
use crate::events::{EventRow, PostEvent};
use crate::outbox::{DAY_MS, Settlement, backlog_slot, not_parked, reminder_key};
use crate::{DeliveryStore, StoreError, StoreResult};

/// The columns of an `events` row in `$1` to `$8` order, `ws` first.
fn event_values<'a>(ws: &'a &'a str, e: &'a EventRow) -> [&'a (dyn ToSql + Sync); 8] {
    [
        ws,
        &e.id,
        &e.kind,
        &e.thread_id,
        &e.post_id,
        &e.actor_id,
        &e.payload,
        &e.created_at,
    ]
}

/// In the post's transaction: stores the one event a post causes, if any (see [`PostEvent`]).
pub(super) async fn record_post_event(
    tx: &Transaction<'_>,
    ws: &str,
    post: &Post,
    asks: &[NewAsk],
) -> StoreResult<()> {
    let Some(PostEvent { row: e, asked }) = PostEvent::of(post, asks)? else {
        return Ok(());
    };
    let params = [&event_values(&ws, &e)[..], &[&asked]].concat();
    query::exec(
        tx,
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE $9 OR EXISTS (
             SELECT 1 FROM webhooks w JOIN threads t ON t.workspace_id = w.workspace_id AND t.space_id = w.space_id
             WHERE w.workspace_id = $1 AND t.id = $4 AND w.deleted_at IS NULL)",
        &params,
    )
    .await?;
    Ok(())
}

/// In `tx`: stores `e` as it is.
pub(super) async fn insert_event(tx: &Transaction<'_>, ws: &str, e: &EventRow) -> StoreResult<()> {
    query::exec(
        tx,
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &event_values(&ws, e),
    )
    .await?;
    Ok(())
}

fn kind(row: &Row) -> StoreResult<EventKind> {
    let text: String = row.try_get("kind")?;
    EventKind::parse(&text).ok_or_else(|| corrupt(format_args!("event kind {text}")))
}

/// Reads an optional id column.
fn opt_id(row: &Row, column: &str) -> StoreResult<Option<Id>> {
    match row.try_get::<_, Option<&str>>(column)? {
        None => Ok(None),
        Some(_) => rows::id(row, column).map(Some),
    }
}

fn event(row: &Row) -> StoreResult<Event> {
    let payload: EventPayload = from_json(&row.try_get::<_, String>("payload")?)?;
    Ok(Event {
        workspace_id: rows::id(row, "workspace_id")?,
        id: rows::id(row, "id")?,
        kind: kind(row)?,
        thread_id: opt_id(row, "thread_id")?,
        post_id: opt_id(row, "post_id")?,
        actor_id: rows::id(row, "actor_id")?,
        recipients: payload.to,
        created_at: rows::ts(row, "created_at")?,
    })
}

fn claimed(row: &Row) -> StoreResult<ClaimedDelivery> {
    let channel: String = row.try_get("channel")?;
    let attempts: i32 = row.try_get("attempts")?;
    Ok(ClaimedDelivery {
        workspace_id: rows::id(row, "workspace_id")?,
        id: rows::id(row, "id")?,
        event_id: rows::id(row, "event_id")?,
        kind: kind(row)?,
        thread_id: opt_id(row, "thread_id")?,
        post_id: opt_id(row, "post_id")?,
        recipient_id: rows::id(row, "recipient_id")?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| corrupt(format_args!("channel {channel}")))?,
        due_at: rows::ts(row, "due_at")?,
        attempts: u32::try_from(attempts).map_err(corrupt)?,
        digest_id: rows::id(row, "digest_id")?,
    })
}

fn parked(row: &Row) -> StoreResult<ParkedDelivery> {
    let channel: String = row.try_get("channel")?;
    let attempts: i32 = row.try_get("attempts")?;
    Ok(ParkedDelivery {
        id: rows::id(row, "id")?,
        recipient_id: rows::id(row, "recipient_id")?,
        event_id: rows::id(row, "event_id")?,
        kind: kind(row)?,
        thread_id: opt_id(row, "thread_id")?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| corrupt(format_args!("channel {channel}")))?,
        due_at: rows::ts(row, "due_at")?,
        attempts: u32::try_from(attempts).map_err(corrupt)?,
        last_error: row.try_get("last_error")?,
    })
}

impl PgStore {
    /// Applies `how` to the deliveries of `ids` that `owner` holds in `ws`; returns how many.
    async fn settle(&self, ws: Id, owner: &str, ids: &[Id], how: Settlement) -> StoreResult<u64> {
        let ids: Vec<String> = ids.iter().map(Id::to_string).collect();
        let params: Params = &[
            &ws.to_string(),
            &owner,
            &ids,
            &how.state,
            &how.sent_at,
            &how.next_attempt_at,
            &how.error,
        ];
        query::exec(
            &self.client().await?,
            "UPDATE deliveries SET state = $4, sent_at = COALESCE($5, sent_at),
                    next_attempt_at = COALESCE($6, next_attempt_at), last_error = COALESCE($7, last_error),
                    lease_owner = NULL, lease_until = NULL
             WHERE workspace_id = $1 AND lease_owner = $2 AND id = ANY($3) AND state = 'queued'",
            params,
        )
        .await
    }
}

#[async_trait]
impl DeliveryStore for PgStore {
    async fn unexpanded_events(&self, limit: u32) -> StoreResult<Vec<Event>> {
        query::all(
            &self.client().await?,
            "SELECT workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at
             FROM events WHERE expanded_at IS NULL ORDER BY seq LIMIT $1",
            &[&i64::from(limit)],
            event,
        )
        .await
    }

    async fn expand_event(
        &self,
        ws: Id,
        event: Id,
        deliveries: Vec<NewDelivery>,
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, event) = (ws.to_string(), event.to_string());
        let marked = query::exec(
            &tx,
            "UPDATE events SET expanded_at = COALESCE(expanded_at, $3) WHERE workspace_id = $1 AND id = $2",
            &[&ws, &event, &ms(at)],
        )
        .await?;
        found(marked)?;
        for d in &deliveries {
            let params: Params = &[
                &ws,
                &d.id.to_string(),
                &event,
                &d.recipient_id.to_string(),
                &d.channel.as_str(),
                &ms(d.due_at),
                &d.webhook_id.map(|w| w.to_string()),
            ];
            // No conflict target: `deliveries_once` and `deliveries_webhook_once` are partial
            // indexes, and a duplicate of either is the second expansion it guards against.
            query::exec(
                &tx,
                "INSERT INTO deliveries (workspace_id, id, event_id, recipient_id, channel, due_at, state,
                                         next_attempt_at, webhook_id)
                 SELECT $1, $2, $3, m.id, $5, $6, 'queued', $6, $7 FROM members m
                 WHERE m.workspace_id = $1 AND m.id = $4
                   AND ($7::TEXT IS NULL OR EXISTS (SELECT 1 FROM webhooks w WHERE w.workspace_id = $1 AND w.id = $7))
                 ON CONFLICT DO NOTHING",
                params,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn claim_due(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let until = now
            .checked_add(lease)
            .map_err(|e| StoreError::Other(e.into()))?;
        // The candidates are read from the statement's snapshot; a recipient another claimer
        // has just leased is then either still locked (skipped) or its deliveries show the new
        // lease when the UPDATE re-reads them (and are left out).
        let sql = "WITH due AS (
                       SELECT recipient_id, next_attempt_at FROM deliveries
                       WHERE state = 'queued' AND channel = 'email' AND next_attempt_at <= $2
                         AND (lease_until IS NULL OR lease_until <= $2)
                       ORDER BY next_attempt_at LIMIT $4::bigint * 16
                   ), recipients AS (
                       SELECT m.id, gen_random_uuid()::text AS digest_id FROM members m
                       WHERE m.id IN (SELECT recipient_id FROM due)
                       LIMIT $4 FOR NO KEY UPDATE OF m SKIP LOCKED
                   ), leased AS (
                       UPDATE deliveries d SET lease_owner = $1, lease_until = $3, attempts = d.attempts + 1,
                              digest_id = COALESCE(d.digest_id, r.digest_id)
                       FROM recipients r
                       WHERE d.recipient_id = r.id AND d.state = 'queued' AND d.channel = 'email'
                         AND d.next_attempt_at <= $2
                         AND (d.lease_until IS NULL OR d.lease_until <= $2)
                       RETURNING d.workspace_id, d.id, d.event_id, d.recipient_id, d.channel, d.due_at, d.attempts,
                                 d.digest_id
                   )
                   SELECT l.*, e.kind, e.thread_id, e.post_id FROM leased l JOIN events e ON e.id = l.event_id";
        let params: Params = &[&owner, &ms(now), &ms(until), &i64::from(limit)];
        query::all(&self.client().await?, sql, params, claimed).await
    }

    async fn mark_sent(
        &self,
        ws: Id,
        owner: &str,
        ids: &[Id],
        how: Settled,
        at: Timestamp,
    ) -> StoreResult<u64> {
        self.settle(ws, owner, ids, Settlement::settled(how, at))
            .await
    }

    async fn mark_failed(
        &self,
        ws: Id,
        owner: &str,
        ids: &[Id],
        error: &str,
        retry: Retry,
    ) -> StoreResult<u64> {
        self.settle(ws, owner, ids, Settlement::failed(error, retry))
            .await
    }

    async fn record_reminder(
        &self,
        ws: Id,
        holder: Id,
        day_end: Timestamp,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let payload = to_json(&EventPayload { to: vec![holder] })?;
        let params: Params = &[
            &ws.to_string(),
            &Id::random().to_string(),
            &EventKind::BatonReminder.as_str(),
            &payload,
            &ms(at),
            &reminder_key(holder, day_end),
            &holder.to_string(),
        ];
        let inserted = query::exec(
            &self.client().await?,
            "INSERT INTO events (workspace_id, id, kind, actor_id, payload, created_at, once_key)
             SELECT $1, $2, $3, m.id, $4, $5, $6 FROM members m
             WHERE m.workspace_id = $1 AND m.id = $7
             ON CONFLICT (workspace_id, once_key) DO NOTHING",
            params,
        )
        .await?;
        Ok(inserted == 1)
    }

    async fn baton_holders(&self) -> StoreResult<Vec<(Id, Id)>> {
        query::all(
            &self.client().await?,
            "SELECT DISTINCT workspace_id, holder_id FROM batons WHERE status = 'open'
             ORDER BY workspace_id, holder_id",
            &[],
            |r| Ok((rows::id(r, "workspace_id")?, rows::id(r, "holder_id")?)),
        )
        .await
    }

    async fn backlog(&self, ws: Id, now: Timestamp) -> StoreResult<Backlog> {
        let client = self.client().await?;
        let (ws, now) = (ws.to_string(), ms(now));
        let unexpanded: i64 = query::one(
            &client,
            "SELECT COUNT(*) FROM events WHERE workspace_id = $1 AND expanded_at IS NULL",
            &[&ws],
            |r| Ok(r.try_get(0)?),
        )
        .await?;
        let mut backlog = Backlog {
            unexpanded_events: u64::try_from(unexpanded).map_err(corrupt)?,
            ..Backlog::default()
        };
        let counts = query::all(
            &client,
            "SELECT state, COUNT(*) FROM deliveries WHERE workspace_id = $1 GROUP BY state",
            &[&ws],
            |r| Ok((r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)?)),
        )
        .await?;
        for (state, n) in counts {
            *backlog_slot(&mut backlog, &state)? = u64::try_from(n).map_err(corrupt)?;
        }
        let count = |n: i64| u64::try_from(n).map_err(corrupt);
        let (due_now, leased, oldest, sent_last_day) = query::one(
            &client,
            "SELECT COUNT(*) FILTER (WHERE q.next_attempt_at <= $2 AND (q.lease_until IS NULL OR q.lease_until <= $2)),
                    COUNT(*) FILTER (WHERE q.lease_until > $2),
                    MIN(q.due_at) FILTER (WHERE q.due_at <= $2),
                    (SELECT COUNT(*) FROM deliveries s
                     WHERE s.workspace_id = $1 AND s.state = 'sent' AND s.sent_at > $3)
             FROM deliveries q WHERE q.workspace_id = $1 AND q.state = 'queued'",
            &[&ws, &now, &(now - DAY_MS)],
            |r| {
                Ok((
                    r.try_get::<_, i64>(0)?,
                    r.try_get::<_, i64>(1)?,
                    r.try_get::<_, Option<i64>>(2)?,
                    r.try_get::<_, i64>(3)?,
                ))
            },
        )
        .await?;
        backlog.due_now = count(due_now)?;
        backlog.leased = count(leased)?;
        backlog.sent_last_day = count(sent_last_day)?;
        backlog.oldest_due_at = oldest
            .map(|ms| Timestamp::from_millisecond(ms).map_err(corrupt))
            .transpose()?;
        Ok(backlog)
    }

    async fn parked(&self, ws: Id, limit: u32) -> StoreResult<Vec<ParkedDelivery>> {
        query::all(
            &self.client().await?,
            "SELECT d.id, d.recipient_id, d.event_id, e.kind, e.thread_id, d.channel, d.due_at, d.attempts,
                    d.last_error
             FROM deliveries d JOIN events e ON e.id = d.event_id
             WHERE d.workspace_id = $1 AND d.state = 'parked' ORDER BY d.seq LIMIT $2",
            &[&ws.to_string(), &i64::from(limit)],
            parked,
        )
        .await
    }

    async fn retry_parked(&self, ws: Id, id: Id, now: Timestamp) -> StoreResult<()> {
        let client = self.client().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        let requeued = query::exec(
            &client,
            "UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_at = $3,
                    lease_owner = NULL, lease_until = NULL
             WHERE workspace_id = $1 AND id = $2 AND state = 'parked'",
            &[&ws, &id, &ms(now)],
        )
        .await?;
        if requeued == 1 {
            return Ok(());
        }
        let exists = query::opt(
            &client,
            "SELECT 1 FROM deliveries WHERE workspace_id = $1 AND id = $2",
            &[&ws, &id],
            |_| Ok(()),
        )
        .await?
        .is_some();
        Err(not_parked(exists))
    }

    async fn workspace_secret(&self, ws: Id, purpose: &str) -> StoreResult<Option<String>> {
        query::opt(
            &self.client().await?,
            "SELECT secret FROM workspace_secrets WHERE workspace_id = $1 AND purpose = $2",
            &[&ws.to_string(), &purpose],
            |r| Ok(r.try_get(0)?),
        )
        .await
    }

    async fn ensure_workspace_secret(
        &self,
        ws: Id,
        purpose: &str,
        candidate: &str,
    ) -> StoreResult<String> {
        let client = self.client().await?;
        let ws = ws.to_string();
        query::exec(
            &client,
            "INSERT INTO workspace_secrets (workspace_id, purpose, secret)
             SELECT id, $2, $3 FROM workspaces WHERE id = $1
             ON CONFLICT (workspace_id, purpose) DO NOTHING",
            &[&ws, &purpose, &candidate],
        )
        .await?;
        query::opt(
            &client,
            "SELECT secret FROM workspace_secrets WHERE workspace_id = $1 AND purpose = $2",
            &[&ws, &purpose],
            |r| Ok(r.try_get(0)?),
        )
        .await?
        .ok_or(StoreError::NotFound)
    }
}
