//! Threads and posts: starting threads, replying, editing with history, reading, unread state.

use baton_core::delivery::UrgentOutcome;
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{
    Ask, CreatedThread, Member, NewPost, NewThread, Post, PostRevision, Thread, ThreadSummary,
};
use baton_core::page::{Page, PageRequest};
use baton_core::{Id, markdown, mention, validate};
use baton_store::IdempotencyKey;

use super::access::{
    addressees, visible_post, visible_space, visible_thread, visible_thread_in_space,
};
use super::error::{ServiceError, ServiceResult};
use super::{asks, urgent};
use crate::live::Change;
use crate::state::AppState;

/// An expectation as a client states it, before validation.
#[derive(Debug, Clone)]
pub struct ExpectationInput {
    /// `fyi`, `reply` or `urgent`.
    pub kind: ExpectationKind,
    /// Working minutes to answer (reply only).
    pub within_minutes: Option<u32>,
    /// The members it names.
    pub of: Vec<Id>,
}

/// Validates an expectation's shape; whom it names is checked against the space by
/// [`access::addressees`].
fn expectation(input: Option<ExpectationInput>) -> ServiceResult<Option<Expectation>> {
    input
        .map(|i| Expectation::validate(i.kind, i.within_minutes, i.of))
        .transpose()
        .map_err(Into::into)
}

/// A post ready to write, with the asks its expectation creates.
async fn new_post(
    state: &AppState,
    caller: &Member,
    thread: Id,
    body: &str,
    expectation: Option<Expectation>,
    addressed: &[Member],
) -> ServiceResult<NewPost> {
    let body = validate::body(body)?;
    let html = markdown::render(&body);
    let now = state.clock.now();
    let asks = asks::plan(state, expectation.as_ref(), addressed, now).await?;
    let mentions = mentioned(state, caller, &body).await?;
    Ok(NewPost {
        id: Id::random(),
        thread_id: thread,
        author_id: caller.id,
        body,
        html,
        expectation,
        asks,
        mentions,
        created_at: now,
    })
}

/// The members a post's body mentions, the author left out. A mention that names nobody is
/// plain text; whether the mentioned may see the thread is checked when they are notified.
async fn mentioned(state: &AppState, caller: &Member, body: &str) -> ServiceResult<Vec<Id>> {
    let mentions = mention::find(body)?;
    if mentions.is_empty() {
        return Ok(Vec::new());
    }
    let members = state
        .store
        .mentioned_members(
            caller.workspace_id,
            mentions.handles.clone(),
            mentions.names.clone(),
        )
        .await?;
    Ok(members
        .iter()
        .filter(|m| m.id != caller.id)
        .map(|m| m.id)
        .collect())
}

/// Starts a thread in a space the caller can see.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn create_thread(
    state: &AppState,
    caller: &Member,
    space: Id,
    title: &str,
    body: &str,
    exp: Option<ExpectationInput>,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<CreatedThread> {
    let (created, _) = start_thread(state, caller, space, title, body, exp, idem).await?;
    Ok(created)
}

/// [`create_thread`], with what the write decided when the opening post is urgent: whether
/// it went out as urgent or, over the sender's budget, as ordinary.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn start_thread(
    state: &AppState,
    caller: &Member,
    space: Id,
    title: &str,
    body: &str,
    exp: Option<ExpectationInput>,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<(CreatedThread, Option<UrgentOutcome>)> {
    let title = validate::title(title)?;
    let expectation = expectation(exp)?;
    let space = visible_space(state, caller, space).await.map_err(|_| {
        ServiceError::invalid(
            "space_id",
            "There is no space with this id that you can post in.",
        )
    })?;
    let addressed = addressees(state, caller, &space, expectation.as_ref()).await?;
    let id = Id::random();
    let first_post = new_post(state, caller, id, body, expectation, &addressed).await?;
    let change = Change::of_post(caller.workspace_id, &first_post);
    let (at, exp) = (first_post.created_at, first_post.expectation.as_ref());
    let urgent = urgent::plan(state, caller, &space, None, exp, &addressed, at).await?;
    let new = NewThread {
        id,
        space_id: space.id,
        title,
        first_post,
    };
    let ws = caller.workspace_id;
    let created = match urgent {
        Some(urgent) => {
            let (created, outcome) = state
                .store
                .create_urgent_thread(ws, new, urgent, idem)
                .await?;
            (created, Some(outcome))
        }
        None => (state.store.create_thread(ws, new, idem).await?, None),
    };
    state.live.publish(change);
    Ok(created)
}

/// Replies in a thread the caller can see.
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn create_post(
    state: &AppState,
    caller: &Member,
    thread: Id,
    body: &str,
    exp: Option<ExpectationInput>,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<Post> {
    Ok(reply(state, caller, thread, body, exp, idem).await?.0)
}

/// [`create_post`], with what the write decided when the post is urgent (see
/// [`start_thread`]).
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn reply(
    state: &AppState,
    caller: &Member,
    thread: Id,
    body: &str,
    exp: Option<ExpectationInput>,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<(Post, Option<UrgentOutcome>)> {
    let (thread, space) = visible_thread_in_space(state, caller, thread).await?;
    let expectation = expectation(exp)?;
    let addressed = addressees(state, caller, &space, expectation.as_ref()).await?;
    let post = new_post(state, caller, thread.id, body, expectation, &addressed).await?;
    let change = Change::of_post(caller.workspace_id, &post);
    let (at, exp) = (post.created_at, post.expectation.as_ref());
    let urgent = urgent::plan(state, caller, &space, Some(thread.id), exp, &addressed, at).await?;
    let ws = caller.workspace_id;
    let created = match urgent {
        Some(urgent) => {
            let (post, outcome) = state
                .store
                .create_urgent_post(ws, post, urgent, idem)
                .await?;
            (post, Some(outcome))
        }
        None => (state.store.create_post(ws, post, idem).await?, None),
    };
    state.live.publish(change);
    Ok(created)
}

/// A thread with its first page of posts.
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn read_thread(
    state: &AppState,
    caller: &Member,
    thread: Id,
    page: PageRequest,
) -> ServiceResult<(Thread, Page<Post>)> {
    let thread = visible_thread(state, caller, thread).await?;
    let posts = state
        .store
        .list_posts(caller.workspace_id, thread.id, page)
        .await?;
    Ok((thread, posts))
}

/// Threads of a visible space, most recently active first, with unread counts.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn list_threads(
    state: &AppState,
    caller: &Member,
    space: Id,
    page: PageRequest,
) -> ServiceResult<Page<ThreadSummary>> {
    let space = visible_space(state, caller, space).await?;
    Ok(state
        .store
        .list_threads(caller.workspace_id, space.id, caller.id, page)
        .await?)
}

/// Marks a visible thread read up to `post` (or its latest post).
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn mark_read(
    state: &AppState,
    caller: &Member,
    thread: Id,
    post: Option<Id>,
) -> ServiceResult<i64> {
    let thread = visible_thread(state, caller, thread).await?;
    let seq = match post {
        Some(post) => {
            let post = visible_post(state, caller, post).await?;
            if post.thread_id != thread.id {
                return Err(ServiceError::invalid(
                    "post_id",
                    "This post is not in this thread.",
                ));
            }
            post.seq
        }
        None => thread.last_post_seq,
    };
    state
        .store
        .mark_read(caller.workspace_id, caller.id, thread.id, seq)
        .await?;
    Ok(seq)
}

/// Whether the caller follows a visible thread.
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn following(state: &AppState, caller: &Member, thread: Id) -> ServiceResult<bool> {
    let thread = visible_thread(state, caller, thread).await?;
    Ok(state
        .store
        .following(caller.workspace_id, caller.id, thread.id)
        .await?)
}

/// Most followed threads with unread posts one list shows.
pub const MAX_FOLLOWED_UNREAD: u32 = 20;

/// The threads the caller follows that have posts they have not read, most recently active
/// first: the replies and mentions waiting for them. A thread they may no longer see is left
/// out.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn followed_unread(
    state: &AppState,
    caller: &Member,
) -> ServiceResult<Vec<ThreadSummary>> {
    let ws = caller.workspace_id;
    let followed = state
        .store
        .followed_unread(ws, caller.id, MAX_FOLLOWED_UNREAD)
        .await?;
    let mut visible = Vec::with_capacity(followed.len());
    for summary in followed {
        match visible_thread(state, caller, summary.thread.id).await {
            Ok(_) => visible.push(summary),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(visible)
}

/// Follows or unfollows a visible thread for the caller, on purpose: an unfollowed thread
/// stays unfollowed when they post in it again.
#[tracing::instrument(skip_all, fields(caller = %caller.id, thread = %thread))]
pub async fn set_following(
    state: &AppState,
    caller: &Member,
    thread: Id,
    following: bool,
) -> ServiceResult<()> {
    let thread = visible_thread(state, caller, thread).await?;
    state
        .store
        .set_following(caller.workspace_id, caller.id, thread.id, following)
        .await?;
    Ok(())
}

/// Edits a post: only its author, and only while they can still see it. History is kept.
#[tracing::instrument(skip_all, fields(caller = %caller.id, post = %post))]
pub async fn edit_post(
    state: &AppState,
    caller: &Member,
    post: Id,
    body: &str,
) -> ServiceResult<Post> {
    let post = visible_post(state, caller, post).await?;
    if post.author_id != caller.id {
        return Err(ServiceError::forbidden("Only the author can edit a post."));
    }
    let body = validate::body(body)?;
    let html = markdown::render(&body);
    Ok(state
        .store
        .edit_post(caller.workspace_id, post.id, body, html, state.clock.now())
        .await?)
}

/// A page of the earlier versions of a visible post.
#[tracing::instrument(skip_all, fields(caller = %caller.id, post = %post))]
pub async fn revisions(
    state: &AppState,
    caller: &Member,
    post: Id,
    page: PageRequest,
) -> ServiceResult<Page<PostRevision>> {
    let post = visible_post(state, caller, post).await?;
    Ok(state
        .store
        .post_revisions(caller.workspace_id, post.id, page)
        .await?)
}

/// The asks a post created. Read back from the store (not from the request) so that an
/// idempotent replay answers exactly what the first request did.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn asks_of(state: &AppState, caller: &Member, post: &Post) -> ServiceResult<Vec<Ask>> {
    let asks_something = post
        .expectation
        .as_ref()
        .is_some_and(|e| e.kind == ExpectationKind::Reply);
    if !asks_something {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .asks_for_post(caller.workspace_id, post.id)
        .await?)
}
