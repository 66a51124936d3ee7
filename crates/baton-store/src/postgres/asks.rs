//! Asks on PostgreSQL: created with the post that asks, answered by the asked member's next
//! post in the thread, listed by who is asked or who asked.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Ask, AskDirection, NewAsk, Post};
use deadpool_postgres::Transaction;

use super::PgStore;
use super::query::{self, Params};
use super::rows::{self, ask_cols, ms};
use crate::{AskStore, StoreError, StoreResult};

/// In the post's transaction: answers every open ask of the post's author in its thread, then
/// creates the post's own asks. Every asked member must belong to `ws`.
pub(super) async fn record(
    tx: &Transaction<'_>,
    ws: &str,
    post: &Post,
    asks: &[NewAsk],
) -> StoreResult<()> {
    let (post_id, thread, author) = (
        post.id.to_string(),
        post.thread_id.to_string(),
        post.author_id.to_string(),
    );
    let answer: Params = &[&ws, &thread, &author, &ms(post.created_at), &post_id];
    query::exec(
        tx,
        "UPDATE asks SET answered_at = $4, answer_post_id = $5
         WHERE workspace_id = $1 AND thread_id = $2 AND to_id = $3 AND answered_at IS NULL",
        answer,
    )
    .await?;
    for ask in asks {
        let params: Params = &[
            &ws,
            &ask.id.to_string(),
            &thread,
            &post_id,
            &author,
            &ask.to_id.to_string(),
            &ms(ask.due_at),
            &ms(post.created_at),
        ];
        let inserted = query::exec(
            tx,
            "INSERT INTO asks (workspace_id, id, thread_id, post_id, from_id, to_id, due_at, created_at)
             SELECT $1, $2, $3, $4, $5, m.id, $7, $8 FROM members m WHERE m.workspace_id = $1 AND m.id = $6",
            params,
        )
        .await?;
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

#[async_trait]
impl AskStore for PgStore {
    async fn asks_for_post(&self, ws: Id, post: Id) -> StoreResult<Vec<Ask>> {
        let sql = concat!(
            "SELECT ",
            ask_cols!(),
            " FROM asks a WHERE a.workspace_id = $1 AND a.post_id = $2 ORDER BY a.seq"
        );
        query::all(
            &self.client().await?,
            sql,
            &[&ws.to_string(), &post.to_string()],
            rows::ask,
        )
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
        // Two fixed statements (not one built at run time) so each stays a cached, prepared
        // `&'static str`.
        let sql = match direction {
            AskDirection::ToMember => concat!(
                "SELECT ",
                ask_cols!(),
                " FROM asks a WHERE a.workspace_id = $1 AND a.to_id = $2
                   AND (NOT $3 OR a.answered_at IS NULL) ORDER BY a.due_at, a.seq LIMIT $4"
            ),
            AskDirection::FromMember => concat!(
                "SELECT ",
                ask_cols!(),
                " FROM asks a WHERE a.workspace_id = $1 AND a.from_id = $2
                   AND (NOT $3 OR a.answered_at IS NULL) ORDER BY a.due_at, a.seq LIMIT $4"
            ),
        };
        let params: Params = &[
            &ws.to_string(),
            &member.to_string(),
            &open_only,
            &i64::from(limit),
        ];
        query::all(&self.client().await?, sql, params, rows::ask).await
    }
}
