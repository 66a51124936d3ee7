//! Asks on SQLite: created with the post that asks, answered by the asked member's next post
//! in the thread, listed by who is asked or who asked.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Ask, AskDirection, NewAsk, Post};
use rusqlite::Connection;

use super::SqliteStore;
use super::rows::{self, ASK_COLS, ms};
use crate::{AskStore, StoreError, StoreResult};

/// In the post's transaction: answers every open ask of the post's author in its thread, then
/// creates the post's own asks. Every asked member must belong to `ws`.
pub(super) fn record(c: &Connection, ws: &str, post: &Post, asks: &[NewAsk]) -> StoreResult<()> {
    let (post_id, thread, author) = (
        post.id.to_string(),
        post.thread_id.to_string(),
        post.author_id.to_string(),
    );
    c.prepare_cached(
        "UPDATE asks SET answered_at = ?4, answer_post_id = ?5
         WHERE workspace_id = ?1 AND thread_id = ?2 AND to_id = ?3 AND answered_at IS NULL",
    )?
    .execute((ws, &thread, &author, ms(post.created_at), &post_id))?;
    for ask in asks {
        let inserted = c
            .prepare_cached(
                "INSERT INTO asks (workspace_id, id, thread_id, post_id, from_id, to_id, due_at, created_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, m.id, ?7, ?8 FROM members m WHERE m.workspace_id = ?1 AND m.id = ?6",
            )?
            .execute((ws, ask.id.to_string(), &thread, &post_id, &author, ask.to_id.to_string(), ms(ask.due_at), ms(post.created_at)))?;
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

fn list(c: &Connection, sql: &str, params: impl rusqlite::Params) -> StoreResult<Vec<Ask>> {
    let mut stmt = c.prepare_cached(sql)?;
    let asks = stmt
        .query_map(params, rows::ask)?
        .collect::<Result<_, _>>()?;
    Ok(asks)
}

#[async_trait]
impl AskStore for SqliteStore {
    async fn asks_for_post(&self, ws: Id, post: Id) -> StoreResult<Vec<Ask>> {
        self.engine
            .read(move |c| {
                let sql = format!("SELECT {ASK_COLS} FROM asks a WHERE a.workspace_id = ?1 AND a.post_id = ?2 ORDER BY a.seq");
                list(c, &sql, (ws.to_string(), post.to_string()))
            })
            .await
    }

    async fn list_asks(
        &self,
        ws: Id,
        member: Id,
        direction: AskDirection,
        open_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Ask>> {
        let side = match direction {
            AskDirection::ToMember => "to_id",
            AskDirection::FromMember => "from_id",
        };
        self.engine
            .scan(move |c| {
                let sql = format!(
                    "SELECT {ASK_COLS} FROM asks a WHERE a.workspace_id = ?1 AND a.{side} = ?2
                     AND (NOT ?3 OR a.answered_at IS NULL) ORDER BY a.due_at, a.seq LIMIT ?4"
                );
                list(
                    c,
                    &sql,
                    (ws.to_string(), member.to_string(), open_only, limit),
                )
            })
            .await
    }
}
