//! Threads, posts, revisions and read cursors on SQLite.

use std::sync::LazyLock;

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{
    CreatedThread, NewPost, NewThread, Post, PostRevision, Space, Thread, ThreadSummary,
};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::rows::{self, POST_COLS, SPACE_COLS, THREAD_COLS, ms, to_json, ts};
use crate::columns::revision_cols;
use crate::{IdempotencyKey, StoreResult, ThreadStore};

fn thread_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Thread> {
    Ok(c.prepare_cached(&format!(
        "SELECT {THREAD_COLS} FROM threads t WHERE t.workspace_id = ?1 AND t.id = ?2"
    ))?
    .query_row((ws, id), rows::thread)?)
}

fn post_by_id(c: &Connection, ws: &str, id: &str) -> StoreResult<Post> {
    Ok(c.prepare_cached(&format!(
        "SELECT {POST_COLS} FROM posts p WHERE p.workspace_id = ?1 AND p.id = ?2"
    ))?
    .query_row((ws, id), rows::post)?)
}

/// Inserts a post into a thread of workspace `ws` and bumps the thread's activity. The thread
/// and the author must both be in `ws` (`NotFound` otherwise): foreign keys alone would accept
/// another workspace's ids.
///
/// The check is its own `SELECT` rather than an `INSERT … SELECT`: SQLite gives a statement
/// that may write several rows a statement journal, which copies every page the insert touches.
pub(super) fn insert_post(c: &Connection, ws: &str, p: &NewPost) -> StoreResult<Post> {
    let (thread, author) = (p.thread_id.to_string(), p.author_id.to_string());
    let in_workspace = c
        .prepare_cached(
            "SELECT 1 FROM threads t JOIN members m ON m.workspace_id = t.workspace_id AND m.id = ?3
             WHERE t.workspace_id = ?1 AND t.id = ?2",
        )?
        .exists((ws, &thread, &author))?;
    if !in_workspace {
        return Err(crate::StoreError::NotFound);
    }
    let expectation = p.expectation.as_ref().map(to_json).transpose()?;
    c.prepare_cached(
        "INSERT INTO posts (workspace_id, id, thread_id, author_id, body, html, expectation, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((ws, p.id.to_string(), &thread, &author, &p.body, &p.html, &expectation, ms(p.created_at)))?;
    let seq = c.last_insert_rowid();
    c.prepare_cached(
        "UPDATE threads SET last_post_seq = ?3, last_post_at = ?4, post_count = post_count + 1
         WHERE workspace_id = ?1 AND id = ?2",
    )?
    .execute((ws, &thread, seq, ms(p.created_at)))?;
    // Everything a post holds is known here; reading the row back would only cost time.
    let post = Post {
        id: p.id,
        thread_id: p.thread_id,
        author_id: p.author_id,
        body: p.body.clone(),
        html: p.html.clone(),
        expectation: p.expectation.clone(),
        created_at: p.created_at,
        edited_at: None,
        seq,
    };
    super::deliveries::record_post_event(c, ws, &post, &p.asks)?;
    super::follows::follow_own_post(c, ws, &post)?;
    super::follows::record_mentions(c, ws, &post, &p.mentions)?;
    // Answering the author's open asks is an UPDATE that SQLite runs in two passes (it changes
    // the column its partial index filters on), costly even when nothing matches; most posts
    // answer nothing, so one probe of that index decides whether to run it.
    if !p.asks.is_empty() || has_open_asks(c, ws, &thread, &author)? {
        super::asks::record(c, ws, &post, &p.asks)?;
    }
    Ok(post)
}

/// Inserts a thread into a space of `ws` (`NotFound` otherwise) and its opening post.
pub(super) fn insert_thread(
    c: &Connection,
    ws: &str,
    new: &NewThread,
) -> StoreResult<CreatedThread> {
    let id = new.id.to_string();
    let p = &new.first_post;
    c.prepare_cached("SELECT 1 FROM spaces WHERE workspace_id = ?1 AND id = ?2")?
        .query_row((ws, new.space_id.to_string()), |_| Ok(()))?;
    let expectation = to_json(
        &p.expectation
            .clone()
            .unwrap_or_else(baton_core::expectation::Expectation::fyi),
    )?;
    c.prepare_cached(
        "INSERT INTO threads (workspace_id, id, space_id, title, author_id, expectation, created_at, last_post_at,
                              last_post_seq, post_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 0, 0)",
    )?
    .execute((ws, &id, new.space_id.to_string(), &new.title, p.author_id.to_string(), expectation, ms(p.created_at)))?;
    let post = insert_post(c, ws, p)?;
    Ok(CreatedThread {
        thread: thread_by_id(c, ws, &id)?,
        post,
    })
}

/// Whether `member` has unanswered asks in `thread`: what [`super::asks::record`] answers.
fn has_open_asks(c: &Connection, ws: &str, thread: &str, member: &str) -> StoreResult<bool> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM asks WHERE workspace_id = ?1 AND thread_id = ?2 AND to_id = ?3 AND answered_at IS NULL",
    )?
    .exists((ws, thread, member))?)
}

#[async_trait]
impl ThreadStore for SqliteStore {
    async fn create_thread(
        &self,
        ws: Id,
        new: NewThread,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<CreatedThread> {
        let at = new.first_post.created_at;
        self.write_idempotent_repeatable(ws, idem, at, move |c| {
            insert_thread(c, &ws.to_string(), &new)
        })
        .await
    }

    async fn thread(&self, ws: Id, id: Id) -> StoreResult<Thread> {
        self.engine
            .read(move |c| thread_by_id(c, &ws.to_string(), &id.to_string()))
            .await
    }

    async fn thread_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<(Thread, Space, bool)> {
        // Built once: this lookup is on every post's path.
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {THREAD_COLS}, {SPACE_COLS}, sm.member_id IS NOT NULL FROM threads t
                 JOIN spaces s ON s.workspace_id = t.workspace_id AND s.id = t.space_id
                 LEFT JOIN space_members sm ON sm.space_id = s.id AND sm.member_id = ?3
                 WHERE t.workspace_id = ?1 AND t.id = ?2"
            )
        });
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&SQL)?
                    .query_row((ws.to_string(), id.to_string(), viewer.to_string()), |r| {
                        Ok((rows::thread(r)?, rows::space_at(r, 10)?, r.get(16)?))
                    })?)
            })
            .await
    }

    async fn list_threads(
        &self,
        ws: Id,
        space: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<ThreadSummary>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {THREAD_COLS},
                            (SELECT COUNT(*) FROM posts p WHERE p.workspace_id = t.workspace_id AND p.thread_id = t.id
                                AND p.seq > COALESCE(rc.last_read_seq, 0))
                     FROM threads t
                     LEFT JOIN read_cursors rc ON rc.member_id = ?3 AND rc.thread_id = t.id
                     WHERE t.workspace_id = ?1 AND t.space_id = ?2 AND t.last_post_seq < ?4
                     ORDER BY t.last_post_seq DESC LIMIT ?5"
                ))?;
                let rows = stmt
                    .query_map(
                        (ws.to_string(), space.to_string(), viewer.to_string(), page.after.unwrap_or(i64::MAX), i64::from(page.limit) + 1),
                        |r| Ok(ThreadSummary { thread: rows::thread(r)?, unread: r.get(10)? }),
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |s| s.thread.last_post_seq))
            })
            .await
    }

    async fn create_post(
        &self,
        ws: Id,
        post: NewPost,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Post> {
        let at = post.created_at;
        self.write_idempotent_repeatable(ws, idem, at, move |c| {
            insert_post(c, &ws.to_string(), &post)
        })
        .await
    }

    async fn post(&self, ws: Id, id: Id) -> StoreResult<Post> {
        self.engine
            .read(move |c| post_by_id(c, &ws.to_string(), &id.to_string()))
            .await
    }

    async fn list_posts(&self, ws: Id, thread: Id, page: PageRequest) -> StoreResult<Page<Post>> {
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {POST_COLS} FROM posts p WHERE p.workspace_id = ?1 AND p.thread_id = ?2 AND p.seq > ?3
                     ORDER BY p.seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map((ws.to_string(), thread.to_string(), page.after.unwrap_or(0), i64::from(page.limit) + 1), rows::post)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::from_rows(rows, page, |p| p.seq))
            })
            .await
    }

    async fn edit_post(
        &self,
        ws: Id,
        id: Id,
        body: String,
        html: String,
        at: Timestamp,
    ) -> StoreResult<Post> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let old = post_by_id(c, &ws, &id)?;
                c.prepare_cached("INSERT INTO post_revisions (workspace_id, post_id, body, html, replaced_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute((&ws, &id, &old.body, &old.html, ms(at)))?;
                c.prepare_cached("UPDATE posts SET body = ?3, html = ?4, edited_at = ?5 WHERE workspace_id = ?1 AND id = ?2")?
                    .execute((&ws, &id, &body, &html, ms(at)))?;
                post_by_id(c, &ws, &id)
            })
            .await
    }

    async fn post_revisions(
        &self,
        ws: Id,
        id: Id,
        page: PageRequest,
    ) -> StoreResult<Page<PostRevision>> {
        self.engine
            .scan(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                post_by_id(c, &ws, &id)?;
                let mut stmt = c.prepare_cached(concat!(
                    "SELECT ",
                    revision_cols!(),
                    ", seq FROM post_revisions
                     WHERE workspace_id = ?1 AND post_id = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4"
                ))?;
                let rows = stmt
                    .query_map(
                        (ws, id, page.after.unwrap_or(0), i64::from(page.limit) + 1),
                        |r| {
                            Ok((
                                PostRevision {
                                    body: r.get(0)?,
                                    html: r.get(1)?,
                                    replaced_at: ts(r.get(2)?)?,
                                },
                                r.get(3)?,
                            ))
                        },
                    )?
                    .collect::<Result<_, _>>()?;
                Ok(Page::from_seq_rows(rows, page))
            })
            .await
    }

    async fn mark_read(&self, ws: Id, member: Id, thread: Id, seq: i64) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, member, thread) = (ws.to_string(), member.to_string(), thread.to_string());
                thread_by_id(c, &ws, &thread)?;
                c.prepare_cached(
                    "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (member_id, thread_id) DO UPDATE SET last_read_seq = MAX(last_read_seq, excluded.last_read_seq)",
                )?
                .execute((&ws, &member, &thread, seq))?;
                Ok(())
            })
            .await
    }

    async fn read_cursor(&self, ws: Id, member: Id, thread: Id) -> StoreResult<i64> {
        self.engine
            .read(move |c| {
                let seq: Option<i64> = c
                    .prepare_cached("SELECT last_read_seq FROM read_cursors WHERE workspace_id = ?1 AND member_id = ?2 AND thread_id = ?3")?
                    .query_row((ws.to_string(), member.to_string(), thread.to_string()), |r| r.get(0))
                    .optional()?;
                Ok(seq.unwrap_or(0))
            })
            .await
    }
}
