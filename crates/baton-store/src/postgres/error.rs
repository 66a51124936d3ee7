//! PostgreSQL and pool errors into [`StoreError`], in one place.
//!
//! Callers only learn what they can act on: a broken uniqueness rule (`Conflict`), a row that
//! a foreign key could not find (`NotFound`), a database that is down or overloaded
//! (`Unavailable`), or anything else (`Other`, a bug).

use std::error::Error as _;

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::{StoreError, constraint};

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::UNIQUE_VIOLATION {
                return StoreError::Conflict {
                    constraint: constraint::by_index_name(db.constraint()),
                };
            }
            // Every reference a write makes is to a row the caller named (a thread, a member,
            // a workspace); when it is missing, so is the thing the caller asked about.
            if *code == SqlState::FOREIGN_KEY_VIOLATION {
                return StoreError::NotFound;
            }
            if is_unavailable(code) {
                return StoreError::Unavailable(describe(&e));
            }
            return StoreError::Other(e.into());
        }
        // No server error: either the socket failed (I/O, closed) or we misused the driver
        // (a type or column mismatch), which is a bug.
        let io = e.source().is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed() || io {
            StoreError::Unavailable(describe(&e))
        } else {
            StoreError::Other(e.into())
        }
    }
}

impl From<PoolError> for StoreError {
    /// Every pool failure means no connection could be had: the server refused or did not
    /// answer in time, or the pool is shutting down.
    fn from(e: PoolError) -> Self {
        StoreError::Unavailable(describe(&e))
    }
}

/// SQLSTATEs that mean "try again later" rather than "this request is wrong": connection
/// exceptions (class 08), insufficient resources (class 53), an operator or crash shutdown,
/// a server still starting, and a read-only server (a standby during failover).
fn is_unavailable(code: &SqlState) -> bool {
    let text = code.code();
    text.starts_with("08")
        || text.starts_with("53")
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
        || *code == SqlState::READ_ONLY_SQL_TRANSACTION
}

/// An error and its causes on one line: the driver's own `Display` names only the outermost
/// ("error connecting to server"), which alone does not say what to fix.
pub(super) fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// A stored value this code cannot read back: a corrupt row or a schema mismatch.
pub(super) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("unreadable value in PostgreSQL: {what}"))
}
