//! The outbox and its deliveries on SQLite.
//!
//! Every write here runs on the one writer thread, so a claim needs no row locks: the lease
//! columns alone say who holds a delivery, and the writer makes "find due rows, lease them" one
//! step that no other claim can interleave with.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{
    Backlog, Channel, ClaimedDelivery, Event, EventKind, EventPayload, NewDelivery, ParkedDelivery,
    Retry, Settled,
};
use baton_core::model::{NewAsk, Post};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, Row};

use super::SqliteStore;
use super::rows::{self, ms, to_json, ts};
use crate::events::{EventRow, PostEvent};
use crate::outbox::{DAY_MS, Settlement, backlog_slot, not_parked, reminder_key};
use crate::{DeliveryStore, StoreError, StoreResult};

/// In the post's transaction: stores the one event a post causes, if any (see [`PostEvent`]).
pub(super) fn record_post_event(
    c: &Connection,
    ws: &str,
    post: &Post,
    asks: &[NewAsk],
) -> StoreResult<()> {
    let Some(PostEvent { row: e, asked }) = PostEvent::of(post, asks)? else {
        return Ok(());
    };
    c.prepare_cached(
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE ?9 OR EXISTS (
             SELECT 1 FROM webhooks w JOIN threads t ON t.workspace_id = w.workspace_id AND t.space_id = w.space_id
             WHERE w.workspace_id = ?1 AND t.id = ?4 AND w.deleted_at IS NULL)",
    )?
    .execute((ws, &e.id, e.kind, &e.thread_id, &e.post_id, &e.actor_id, &e.payload, e.created_at, asked))?;
    Ok(())
}

/// In the writer's open transaction: stores `e` as it is.
pub(super) fn insert_event(c: &Connection, ws: &str, e: &EventRow) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((ws, &e.id, e.kind, &e.thread_id, &e.post_id, &e.actor_id, &e.payload, e.created_at))?;
    Ok(())
}

/// A stored value this build cannot read: a bug or a newer database.
fn unreadable(what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(format!(
        "unknown {what} in database: {text}"
    ))))
}

/// Reads an optional id column.
fn opt_id(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Id>> {
    match r.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => rows::id(r, idx).map(Some),
    }
}

fn event(r: &Row<'_>) -> rusqlite::Result<Event> {
    let kind: String = r.get(2)?;
    let payload: String = r.get(6)?;
    let payload: EventPayload = serde_json::from_str(&payload)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(Event {
        workspace_id: rows::id(r, 0)?,
        id: rows::id(r, 1)?,
        kind: EventKind::parse(&kind).ok_or_else(|| unreadable("event kind", &kind))?,
        thread_id: opt_id(r, 3)?,
        post_id: opt_id(r, 4)?,
        actor_id: rows::id(r, 5)?,
        recipients: payload.to,
        created_at: ts(r.get(7)?)?,
    })
}

fn claimed(r: &Row<'_>) -> rusqlite::Result<ClaimedDelivery> {
    let (kind, channel): (String, String) = (r.get(7)?, r.get(4)?);
    Ok(ClaimedDelivery {
        workspace_id: rows::id(r, 0)?,
        id: rows::id(r, 1)?,
        event_id: rows::id(r, 2)?,
        recipient_id: rows::id(r, 3)?,
        channel: Channel::parse(&channel).ok_or_else(|| unreadable("channel", &channel))?,
        due_at: ts(r.get(5)?)?,
        attempts: r.get(6)?,
        kind: EventKind::parse(&kind).ok_or_else(|| unreadable("event kind", &kind))?,
        thread_id: opt_id(r, 8)?,
        post_id: opt_id(r, 9)?,
        digest_id: named_id(r, "digest_id")?,
    })
}

/// Reads an id column by name (for columns later migrations added to a statement).
fn named_id(r: &Row<'_>, column: &str) -> rusqlite::Result<Id> {
    let text: String = r.get(column)?;
    text.parse().map_err(|_| unreadable("id", &text))
}

fn parked(r: &Row<'_>) -> rusqlite::Result<ParkedDelivery> {
    let (kind, channel): (String, String) = (r.get(3)?, r.get(5)?);
    Ok(ParkedDelivery {
        id: rows::id(r, 0)?,
        recipient_id: rows::id(r, 1)?,
        event_id: rows::id(r, 2)?,
        kind: EventKind::parse(&kind).ok_or_else(|| unreadable("event kind", &kind))?,
        thread_id: opt_id(r, 4)?,
        channel: Channel::parse(&channel).ok_or_else(|| unreadable("channel", &channel))?,
        due_at: ts(r.get(6)?)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
    })
}

/// Applies `how` to each delivery of `ids` that `owner` holds in `ws`; returns how many.
fn settle(c: &Connection, ws: &str, owner: &str, ids: &[Id], how: &Settlement) -> StoreResult<u64> {
    let mut stmt = c.prepare_cached(
        "UPDATE deliveries SET state = ?4, sent_at = COALESCE(?5, sent_at),
                next_attempt_at = COALESCE(?6, next_attempt_at), last_error = COALESCE(?7, last_error),
                lease_owner = NULL, lease_until = NULL
         WHERE workspace_id = ?1 AND lease_owner = ?2 AND id = ?3 AND state = 'queued'",
    )?;
    let mut changed = 0;
    for id in ids {
        changed += stmt.execute((
            ws,
            owner,
            id.to_string(),
            how.state,
            how.sent_at,
            how.next_attempt_at,
            how.error.as_deref(),
        ))? as u64;
    }
    Ok(changed)
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn unexpanded_events(&self, limit: u32) -> StoreResult<Vec<Event>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at
                     FROM events WHERE expanded_at IS NULL ORDER BY seq LIMIT ?1",
                )?;
                let events = stmt.query_map([i64::from(limit)], event)?.collect::<Result<_, _>>()?;
                Ok(events)
            })
            .await
    }

    async fn expand_event(
        &self,
        ws: Id,
        event: Id,
        deliveries: Vec<NewDelivery>,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, event) = (ws.to_string(), event.to_string());
                let marked = c
                    .prepare_cached(
                        "UPDATE events SET expanded_at = COALESCE(expanded_at, ?3)
                         WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, &event, ms(at)))?;
                if marked == 0 {
                    return Err(StoreError::NotFound);
                }
                // No conflict target: `deliveries_once` and `deliveries_webhook_once` are
                // partial indexes, and a duplicate of either is the second expansion they guard
                // against.
                let mut insert = c.prepare_cached(
                    "INSERT INTO deliveries (workspace_id, id, event_id, recipient_id, channel, due_at, state,
                                             next_attempt_at, webhook_id)
                     SELECT ?1, ?2, ?3, m.id, ?5, ?6, 'queued', ?6, ?7 FROM members m
                     WHERE m.workspace_id = ?1 AND m.id = ?4
                       AND (?7 IS NULL OR EXISTS (SELECT 1 FROM webhooks w WHERE w.workspace_id = ?1 AND w.id = ?7))
                     ON CONFLICT DO NOTHING",
                )?;
                for d in &deliveries {
                    insert.execute((
                        &ws,
                        d.id.to_string(),
                        &event,
                        d.recipient_id.to_string(),
                        d.channel.as_str(),
                        ms(d.due_at),
                        d.webhook_id.map(|w| w.to_string()),
                    ))?;
                }
                Ok(())
            })
            .await
    }

    async fn claim_due(
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
                // The recipients with the longest-waiting due deliveries, then every due
                // delivery of theirs: one worker gets all of a recipient's. Those without a
                // digest yet get one fresh digest id per recipient; the rest keep theirs.
                let recipients: Vec<String> = c
                    .prepare_cached(
                        "SELECT recipient_id FROM deliveries
                         WHERE state = 'queued' AND channel = 'email' AND next_attempt_at <= ?1
                           AND (lease_until IS NULL OR lease_until <= ?1)
                         GROUP BY recipient_id ORDER BY MIN(next_attempt_at) LIMIT ?2",
                    )?
                    .query_map((ms(now), i64::from(limit)), |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut lease = c.prepare_cached(
                    "UPDATE deliveries SET lease_owner = ?1, lease_until = ?3, attempts = attempts + 1,
                            digest_id = COALESCE(digest_id, ?5)
                     WHERE recipient_id = ?4 AND state = 'queued' AND channel = 'email' AND next_attempt_at <= ?2
                       AND (lease_until IS NULL OR lease_until <= ?2)
                     RETURNING id",
                )?;
                let mut ids: Vec<String> = Vec::new();
                for recipient in &recipients {
                    let digest = Id::random().to_string();
                    let leased = lease
                        .query_map((&owner, ms(now), ms(until), recipient, &digest), |r| r.get(0))?;
                    for id in leased {
                        ids.push(id?);
                    }
                }
                let mut read = c.prepare_cached(
                    "SELECT d.workspace_id, d.id, d.event_id, d.recipient_id, d.channel, d.due_at, d.attempts,
                            e.kind, e.thread_id, e.post_id, d.digest_id
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

    async fn mark_sent(
        &self,
        ws: Id,
        owner: &str,
        ids: &[Id],
        how: Settled,
        at: Timestamp,
    ) -> StoreResult<u64> {
        let (owner, ids, how) = (owner.to_owned(), ids.to_vec(), Settlement::settled(how, at));
        self.engine
            .write(move |c| settle(c, &ws.to_string(), &owner, &ids, &how))
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
        let (owner, ids, how) = (
            owner.to_owned(),
            ids.to_vec(),
            Settlement::failed(error, retry),
        );
        self.engine
            .write(move |c| settle(c, &ws.to_string(), &owner, &ids, &how))
            .await
    }

    async fn record_reminder(
        &self,
        ws: Id,
        holder: Id,
        day_end: Timestamp,
        at: Timestamp,
    ) -> StoreResult<bool> {
        self.engine
            .write(move |c| {
                let payload = to_json(&EventPayload { to: vec![holder] })?;
                let inserted = c
                    .prepare_cached(
                        "INSERT INTO events (workspace_id, id, kind, actor_id, payload, created_at, once_key)
                         SELECT ?1, ?2, ?3, m.id, ?4, ?5, ?6 FROM members m
                         WHERE m.workspace_id = ?1 AND m.id = ?7
                         ON CONFLICT (workspace_id, once_key) DO NOTHING",
                    )?
                    .execute((
                        ws.to_string(),
                        Id::random().to_string(),
                        EventKind::BatonReminder.as_str(),
                        payload,
                        ms(at),
                        reminder_key(holder, day_end),
                        holder.to_string(),
                    ))?;
                Ok(inserted == 1)
            })
            .await
    }

    async fn baton_holders(&self) -> StoreResult<Vec<(Id, Id)>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT DISTINCT workspace_id, holder_id FROM batons WHERE status = 'open'
                     ORDER BY workspace_id, holder_id",
                )?;
                let holders = stmt
                    .query_map([], |r| Ok((rows::id(r, 0)?, rows::id(r, 1)?)))?
                    .collect::<Result<_, _>>()?;
                Ok(holders)
            })
            .await
    }

    async fn backlog(&self, ws: Id, now: Timestamp) -> StoreResult<Backlog> {
        self.engine
            .scan(move |c| {
                let ws = ws.to_string();
                let now = ms(now);
                let mut backlog = Backlog {
                    unexpanded_events: c
                        .prepare_cached(
                            "SELECT COUNT(*) FROM events WHERE workspace_id = ?1 AND expanded_at IS NULL",
                        )?
                        .query_row([&ws], |r| r.get(0))?,
                    ..Backlog::default()
                };
                let mut stmt = c.prepare_cached(
                    "SELECT state, COUNT(*) FROM deliveries WHERE workspace_id = ?1 GROUP BY state",
                )?;
                let counts = stmt.query_map([&ws], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
                for count in counts {
                    let (state, n) = count?;
                    *backlog_slot(&mut backlog, &state)? = n;
                }
                let oldest: Option<i64>;
                (backlog.due_now, backlog.leased, oldest) = c
                    .prepare_cached(
                        "SELECT COALESCE(SUM(next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2)), 0),
                                COALESCE(SUM(lease_until > ?2), 0),
                                MIN(CASE WHEN due_at <= ?2 THEN due_at END)
                         FROM deliveries WHERE workspace_id = ?1 AND state = 'queued'",
                    )?
                    .query_row((&ws, now), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                backlog.oldest_due_at = oldest.map(ts).transpose()?;
                backlog.sent_last_day = c
                    .prepare_cached(
                        "SELECT COUNT(*) FROM deliveries
                         WHERE workspace_id = ?1 AND state = 'sent' AND sent_at > ?2",
                    )?
                    .query_row((&ws, now - DAY_MS), |r| r.get(0))?;
                Ok(backlog)
            })
            .await
    }

    async fn parked(&self, ws: Id, limit: u32) -> StoreResult<Vec<ParkedDelivery>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT d.id, d.recipient_id, d.event_id, e.kind, e.thread_id, d.channel, d.due_at,
                            d.attempts, d.last_error
                     FROM deliveries d JOIN events e ON e.id = d.event_id
                     WHERE d.workspace_id = ?1 AND d.state = 'parked' ORDER BY d.seq LIMIT ?2",
                )?;
                let found = stmt
                    .query_map((ws.to_string(), i64::from(limit)), parked)?
                    .collect::<Result<_, _>>()?;
                Ok(found)
            })
            .await
    }

    async fn retry_parked(&self, ws: Id, id: Id, now: Timestamp) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let requeued = c
                    .prepare_cached(
                        "UPDATE deliveries SET state = 'queued', attempts = 0, next_attempt_at = ?3,
                                lease_owner = NULL, lease_until = NULL
                         WHERE workspace_id = ?1 AND id = ?2 AND state = 'parked'",
                    )?
                    .execute((&ws, &id, ms(now)))?;
                if requeued == 1 {
                    return Ok(());
                }
                let exists = c
                    .prepare_cached("SELECT 1 FROM deliveries WHERE workspace_id = ?1 AND id = ?2")?
                    .exists((&ws, &id))?;
                Err(not_parked(exists))
            })
            .await
    }

    async fn workspace_secret(&self, ws: Id, purpose: &str) -> StoreResult<Option<String>> {
        let purpose = purpose.to_owned();
        self.engine
            .read(move |c| {
                use rusqlite::OptionalExtension as _;
                Ok(c.prepare_cached(
                    "SELECT secret FROM workspace_secrets WHERE workspace_id = ?1 AND purpose = ?2",
                )?
                .query_row((ws.to_string(), &purpose), |r| r.get(0))
                .optional()?)
            })
            .await
    }

    async fn ensure_workspace_secret(
        &self,
        ws: Id,
        purpose: &str,
        candidate: &str,
    ) -> StoreResult<String> {
        let (purpose, candidate) = (purpose.to_owned(), candidate.to_owned());
        self.engine
            .write(move |c| {
                use rusqlite::OptionalExtension as _;
                let ws = ws.to_string();
                c.prepare_cached(
                    "INSERT INTO workspace_secrets (workspace_id, purpose, secret)
                     SELECT id, ?2, ?3 FROM workspaces WHERE id = ?1
                     ON CONFLICT (workspace_id, purpose) DO NOTHING",
                )?
                .execute((&ws, &purpose, &candidate))?;
                c.prepare_cached(
                    "SELECT secret FROM workspace_secrets WHERE workspace_id = ?1 AND purpose = ?2",
                )?
                .query_row((&ws, &purpose), |r| r.get(0))
                .optional()?
                .ok_or(StoreError::NotFound)
            })
            .await
    }
}
