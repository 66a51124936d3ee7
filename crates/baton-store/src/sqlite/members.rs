//! Workspaces, members and API tokens on SQLite.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::audit::{AuditAction, AuditEntry, may_inherit_ownership, role_change};
use baton_core::model::{Member, NewMember, NewToken, TokenInfo, Workspace};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::audit;
use super::rows::{self, MEMBER_COLS, ms, ts};
use crate::columns::{token_cols, workspace_cols};
use crate::{
    Constraint, IdempotencyKey, MemberStore, Principal, StoreError, StoreResult, WorkspaceStore,
};

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
    let mut created = AuditEntry::about_member(
        t.info.member_id,
        AuditAction::TokenCreated,
        t.info.member_id,
        t.info.created_at,
    );
    created.token_id = Some(t.info.id);
    created.detail = t.info.label.clone();
    audit::record(c, ws, &created)
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
                let sql = concat!(
                    "SELECT ",
                    workspace_cols!(),
                    " FROM workspaces WHERE id = ?1"
                );
                Ok(c.prepare_cached(sql)?
                    .query_row([id.to_string()], rows::workspace)?)
            })
            .await
    }

    async fn workspaces(&self) -> StoreResult<Vec<Workspace>> {
        self.engine
            .scan(|c| {
                let sql = concat!(
                    "SELECT ",
                    workspace_cols!(),
                    " FROM workspaces ORDER BY seq"
                );
                let list = c
                    .prepare_cached(sql)?
                    .query_map([], rows::workspace)?
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

    async fn co_members(&self, ws: Id, member: Id, page: PageRequest) -> StoreResult<Page<Member>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM members m WHERE m.workspace_id = ?1 AND m.seq > ?3
                       AND (m.id = ?2 OR EXISTS (
                         SELECT 1 FROM space_members mine JOIN space_members theirs ON theirs.space_id = mine.space_id
                          WHERE mine.workspace_id = ?1 AND mine.member_id = ?2 AND theirs.member_id = m.id))
                     ORDER BY m.seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map((ws.to_string(), member.to_string(), page.after.unwrap_or(0), i64::from(page.limit) + 1), rows::member)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |m| m.seq))
            })
            .await
    }

    async fn share_a_space(&self, ws: Id, a: Id, b: Id) -> StoreResult<bool> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM space_members x JOIN space_members y ON y.space_id = x.space_id
                      WHERE x.workspace_id = ?1 AND x.member_id = ?2 AND y.member_id = ?3)",
                )?
                .query_row((ws.to_string(), a.to_string(), b.to_string()), |r| r.get(0))?)
            })
            .await
    }

    async fn set_role(
        &self,
        ws: Id,
        id: Id,
        role: Role,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        self.engine
            .write(move |c| {
                let (ws, id_text) = (ws.to_string(), id.to_string());
                let before = member_by_id(c, &ws, &id_text)?;
                c.prepare_cached(
                    "UPDATE members SET role = ?3 WHERE workspace_id = ?1 AND id = ?2",
                )?
                .execute((&ws, &id_text, role.as_str()))?;
                let mut changed = AuditEntry::about_member(by, AuditAction::RoleChanged, id, at);
                changed.detail = Some(role_change(before.role, role));
                audit::record(c, &ws, &changed)?;
                member_by_id(c, &ws, &id_text)
            })
            .await
    }

    async fn transfer_ownership(
        &self,
        ws: Id,
        from: Id,
        to: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        self.engine
            .write(move |c| {
                let (ws, from_text, to_text) = (ws.to_string(), from.to_string(), to.to_string());
                let heir = member_by_id(c, &ws, &to_text)?;
                if !may_inherit_ownership(&heir, from) {
                    return Err(StoreError::Conflict { constraint: Constraint::OwnershipHeir });
                }
                let n = c
                    .prepare_cached("UPDATE members SET role = 'admin' WHERE workspace_id = ?1 AND id = ?2 AND role = 'owner'")?
                    .execute((&ws, &from_text))?;
                if n == 0 {
                    return Err(StoreError::Conflict { constraint: Constraint::OwnershipOwner });
                }
                c.prepare_cached("UPDATE members SET role = 'owner' WHERE workspace_id = ?1 AND id = ?2")?
                    .execute((&ws, &to_text))?;
                let mut moved = AuditEntry::about_member(from, AuditAction::OwnershipTransferred, to, at);
                moved.detail = Some(role_change(heir.role, Role::Owner));
                audit::record(c, &ws, &moved)?;
                member_by_id(c, &ws, &to_text)
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

    async fn deactivate_member(
        &self,
        ws: Id,
        id: Id,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        self.engine
            .write(move |c| {
                let subject = id;
                let (ws, id) = (ws.to_string(), id.to_string());
                let n = c
                    .prepare_cached("UPDATE members SET active = 0, deactivated_at = ?3 WHERE workspace_id = ?1 AND id = ?2")?
                    .execute((&ws, &id, ms(at)))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                revoke_all_tokens(c, &ws, &id, at)?;
                super::sessions::end_all(c, &ws, &id, at)?;
                audit::record(
                    c,
                    &ws,
                    &AuditEntry::about_member(by, AuditAction::MemberDeactivated, subject, at),
                )?;
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

    async fn list_tokens(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<TokenInfo>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(concat!(
                    "SELECT ",
                    token_cols!(),
                    ", seq FROM api_tokens
                     WHERE workspace_id = ?1 AND member_id = ?2 AND revoked_at IS NULL AND seq > ?3
                     ORDER BY seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map(
                        (
                            ws.to_string(),
                            member.to_string(),
                            page.after.unwrap_or(0),
                            i64::from(page.limit) + 1,
                        ),
                        |r| {
                            let token = TokenInfo {
                                id: rows::id(r, 0)?,
                                member_id: rows::id(r, 1)?,
                                label: r.get(2)?,
                                created_at: ts(r.get(3)?)?,
                            };
                            Ok((token, r.get(4)?))
                        },
                    )?
                    .collect::<Result<_, _>>()?;
                Ok(Page::from_seq_rows(rows, page))
            })
            .await
    }

    async fn revoke_token(
        &self,
        ws: Id,
        member: Id,
        token: Id,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let ws_text = ws.to_string();
                let n = c
                    .prepare_cached(
                        "UPDATE api_tokens SET revoked_at = ?4
                         WHERE workspace_id = ?1 AND member_id = ?2 AND id = ?3 AND revoked_at IS NULL",
                    )?
                    .execute((&ws_text, member.to_string(), token.to_string(), ms(at)))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                let mut revoked = AuditEntry::about_member(by, AuditAction::TokenRevoked, member, at);
                revoked.token_id = Some(token);
                audit::record(c, &ws_text, &revoked)
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
