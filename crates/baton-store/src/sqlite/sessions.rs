//! Browser sessions on SQLite.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, NewMember, NewSession, SessionInfo, Workspace};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::members::{insert_member, insert_workspace};
use super::rows::{self, MEMBER_COLS, ms, ts};
use crate::{Constraint, SessionStore, StoreError, StoreResult};

/// Ends every live session of a member (inside the caller's transaction).
pub(super) fn end_all(c: &Connection, ws: &str, member: &str, at: Timestamp) -> StoreResult<()> {
    c.prepare_cached(
        "UPDATE web_sessions SET ended_at = ?3
         WHERE workspace_id = ?1 AND member_id = ?2 AND ended_at IS NULL",
    )?
    .execute((ws, member, ms(at)))?;
    Ok(())
}

/// Stores a session for a member of `ws` (`NotFound` when the member is not in `ws`).
fn insert_session(c: &Connection, ws: &str, s: &NewSession) -> StoreResult<()> {
    let n = c
        .prepare_cached(
            "INSERT INTO web_sessions (workspace_id, id, member_id, token_hash, created_at, last_seen_at)
             SELECT ?1, ?2, m.id, ?4, ?5, ?5 FROM members m WHERE m.workspace_id = ?1 AND m.id = ?3",
        )?
        .execute((ws, s.id.to_string(), s.member_id.to_string(), &s.hash, ms(s.created_at)))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn first_run(
        &self,
        workspace: Workspace,
        owner: NewMember,
        session: NewSession,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let exists: bool = c
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM workspaces)")?
                    .query_row([], |r| r.get(0))?;
                if exists {
                    return Err(StoreError::Conflict {
                        constraint: Constraint::WorkspaceExists,
                    });
                }
                let ws = insert_workspace(c, &workspace)?;
                insert_member(c, &ws, &owner)?;
                insert_session(c, &ws, &session)
            })
            .await
    }

    async fn create_session(&self, ws: Id, session: NewSession) -> StoreResult<()> {
        self.engine
            .write(move |c| insert_session(c, &ws.to_string(), &session))
            .await
    }

    async fn session(
        &self,
        hash: &str,
        idle_since: Timestamp,
    ) -> StoreResult<Option<(SessionInfo, Member)>> {
        let hash = hash.to_owned();
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT s.id, s.created_at, s.last_seen_at, {MEMBER_COLS}
                     FROM web_sessions s JOIN members m ON m.id = s.member_id AND m.workspace_id = s.workspace_id
                     WHERE s.token_hash = ?1 AND s.ended_at IS NULL AND s.last_seen_at >= ?2 AND m.active = 1"
                ))?
                .query_row((hash, ms(idle_since)), |r| {
                    let info = SessionInfo {
                        id: rows::id(r, 0)?,
                        created_at: ts(r.get(1)?)?,
                        last_seen_at: ts(r.get(2)?)?,
                    };
                    Ok((info, rows::member_at(r, 3)?))
                })
                .optional()?)
            })
            .await
    }

    async fn touch_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE web_sessions SET last_seen_at = ?3 WHERE workspace_id = ?1 AND id = ?2",
                )?
                .execute((ws.to_string(), id.to_string(), ms(at)))?;
                Ok(())
            })
            .await
    }

    async fn end_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE web_sessions SET ended_at = ?3
                     WHERE workspace_id = ?1 AND id = ?2 AND ended_at IS NULL",
                )?
                .execute((ws.to_string(), id.to_string(), ms(at)))?;
                Ok(())
            })
            .await
    }
}
