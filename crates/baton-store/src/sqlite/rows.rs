//! Mapping between SQLite rows and baton-core records, and SQLite errors into [`StoreError`].
//! The row mappings read the lists of [`crate::columns`] by position.

use baton_core::Id;
use baton_core::expectation::Expectation;
use baton_core::model::{Ask, Member, Post, Space, Thread, Workspace};
use baton_core::role::Role;
use baton_core::visibility::Visibility;
use jiff::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::{ErrorCode, Row};

use crate::columns::{ask_cols, member_cols, post_cols, space_cols, thread_cols};
use crate::{StoreError, constraint};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(f, msg) => match f.code {
                ErrorCode::ConstraintViolation => {
                    let msg = msg.as_deref().unwrap_or_default();
                    if msg.contains("FOREIGN KEY") {
                        StoreError::NotFound
                    } else {
                        StoreError::Conflict {
                            constraint: constraint::by_sqlite_message(msg),
                        }
                    }
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    StoreError::Unavailable(e.to_string())
                }
                ErrorCode::CannotOpen | ErrorCode::DiskFull | ErrorCode::SystemIoFailure => {
                    StoreError::Unavailable(e.to_string())
                }
                _ => StoreError::Other(e.into()),
            },
            _ => StoreError::Other(e.into()),
        }
    }
}

/// Unix milliseconds to a timestamp, as a rusqlite conversion error when out of range.
pub(super) fn ts(ms: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A timestamp as stored.
pub(super) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn conversion(e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Reads an id column.
pub(super) fn id(row: &Row<'_>, idx: usize) -> rusqlite::Result<Id> {
    // Parsed in place: every request reads several ids, and a `String` each is an allocation.
    let parsed = match row.get_ref(idx)? {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok().and_then(|t| t.parse().ok()),
        _ => None,
    };
    if let Some(id) = parsed {
        return Ok(id);
    }
    // Not text, or not an id: read it as a string for the same errors as before.
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|_| conversion(std::io::Error::other(format!("bad id in database: {text}"))))
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(conversion)
}

/// Serializes a value for a JSON text column.
pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

/// A workspace from `workspace_cols!()`.
pub(super) fn workspace(row: &Row<'_>) -> rusqlite::Result<Workspace> {
    Ok(Workspace {
        id: id(row, 0)?,
        name: row.get(1)?,
        created_at: ts(row.get(2)?)?,
    })
}

/// Columns of [`member`], in order, for `SELECT … FROM members m`.
pub(super) const MEMBER_COLS: &str = member_cols!();

/// A member from [`MEMBER_COLS`].
pub(super) fn member(row: &Row<'_>) -> rusqlite::Result<Member> {
    member_at(row, 0)
}

/// A member from [`MEMBER_COLS`] starting at column `at`.
pub(super) fn member_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Member> {
    let role: String = row.get(at + 5)?;
    Ok(Member {
        id: id(row, at)?,
        workspace_id: id(row, at + 1)?,
        email: row.get(at + 2)?,
        name: row.get(at + 3)?,
        timezone: row.get(at + 4)?,
        role: Role::parse(&role).map_err(conversion)?,
        active: row.get(at + 6)?,
        created_at: ts(row.get(at + 7)?)?,
        seq: row.get(at + 8)?,
    })
}

/// Columns of [`space`], in order.
pub(super) const SPACE_COLS: &str = space_cols!();

/// A space from [`SPACE_COLS`].
pub(super) fn space(row: &Row<'_>) -> rusqlite::Result<Space> {
    space_at(row, 0)
}

/// A space from [`SPACE_COLS`] starting at column `at` (after other records' columns).
pub(super) fn space_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Space> {
    let visibility: String = row.get(at + 2)?;
    Ok(Space {
        id: id(row, at)?,
        name: row.get(at + 1)?,
        visibility: Visibility::parse(&visibility).map_err(conversion)?,
        created_by: id(row, at + 3)?,
        created_at: ts(row.get(at + 4)?)?,
        seq: row.get(at + 5)?,
    })
}

/// Columns of [`thread`], in order.
pub(super) const THREAD_COLS: &str = thread_cols!();

/// A thread from [`THREAD_COLS`].
pub(super) fn thread(row: &Row<'_>) -> rusqlite::Result<Thread> {
    let expectation: String = row.get(4)?;
    Ok(Thread {
        id: id(row, 0)?,
        space_id: id(row, 1)?,
        title: row.get(2)?,
        author_id: id(row, 3)?,
        expectation: json::<Expectation>(&expectation)?,
        created_at: ts(row.get(5)?)?,
        last_post_at: ts(row.get(6)?)?,
        last_post_seq: row.get(7)?,
        post_count: row.get(8)?,
        seq: row.get(9)?,
    })
}

/// Columns of [`post`], in order.
pub(super) const POST_COLS: &str = post_cols!();

/// A post from [`POST_COLS`].
pub(super) fn post(row: &Row<'_>) -> rusqlite::Result<Post> {
    let expectation: Option<String> = row.get(5)?;
    let edited_at: Option<i64> = row.get(7)?;
    Ok(Post {
        id: id(row, 0)?,
        thread_id: id(row, 1)?,
        author_id: id(row, 2)?,
        body: row.get(3)?,
        html: row.get(4)?,
        expectation: expectation.as_deref().map(json).transpose()?,
        created_at: ts(row.get(6)?)?,
        edited_at: edited_at.map(ts).transpose()?,
        seq: row.get(8)?,
    })
}

/// Columns of [`ask`], in order.
pub(super) const ASK_COLS: &str = ask_cols!();

/// An ask from [`ASK_COLS`].
pub(super) fn ask(row: &Row<'_>) -> rusqlite::Result<Ask> {
    let answered_at: Option<i64> = row.get(7)?;
    Ok(Ask {
        id: id(row, 0)?,
        thread_id: id(row, 1)?,
        post_id: id(row, 2)?,
        from_id: id(row, 3)?,
        to_id: id(row, 4)?,
        due_at: ts(row.get(5)?)?,
        created_at: ts(row.get(6)?)?,
        answered_at: answered_at.map(ts).transpose()?,
    })
}
