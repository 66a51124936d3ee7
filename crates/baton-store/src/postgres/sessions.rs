//! Browser sessions on PostgreSQL.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, NewMember, NewSession, SessionInfo, Workspace};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::members::{insert_member, insert_workspace};
use super::query::{self, Params, found};
use super::rows::{self, member_cols, ms};
use crate::{Constraint, SessionStore, StoreError, StoreResult};

/// Ends every live session of a member; `params` are `[workspace, member, at]`.
pub(super) async fn end_all(c: &impl GenericClient, params: Params<'_>) -> StoreResult<()> {
    query::exec(
        c,
        "UPDATE web_sessions SET ended_at = $3
         WHERE workspace_id = $1 AND member_id = $2 AND ended_at IS NULL",
        params,
    )
    .await?;
    Ok(())
}

/// Stores a session for a member of `ws` (`NotFound` when the member is not in `ws`).
async fn insert_session(c: &impl GenericClient, ws: &str, s: &NewSession) -> StoreResult<()> {
    let params: Params = &[
        &ws,
        &s.id.to_string(),
        &s.member_id.to_string(),
        &s.hash,
        &ms(s.created_at),
    ];
    found(
        query::exec(
            c,
            "INSERT INTO web_sessions (workspace_id, id, member_id, token_hash, created_at, last_seen_at)
             SELECT $1, $2, m.id, $4, $5, $5 FROM members m WHERE m.workspace_id = $1 AND m.id = $3",
            params,
        )
        .await?,
    )
}

fn session_row(row: &Row) -> StoreResult<(SessionInfo, Member)> {
    let info = SessionInfo {
        id: rows::id(row, "session_id")?,
        created_at: rows::ts(row, "session_created_at")?,
        last_seen_at: rows::ts(row, "last_seen_at")?,
    };
    Ok((info, rows::member(row)?))
}

#[async_trait]
impl SessionStore for PgStore {
    async fn first_run(
        &self,
        workspace: Workspace,
        owner: NewMember,
        session: NewSession,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // The lock makes two racing first runs queue, so the second sees the first's workspace.
        query::exec(&tx, "LOCK TABLE workspaces IN EXCLUSIVE MODE", &[]).await?;
        let exists = query::one(&tx, "SELECT EXISTS (SELECT 1 FROM workspaces)", &[], |r| {
            Ok(r.try_get::<_, bool>(0)?)
        })
        .await?;
        if exists {
            return Err(StoreError::Conflict {
                constraint: Constraint::WorkspaceExists,
            });
        }
        let ws = insert_workspace(&tx, &workspace).await?;
        insert_member(&tx, &ws, &owner).await?;
        insert_session(&tx, &ws, &session).await?;
        Ok(tx.commit().await?)
    }

    async fn create_session(&self, ws: Id, session: NewSession) -> StoreResult<()> {
        insert_session(&self.client().await?, &ws.to_string(), &session).await
    }

    async fn session(
        &self,
        hash: &str,
        idle_since: Timestamp,
    ) -> StoreResult<Option<(SessionInfo, Member)>> {
        let sql = concat!(
            "SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, ",
            member_cols!(),
            " FROM web_sessions s JOIN members m ON m.id = s.member_id AND m.workspace_id = s.workspace_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.last_seen_at >= $2 AND m.active"
        );
        query::opt(
            &self.client().await?,
            sql,
            &[&hash, &ms(idle_since)],
            session_row,
        )
        .await
    }

    async fn touch_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        query::exec(
            &self.client().await?,
            "UPDATE web_sessions SET last_seen_at = $3 WHERE workspace_id = $1 AND id = $2",
            &[&ws.to_string(), &id.to_string(), &ms(at)],
        )
        .await?;
        Ok(())
    }

    async fn end_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()> {
        query::exec(
            &self.client().await?,
            "UPDATE web_sessions SET ended_at = $3
             WHERE workspace_id = $1 AND id = $2 AND ended_at IS NULL",
            &[&ws.to_string(), &id.to_string(), &ms(at)],
        )
        .await?;
        Ok(())
    }
}
