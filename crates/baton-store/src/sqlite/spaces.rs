//! Spaces and space membership on SQLite.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, Space};
use baton_core::page::{Page, PageRequest};
use baton_core::visibility::Visibility;
use jiff::Timestamp;
use rusqlite::Connection;

use super::SqliteStore;
use super::rows::{self, MEMBER_COLS, SPACE_COLS, ms};
use crate::{IdempotencyKey, SpaceStore, StoreError, StoreResult};

fn space_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Space> {
    Ok(c.prepare_cached(&format!(
        "SELECT {SPACE_COLS} FROM spaces s WHERE s.workspace_id = ?1 AND s.id = ?2"
    ))?
    .query_row((ws, id), rows::space)?)
}

/// Fails with `NotFound` unless `member` belongs to workspace `ws`.
fn require_member(c: &Connection, ws: &str, member: &str) -> StoreResult<()> {
    c.prepare_cached("SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2")?
        .query_row((ws, member), |_| Ok(()))?;
    Ok(())
}

fn add_member(
    c: &Connection,
    ws: &str,
    space: &str,
    member: &str,
    at: Timestamp,
) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO space_members (workspace_id, space_id, member_id, added_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (space_id, member_id) DO NOTHING",
    )?
    .execute((ws, space, member, ms(at)))?;
    Ok(())
}

#[async_trait]
impl SpaceStore for SqliteStore {
    async fn create_space(
        &self,
        ws: Id,
        space: Space,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Space> {
        let at = space.created_at;
        self.write_idempotent(ws, idem, at, move |c| {
            let (ws, id, creator) = (ws.to_string(), space.id.to_string(), space.created_by.to_string());
            require_member(c, &ws, &creator)?;
            c.prepare_cached(
                "INSERT INTO spaces (workspace_id, id, name, visibility, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute((&ws, &id, &space.name, space.visibility.as_str(), &creator, ms(space.created_at)))?;
            add_member(c, &ws, &id, &creator, space.created_at)?;
            space_by_id(c, &ws, &id)
        })
        .await
    }

    async fn space_for(&self, ws: Id, space: Id, viewer: Id) -> StoreResult<(Space, bool)> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {SPACE_COLS}, sm.member_id IS NOT NULL FROM spaces s
                     LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = ?3
                     WHERE s.workspace_id = ?1 AND s.id = ?2"
                ))?
                .query_row(
                    (ws.to_string(), space.to_string(), viewer.to_string()),
                    |r| Ok((rows::space(r)?, r.get(6)?)),
                )?)
            })
            .await
    }

    async fn spaces_for(
        &self,
        ws: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<(Space, bool)>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {SPACE_COLS}, sm.member_id IS NOT NULL FROM spaces s
                     LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = ?2
                     WHERE s.workspace_id = ?1 AND s.seq > ?3 ORDER BY s.seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map(
                        (
                            ws.to_string(),
                            viewer.to_string(),
                            page.after.unwrap_or(0),
                            i64::from(page.limit) + 1,
                        ),
                        |r| Ok((rows::space(r)?, r.get(6)?)),
                    )?
                    .collect::<Result<Vec<(Space, bool)>, _>>()?;
                Ok(Page::from_rows(rows, page, |(s, _)| s.seq))
            })
            .await
    }

    async fn add_space_member(
        &self,
        ws: Id,
        space: Id,
        member: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, space, member) = (ws.to_string(), space.to_string(), member.to_string());
                space_by_id(c, &ws, &space)?;
                require_member(c, &ws, &member)?;
                add_member(c, &ws, &space, &member, at)
            })
            .await
    }

    async fn remove_space_member(&self, ws: Id, space: Id, member: Id) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let n = c
                    .prepare_cached("DELETE FROM space_members WHERE workspace_id = ?1 AND space_id = ?2 AND member_id = ?3")?
                    .execute((ws.to_string(), space.to_string(), member.to_string()))?;
                if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            })
            .await
    }

    async fn space_members(
        &self,
        ws: Id,
        space: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Member>> {
        self.engine
            .scan(move |c| {
                let (ws, space) = (ws.to_string(), space.to_string());
                space_by_id(c, &ws, &space)?;
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM space_members sm JOIN members m ON m.id = sm.member_id
                     WHERE sm.workspace_id = ?1 AND sm.space_id = ?2 AND m.seq > ?3 ORDER BY m.seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map((ws, space, page.after.unwrap_or(0), i64::from(page.limit) + 1), rows::member)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |m| m.seq))
            })
            .await
    }

    async fn set_visibility(
        &self,
        ws: Id,
        space: Id,
        visibility: Visibility,
    ) -> StoreResult<Space> {
        self.engine
            .write(move |c| {
                let (ws, space) = (ws.to_string(), space.to_string());
                let n = c
                    .prepare_cached(
                        "UPDATE spaces SET visibility = ?3 WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .execute((&ws, &space, visibility.as_str()))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                space_by_id(c, &ws, &space)
            })
            .await
    }
}
