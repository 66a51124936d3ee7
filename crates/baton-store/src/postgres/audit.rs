//! The audit log's rows on PostgreSQL: how an entry is read back and written, for every act
//! that records one (urgent sends, tokens, roles, deactivations, ownership) in its own
//! transaction.

use baton_core::Id;
use baton_core::audit::{AuditAction, AuditEntry};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::error::corrupt;
use super::query::{self, Params};
use super::rows::{self, from_json, ms, to_json};
use crate::StoreResult;
use crate::columns::audit_cols;

/// The columns [`entry`] reads.
pub(super) const AUDIT_COLS: &str = audit_cols!();

fn opt_id(row: &Row, column: &str) -> StoreResult<Option<Id>> {
    match row.try_get::<_, Option<&str>>(column)? {
        None => Ok(None),
        Some(_) => rows::id(row, column).map(Some),
    }
}

/// An audit entry from [`AUDIT_COLS`].
pub(super) fn entry(row: &Row) -> StoreResult<AuditEntry> {
    let action: String = row.try_get("action")?;
    Ok(AuditEntry {
        id: rows::id(row, "id")?,
        actor_id: rows::id(row, "actor_id")?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| corrupt(format!("audit action {action}")))?,
        thread_id: opt_id(row, "thread_id")?,
        post_id: opt_id(row, "post_id")?,
        legs: from_json(&row.try_get::<_, String>("legs")?)?,
        at: rows::ts(row, "at")?,
        seq: row.try_get("seq")?,
        subject_id: opt_id(row, "subject_id")?,
        token_id: opt_id(row, "token_id")?,
        detail: row.try_get("detail")?,
    })
}

/// Writes `entry` (its `seq` is assigned here) in the caller's transaction.
pub(super) async fn record<C: GenericClient>(
    c: &C,
    ws: &str,
    entry: &AuditEntry,
) -> StoreResult<()> {
    let text = |id: Option<Id>| id.map(|i| i.to_string());
    let (id, actor, thread, post) = (
        entry.id.to_string(),
        entry.actor_id.to_string(),
        text(entry.thread_id),
        text(entry.post_id),
    );
    let (legs, at, subject, token) = (
        to_json(&entry.legs)?,
        ms(entry.at),
        text(entry.subject_id),
        text(entry.token_id),
    );
    let params: Params = &[
        &ws,
        &id,
        &actor,
        &entry.action.as_str(),
        &thread,
        &post,
        &legs,
        &at,
        &subject,
        &token,
        &entry.detail,
    ];
    query::exec(
        c,
        "INSERT INTO audit_log (workspace_id, id, actor_id, action, thread_id, post_id, legs, at, subject_id, token_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        params,
    )
    .await?;
    Ok(())
}
