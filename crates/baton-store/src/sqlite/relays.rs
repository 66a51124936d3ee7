//! Relays, batons and handoffs on SQLite. The writer thread serializes writes, so the checks a
//! handoff makes (holder, no pending handoff) and its insert cannot interleave with another
//! write; the `handoffs_pending` index guards the rule regardless. A handoff's outbox event and
//! a baton's thread links are written with it, in the same write.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{
    Baton, BatonStatus, Handoff, HandoffNote, HandoffStatus, Relay, Resolution,
};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row};

use super::SqliteStore;
use super::deliveries::insert_event;
use super::rows::{self, ms, ts};
use crate::columns::{baton_cols, handoff_cols};
use crate::events::EventRow;
use crate::handoffs::{Resolving, already_resolved, may_hand_off, may_set_status, new_holder};
use crate::{Constraint, RelayStore, StoreError, StoreResult};

const BATON_COLS: &str = baton_cols!();
const HANDOFF_COLS: &str = handoff_cols!();

fn bad(what: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(what)))
}

/// A baton from [`BATON_COLS`].
fn baton_row(row: &Row<'_>) -> rusqlite::Result<Baton> {
    let status: String = row.get(5)?;
    let relay: Option<String> = row.get(3)?;
    Ok(Baton {
        id: rows::id(row, 0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        relay_id: relay
            .map(|r| r.parse().map_err(|_| bad(format!("bad relay id {r}"))))
            .transpose()?,
        holder_id: rows::id(row, 4)?,
        status: BatonStatus::parse(&status)
            .ok_or_else(|| bad(format!("bad baton status {status}")))?,
        created_by: rows::id(row, 6)?,
        created_at: ts(row.get(7)?)?,
        seq: row.get(8)?,
    })
}

/// A handoff from [`HANDOFF_COLS`].
fn handoff_row(row: &Row<'_>) -> rusqlite::Result<Handoff> {
    let status: String = row.get(10)?;
    let resolved_at: Option<i64> = row.get(11)?;
    Ok(Handoff {
        id: rows::id(row, 0)?,
        baton_id: rows::id(row, 1)?,
        from_id: rows::id(row, 2)?,
        to_id: rows::id(row, 3)?,
        note: HandoffNote {
            state: row.get(4)?,
            next_step: row.get(5)?,
            blockers: row.get(6)?,
            links: row.get(7)?,
        },
        created_at: ts(row.get(8)?)?,
        delivers_at: ts(row.get(9)?)?,
        status: HandoffStatus::parse(&status)
            .ok_or_else(|| bad(format!("bad handoff status {status}")))?,
        resolved_at: resolved_at.map(ts).transpose()?,
        bounce_reason: row.get(12)?,
    })
}

fn baton_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Baton> {
    let sql = format!("SELECT {BATON_COLS} FROM batons b WHERE b.workspace_id = ?1 AND b.id = ?2");
    Ok(c.prepare_cached(&sql)?.query_row((ws, id), baton_row)?)
}

fn handoff_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Handoff> {
    let sql =
        format!("SELECT {HANDOFF_COLS} FROM handoffs h WHERE h.workspace_id = ?1 AND h.id = ?2");
    Ok(c.prepare_cached(&sql)?.query_row((ws, id), handoff_row)?)
}

/// `NotFound` unless `member` is a member of workspace `ws`.
fn member_in(c: &Connection, ws: &str, member: Id) -> StoreResult<()> {
    c.prepare_cached("SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2")?
        .query_row((ws, member.to_string()), |_| Ok(()))?;
    Ok(())
}

/// Whether a handoff of `baton` waits for its receiver.
fn pending_handoff(c: &Connection, ws: &str, baton: &str) -> StoreResult<bool> {
    let found = c
        .prepare_cached(
            "SELECT 1 FROM handoffs WHERE workspace_id = ?1 AND baton_id = ?2 AND status = 'pending'",
        )?
        .query_row((ws, baton), |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// Links `thread` (which must be in `ws`, else `NotFound`) to the baton `baton` of `ws`;
/// `Conflict` when they are linked already.
fn insert_link(
    c: &Connection,
    ws: &str,
    baton: &str,
    thread: Id,
    by: Id,
    at: Timestamp,
) -> StoreResult<()> {
    let thread = thread.to_string();
    c.prepare_cached("SELECT 1 FROM threads WHERE workspace_id = ?1 AND id = ?2")?
        .query_row((ws, &thread), |_| Ok(()))?;
    let inserted = c
        .prepare_cached(
            "INSERT INTO baton_threads (workspace_id, baton_id, thread_id, linked_by, linked_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (baton_id, thread_id) DO NOTHING",
        )?
        .execute((ws, baton, &thread, by.to_string(), ms(at)))?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            constraint: Constraint::BatonThreadsOnce,
        });
    }
    Ok(())
}

#[async_trait]
impl RelayStore for SqliteStore {
    async fn create_relay(&self, ws: Id, relay: Relay) -> StoreResult<Relay> {
        self.engine
            .write(move |c| {
                let (ws, rid) = (ws.to_string(), relay.id.to_string());
                member_in(c, &ws, relay.created_by)?;
                c.prepare_cached(
                    "INSERT INTO relays (workspace_id, id, name, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute((&ws, &rid, &relay.name, relay.created_by.to_string(), ms(relay.created_at)))?;
                let mut leg = c.prepare_cached(
                    "INSERT INTO relay_legs (workspace_id, relay_id, position, member_id)
                     SELECT ?1, ?2, ?3, m.id FROM members m WHERE m.workspace_id = ?1 AND m.id = ?4",
                )?;
                for (position, member) in relay.legs.iter().enumerate() {
                    let position = i64::try_from(position).map_err(|e| StoreError::Other(e.into()))?;
                    if leg.execute((&ws, &rid, position, member.to_string()))? == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                Ok(relay)
            })
            .await
    }

    async fn relay(&self, ws: Id, id: Id) -> StoreResult<Relay> {
        self.engine
            .read(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let (rid, name, created_by, created_at) = c
                    .prepare_cached(
                        "SELECT id, name, created_by, created_at FROM relays WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .query_row((&ws, &id), |r| Ok((rows::id(r, 0)?, r.get::<_, String>(1)?, rows::id(r, 2)?, ts(r.get(3)?)?)))?;
                let legs = c
                    .prepare_cached(
                        "SELECT member_id FROM relay_legs WHERE workspace_id = ?1 AND relay_id = ?2 ORDER BY position",
                    )?
                    .query_map((&ws, &id), |r| rows::id(r, 0))?
                    .collect::<Result<_, _>>()?;
                Ok(Relay { id: rid, name, legs, created_by, created_at })
            })
            .await
    }

    async fn create_linked_baton(
        &self,
        ws: Id,
        baton: Baton,
        threads: Vec<Id>,
    ) -> StoreResult<Baton> {
        self.engine
            .write(move |c| {
                let ws = ws.to_string();
                member_in(c, &ws, baton.holder_id)?;
                member_in(c, &ws, baton.created_by)?;
                let relay = baton.relay_id.map(|r| r.to_string());
                if let Some(relay) = &relay {
                    c.prepare_cached("SELECT 1 FROM relays WHERE workspace_id = ?1 AND id = ?2")?
                        .query_row((&ws, relay), |_| Ok(()))?;
                }
                c.prepare_cached(
                    "INSERT INTO batons (workspace_id, id, title, description, relay_id, holder_id, status, created_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute((
                    &ws,
                    baton.id.to_string(),
                    &baton.title,
                    &baton.description,
                    &relay,
                    baton.holder_id.to_string(),
                    baton.status.as_str(),
                    baton.created_by.to_string(),
                    ms(baton.created_at),
                ))?;
                let seq = c.last_insert_rowid();
                let baton_id = baton.id.to_string();
                for thread in threads {
                    insert_link(c, &ws, &baton_id, thread, baton.created_by, baton.created_at)?;
                }
                Ok(Baton { seq, ..baton })
            })
            .await
    }

    async fn link_thread(
        &self,
        ws: Id,
        baton: Id,
        thread: Id,
        by: Id,
        at: Timestamp,
        at_most: usize,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, baton) = (ws.to_string(), baton.to_string());
                baton_by_id(c, &ws, &baton)?;
                member_in(c, &ws, by)?;
                let (linked, already): (i64, bool) = c
                    .prepare_cached(
                        "SELECT COUNT(*), COALESCE(MAX(thread_id = ?3), 0) FROM baton_threads
                         WHERE workspace_id = ?1 AND baton_id = ?2",
                    )?
                    .query_row((&ws, &baton, thread.to_string()), |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?;
                if !already && usize::try_from(linked).unwrap_or(usize::MAX) >= at_most {
                    return Err(StoreError::Conflict {
                        constraint: Constraint::BatonThreadsLimit,
                    });
                }
                insert_link(c, &ws, &baton, thread, by, at)
            })
            .await
    }

    async fn unlink_thread(&self, ws: Id, baton: Id, thread: Id) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let removed = c
                    .prepare_cached(
                        "DELETE FROM baton_threads WHERE workspace_id = ?1 AND baton_id = ?2 AND thread_id = ?3",
                    )?
                    .execute((ws.to_string(), baton.to_string(), thread.to_string()))?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn baton_threads(&self, ws: Id, baton: Id) -> StoreResult<Vec<Id>> {
        self.engine
            .read(move |c| {
                let (ws, baton) = (ws.to_string(), baton.to_string());
                baton_by_id(c, &ws, &baton)?;
                let list = c
                    .prepare_cached(
                        "SELECT thread_id FROM baton_threads WHERE workspace_id = ?1 AND baton_id = ?2 ORDER BY seq",
                    )?
                    .query_map((&ws, &baton), |r| rows::id(r, 0))?
                    .collect::<Result<_, _>>()?;
                Ok(list)
            })
            .await
    }

    async fn baton(&self, ws: Id, id: Id) -> StoreResult<Baton> {
        self.engine
            .read(move |c| baton_by_id(c, &ws.to_string(), &id.to_string()))
            .await
    }

    async fn thread_batons(&self, ws: Id, thread: Id) -> StoreResult<Vec<Baton>> {
        self.engine
            .read(move |c| {
                let sql = format!(
                    "SELECT {BATON_COLS} FROM baton_threads l
                     JOIN batons b ON b.workspace_id = l.workspace_id AND b.id = l.baton_id
                     WHERE l.workspace_id = ?1 AND l.thread_id = ?2 ORDER BY b.seq"
                );
                let list = c
                    .prepare_cached(&sql)?
                    .query_map((ws.to_string(), thread.to_string()), baton_row)?
                    .collect::<Result<_, _>>()?;
                Ok(list)
            })
            .await
    }

    async fn list_batons(
        &self,
        ws: Id,
        holder: Option<Id>,
        page: PageRequest,
    ) -> StoreResult<Page<Baton>> {
        self.engine
            .scan(move |c| {
                let sql = format!(
                    "SELECT {BATON_COLS} FROM batons b
                     WHERE b.workspace_id = ?1 AND (?2 IS NULL OR b.holder_id = ?2) AND b.seq > ?3
                     ORDER BY b.seq LIMIT ?4"
                );
                let params = (
                    ws.to_string(),
                    holder.map(|h| h.to_string()),
                    page.after.unwrap_or(0),
                    i64::from(page.limit) + 1,
                );
                let rows = c
                    .prepare_cached(&sql)?
                    .query_map(params, baton_row)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |b| b.seq))
            })
            .await
    }

    async fn set_baton_status(&self, ws: Id, id: Id, status: BatonStatus) -> StoreResult<Baton> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let baton = baton_by_id(c, &ws, &id)?;
                may_set_status(&baton, status, pending_handoff(c, &ws, &id)?)?;
                c.prepare_cached(
                    "UPDATE batons SET status = ?3 WHERE workspace_id = ?1 AND id = ?2",
                )?
                .execute((&ws, &id, status.as_str()))?;
                Ok(Baton { status, ..baton })
            })
            .await
    }

    async fn create_handoff(&self, ws: Id, handoff: Handoff) -> StoreResult<Handoff> {
        self.engine
            .write(move |c| {
                let (ws, baton_id) = (ws.to_string(), handoff.baton_id.to_string());
                let baton = baton_by_id(c, &ws, &baton_id)?;
                member_in(c, &ws, handoff.to_id)?;
                may_hand_off(&baton, handoff.from_id, pending_handoff(c, &ws, &baton_id)?)?;
                let n = &handoff.note;
                c.prepare_cached(
                    "INSERT INTO handoffs (workspace_id, id, baton_id, from_id, to_id, state, next_step, blockers, links,
                                           created_at, delivers_at, status)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending')",
                )?
                .execute((
                    &ws,
                    handoff.id.to_string(),
                    &baton_id,
                    handoff.from_id.to_string(),
                    handoff.to_id.to_string(),
                    &n.state,
                    &n.next_step,
                    &n.blockers,
                    &n.links,
                    ms(handoff.created_at),
                    ms(handoff.delivers_at),
                ))?;
                insert_event(c, &ws, &EventRow::of_handoff(&handoff)?)?;
                Ok(Handoff {
                    status: HandoffStatus::Pending,
                    resolved_at: None,
                    bounce_reason: None,
                    ..handoff
                })
            })
            .await
    }

    async fn handoff(&self, ws: Id, id: Id) -> StoreResult<Handoff> {
        self.engine
            .read(move |c| handoff_by_id(c, &ws.to_string(), &id.to_string()))
            .await
    }

    async fn pending_handoff(&self, ws: Id, baton: Id) -> StoreResult<Option<Handoff>> {
        self.engine
            .read(move |c| {
                let sql = format!(
                    "SELECT {HANDOFF_COLS} FROM handoffs h
                     WHERE h.workspace_id = ?1 AND h.baton_id = ?2 AND h.status = 'pending'"
                );
                Ok(c.prepare_cached(&sql)?
                    .query_row((ws.to_string(), baton.to_string()), handoff_row)
                    .optional()?)
            })
            .await
    }

    async fn resolve_handoff(
        &self,
        ws: Id,
        id: Id,
        resolution: Resolution,
        at: Timestamp,
    ) -> StoreResult<Handoff> {
        let resolving = Resolving::new(resolution, at);
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                handoff_by_id(c, &ws, &id)?;
                let changed = c
                    .prepare_cached(
                        "UPDATE handoffs SET status = ?3, resolved_at = ?4, bounce_reason = ?5
                         WHERE workspace_id = ?1 AND id = ?2 AND status = 'pending'",
                    )?
                    .execute((
                        &ws,
                        &id,
                        resolving.status,
                        resolving.resolved_at,
                        &resolving.bounce_reason,
                    ))?;
                if changed == 0 {
                    return Err(already_resolved());
                }
                let handoff = handoff_by_id(c, &ws, &id)?;
                if let Some((baton, holder)) = new_holder(&handoff) {
                    c.prepare_cached(
                        "UPDATE batons SET holder_id = ?3 WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, baton, holder))?;
                }
                Ok(handoff)
            })
            .await
    }

    async fn handoffs_of(
        &self,
        ws: Id,
        baton: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Handoff>> {
        self.engine
            .scan(move |c| {
                let (ws, baton) = (ws.to_string(), baton.to_string());
                baton_by_id(c, &ws, &baton)?;
                let sql = format!(
                    "SELECT {HANDOFF_COLS}, h.seq FROM handoffs h
                     WHERE h.workspace_id = ?1 AND h.baton_id = ?2 AND h.seq > ?3 ORDER BY h.seq LIMIT ?4"
                );
                let rows = c
                    .prepare_cached(&sql)?
                    .query_map((&ws, &baton, page.after.unwrap_or(0), i64::from(page.limit) + 1), |r| {
                        Ok((handoff_row(r)?, r.get(13)?))
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(Page::from_seq_rows(rows, page))
            })
            .await
    }

    async fn handoffs_waiting_for(
        &self,
        ws: Id,
        member: Id,
        now: Timestamp,
    ) -> StoreResult<Vec<(Handoff, Baton)>> {
        self.engine
            .read(move |c| {
                let ws = ws.to_string();
                let sql = format!(
                    "SELECT {HANDOFF_COLS} FROM handoffs h
                     WHERE h.workspace_id = ?1 AND h.to_id = ?2 AND h.status = 'pending' AND h.delivers_at <= ?3
                     ORDER BY h.seq"
                );
                let handoffs: Vec<Handoff> = c
                    .prepare_cached(&sql)?
                    .query_map((&ws, member.to_string(), ms(now)), handoff_row)?
                    .collect::<Result<_, _>>()?;
                let mut waiting = Vec::with_capacity(handoffs.len());
                for h in handoffs {
                    let baton = baton_by_id(c, &ws, &h.baton_id.to_string())?;
                    waiting.push((h, baton));
                }
                Ok(waiting)
            })
            .await
    }
}
