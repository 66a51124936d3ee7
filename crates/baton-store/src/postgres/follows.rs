//! Following threads on PostgreSQL: the `following` flag of a member's read cursor, the
//! mentions a post records, and what followers have not read. The author's own follow and
//! the reply event are part of the post's insert (`threads::append_post`).

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{EventKind, EventPayload};
use baton_core::model::{Member, Post, ThreadSummary};
use deadpool_postgres::Transaction;
use jiff::Timestamp;

use super::PgStore;
use super::query::{self, Params, found};
use super::rows::{self, member_cols, ms, post_cols, thread_cols, to_json};
use crate::{FollowStore, StoreResult};

/// In the post's transaction, in one statement: records the `mention` event of a post that
/// mentions `mentioned` (members of `ws`, the author left out) and makes them follow the
/// thread unless they unfollowed it on purpose.
pub(super) async fn record_mentions(
    tx: &Transaction<'_>,
    ws: &str,
    post: &Post,
    mentioned: &[Id],
) -> StoreResult<()> {
    if mentioned.is_empty() {
        return Ok(());
    }
    let payload = to_json(&EventPayload {
        to: mentioned.to_vec(),
    })?;
    let members: Vec<String> = mentioned.iter().map(Id::to_string).collect();
    let params: Params = &[
        &ws,
        &Id::random().to_string(),
        &EventKind::Mention.as_str(),
        &post.thread_id.to_string(),
        &post.id.to_string(),
        &post.author_id.to_string(),
        &payload,
        &ms(post.created_at),
        &members,
    ];
    query::exec(
        tx,
        "WITH event AS (
             INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         )
         INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
         SELECT $1, m, $4, 0, true FROM unnest($9::text[]) AS m
         ON CONFLICT (member_id, thread_id) DO UPDATE
             SET following = COALESCE(read_cursors.following, true)",
        params,
    )
    .await?;
    Ok(())
}

#[async_trait]
impl FollowStore for PgStore {
    async fn set_following(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        following: bool,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
                   SELECT $1, m.id, t.id, 0, $4
                   FROM threads t JOIN members m ON m.workspace_id = t.workspace_id AND m.id = $2
                   WHERE t.workspace_id = $1 AND t.id = $3
                   ON CONFLICT (member_id, thread_id) DO UPDATE SET following = EXCLUDED.following";
        let params: Params = &[
            &ws.to_string(),
            &member.to_string(),
            &thread.to_string(),
            &following,
        ];
        found(query::exec(&self.client().await?, sql, params).await?)
    }

    async fn following(&self, ws: Id, member: Id, thread: Id) -> StoreResult<bool> {
        let sql = "SELECT COALESCE(following, false) AS following FROM read_cursors
                   WHERE workspace_id = $1 AND member_id = $2 AND thread_id = $3";
        let params: Params = &[&ws.to_string(), &member.to_string(), &thread.to_string()];
        let following = query::opt(&self.client().await?, sql, params, |row| {
            Ok(row.try_get("following")?)
        })
        .await?;
        Ok(following.unwrap_or(false))
    }

    async fn followed_unread(
        &self,
        ws: Id,
        member: Id,
        limit: u32,
    ) -> StoreResult<Vec<ThreadSummary>> {
        let sql = concat!(
            "SELECT ",
            thread_cols!(),
            ", (SELECT COUNT(*) FROM posts p WHERE p.workspace_id = t.workspace_id AND p.thread_id = t.id
                  AND p.seq > r.last_read_seq) AS unread
             FROM read_cursors r JOIN threads t ON t.workspace_id = r.workspace_id AND t.id = r.thread_id
             WHERE r.workspace_id = $1 AND r.member_id = $2 AND r.following
               AND t.last_post_seq > r.last_read_seq
             ORDER BY t.last_post_seq DESC LIMIT $3"
        );
        let params: Params = &[&ws.to_string(), &member.to_string(), &i64::from(limit)];
        query::all(&self.client().await?, sql, params, rows::thread_summary).await
    }

    async fn unread_posts(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        limit: u32,
    ) -> StoreResult<Vec<Post>> {
        let sql = concat!(
            "SELECT ",
            post_cols!(),
            " FROM posts p
              WHERE p.workspace_id = $1 AND p.thread_id = $2 AND p.author_id <> $3
                AND p.seq > COALESCE((SELECT last_read_seq FROM read_cursors
                                      WHERE workspace_id = $1 AND member_id = $3 AND thread_id = $2), 0)
              ORDER BY p.seq DESC LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &thread.to_string(),
            &member.to_string(),
            &i64::from(limit),
        ];
        query::all(&self.client().await?, sql, params, rows::post).await
    }

    async fn reply_recipients(&self, ws: Id, thread: Id, now: Timestamp) -> StoreResult<Vec<Id>> {
        let sql = "SELECT r.member_id FROM read_cursors r
                   JOIN threads t ON t.workspace_id = r.workspace_id AND t.id = r.thread_id
                   WHERE r.workspace_id = $1 AND r.thread_id = $2 AND r.following
                     AND r.last_read_seq < t.last_post_seq
                     AND NOT EXISTS (
                         SELECT 1 FROM deliveries d JOIN events e ON e.id = d.event_id
                         WHERE d.recipient_id = r.member_id AND d.state = 'queued'
                           AND (d.lease_until IS NULL OR d.lease_until <= $3)
                           AND e.kind = 'reply' AND e.thread_id = $2)
                   ORDER BY r.member_id";
        let params: Params = &[&ws.to_string(), &thread.to_string(), &ms(now)];
        query::all(&self.client().await?, sql, params, |row| {
            rows::id(row, "member_id")
        })
        .await
    }

    async fn mentioned_members(
        &self,
        ws: Id,
        handles: Vec<String>,
        names: Vec<String>,
    ) -> StoreResult<Vec<Member>> {
        let sql = concat!(
            "SELECT ",
            member_cols!(),
            " FROM members m
              WHERE m.workspace_id = $1 AND m.active
                AND (split_part(m.email, '@', 1) = ANY($2) OR m.name = ANY($3))
              ORDER BY m.seq"
        );
        let params: Params = &[&ws.to_string(), &handles, &names];
        query::all(&self.client().await?, sql, params, rows::member).await
    }
}
