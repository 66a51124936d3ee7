//! Urgent sends, the workspace's urgent budget and the audit log on PostgreSQL.
//!
//! Each write is its own transaction here, so two urgent posts by one sender could both count
//! the same earlier sends and both pass. The urgent write therefore first takes a
//! transaction-scoped advisory lock keyed on the sender, then counts: the second waits for the
//! first to commit and, reading committed data afresh (READ COMMITTED), counts it. An advisory
//! lock rather than a lock on the member row, because delivery claims lock member rows
//! `SKIP LOCKED` and would skip the sender's deliveries meanwhile.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::{AuditEntry, UrgentBudget, UrgentOutcome, UrgentSend};
use baton_core::model::{CreatedThread, NewPost, NewThread, Post};
use baton_core::page::{Page, PageRequest};
use deadpool_postgres::{GenericClient, Transaction};
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::audit::{self, AUDIT_COLS, entry};
use super::deliveries::insert_event;
use super::error::corrupt;
use super::query::{self, Params, found};
use super::rows::{self, ms};
use super::threads::{append_post, insert_thread};
use crate::events::UrgentRecord;
use crate::{IdempotencyKey, StoreResult, UrgentStore};

fn at_column(row: &Row) -> StoreResult<Timestamp> {
    rows::ts(row, "at")
}

async fn sends_since<C: GenericClient>(
    c: &C,
    ws: &str,
    member: &str,
    since: Timestamp,
) -> StoreResult<Vec<Timestamp>> {
    let params: Params = &[&ws, &member, &ms(since)];
    query::all(
        c,
        "SELECT at FROM audit_log
         WHERE workspace_id = $1 AND actor_id = $2 AND action = 'urgent.sent' AND at > $3
         ORDER BY at DESC",
        params,
        at_column,
    )
    .await
}

/// Holds off the sender's other urgent writes until this transaction ends.
async fn lock_sender(tx: &Transaction<'_>, ws: &str, sender: Id) -> StoreResult<()> {
    let key = format!("urgent:{ws}:{sender}");
    let params: Params = &[&key];
    query::exec(
        tx,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        params,
    )
    .await?;
    Ok(())
}

/// For an urgent post just written in `tx` (after [`lock_sender`]): decides it against the
/// sender's budget and stores its event and audit entry.
async fn record_urgent(
    tx: &Transaction<'_>,
    ws: &str,
    post: &Post,
    urgent: &UrgentSend,
) -> StoreResult<UrgentOutcome> {
    let since = UrgentRecord::counted_since(post);
    let sent = sends_since(tx, ws, &post.author_id.to_string(), since).await?;
    let record = UrgentRecord::decide(post, urgent, &sent)?;
    insert_event(tx, ws, &record.event).await?;
    audit::record(tx, ws, &record.audit).await?;
    Ok(record.outcome)
}

fn budget_column(row: &Row) -> StoreResult<UrgentBudget> {
    let n: i64 = row.try_get("urgent_budget")?;
    UrgentBudget::new(n).map_err(|e| corrupt(format!("urgent budget {n}: {}", e.message)))
}

fn member_column(row: &Row) -> StoreResult<Id> {
    rows::id(row, "member_id")
}

#[async_trait]
impl UrgentStore for PgStore {
    async fn urgent_budget(&self, ws: Id) -> StoreResult<UrgentBudget> {
        let params: Params = &[&ws.to_string()];
        let stored = query::opt(
            &self.client().await?,
            "SELECT urgent_budget::BIGINT AS urgent_budget FROM workspace_settings WHERE workspace_id = $1",
            params,
            budget_column,
        )
        .await?;
        Ok(stored.unwrap_or_default())
    }

    async fn set_urgent_budget(
        &self,
        ws: Id,
        budget: UrgentBudget,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        let (ws, by, n) = (
            ws.to_string(),
            by.to_string(),
            i32::try_from(budget.per_week()).unwrap_or(i32::MAX),
        );
        let params: Params = &[&ws, &n, &by, &ms(at)];
        let written = query::exec(
            &self.client().await?,
            "INSERT INTO workspace_settings (workspace_id, urgent_budget, updated_by, updated_at)
             SELECT $1, $2, m.id, $4 FROM members m WHERE m.workspace_id = $1 AND m.id = $3
             ON CONFLICT (workspace_id) DO UPDATE SET urgent_budget = excluded.urgent_budget,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params,
        )
        .await?;
        found(written)
    }

    async fn urgent_sends_since(
        &self,
        ws: Id,
        member: Id,
        since: Timestamp,
    ) -> StoreResult<Vec<Timestamp>> {
        sends_since(
            &self.client().await?,
            &ws.to_string(),
            &member.to_string(),
            since,
        )
        .await
    }

    async fn create_urgent_thread(
        &self,
        ws: Id,
        thread: NewThread,
        urgent: UrgentSend,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<(CreatedThread, UrgentOutcome)> {
        let at = thread.first_post.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move {
                let ws = ws.to_string();
                lock_sender(tx, &ws, thread.first_post.author_id).await?;
                let created = insert_thread(tx, &ws, &thread).await?;
                let outcome = record_urgent(tx, &ws, &created.post, &urgent).await?;
                Ok((created, outcome))
            })
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
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move {
                let ws = ws.to_string();
                lock_sender(tx, &ws, post.author_id).await?;
                let written = append_post(tx, &ws, &post).await?;
                let outcome = record_urgent(tx, &ws, &written, &urgent).await?;
                Ok((written, outcome))
            })
        })
        .await
    }

    async fn audit_log(&self, ws: Id, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audit_log WHERE workspace_id = $1 AND seq < $2
             ORDER BY seq DESC LIMIT $3"
        );
        let params: Params = &[
            &ws.to_string(),
            &page.after.unwrap_or(i64::MAX),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, &sql, params, entry).await?;
        Ok(Page::from_rows(rows, page, |e| e.seq))
    }

    async fn audit_of_post(&self, ws: Id, post: Id) -> StoreResult<Option<AuditEntry>> {
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audit_log WHERE workspace_id = $1 AND post_id = $2
             ORDER BY seq DESC LIMIT 1"
        );
        let params: Params = &[&ws.to_string(), &post.to_string()];
        query::opt(&self.client().await?, &sql, params, entry).await
    }

    async fn thread_relay_legs(&self, ws: Id, thread: Id) -> StoreResult<Vec<Id>> {
        let params: Params = &[&ws.to_string(), &thread.to_string()];
        let all = query::all(
            &self.client().await?,
            "SELECT l.member_id FROM baton_threads bt
             JOIN batons b ON b.id = bt.baton_id AND b.workspace_id = bt.workspace_id AND b.status = 'open'
             JOIN relay_legs l ON l.relay_id = b.relay_id AND l.workspace_id = bt.workspace_id
             WHERE bt.workspace_id = $1 AND bt.thread_id = $2
             ORDER BY bt.seq, l.position",
            params,
            member_column,
        )
        .await?;
        let mut seen = std::collections::HashSet::new();
        Ok(all.into_iter().filter(|id| seen.insert(*id)).collect())
    }
}
