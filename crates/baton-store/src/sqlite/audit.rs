//! The audit log's rows on SQLite: how an entry is read back and written, for every act that
//! records one (urgent sends, tokens, roles, deactivations, ownership) in its own transaction.

use baton_core::Id;
use baton_core::audit::{AuditAction, AuditEntry};
use baton_core::delivery::UrgentLeg;
use rusqlite::{Connection, Row};

use super::rows::{self, ms, to_json, ts};
use crate::StoreResult;
use crate::columns::audit_cols;

/// The columns [`entry`] reads, in order.
pub(super) const AUDIT_COLS: &str = audit_cols!();

fn conversion(message: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(message)))
}

fn opt_id(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Id>> {
    match r.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => rows::id(r, idx).map(Some),
    }
}

/// An audit entry from [`AUDIT_COLS`].
pub(super) fn entry(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let action: String = r.get(2)?;
    let legs: String = r.get(5)?;
    Ok(AuditEntry {
        id: rows::id(r, 0)?,
        actor_id: rows::id(r, 1)?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| conversion(format!("unknown audit action in database: {action}")))?,
        thread_id: opt_id(r, 3)?,
        post_id: opt_id(r, 4)?,
        legs: serde_json::from_str::<Vec<UrgentLeg>>(&legs)
            .map_err(|e| conversion(format!("bad audit legs in database: {e}")))?,
        at: ts(r.get(6)?)?,
        seq: r.get(7)?,
        subject_id: opt_id(r, 8)?,
        token_id: opt_id(r, 9)?,
        detail: r.get(10)?,
    })
}

/// Writes `entry` (its `seq` is assigned here) in the caller's transaction.
pub(super) fn record(c: &Connection, ws: &str, entry: &AuditEntry) -> StoreResult<()> {
    let text = |id: Option<Id>| id.map(|i| i.to_string());
    c.prepare_cached(
        "INSERT INTO audit_log (workspace_id, id, actor_id, action, thread_id, post_id, legs, at, subject_id, token_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute((
        ws,
        entry.id.to_string(),
        entry.actor_id.to_string(),
        entry.action.as_str(),
        text(entry.thread_id),
        text(entry.post_id),
        to_json(&entry.legs)?,
        ms(entry.at),
        text(entry.subject_id),
        text(entry.token_id),
        entry.detail.as_deref(),
    ))?;
    Ok(())
}
