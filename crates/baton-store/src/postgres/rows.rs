//! PostgreSQL rows into baton-core records, and values into their stored form.
//!
//! Rows are read by column name, from the lists in [`crate::columns`].

use baton_core::Id;
use baton_core::expectation::Expectation;
use baton_core::model::{
    Ask, Member, Post, PostRevision, Space, Thread, ThreadSummary, TokenInfo, Workspace,
};
use baton_core::role::Role;
use baton_core::visibility::Visibility;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;

use super::error::corrupt;
use crate::{StoreError, StoreResult};

pub(super) use crate::columns::{
    ask_cols, member_cols, post_cols, revision_cols, space_cols, thread_cols, token_cols,
    workspace_cols,
};

/// An instant as stored: unix milliseconds.
pub(super) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// A value for a JSON text column.
pub(super) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}

/// A value read back from a JSON text column.
pub(super) fn from_json<T: DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("JSON {text:?}: {e}")))
}

pub(super) fn id(row: &Row, column: &str) -> StoreResult<Id> {
    let text: &str = row.try_get(column)?;
    text.parse()
        .map_err(|_| corrupt(format!("{column} {text:?} is not an id")))
}

pub(super) fn ts(row: &Row, column: &str) -> StoreResult<Timestamp> {
    let millis: i64 = row.try_get(column)?;
    Timestamp::from_millisecond(millis).map_err(|e| corrupt(format!("{column} {millis}: {e}")))
}

pub(super) fn ts_opt(row: &Row, column: &str) -> StoreResult<Option<Timestamp>> {
    let millis: Option<i64> = row.try_get(column)?;
    millis
        .map(|m| Timestamp::from_millisecond(m).map_err(|e| corrupt(format!("{column} {m}: {e}"))))
        .transpose()
}

/// A workspace from [`workspace_cols`].
pub(super) fn workspace(row: &Row) -> StoreResult<Workspace> {
    Ok(Workspace {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        created_at: ts(row, "created_at")?,
    })
}

/// A member from [`member_cols`].
pub(super) fn member(row: &Row) -> StoreResult<Member> {
    let role: &str = row.try_get("role")?;
    Ok(Member {
        id: id(row, "id")?,
        workspace_id: id(row, "workspace_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        timezone: row.try_get("timezone")?,
        role: Role::parse(role).map_err(|_| corrupt(format!("role {role:?}")))?,
        active: row.try_get("active")?,
        created_at: ts(row, "created_at")?,
        seq: row.try_get("seq")?,
    })
}

/// A token from [`token_cols`].
pub(super) fn token(row: &Row) -> StoreResult<TokenInfo> {
    Ok(TokenInfo {
        id: id(row, "id")?,
        member_id: id(row, "member_id")?,
        label: row.try_get("label")?,
        created_at: ts(row, "created_at")?,
    })
}

/// A space from [`space_cols`].
pub(super) fn space(row: &Row) -> StoreResult<Space> {
    let visibility: &str = row.try_get("visibility")?;
    Ok(Space {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        visibility: Visibility::parse(visibility)
            .map_err(|_| corrupt(format!("visibility {visibility:?}")))?,
        created_by: id(row, "created_by")?,
        created_at: ts(row, "created_at")?,
        seq: row.try_get("seq")?,
    })
}

/// A thread from [`thread_cols`], its space from `s_`-prefixed columns and an `is_member` column.
pub(super) fn thread_with_space(row: &Row) -> StoreResult<(Thread, Space, bool)> {
    let visibility: &str = row.try_get("s_visibility")?;
    let space = Space {
        id: id(row, "s_id")?,
        name: row.try_get("s_name")?,
        visibility: Visibility::parse(visibility)
            .map_err(|_| corrupt(format!("visibility {visibility:?}")))?,
        created_by: id(row, "s_created_by")?,
        created_at: ts(row, "s_created_at")?,
        seq: row.try_get("s_seq")?,
    };
    Ok((thread(row)?, space, row.try_get("is_member")?))
}

/// A space from [`space_cols`] followed by an `is_member` column.
pub(super) fn space_with_membership(row: &Row) -> StoreResult<(Space, bool)> {
    Ok((space(row)?, row.try_get("is_member")?))
}

/// A thread from [`thread_cols`].
pub(super) fn thread(row: &Row) -> StoreResult<Thread> {
    Ok(Thread {
        id: id(row, "id")?,
        space_id: id(row, "space_id")?,
        title: row.try_get("title")?,
        author_id: id(row, "author_id")?,
        expectation: from_json::<Expectation>(row.try_get("expectation")?)?,
        created_at: ts(row, "created_at")?,
        last_post_at: ts(row, "last_post_at")?,
        last_post_seq: row.try_get("last_post_seq")?,
        post_count: row.try_get("post_count")?,
        seq: row.try_get("seq")?,
    })
}

/// A post from [`post_cols`].
pub(super) fn post(row: &Row) -> StoreResult<Post> {
    let expectation: Option<&str> = row.try_get("expectation")?;
    Ok(Post {
        id: id(row, "id")?,
        thread_id: id(row, "thread_id")?,
        author_id: id(row, "author_id")?,
        body: row.try_get("body")?,
        html: row.try_get("html")?,
        expectation: expectation.map(from_json::<Expectation>).transpose()?,
        created_at: ts(row, "created_at")?,
        edited_at: ts_opt(row, "edited_at")?,
        seq: row.try_get("seq")?,
    })
}

/// A revision from [`revision_cols`].
pub(super) fn revision(row: &Row) -> StoreResult<PostRevision> {
    Ok(PostRevision {
        body: row.try_get("body")?,
        html: row.try_get("html")?,
        replaced_at: ts(row, "replaced_at")?,
    })
}

/// A thread from [`thread_cols`] followed by the viewer's `unread` count.
pub(super) fn thread_summary(row: &Row) -> StoreResult<ThreadSummary> {
    Ok(ThreadSummary {
        thread: thread(row)?,
        unread: row.try_get("unread")?,
    })
}

/// An ask from [`ask_cols`].
pub(super) fn ask(row: &Row) -> StoreResult<Ask> {
    Ok(Ask {
        id: id(row, "id")?,
        thread_id: id(row, "thread_id")?,
        post_id: id(row, "post_id")?,
        from_id: id(row, "from_id")?,
        to_id: id(row, "to_id")?,
        due_at: ts(row, "due_at")?,
        created_at: ts(row, "created_at")?,
        answered_at: ts_opt(row, "answered_at")?,
    })
}
