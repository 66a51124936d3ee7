//! Workspaces, members and API tokens on SQLite.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, NewMember, NewToken, TokenInfo, Workspace};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::rows::{self, MEMBER_COLS, ms, ts};
use crate::{IdempotencyKey, MemberStore, Principal, StoreError, StoreResult, WorkspaceStore};

pub(super) fn insert_member(c: &Connection, ws: &str, m: &NewMember) -> StoreResult<Member> {
    c.prepare_cached(
        "INSERT INTO members (workspace_id, id, email, name, timezone, role, password_hash, active, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)",
    )?
    .execute((ws, m.id.to_string(), &m.email, &m.name, &m.timezone, m.role.as_str(), &m.password_hash, ms(m.created_at)))?;
    member_by_id(c, ws, &m.id.to_string())
}

/// Stores a workspace; returns its id as text for the inserts that follow.
pub(super) fn insert_workspace(c: &Connection, workspace: &Workspace) -> StoreResult<String> {
    let ws = workspace.id.to_string();
    c.prepare_cached("INSERT INTO workspaces (id, name, created_at) VALUES (?1, ?2, ?3)")?
        .execute((&ws, &workspace.name, ms(workspace.created_at)))?;
    Ok(ws)
}

pub(super) fn member_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Member> {
    Ok(c.prepare_cached(&format!(
        "SELECT {MEMBER_COLS} FROM members m WHERE m.workspace_id = ?1 AND m.id = ?2"
    ))?
    .query_row((ws, id), rows::member)?)
}

fn insert_token(c: &Connection, ws: &str, t: &NewToken) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO api_tokens (workspace_id, id, member_id, label, token_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        ws,
        t.info.id.to_string(),
        t.info.member_id.to_string(),
        &t.info.label,
        &t.hash,
        ms(t.info.created_at),
    ))?;
    Ok(())
}

#[async_trait]
impl WorkspaceStore for SqliteStore {
    async fn bootstrap(
        &self,
        workspace: Workspace,
        owner: NewMember,
        token: NewToken,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let ws = insert_workspace(c, &workspace)?;
                insert_member(c, &ws, &owner)?;
                insert_token(c, &ws, &token)
            })
            .await
    }

    async fn workspace(&self, id: Id) -> StoreResult<Workspace> {
        self.engine
            .read(move |c| {
                Ok(
                    c.prepare_cached("SELECT id, name, created_at FROM workspaces WHERE id = ?1")?
                        .query_row([id.to_string()], |r| {
                            Ok(Workspace {
                                id: rows::id(r, 0)?,
                                name: r.get(1)?,
                                created_at: ts(r.get(2)?)?,
                            })
                        })?,
                )
            })
            .await
    }

    async fn workspaces(&self) -> StoreResult<Vec<Workspace>> {
        self.engine
            .scan(|c| {
                let mut stmt =
                    c.prepare_cached("SELECT id, name, created_at FROM workspaces ORDER BY seq")?;
                let list = stmt
                    .query_map([], |r| {
                        Ok(Workspace {
                            id: rows::id(r, 0)?,
                            name: r.get(1)?,
                            created_at: ts(r.get(2)?)?,
                        })
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(list)
            })
            .await
    }
}

#[async_trait]
impl MemberStore for SqliteStore {
    async fn create_member(
        &self,
        ws: Id,
        member: NewMember,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Member> {
        let at = member.created_at;
        self.write_idempotent(ws, idem, at, move |c| {
            insert_member(c, &ws.to_string(), &member)
        })
        .await
    }

    async fn member(&self, ws: Id, id: Id) -> StoreResult<Member> {
        self.engine
            .read(move |c| member_by_id(c, &ws.to_string(), &id.to_string()))
            .await
    }

    async fn member_by_email(&self, ws: Id, email: &str) -> StoreResult<Member> {
        let email = email.to_owned();
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM members m WHERE m.workspace_id = ?1 AND m.email = ?2"
                ))?
                .query_row((ws.to_string(), email), rows::member)?)
            })
            .await
    }

    async fn password_hash(&self, ws: Id, id: Id) -> StoreResult<Option<String>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT password_hash FROM members m WHERE workspace_id = ?1 AND id = ?2",
                )?
                .query_row((ws.to_string(), id.to_string()), |r| r.get(0))?)
            })
            .await
    }

    async fn list_members(&self, ws: Id, page: PageRequest) -> StoreResult<Page<Member>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM members m WHERE m.workspace_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3"
                ))?;
                let rows = stmt
                    .query_map((ws.to_string(), page.after.unwrap_or(0), i64::from(page.limit) + 1), rows::member)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |m| m.seq))
            })
            .await
    }

    async fn set_role(&self, ws: Id, id: Id, role: Role) -> StoreResult<Member> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let n = c
                    .prepare_cached(
                        "UPDATE members SET role = ?3 WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, &id, role.as_str()))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                member_by_id(c, &ws, &id)
            })
            .await
    }

    async fn update_profile(
        &self,
        ws: Id,
        id: Id,
        name: &str,
        timezone: &str,
    ) -> StoreResult<Member> {
        let (name, timezone) = (name.to_owned(), timezone.to_owned());
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let n = c
                    .prepare_cached(
                        "UPDATE members SET name = ?3, timezone = ?4 WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, &id, &name, &timezone))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                member_by_id(c, &ws, &id)
            })
            .await
    }

    async fn set_password(
        &self,
        ws: Id,
        id: Id,
        hash: &str,
        at: Timestamp,
        revoke_tokens: bool,
    ) -> StoreResult<()> {
        let hash = hash.to_owned();
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let n = c
                    .prepare_cached(
                        "UPDATE members SET password_hash = ?3 WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, &id, &hash))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if revoke_tokens {
                    revoke_all_tokens(c, &ws, &id, at)?;
                }
                super::sessions::end_all(c, &ws, &id, at)
            })
            .await
    }

    async fn deactivate_member(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<Member> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let n = c
                    .prepare_cached("UPDATE members SET active = 0, deactivated_at = ?3 WHERE workspace_id = ?1 AND id = ?2")?
                    .execute((&ws, &id, ms(at)))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                revoke_all_tokens(c, &ws, &id, at)?;
                super::sessions::end_all(c, &ws, &id, at)?;
                member_by_id(c, &ws, &id)
            })
            .await
    }

    async fn create_token(
        &self,
        ws: Id,
        token: NewToken,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<TokenInfo> {
        let at = token.info.created_at;
        self.write_idempotent(ws, idem, at, move |c| {
            let ws = ws.to_string();
            member_by_id(c, &ws, &token.info.member_id.to_string())?;
            insert_token(c, &ws, &token)?;
            Ok(token.info)
        })
        .await
    }

    async fn list_tokens(&self, ws: Id, member: Id) -> StoreResult<Vec<TokenInfo>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, member_id, label, created_at FROM api_tokens
                     WHERE workspace_id = ?1 AND member_id = ?2 AND revoked_at IS NULL ORDER BY seq",
                )?;
                let list = stmt
                    .query_map((ws.to_string(), member.to_string()), |r| {
                        Ok(TokenInfo { id: rows::id(r, 0)?, member_id: rows::id(r, 1)?, label: r.get(2)?, created_at: ts(r.get(3)?)? })
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(list)
            })
            .await
    }

    async fn revoke_token(&self, ws: Id, member: Id, token: Id, at: Timestamp) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let n = c
                    .prepare_cached(
                        "UPDATE api_tokens SET revoked_at = ?4
                         WHERE workspace_id = ?1 AND member_id = ?2 AND id = ?3 AND revoked_at IS NULL",
                    )?
                    .execute((ws.to_string(), member.to_string(), token.to_string(), ms(at)))?;
                if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            })
            .await
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        let hash = token_hash.to_owned();
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM api_tokens t JOIN members m ON m.id = t.member_id AND m.workspace_id = t.workspace_id
                     WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND m.active = 1"
                ))?
                .query_row([hash], rows::member)
                .optional()?)
            })
            .await
    }
}

/// On the writer's open transaction: revokes every live token of a member (deactivation, or
/// a password change that asks for it).
fn revoke_all_tokens(c: &Connection, ws: &str, member: &str, at: Timestamp) -> StoreResult<()> {
    c.prepare_cached(
        "UPDATE api_tokens SET revoked_at = ?3 WHERE workspace_id = ?1 AND member_id = ?2 AND revoked_at IS NULL",
    )?
    .execute((ws, member, ms(at)))?;
    Ok(())
}
