//! Threads, posts, revisions and read cursors on PostgreSQL.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::outbox::EventPayload;
use baton_core::expectation::Expectation;
use baton_core::model::{
    CreatedThread, NewPost, NewThread, Post, PostRevision, Space, Thread, ThreadSummary,
};
use baton_core::page::{Page, PageRequest};
use deadpool_postgres::Transaction;
use jiff::Timestamp;

use super::PgStore;
use super::query::{self, Params, found};
use super::rows::{self, ms, post_cols, revision_cols, thread_cols, to_json};
use crate::{IdempotencyKey, StoreError, StoreResult, ThreadStore};

const POST_BY_ID: &str = concat!(
    "SELECT ",
    post_cols!(),
    " FROM posts p WHERE p.workspace_id = $1 AND p.id = $2"
);

/// Inserts a post into a thread of workspace `ws` (`NotFound` otherwise) and bumps the
/// thread's activity, in one statement. The thread and the author are selected from `ws`:
/// their foreign keys alone would accept another workspace's rows.
///
/// The same statement follows the thread for the author and moves their read cursor to the
/// post (unless they unfollowed it on purpose: `following` stays false), and records a reply
/// event when someone else follows the thread and none waits to be expanded (see
/// `EventKind::Reply`). Two concurrent posts may both record one; expanding the second then
/// finds every follower has their delivery already.
///
/// `GREATEST` keeps `last_post_seq` from moving backwards: sequence numbers are handed out
/// when a post is inserted, not when it commits, so of two concurrent posts the one with the
/// lower number may update the thread second.
pub(super) async fn append_post(
    tx: &Transaction<'_>,
    ws: &str,
    post: &NewPost,
) -> StoreResult<Post> {
    let sql = concat!(
        "WITH p AS (
             INSERT INTO posts (workspace_id, id, thread_id, author_id, body, html, expectation, created_at)
             SELECT $1, $2, t.id, m.id, $5, $6, $7, $8
             FROM threads t JOIN members m ON m.workspace_id = t.workspace_id AND m.id = $4
             WHERE t.workspace_id = $1 AND t.id = $3
             RETURNING *
         ), bumped AS (
             UPDATE threads t SET
                 last_post_seq = GREATEST(t.last_post_seq, p.seq),
                 last_post_at = CASE WHEN p.seq > t.last_post_seq THEN p.created_at ELSE t.last_post_at END,
                 post_count = t.post_count + 1
             FROM p WHERE t.id = p.thread_id
         ), followed AS (
             INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
             SELECT p.workspace_id, p.author_id, p.thread_id, p.seq, true FROM p
             ON CONFLICT (member_id, thread_id) DO UPDATE
                 SET last_read_seq = GREATEST(read_cursors.last_read_seq, EXCLUDED.last_read_seq),
                     following = COALESCE(read_cursors.following, true)
         ), replied AS (
             INSERT INTO events (workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at)
             SELECT p.workspace_id, $9, 'reply', p.thread_id, p.id, p.author_id, $10, p.created_at FROM p
             WHERE EXISTS (SELECT 1 FROM read_cursors r
                           WHERE r.thread_id = p.thread_id AND r.following AND r.member_id <> p.author_id)
               AND NOT EXISTS (SELECT 1 FROM events e
                               WHERE e.thread_id = p.thread_id AND e.kind = 'reply' AND e.expanded_at IS NULL)
         )
         SELECT ",
        post_cols!(),
        " FROM p"
    );
    let expectation = post.expectation.as_ref().map(to_json).transpose()?;
    let reply_payload = to_json(&EventPayload::default())?;
    let params: Params = &[
        &ws,
        &post.id.to_string(),
        &post.thread_id.to_string(),
        &post.author_id.to_string(),
        &post.body,
        &post.html,
        &expectation,
        &ms(post.created_at),
        &Id::random().to_string(),
        &reply_payload,
    ];
    let written = query::one(tx, sql, params, rows::post).await?;
    super::deliveries::record_post_event(tx, ws, &written, &post.asks).await?;
    super::follows::record_mentions(tx, ws, &written, &post.mentions).await?;
    super::asks::record(tx, ws, &written, &post.asks).await?;
    Ok(written)
}

/// Inserts a thread into a space of workspace `ws`, by an author of `ws` (`NotFound`
/// otherwise), then its opening post. The thread starts with no activity (`last_post_seq` 0,
/// which no post has) because the post's number is only known once it is inserted.
pub(super) async fn insert_thread(
    tx: &Transaction<'_>,
    ws: &str,
    new: &NewThread,
) -> StoreResult<CreatedThread> {
    let first = &new.first_post;
    if first.thread_id != new.id {
        return Err(StoreError::Other(anyhow::anyhow!(
            "the opening post names another thread"
        )));
    }
    let sql = concat!(
        "INSERT INTO threads AS t (workspace_id, id, space_id, title, author_id, expectation,
                                   created_at, last_post_at, last_post_seq, post_count)
         SELECT $1, $2, s.id, $4, m.id, $6, $7, $7, 0, 0
         FROM spaces s JOIN members m ON m.workspace_id = s.workspace_id AND m.id = $5
         WHERE s.workspace_id = $1 AND s.id = $3
         RETURNING ",
        thread_cols!()
    );
    let expectation = to_json(&first.expectation.clone().unwrap_or_else(Expectation::fyi))?;
    let params: Params = &[
        &ws,
        &new.id.to_string(),
        &new.space_id.to_string(),
        &new.title,
        &first.author_id.to_string(),
        &expectation,
        &ms(first.created_at),
    ];
    let mut thread = query::one(tx, sql, params, rows::thread).await?;
    let post = append_post(tx, ws, first).await?;
    // The thread is new in this transaction, so after `append_post` its activity is exactly
    // this one post; setting it here saves reading the row back.
    thread.last_post_seq = post.seq;
    thread.last_post_at = post.created_at;
    thread.post_count = 1;
    Ok(CreatedThread { thread, post })
}

#[async_trait]
impl ThreadStore for PgStore {
    async fn create_thread(
        &self,
        ws: Id,
        thread: NewThread,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<CreatedThread> {
        let at = thread.first_post.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move { insert_thread(tx, &ws.to_string(), &thread).await })
        })
        .await
    }

    async fn thread_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<(Thread, Space, bool)> {
        let sql = concat!(
            "SELECT ",
            thread_cols!(),
            ", s.id AS s_id, s.name AS s_name, s.visibility AS s_visibility, s.created_by AS s_created_by,
               s.created_at AS s_created_at, s.seq AS s_seq, sm.member_id IS NOT NULL AS is_member
             FROM threads t
             JOIN spaces s ON s.workspace_id = t.workspace_id AND s.id = t.space_id
             LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = $3
             WHERE t.workspace_id = $1 AND t.id = $2"
        );
        let params: Params = &[&ws.to_string(), &id.to_string(), &viewer.to_string()];
        query::one(&self.client().await?, sql, params, rows::thread_with_space).await
    }

    async fn thread(&self, ws: Id, id: Id) -> StoreResult<Thread> {
        let sql = concat!(
            "SELECT ",
            thread_cols!(),
            " FROM threads t WHERE t.workspace_id = $1 AND t.id = $2"
        );
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, sql, params, rows::thread).await
    }

    async fn list_threads(
        &self,
        ws: Id,
        space: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<ThreadSummary>> {
        // Unread counts come from the read cursor: no cursor means every post is unread, a
        // cursor at or past the latest post means none; only threads read part-way need the
        // count over the posts index.
        let sql = concat!(
            "SELECT ",
            thread_cols!(),
            ", CASE
                 WHEN rc.last_read_seq IS NULL THEN t.post_count
                 WHEN rc.last_read_seq >= t.last_post_seq THEN 0
                 ELSE (SELECT COUNT(*) FROM posts p
                       WHERE p.workspace_id = t.workspace_id AND p.thread_id = t.id
                         AND p.seq > rc.last_read_seq)
               END AS unread
             FROM threads t
             LEFT JOIN read_cursors rc ON rc.member_id = $3 AND rc.thread_id = t.id
             WHERE t.workspace_id = $1 AND t.space_id = $2 AND t.last_post_seq < $4
             ORDER BY t.last_post_seq DESC LIMIT $5"
        );
        let params: Params = &[
            &ws.to_string(),
            &space.to_string(),
            &viewer.to_string(),
            &page.after.unwrap_or(i64::MAX),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, rows::thread_summary).await?;
        Ok(Page::from_rows(rows, page, |s| s.thread.last_post_seq))
    }

    async fn create_post(
        &self,
        ws: Id,
        post: NewPost,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Post> {
        let at = post.created_at;
        self.idempotent(ws, idem, at, move |tx| {
            Box::pin(async move { append_post(tx, &ws.to_string(), &post).await })
        })
        .await
    }

    async fn post(&self, ws: Id, id: Id) -> StoreResult<Post> {
        let params: Params = &[&ws.to_string(), &id.to_string()];
        query::one(&self.client().await?, POST_BY_ID, params, rows::post).await
    }

    async fn list_posts(&self, ws: Id, thread: Id, page: PageRequest) -> StoreResult<Page<Post>> {
        let sql = concat!(
            "SELECT ",
            post_cols!(),
            " FROM posts p WHERE p.workspace_id = $1 AND p.thread_id = $2 AND p.seq > $3
             ORDER BY p.seq LIMIT $4"
        );
        let params: Params = &[
            &ws.to_string(),
            &thread.to_string(),
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let rows = query::all(&self.client().await?, sql, params, rows::post).await?;
        Ok(Page::from_rows(rows, page, |p| p.seq))
    }

    async fn edit_post(
        &self,
        ws: Id,
        id: Id,
        body: String,
        html: String,
        at: Timestamp,
    ) -> StoreResult<Post> {
        // One statement, so no transaction is needed: `old` locks the post and reads the
        // version being replaced (the latest committed one, should two edits race), `revision`
        // keeps it, and the update writes the new one.
        let sql = concat!(
            "WITH old AS (
                 SELECT id, body, html FROM posts WHERE workspace_id = $1 AND id = $2 FOR UPDATE
             ), revision AS (
                 INSERT INTO post_revisions (workspace_id, post_id, body, html, replaced_at)
                 SELECT $1, id, body, html, $5 FROM old
             )
             UPDATE posts AS p SET body = $3, html = $4, edited_at = $5 FROM old
             WHERE p.id = old.id
             RETURNING ",
            post_cols!()
        );
        let params: Params = &[&ws.to_string(), &id.to_string(), &body, &html, &ms(at)];
        query::one(&self.client().await?, sql, params, rows::post).await
    }

    async fn post_revisions(
        &self,
        ws: Id,
        id: Id,
        page: PageRequest,
    ) -> StoreResult<Page<PostRevision>> {
        let sql = concat!(
            "SELECT ",
            revision_cols!(),
            ", seq FROM post_revisions WHERE workspace_id = $1 AND post_id = $2 AND seq > $3
             ORDER BY seq LIMIT $4"
        );
        let client = self.client().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        let params: Params = &[
            &ws,
            &id,
            &page.after.unwrap_or(0),
            &(i64::from(page.limit) + 1),
        ];
        let revisions = query::all(&client, sql, params, |r| {
            Ok((rows::revision(r)?, r.try_get("seq")?))
        })
        .await?;
        if revisions.is_empty() {
            // Most posts are never edited: only then check that the post exists at all.
            query::one(&client, POST_BY_ID, &[&ws, &id], |_| Ok(())).await?;
        }
        Ok(Page::from_seq_rows(revisions, page))
    }

    async fn mark_read(&self, ws: Id, member: Id, thread: Id, seq: i64) -> StoreResult<()> {
        // Selecting the thread makes one from another workspace `NotFound`; the member is
        // checked by its foreign key.
        let sql = "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq)
                   SELECT $1, $2, t.id, $4 FROM threads t WHERE t.workspace_id = $1 AND t.id = $3
                   ON CONFLICT (member_id, thread_id) DO UPDATE
                   SET last_read_seq = GREATEST(read_cursors.last_read_seq, EXCLUDED.last_read_seq)";
        let params: Params = &[
            &ws.to_string(),
            &member.to_string(),
            &thread.to_string(),
            &seq,
        ];
        found(query::exec(&self.client().await?, sql, params).await?)
    }

    async fn read_cursor(&self, ws: Id, member: Id, thread: Id) -> StoreResult<i64> {
        let sql = "SELECT last_read_seq FROM read_cursors
                   WHERE workspace_id = $1 AND member_id = $2 AND thread_id = $3";
        let params: Params = &[&ws.to_string(), &member.to_string(), &thread.to_string()];
        let seq = query::opt(
            &self.client().await?,
            sql,
            params,
            |row| Ok(row.try_get(0)?),
        )
        .await?;
        Ok(seq.unwrap_or(0))
    }
}
