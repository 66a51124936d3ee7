//! Spaces and space membership on PostgreSQL.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, Space};
use baton_core::page::{Page, PageRequest};
use baton_core::visibility::Visibility;
use deadpool_postgres::Transaction;
use jiff::Timestamp;

use super::PgStore;
use super::query::{self, Params, found};
use super::rows::{self, member_cols, ms, space_cols};
use crate::{IdempotencyKey, SpaceStore, StoreResult};

/// Inserts a space and its creator as first member. Selecting the creator in the insert makes
/// a creator from another workspace `NotFound` instead of a cross-workspace row.
async fn insert_space(tx: &Transaction<'_>, ws: &str, space: &Space) -> StoreResult<Space> {
    let sql = concat!(
        "INSERT INTO spaces AS s (workspace_id, id, name, visibility, created_by, created_at)
         SELECT $1, $2, $3, $4, m.id, $6 FROM members m WHERE m.workspace_id = $1 AND m.id = $5
         RETURNING ",
        space_cols!()
    );
    let (id, creator) = (space.id.to_string(), space.created_by.to_string());
    let params: Params = &[
        &ws,
        &id,
        &space.name,
        &space.visibility.as_str(),
        &creator,
        &ms(space.created_at),
    ];
    let created = query::one(tx, sql, params, rows::space).await?;
    query::exec(
        tx,
        "INSERT INTO space_members (workspace_id, space_id, member_id, added_at)
         VALUES ($1, $2, $3, $4)",
        &[&ws, &id, &creator, &ms(space.created_at)],
    )
    .await?;
    Ok(created)
}

#[async_trait]
impl SpaceStore for PgStore {
    async fn create_space(
        &self,
        ws: Id,
        space: Space,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Space> {
        let at = space.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move { insert_space(tx, &ws.to_string(), &space).await })
        })
        .await
    }

    async fn space_for(&self, ws: Id, space: Id, viewer: Id) -> StoreResult<(Space, bool)> {
        let sql = concat!(
            "SELECT ",
            space_cols!(),
            ", sm.member_id IS NOT NULL AS is_member FROM spaces s
             LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = $3
             WHERE s.workspace_id = $1 AND s.id = $2"
        );
        let params: Params = &[&ws.to_string(), &space.to_string(), &viewer.to_string()];
        query::one(
            &self.client().await?,
            sql,
            params,
            rows::space_with_membership,
        )
        .await
    }

    async fn spaces_for(
        &self,
        ws: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<(Space, bool)>> {
        let sql = concat!(
            "SELECT ",
            space_cols!(),
            ", sm.member_id IS NOT NULL AS is_member FROM spaces s
             LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = $2
             WHERE s.workspace_id = $1 AND s.seq > $3 ORDER BY s.seq LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &viewer.to_string(),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(
            &self.client().await?,
            sql,
            params,
            rows::space_with_membership,
        )
        .await?;
        Ok(Page::from_rows(rows, page, |(s, _)| s.seq))
    }

    async fn add_space_member(
        &self,
        ws: Id,
        space: Id,
        member: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        // One statement: `target` is the (space, member) pair when both are in this workspace;
        // it is inserted unless already there, and counting `target` tells "added or already
        // a member" (1) from "no such space or member here" (0).
        let sql = "WITH target AS (
                       SELECT s.id AS space_id, m.id AS member_id
                       FROM spaces s JOIN members m ON m.workspace_id = s.workspace_id
                       WHERE s.workspace_id = $1 AND s.id = $2 AND m.id = $3
                   ), added AS (
                       INSERT INTO space_members (workspace_id, space_id, member_id, added_at)
                       SELECT $1, space_id, member_id, $4 FROM target
                       ON CONFLICT (space_id, member_id) DO NOTHING
                   )
                   SELECT COUNT(*) FROM target";
        let params: Params = &[
            &ws.to_string(),
            &space.to_string(),
            &member.to_string(),
            &ms(at),
        ];
        let targets: i64 = query::one(
            &self.client().await?,
            sql,
            params,
            |row| Ok(row.try_get(0)?),
        )
        .await?;
        found(targets.unsigned_abs())
    }

    async fn remove_space_member(&self, ws: Id, space: Id, member: Id) -> StoreResult<()> {
        let sql = "DELETE FROM space_members WHERE workspace_id = $1 AND space_id = $2 AND member_id = $3";
        let params: Params = &[&ws.to_string(), &space.to_string(), &member.to_string()];
        found(query::exec(&self.client().await?, sql, params).await?)
    }

    async fn space_members(
        &self,
        ws: Id,
        space: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Member>> {
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM space_members sm JOIN members m ON m.id = sm.member_id
             WHERE sm.workspace_id = $1 AND sm.space_id = $2 AND m.seq > $3 ORDER BY m.seq LIMIT $4"
        );
        let client = self.client().await?;
        let (ws, space) = (ws.to_string(), space.to_string());
        let params: Params = &[
            &ws,
            &space,
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let members = query::all(&client, sql, params, rows::member).await?;
        if members.is_empty() {
            // A space starts with its creator, so an empty page is rare: only then is it worth
            // a second query to tell an emptied space from one that is not in this workspace.
            let sql = "SELECT 1 FROM spaces WHERE workspace_id = $1 AND id = $2";
            query::one(&client, sql, &[&ws, &space], |_| Ok(())).await?;
        }
        Ok(Page::from_rows(members, page, |m| m.seq))
    }

    async fn set_visibility(
        &self,
        ws: Id,
        space: Id,
        visibility: Visibility,
    ) -> StoreResult<Space> {
        let sql = concat!(
            "UPDATE spaces AS s SET visibility = $3 WHERE s.workspace_id = $1 AND s.id = $2 RETURNING ",
            space_cols!()
        );
        let params: Params = &[&ws.to_string(), &space.to_string(), &visibility.as_str()];
        query::one(&self.client().await?, sql, params, rows::space).await
    }
}
