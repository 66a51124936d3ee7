//! Urgent sends, the workspace's urgent budget and the audit log on SQLite.
//!
//! Every write runs on the one writer thread, so counting a sender's urgent sends and writing
//! the next one cannot interleave with another urgent post: the writer is the lock.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::{AuditEntry, UrgentBudget, UrgentOutcome, UrgentSend};
use baton_core::model::{CreatedThread, NewPost, NewThread, Post};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::audit::{self, AUDIT_COLS, entry};
use super::deliveries::insert_event;
use super::rows::{self, ms, ts};
use super::threads::{insert_post, insert_thread};
use crate::events::UrgentRecord;
use crate::{IdempotencyKey, StoreError, StoreResult, UrgentStore};

fn sends_since(
    c: &Connection,
    ws: &str,
    member: &str,
    since: Timestamp,
) -> StoreResult<Vec<Timestamp>> {
    let mut stmt = c.prepare_cached(
        "SELECT at FROM audit_log WHERE workspace_id = ?1 AND actor_id = ?2 AND action = 'urgent.sent' AND at > ?3
         ORDER BY at DESC",
    )?;
    let list = stmt
        .query_map((ws, member, ms(since)), |r| ts(r.get(0)?))?
        .collect::<Result<_, _>>()?;
    Ok(list)
}

/// For an urgent post just written on the writer's open transaction: decides it against the
/// sender's budget and stores its event and audit entry.
fn record_urgent(
    c: &Connection,
    ws: &str,
    post: &Post,
    urgent: &UrgentSend,
) -> StoreResult<UrgentOutcome> {
    let since = UrgentRecord::counted_since(post);
    let sent = sends_since(c, ws, &post.author_id.to_string(), since)?;
    let record = UrgentRecord::decide(post, urgent, &sent)?;
    insert_event(c, ws, &record.event)?;
    audit::record(c, ws, &record.audit)?;
    Ok(record.outcome)
}

#[async_trait]
impl UrgentStore for SqliteStore {
    async fn urgent_budget(&self, ws: Id) -> StoreResult<UrgentBudget> {
        self.engine
            .read(move |c| {
                let stored: Option<i64> = c
                    .prepare_cached(
                        "SELECT urgent_budget FROM workspace_settings WHERE workspace_id = ?1",
                    )?
                    .query_row([ws.to_string()], |r| r.get(0))
                    .optional()?;
                stored.map_or(Ok(UrgentBudget::DEFAULT), |n| {
                    UrgentBudget::new(n).map_err(|e| {
                        StoreError::Other(anyhow::anyhow!("stored urgent budget: {}", e.message))
                    })
                })
            })
            .await
    }

    async fn set_urgent_budget(
        &self,
        ws: Id,
        budget: UrgentBudget,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, by) = (ws.to_string(), by.to_string());
                c.prepare_cached("SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2")?
                    .query_row((&ws, &by), |_| Ok(()))?;
                c.prepare_cached(
                    "INSERT INTO workspace_settings (workspace_id, urgent_budget, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (workspace_id) DO UPDATE SET urgent_budget = excluded.urgent_budget,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )?
                .execute((&ws, i64::from(budget.per_week()), &by, ms(at)))?;
                Ok(())
            })
            .await
    }

    async fn urgent_sends_since(
        &self,
        ws: Id,
        member: Id,
        since: Timestamp,
    ) -> StoreResult<Vec<Timestamp>> {
        self.engine
            .read(move |c| sends_since(c, &ws.to_string(), &member.to_string(), since))
            .await
    }

    async fn create_urgent_thread(
        &self,
        ws: Id,
        new: NewThread,
        urgent: UrgentSend,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<(CreatedThread, UrgentOutcome)> {
        let at = new.first_post.created_at;
        self.write_idempotent_repeatable(ws, idem, at, move |c| {
            let ws = ws.to_string();
            let created = insert_thread(c, &ws, &new)?;
            let outcome = record_urgent(c, &ws, &created.post, &urgent)?;
            Ok((created, outcome))
        })
        .await
    }

    async fn create_urgent_post(
        &self,
        ws: Id,
        post: NewPost,
        urgent: UrgentSend,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<(Post, UrgentOutcome)> {
        let at = post.created_at;
        self.write_idempotent_repeatable(ws, idem, at, move |c| {
            let ws = ws.to_string();
            let written = insert_post(c, &ws, &post)?;
            let outcome = record_urgent(c, &ws, &written, &urgent)?;
            Ok((written, outcome))
        })
        .await
    }

    async fn audit_log(&self, ws: Id, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {AUDIT_COLS} FROM audit_log WHERE workspace_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
                ))?;
                let rows = stmt
                    .query_map((ws.to_string(), page.after.unwrap_or(i64::MAX), i64::from(page.limit) + 1), entry)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |e| e.seq))
            })
            .await
    }

    async fn audit_of_post(&self, ws: Id, post: Id) -> StoreResult<Option<AuditEntry>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {AUDIT_COLS} FROM audit_log WHERE workspace_id = ?1 AND post_id = ?2 ORDER BY seq DESC LIMIT 1"
                ))?
                .query_row((ws.to_string(), post.to_string()), entry)
                .optional()?)
            })
            .await
    }

    async fn thread_relay_legs(&self, ws: Id, thread: Id) -> StoreResult<Vec<Id>> {
        self.engine
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT l.member_id FROM baton_threads bt
                     JOIN batons b ON b.id = bt.baton_id AND b.workspace_id = bt.workspace_id AND b.status = 'open'
                     JOIN relay_legs l ON l.relay_id = b.relay_id AND l.workspace_id = bt.workspace_id
                     WHERE bt.workspace_id = ?1 AND bt.thread_id = ?2
                     ORDER BY bt.seq, l.position",
                )?;
                let all: Vec<Id> = stmt
                    .query_map((ws.to_string(), thread.to_string()), |r| rows::id(r, 0))?
                    .collect::<Result<_, _>>()?;
                let mut seen = std::collections::HashSet::new();
                Ok(all.into_iter().filter(|id| seen.insert(*id)).collect())
            })
            .await
    }
}
