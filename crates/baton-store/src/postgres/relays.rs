//! Relays, batons and handoffs on PostgreSQL.
//!
//! A handoff locks its baton (`FOR UPDATE`) before checking the holder and looking for a
//! pending handoff, so concurrent handoffs of one baton take turns; the `handoffs_pending`
//! index guards the rule regardless. Resolving is `UPDATE … WHERE status = 'pending'`: of two
//! racing resolutions the second waits for the first's row lock, then finds nothing to change.
//! A new baton and its thread links are written in one transaction, as is a handoff and its
//! outbox event.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{
    Baton, BatonStatus, Handoff, HandoffNote, HandoffStatus, Relay, Resolution,
};
use baton_core::page::{Page, PageRequest};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::deliveries::insert_event;
use super::error::corrupt;
use super::query::{self, Params};
use super::rows::{id, ms, ts, ts_opt};
use crate::columns::{baton_cols, handoff_cols};
use crate::events::EventRow;
use crate::handoffs::{Resolving, already_resolved, may_hand_off, may_set_status, new_holder};
use crate::{Constraint, RelayStore, StoreError, StoreResult};

const BATON_BY_ID: &str = concat!(
    "SELECT ",
    baton_cols!(),
    " FROM batons b WHERE b.workspace_id = $1 AND b.id = $2"
);
/// [`BATON_BY_ID`] with the row locked, for a change that checks the baton first.
const BATON_FOR_UPDATE: &str = concat!(
    "SELECT ",
    baton_cols!(),
    " FROM batons b WHERE b.workspace_id = $1 AND b.id = $2 FOR UPDATE"
);
const HANDOFF_BY_ID: &str = concat!(
    "SELECT ",
    handoff_cols!(),
    " FROM handoffs h WHERE h.workspace_id = $1 AND h.id = $2"
);

/// A baton from [`baton_cols`].
fn baton(row: &Row) -> StoreResult<Baton> {
    let status: &str = row.try_get("status")?;
    let relay: Option<&str> = row.try_get("relay_id")?;
    Ok(Baton {
        id: id(row, "id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        relay_id: relay
            .map(|r| r.parse().map_err(|_| corrupt(format!("relay_id {r:?}"))))
            .transpose()?,
        holder_id: id(row, "holder_id")?,
        status: BatonStatus::parse(status)
            .ok_or_else(|| corrupt(format!("baton status {status:?}")))?,
        created_by: id(row, "created_by")?,
        created_at: ts(row, "created_at")?,
        seq: row.try_get("seq")?,
    })
}

/// Whether a handoff of `baton` waits for its receiver.
async fn pending_handoff<C: GenericClient>(c: &C, ws: &str, baton: &str) -> StoreResult<bool> {
    let found = query::opt(
        c,
        "SELECT 1 FROM handoffs WHERE workspace_id = $1 AND baton_id = $2 AND status = 'pending'",
        &[&ws, &baton],
        |_| Ok(()),
    )
    .await?;
    Ok(found.is_some())
}

/// A handoff from [`handoff_cols`].
fn handoff(row: &Row) -> StoreResult<Handoff> {
    let status: &str = row.try_get("status")?;
    Ok(Handoff {
        id: id(row, "id")?,
        baton_id: id(row, "baton_id")?,
        from_id: id(row, "from_id")?,
        to_id: id(row, "to_id")?,
        note: HandoffNote {
            state: row.try_get("state")?,
            next_step: row.try_get("next_step")?,
            blockers: row.try_get("blockers")?,
            links: row.try_get("links")?,
        },
        created_at: ts(row, "created_at")?,
        delivers_at: ts(row, "delivers_at")?,
        status: HandoffStatus::parse(status)
            .ok_or_else(|| corrupt(format!("handoff status {status:?}")))?,
        resolved_at: ts_opt(row, "resolved_at")?,
        bounce_reason: row.try_get("bounce_reason")?,
    })
}

/// A relay with its `legs` as an array of member ids in position order.
fn relay(row: &Row) -> StoreResult<Relay> {
    let legs: Vec<String> = row.try_get("legs")?;
    Ok(Relay {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        legs: legs
            .iter()
            .map(|l| l.parse().map_err(|_| corrupt(format!("leg {l:?}"))))
            .collect::<StoreResult<_>>()?,
        created_by: id(row, "created_by")?,
        created_at: ts(row, "created_at")?,
    })
}

/// Links `thread` (which must be in `ws`, else `NotFound`) to the baton `baton` of `ws`;
/// `Conflict` when they are linked already.
async fn insert_link<C: GenericClient>(
    c: &C,
    ws: &str,
    baton: &str,
    thread: Id,
    by: Id,
    at: Timestamp,
) -> StoreResult<()> {
    let thread = thread.to_string();
    query::one(
        c,
        "SELECT 1 FROM threads WHERE workspace_id = $1 AND id = $2",
        &[&ws, &thread],
        |_| Ok(()),
    )
    .await?;
    let inserted = query::exec(
        c,
        "INSERT INTO baton_threads (workspace_id, baton_id, thread_id, linked_by, linked_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (baton_id, thread_id) DO NOTHING",
        &[&ws, &baton, &thread, &by.to_string(), &ms(at)],
    )
    .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            constraint: Constraint::BatonThreadsOnce,
        });
    }
    Ok(())
}

#[async_trait]
impl RelayStore for PgStore {
    async fn create_relay(&self, ws: Id, new: Relay) -> StoreResult<Relay> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, rid) = (ws.to_string(), new.id.to_string());
        let params: Params = &[
            &ws,
            &rid,
            &new.name,
            &new.created_by.to_string(),
            &ms(new.created_at),
        ];
        query::one(
            &tx,
            "INSERT INTO relays (workspace_id, id, name, created_by, created_at)
             SELECT $1, $2, $3, m.id, $5 FROM members m WHERE m.workspace_id = $1 AND m.id = $4
             RETURNING id",
            params,
            |_| Ok(()),
        )
        .await?;
        // Each leg is selected from the workspace's members: a leg of another workspace (or
        // none) inserts fewer rows than asked, and the transaction is dropped uncommitted.
        let legs: Vec<String> = new.legs.iter().map(ToString::to_string).collect();
        let inserted = query::exec(
            &tx,
            "INSERT INTO relay_legs (workspace_id, relay_id, position, member_id)
             SELECT $1, $2, l.position - 1, m.id
             FROM unnest($3::text[]) WITH ORDINALITY AS l(member_id, position)
             JOIN members m ON m.workspace_id = $1 AND m.id = l.member_id",
            &[&ws, &rid, &legs],
        )
        .await?;
        if inserted != legs.len() as u64 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn relay(&self, ws: Id, id: Id) -> StoreResult<Relay> {
        let sql = "SELECT r.id, r.name, r.created_by, r.created_at,
                          ARRAY(SELECT l.member_id FROM relay_legs l
                                WHERE l.workspace_id = r.workspace_id AND l.relay_id = r.id
                                ORDER BY l.position) AS legs
                   FROM relays r WHERE r.workspace_id = $1 AND r.id = $2";
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, sql, params, relay).await
    }

    async fn create_linked_baton(
        &self,
        ws: Id,
        new: Baton,
        threads: Vec<Id>,
    ) -> StoreResult<Baton> {
        // The holder and the creator are selected from the workspace's members and the relay
        // must exist there: otherwise nothing is inserted and the result is `NotFound`.
        let sql = concat!(
            "INSERT INTO batons AS b (workspace_id, id, title, description, relay_id, holder_id,
                                      status, created_by, created_at)
             SELECT $1, $2, $3, $4, $5, h.id, $7, c.id, $9
             FROM members h JOIN members c ON c.workspace_id = h.workspace_id AND c.id = $8
             WHERE h.workspace_id = $1 AND h.id = $6
               AND ($5::text IS NULL
                    OR EXISTS (SELECT 1 FROM relays r WHERE r.workspace_id = $1 AND r.id = $5))
             RETURNING ",
            baton_cols!()
        );
        let (ws, baton_id) = (ws.to_string(), new.id.to_string());
        let params: Params = &[
            &ws,
            &baton_id,
            &new.title,
            &new.description,
            &new.relay_id.map(|r| r.to_string()),
            &new.holder_id.to_string(),
            &new.status.as_str(),
            &new.created_by.to_string(),
            &ms(new.created_at),
        ];
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let created = query::one(&tx, sql, params, baton).await?;
        for thread in threads {
            insert_link(&tx, &ws, &baton_id, thread, new.created_by, new.created_at).await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn link_thread(
        &self,
        ws: Id,
        baton_id: Id,
        thread: Id,
        by: Id,
        at: Timestamp,
        at_most: usize,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, baton_id) = (ws.to_string(), baton_id.to_string());
        // Locking the baton's row makes racing links take turns, so the count below holds.
        query::one(&tx, BATON_FOR_UPDATE, &[&ws, &baton_id], |_| Ok(())).await?;
        let (linked, already): (i64, bool) = query::one(
            &tx,
            "SELECT COUNT(*), COALESCE(bool_or(thread_id = $3), false) FROM baton_threads
             WHERE workspace_id = $1 AND baton_id = $2",
            &[&ws, &baton_id, &thread.to_string()],
            |r| Ok((r.get(0), r.get(1))),
        )
        .await?;
        if !already && usize::try_from(linked).unwrap_or(usize::MAX) >= at_most {
            return Err(StoreError::Conflict {
                constraint: Constraint::BatonThreadsLimit,
            });
        }
        query::one(
            &tx,
            "SELECT 1 FROM members WHERE workspace_id = $1 AND id = $2",
            &[&ws, &by.to_string()],
            |_| Ok(()),
        )
        .await?;
        insert_link(&tx, &ws, &baton_id, thread, by, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unlink_thread(&self, ws: Id, baton_id: Id, thread: Id) -> StoreResult<()> {
        let removed = query::exec(
            &self.client().await?,
            "DELETE FROM baton_threads WHERE workspace_id = $1 AND baton_id = $2 AND thread_id = $3",
            &[&ws.to_string(), &baton_id.to_string(), &thread.to_string()],
        )
        .await?;
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn baton_threads(&self, ws: Id, baton_id: Id) -> StoreResult<Vec<Id>> {
        let client = self.client().await?;
        let params: Params = &[&ws.to_string(), &baton_id.to_string()];
        query::one(&client, BATON_BY_ID, params, |_| Ok(())).await?;
        query::all(
            &client,
            "SELECT thread_id FROM baton_threads WHERE workspace_id = $1 AND baton_id = $2 ORDER BY seq",
            params,
            |row| id(row, "thread_id"),
        )
        .await
    }

    async fn baton(&self, ws: Id, id: Id) -> StoreResult<Baton> {
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, BATON_BY_ID, params, baton).await
    }

    async fn thread_batons(&self, ws: Id, thread: Id) -> StoreResult<Vec<Baton>> {
        let sql = concat!(
            "SELECT ",
            baton_cols!(),
            " FROM baton_threads l JOIN batons b ON b.workspace_id = l.workspace_id AND b.id = l.baton_id
              WHERE l.workspace_id = $1 AND l.thread_id = $2 ORDER BY b.seq"
        );
        let params: Params = &[&ws.to_string(), &thread.to_string()];
        query::all(&self.client().await?, sql, params, baton).await
    }

    async fn list_batons(
        &self,
        ws: Id,
        holder: Option<Id>,
        page: PageRequest,
    ) -> StoreResult<Page<Baton>> {
        let sql = concat!(
            "SELECT ",
            baton_cols!(),
            " FROM batons b WHERE b.workspace_id = $1 AND ($2::text IS NULL OR b.holder_id = $2)
               AND b.seq > $3 ORDER BY b.seq LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &holder.map(|h| h.to_string()),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, baton).await?;
        Ok(Page::from_rows(rows, page, |b| b.seq))
    }

    async fn set_baton_status(&self, ws: Id, id: Id, status: BatonStatus) -> StoreResult<Baton> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        // Locked like a handoff locks it, so a handoff and this change take turns.
        let found = query::one(&tx, BATON_FOR_UPDATE, &[&ws, &id], baton).await?;
        may_set_status(&found, status, pending_handoff(&tx, &ws, &id).await?)?;
        query::exec(
            &tx,
            "UPDATE batons SET status = $3 WHERE workspace_id = $1 AND id = $2",
            &[&ws, &id, &status.as_str()],
        )
        .await?;
        tx.commit().await?;
        Ok(Baton { status, ..found })
    }

    async fn create_handoff(&self, ws: Id, new: Handoff) -> StoreResult<Handoff> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, baton_id) = (ws.to_string(), new.baton_id.to_string());
        let held = query::one(&tx, BATON_FOR_UPDATE, &[&ws, &baton_id], baton).await?;
        query::one(
            &tx,
            "SELECT 1 FROM members WHERE workspace_id = $1 AND id = $2",
            &[&ws, &new.to_id.to_string()],
            |_| Ok(()),
        )
        .await?;
        may_hand_off(
            &held,
            new.from_id,
            pending_handoff(&tx, &ws, &baton_id).await?,
        )?;
        let sql = concat!(
            "INSERT INTO handoffs AS h (workspace_id, id, baton_id, from_id, to_id, state, next_step,
                                        blockers, links, created_at, delivers_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending')
             RETURNING ",
            handoff_cols!()
        );
        let note = &new.note;
        let params: Params = &[
            &ws,
            &new.id.to_string(),
            &baton_id,
            &new.from_id.to_string(),
            &new.to_id.to_string(),
            &note.state,
            &note.next_step,
            &note.blockers,
            &note.links,
            &ms(new.created_at),
            &ms(new.delivers_at),
        ];
        let written = query::one(&tx, sql, params, handoff).await?;
        insert_event(&tx, &ws, &EventRow::of_handoff(&written)?).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn handoff(&self, ws: Id, id: Id) -> StoreResult<Handoff> {
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, HANDOFF_BY_ID, params, handoff).await
    }

    async fn pending_handoff(&self, ws: Id, baton: Id) -> StoreResult<Option<Handoff>> {
        let sql = concat!(
            "SELECT ",
            handoff_cols!(),
            " FROM handoffs h WHERE h.workspace_id = $1 AND h.baton_id = $2 AND h.status = 'pending'"
        );
        let params: Params = &[&ws.to_string(), &baton.to_string()];
        query::opt(&self.client().await?, sql, params, handoff).await
    }

    async fn resolve_handoff(
        &self,
        ws: Id,
        id: Id,
        resolution: Resolution,
        at: Timestamp,
    ) -> StoreResult<Handoff> {
        let resolving = Resolving::new(resolution, at);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        query::one(&tx, HANDOFF_BY_ID, &[&ws, &id], |_| Ok(())).await?;
        let sql = concat!(
            "UPDATE handoffs AS h SET status = $3, resolved_at = $4, bounce_reason = $5
             WHERE h.workspace_id = $1 AND h.id = $2 AND h.status = 'pending'
             RETURNING ",
            handoff_cols!()
        );
        let params: Params = &[
            &ws,
            &id,
            &resolving.status,
            &resolving.resolved_at,
            &resolving.bounce_reason,
        ];
        let Some(resolved) = query::opt(&tx, sql, params, handoff).await? else {
            return Err(already_resolved());
        };
        if let Some((baton, holder)) = new_holder(&resolved) {
            query::exec(
                &tx,
                "UPDATE batons SET holder_id = $3 WHERE workspace_id = $1 AND id = $2",
                &[&ws, &baton, &holder],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(resolved)
    }

    async fn handoffs_of(
        &self,
        ws: Id,
        baton_id: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Handoff>> {
        let sql = concat!(
            "SELECT ",
            handoff_cols!(),
            ", h.seq FROM handoffs h WHERE h.workspace_id = $1 AND h.baton_id = $2 AND h.seq > $3
             ORDER BY h.seq LIMIT $4"
        );
        let client = self.client().await?;
        let (ws, baton_id) = (ws.to_string(), baton_id.to_string());
        let params: Params = &[
            &ws,
            &baton_id,
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let list = query::all(&client, sql, params, |r| {
            Ok((handoff(r)?, r.try_get("seq")?))
        })
        .await?;
        if list.is_empty() {
            // Only then tell an unknown baton (`NotFound`) from one never handed off.
            query::one(&client, BATON_BY_ID, &[&ws, &baton_id], |_| Ok(())).await?;
        }
        Ok(Page::from_seq_rows(list, page))
    }

    async fn handoffs_waiting_for(
        &self,
        ws: Id,
        member: Id,
        now: Timestamp,
    ) -> StoreResult<Vec<(Handoff, Baton)>> {
        let sql = concat!(
            "SELECT ",
            handoff_cols!(),
            " FROM handoffs h WHERE h.workspace_id = $1 AND h.to_id = $2 AND h.status = 'pending'
               AND h.delivers_at <= $3 ORDER BY h.seq"
        );
        let client = self.client().await?;
        let ws = ws.to_string();
        let params: Params = &[&ws, &member.to_string(), &ms(now)];
        let handoffs = query::all(&client, sql, params, handoff).await?;
        let mut waiting = Vec::with_capacity(handoffs.len());
        for h in handoffs {
            let params: Params = &[&ws, &h.baton_id.to_string()];
            let held = query::one(&client, BATON_BY_ID, params, baton).await?;
            waiting.push((h, held));
        }
        Ok(waiting)
    }
}
