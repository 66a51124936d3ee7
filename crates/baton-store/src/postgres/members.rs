//! Workspaces, members and API tokens on PostgreSQL.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::audit::{AuditAction, AuditEntry, may_inherit_ownership, role_change};
use baton_core::model::{Member, NewMember, NewToken, TokenInfo, Workspace};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::PgStore;
use super::audit;
use super::query::{self, Params, found};
use super::rows::{self, member_cols, ms, token_cols, workspace_cols};
use crate::{
    Constraint, IdempotencyKey, MemberStore, Principal, StoreError, StoreResult, WorkspaceStore,
};

const MEMBER_BY_ID: &str = concat!(
    "SELECT ",
    member_cols!(),
    " FROM members m WHERE m.workspace_id = $1 AND m.id = $2"
);

/// Stores a workspace; returns its id as text for the inserts that follow.
pub(super) async fn insert_workspace(
    c: &impl GenericClient,
    workspace: &Workspace,
) -> StoreResult<String> {
    let ws = workspace.id.to_string();
    query::exec(
        c,
        "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)",
        &[&ws, &workspace.name, &ms(workspace.created_at)],
    )
    .await?;
    Ok(ws)
}

pub(super) async fn insert_member(
    c: &impl GenericClient,
    ws: &str,
    m: &NewMember,
) -> StoreResult<Member> {
    let sql = concat!(
        "INSERT INTO members AS m
             (workspace_id, id, email, name, timezone, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING ",
        member_cols!()
    );
    let params: Params = &[
        &ws,
        &m.id.to_string(),
        &m.email,
        &m.name,
        &m.timezone,
        &m.role.as_str(),
        &m.password_hash,
        &ms(m.created_at),
    ];
    query::one(c, sql, params, rows::member).await
}

/// Stores a token for a member of `ws` (`NotFound` otherwise). Selecting the member in the
/// insert keeps a token from pointing at another workspace's member, which the foreign key
/// alone would allow.
async fn insert_token(c: &impl GenericClient, ws: &str, t: &NewToken) -> StoreResult<TokenInfo> {
    let sql = concat!(
        "INSERT INTO api_tokens (workspace_id, id, member_id, label, token_hash, created_at)
         SELECT $1, $2, m.id, $4, $5, $6 FROM members m WHERE m.workspace_id = $1 AND m.id = $3
         RETURNING ",
        token_cols!()
    );
    let params: Params = &[
        &ws,
        &t.info.id.to_string(),
        &t.info.member_id.to_string(),
        &t.info.label,
        &t.hash,
        &ms(t.info.created_at),
    ];
    let info = query::one(c, sql, params, rows::token).await?;
    let mut created = AuditEntry::about_member(
        info.member_id,
        AuditAction::TokenCreated,
        info.member_id,
        info.created_at,
    );
    created.token_id = Some(info.id);
    created.detail = info.label.clone();
    audit::record(c, ws, &created).await?;
    Ok(info)
}

#[async_trait]
impl WorkspaceStore for PgStore {
    async fn bootstrap(
        &self,
        workspace: Workspace,
        owner: NewMember,
        token: NewToken,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let ws = insert_workspace(&tx, &workspace).await?;
        insert_member(&tx, &ws, &owner).await?;
        insert_token(&tx, &ws, &token).await?;
        Ok(tx.commit().await?)
    }

    async fn workspace(&self, id: Id) -> StoreResult<Workspace> {
        let sql = concat!(
            "SELECT ",
            workspace_cols!(),
            " FROM workspaces WHERE id = $1"
        );
        query::one(
            &self.client().await?,
            sql,
            &[&id.to_string()],
            rows::workspace,
        )
        .await
    }

    async fn workspaces(&self) -> StoreResult<Vec<Workspace>> {
        let sql = concat!(
            "SELECT ",
            workspace_cols!(),
            " FROM workspaces ORDER BY seq"
        );
        query::all(&self.client().await?, sql, &[], rows::workspace).await
    }
}

#[async_trait]
impl MemberStore for PgStore {
    async fn create_member(
        &self,
        ws: Id,
        member: NewMember,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Member> {
        let at = member.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move { insert_member(tx, &ws.to_string(), &member).await })
        })
        .await
    }

    async fn member(&self, ws: Id, id: Id) -> StoreResult<Member> {
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, MEMBER_BY_ID, params, rows::member).await
    }

    async fn member_by_email(&self, ws: Id, email: &str) -> StoreResult<Member> {
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM members m WHERE m.workspace_id = $1 AND m.email = $2"
        );
        query::one(
            &self.client().await?,
            sql,
            &[&ws.to_string(), &email],
            rows::member,
        )
        .await
    }

    async fn password_hash(&self, ws: Id, id: Id) -> StoreResult<Option<String>> {
        let sql = "SELECT password_hash FROM members WHERE workspace_id = $1 AND id = $2";
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(
            &self.client().await?,
            sql,
            params,
            |row| Ok(row.try_get(0)?),
        )
        .await
    }

    async fn list_members(&self, ws: Id, page: PageRequest) -> StoreResult<Page<Member>> {
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM members m WHERE m.workspace_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        );
        let params: Params = &[
            &ws.to_string(),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, rows::member).await?;
        Ok(Page::from_rows(rows, page, |m| m.seq))
    }

    async fn co_members(&self, ws: Id, member: Id, page: PageRequest) -> StoreResult<Page<Member>> {
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM members m WHERE m.workspace_id = $1 AND m.seq > $3
               AND (m.id = $2 OR EXISTS (
                 SELECT 1 FROM space_members mine JOIN space_members theirs ON theirs.space_id = mine.space_id
                  WHERE mine.workspace_id = $1 AND mine.member_id = $2 AND theirs.member_id = m.id))
             ORDER BY m.seq LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &member.to_string(),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, rows::member).await?;
        Ok(Page::from_rows(rows, page, |m| m.seq))
    }

    async fn share_a_space(&self, ws: Id, a: Id, b: Id) -> StoreResult<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM space_members x JOIN space_members y ON y.space_id = x.space_id
                    WHERE x.workspace_id = $1 AND x.member_id = $2 AND y.member_id = $3)";
        let params: Params = &[&ws.to_string(), &a.to_string(), &b.to_string()];
        query::one(&self.client().await?, sql, params, |r| Ok(r.try_get(0)?)).await
    }

    async fn set_role(
        &self,
        ws: Id,
        id: Id,
        role: Role,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws_text, id_text) = (ws.to_string(), id.to_string());
        // Locks the row, so the role read for the audit entry is the one replaced.
        let lock = concat!(
            "SELECT ",
            member_cols!(),
            " FROM members m WHERE m.workspace_id = $1 AND m.id = $2 FOR UPDATE"
        );
        let before = query::one(&tx, lock, &[&ws_text, &id_text], rows::member).await?;
        let sql = concat!(
            "UPDATE members AS m SET role = $3 WHERE m.workspace_id = $1 AND m.id = $2 RETURNING ",
            member_cols!()
        );
        let params: Params = &[&ws_text, &id_text, &role.as_str()];
        let member = query::one(&tx, sql, params, rows::member).await?;
        let mut changed = AuditEntry::about_member(by, AuditAction::RoleChanged, id, at);
        changed.detail = Some(role_change(before.role, role));
        audit::record(&tx, &ws_text, &changed).await?;
        tx.commit().await?;
        Ok(member)
    }

    async fn transfer_ownership(
        &self,
        ws: Id,
        from: Id,
        to: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws_text, from_text, to_text) = (ws.to_string(), from.to_string(), to.to_string());
        let heir = query::one(&tx, MEMBER_BY_ID, &[&ws_text, &to_text], rows::member).await?;
        if !may_inherit_ownership(&heir, from) {
            return Err(StoreError::Conflict {
                constraint: Constraint::OwnershipHeir,
            });
        }
        // The guarded update is the check: of two racing transfers, one finds no owner left.
        let demoted = query::exec(
            &tx,
            "UPDATE members SET role = 'admin' WHERE workspace_id = $1 AND id = $2 AND role = 'owner'",
            &[&ws_text, &from_text],
        )
        .await?;
        if demoted == 0 {
            return Err(StoreError::Conflict {
                constraint: Constraint::OwnershipOwner,
            });
        }
        let sql = concat!(
            "UPDATE members AS m SET role = 'owner' WHERE m.workspace_id = $1 AND m.id = $2 RETURNING ",
            member_cols!()
        );
        let owner = query::one(&tx, sql, &[&ws_text, &to_text], rows::member).await?;
        let mut moved = AuditEntry::about_member(from, AuditAction::OwnershipTransferred, to, at);
        moved.detail = Some(role_change(heir.role, Role::Owner));
        audit::record(&tx, &ws_text, &moved).await?;
        tx.commit().await?;
        Ok(owner)
    }

    async fn update_profile(
        &self,
        ws: Id,
        id: Id,
        name: &str,
        timezone: &str,
    ) -> StoreResult<Member> {
        let sql = concat!(
            "UPDATE members AS m SET name = $3, timezone = $4
             WHERE m.workspace_id = $1 AND m.id = $2 RETURNING ",
            member_cols!()
        );
        let params: Params = &[&ws.to_string(), &id.to_string(), &name, &timezone];
        query::one(&self.client().await?, sql, params, rows::member).await
    }

    async fn set_password(
        &self,
        ws: Id,
        id: Id,
        hash: &str,
        at: Timestamp,
        revoke_tokens: bool,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        found(
            query::exec(
                &tx,
                "UPDATE members SET password_hash = $3 WHERE workspace_id = $1 AND id = $2",
                &[&ws, &id, &hash],
            )
            .await?,
        )?;
        let params: Params = &[&ws, &id, &ms(at)];
        if revoke_tokens {
            revoke_all_tokens(&tx, params).await?;
        }
        super::sessions::end_all(&tx, params).await?;
        Ok(tx.commit().await?)
    }

    async fn deactivate_member(
        &self,
        ws: Id,
        id: Id,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<Member> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let sql = concat!(
            "UPDATE members AS m SET active = FALSE, deactivated_at = $3
             WHERE m.workspace_id = $1 AND m.id = $2 RETURNING ",
            member_cols!()
        );
        let params: Params = &[&ws.to_string(), &id.to_string(), &ms(at)];
        let member = query::one(&tx, sql, params, rows::member).await?;
        revoke_all_tokens(&tx, params).await?;
        super::sessions::end_all(&tx, params).await?;
        let deactivated = AuditEntry::about_member(by, AuditAction::MemberDeactivated, id, at);
        audit::record(&tx, &ws.to_string(), &deactivated).await?;
        tx.commit().await?;
        Ok(member)
    }

    async fn create_token(
        &self,
        ws: Id,
        token: NewToken,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<TokenInfo> {
        let at = token.info.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move { insert_token(tx, &ws.to_string(), &token).await })
        })
        .await
    }

    async fn list_tokens(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<TokenInfo>> {
        let sql = concat!(
            "SELECT ",
            token_cols!(),
            ", seq FROM api_tokens
             WHERE workspace_id = $1 AND member_id = $2 AND revoked_at IS NULL AND seq > $3
             ORDER BY seq LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &member.to_string(),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, |r| {
            Ok((rows::token(r)?, r.try_get("seq")?))
        })
        .await?;
        Ok(Page::from_seq_rows(rows, page))
    }

    async fn revoke_token(
        &self,
        ws: Id,
        member: Id,
        token: Id,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let ws_text = ws.to_string();
        let sql = "UPDATE api_tokens SET revoked_at = $4
                   WHERE workspace_id = $1 AND member_id = $2 AND id = $3 AND revoked_at IS NULL";
        let params: Params = &[&ws_text, &member.to_string(), &token.to_string(), &ms(at)];
        found(query::exec(&tx, sql, params).await?)?;
        let mut revoked = AuditEntry::about_member(by, AuditAction::TokenRevoked, member, at);
        revoked.token_id = Some(token);
        audit::record(&tx, &ws_text, &revoked).await?;
        Ok(tx.commit().await?)
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>> {
        // The hot path: one lookup on the unique token_hash index, then the member by its key.
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM api_tokens t
             JOIN members m ON m.id = t.member_id AND m.workspace_id = t.workspace_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND m.active"
        );
        query::opt(&self.client().await?, sql, &[&token_hash], rows::member).await
    }
}

/// In a transaction: revokes every live token of a member (deactivation, or a password change that
/// asks for it). `params`: workspace, member, instant.
async fn revoke_all_tokens(c: &impl GenericClient, params: Params<'_>) -> StoreResult<()> {
    query::exec(
        c,
        "UPDATE api_tokens SET revoked_at = $3
         WHERE workspace_id = $1 AND member_id = $2 AND revoked_at IS NULL",
        params,
    )
    .await?;
    Ok(())
}
