//! Following threads on SQLite: the `following` flag of a member's read cursor, the reply
//! event a post records for the thread's other followers, and what followers have not read.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::{EventKind, EventPayload};
use baton_core::model::{Member, Post, ThreadSummary};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::rows::{self, MEMBER_COLS, POST_COLS, THREAD_COLS, ms, to_json};
use crate::{FollowStore, StoreError, StoreResult};

/// In the post's transaction: the author has read the thread up to their own post and follows
/// it (unless they unfollowed it on purpose); then, when someone else follows the thread and
/// no reply event of it waits to be expanded, records one (see `EventKind::Reply`).
pub(super) fn follow_own_post(c: &Connection, ws: &str, post: &Post) -> StoreResult<()> {
    let (thread, author) = (post.thread_id.to_string(), post.author_id.to_string());
    c.prepare_cached(
        "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
         VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (member_id, thread_id) DO UPDATE
             SET last_read_seq = MAX(last_read_seq, excluded.last_read_seq), following = COALESCE(following, 1)",
    )?
    .execute((ws, &author, &thread, post.seq))?;
    c.prepare_cached(
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
         WHERE EXISTS (SELECT 1 FROM read_cursors WHERE thread_id = ?4 AND following = 1 AND member_id <> ?6)
           AND NOT EXISTS (SELECT 1 FROM events WHERE thread_id = ?4 AND kind = 'reply' AND expanded_at IS NULL)",
    )?
    .execute((
        ws,
        Id::random().to_string(),
        EventKind::Reply.as_str(),
        &thread,
        post.id.to_string(),
        &author,
        to_json(&EventPayload::default())?,
        ms(post.created_at),
    ))?;
    Ok(())
}

/// In the post's transaction: records the `mention` event of a post that mentions `mentioned`
/// (members of `ws`, the author left out) and makes them follow the thread unless they
/// unfollowed it on purpose.
pub(super) fn record_mentions(
    c: &Connection,
    ws: &str,
    post: &Post,
    mentioned: &[Id],
) -> StoreResult<()> {
    if mentioned.is_empty() {
        return Ok(());
    }
    let thread = post.thread_id.to_string();
    c.prepare_cached(
        "INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        ws,
        Id::random().to_string(),
        EventKind::Mention.as_str(),
        &thread,
        post.id.to_string(),
        post.author_id.to_string(),
        to_json(&EventPayload {
            to: mentioned.to_vec(),
        })?,
        ms(post.created_at),
    ))?;
    let mut follow = c.prepare_cached(
        "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
         VALUES (?1, ?2, ?3, 0, 1)
         ON CONFLICT (member_id, thread_id) DO UPDATE SET following = COALESCE(following, 1)",
    )?;
    for member in mentioned {
        follow.execute((ws, member.to_string(), &thread))?;
    }
    Ok(())
}

#[async_trait]
impl FollowStore for SqliteStore {
    async fn set_following(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        following: bool,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, member, thread) = (ws.to_string(), member.to_string(), thread.to_string());
                let in_workspace = c
                    .prepare_cached(
                        "SELECT 1 FROM threads t JOIN members m ON m.workspace_id = t.workspace_id AND m.id = ?3
                         WHERE t.workspace_id = ?1 AND t.id = ?2",
                    )?
                    .exists((&ws, &thread, &member))?;
                if !in_workspace {
                    return Err(StoreError::NotFound);
                }
                c.prepare_cached(
                    "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
                     VALUES (?1, ?2, ?3, 0, ?4)
                     ON CONFLICT (member_id, thread_id) DO UPDATE SET following = excluded.following",
                )?
                .execute((&ws, &member, &thread, following))?;
                Ok(())
            })
            .await
    }

    async fn following(&self, ws: Id, member: Id, thread: Id) -> StoreResult<bool> {
        self.engine
            .read(move |c| {
                let following: Option<Option<bool>> = c
                    .prepare_cached(
                        "SELECT following FROM read_cursors WHERE workspace_id = ?1 AND member_id = ?2 AND thread_id = ?3",
                    )?
                    .query_row((ws.to_string(), member.to_string(), thread.to_string()), |r| r.get(0))
                    .optional()?;
                Ok(following.flatten().unwrap_or(false))
            })
            .await
    }

    async fn followed_unread(
        &self,
        ws: Id,
        member: Id,
        limit: u32,
    ) -> StoreResult<Vec<ThreadSummary>> {
        self.engine
            .scan(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {THREAD_COLS},
                            (SELECT COUNT(*) FROM posts p WHERE p.workspace_id = t.workspace_id AND p.thread_id = t.id
                                AND p.seq > r.last_read_seq)
                     FROM read_cursors r JOIN threads t ON t.workspace_id = r.workspace_id AND t.id = r.thread_id
                     WHERE r.workspace_id = ?1 AND r.member_id = ?2 AND r.following = 1
                       AND t.last_post_seq > r.last_read_seq
                     ORDER BY t.last_post_seq DESC LIMIT ?3"
                ))?
                .query_map((ws.to_string(), member.to_string(), limit), |r| {
                    Ok(ThreadSummary {
                        thread: rows::thread(r)?,
                        unread: r.get(10)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    async fn unread_posts(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        limit: u32,
    ) -> StoreResult<Vec<Post>> {
        self.engine
            .scan(move |c| {
                let (ws, member, thread) = (ws.to_string(), member.to_string(), thread.to_string());
                let after: i64 = c
                    .prepare_cached(
                        "SELECT last_read_seq FROM read_cursors WHERE workspace_id = ?1 AND member_id = ?2 AND thread_id = ?3",
                    )?
                    .query_row((&ws, &member, &thread), |r| r.get(0))
                    .optional()?
                    .unwrap_or(0);
                Ok(c.prepare_cached(&format!(
                        "SELECT {POST_COLS} FROM posts p
                         WHERE p.workspace_id = ?1 AND p.thread_id = ?2 AND p.seq > ?3 AND p.author_id <> ?4
                         ORDER BY p.seq DESC LIMIT ?5"
                    ))?
                .query_map((&ws, &thread, after, &member, limit), rows::post)?
                .collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    async fn reply_recipients(&self, ws: Id, thread: Id, now: Timestamp) -> StoreResult<Vec<Id>> {
        self.engine
            .scan(move |c| {
                Ok(c.prepare_cached(
                    "SELECT r.member_id FROM read_cursors r
                     JOIN threads t ON t.workspace_id = r.workspace_id AND t.id = r.thread_id
                     WHERE r.workspace_id = ?1 AND r.thread_id = ?2 AND r.following = 1
                       AND r.last_read_seq < t.last_post_seq
                       AND NOT EXISTS (
                           SELECT 1 FROM deliveries d JOIN events e ON e.id = d.event_id
                           WHERE d.recipient_id = r.member_id AND d.state = 'queued'
                             AND (d.lease_until IS NULL OR d.lease_until <= ?3)
                             AND e.kind = 'reply' AND e.thread_id = ?2)
                     ORDER BY r.member_id",
                )?
                .query_map((ws.to_string(), thread.to_string(), ms(now)), |r| {
                    rows::id(r, 0)
                })?
                .collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    async fn mentioned_members(
        &self,
        ws: Id,
        handles: Vec<String>,
        names: Vec<String>,
    ) -> StoreResult<Vec<Member>> {
        let (handles, names) = (to_json(&handles)?, to_json(&names)?);
        self.engine
            .scan(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {MEMBER_COLS} FROM members m
                     WHERE m.workspace_id = ?1 AND m.active = 1
                       AND (substr(m.email, 1, instr(m.email, '@') - 1) IN (SELECT value FROM json_each(?2))
                            OR m.name IN (SELECT value FROM json_each(?3)))
                     ORDER BY m.seq"
                ))?
                .query_map((ws.to_string(), handles, names), rows::member)?
                .collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}
