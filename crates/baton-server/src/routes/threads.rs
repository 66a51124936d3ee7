//! `/api/v1/threads…` and `/api/v1/posts…`: threads, replies, edits, read state.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::Id;
use baton_core::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{AskOut, ExpectationBody, PageQuery, PostOut, ThreadHead, time};
use super::urgent::UrgentOut;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::idempotency::KeyHeader;
use crate::services::threads::ExpectationInput;
use crate::services::{access, threads};
use crate::state::AppState;

/// Body of `POST /api/v1/threads`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateThread {
    /// The space to start it in.
    pub space_id: String,
    /// Required title.
    pub title: String,
    /// The opening post, in Markdown (at most 64 KiB).
    pub body: String,
    /// What the thread expects of its readers.
    pub expectation: Option<ExpectationBody>,
}

/// A started thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedThreadOut {
    /// Thread id.
    pub id: String,
    /// Opening post id.
    pub post_id: String,
    /// Asks created by a `reply` expectation.
    pub asks: Vec<AskOut>,
    /// For an `urgent` expectation: whether it went out as urgent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<UrgentOut>,
}

/// Starts a thread with its opening post.
#[utoipa::path(post, path = "/api/v1/threads", tag = "threads", request_body = CreateThread,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CreatedThreadOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    key: KeyHeader,
    body: JsonBody<CreateThread>,
) -> ApiResult<(StatusCode, Json<CreatedThreadOut>)> {
    let claim = state.in_flight.claim(caller.id, key, &body.fingerprint)?;
    let b = body.value;
    let (created, urgent) = threads::start_thread(
        &state,
        &caller,
        Id::parse("space_id", &b.space_id)?,
        &b.title,
        &b.body,
        b.expectation.map(ExpectationInput::try_from).transpose()?,
        claim.as_ref().map(|c| &c.0),
    )
    .await?;
    let asks = threads::asks_of(&state, &caller, &created.post).await?;
    let asks = asks.iter().map(AskOut::from).collect();
    Ok((
        StatusCode::CREATED,
        Json(CreatedThreadOut {
            id: created.thread.id.to_string(),
            post_id: created.post.id.to_string(),
            asks,
            urgent: urgent.map(Into::into),
        }),
    ))
}

/// A thread with its posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadOut {
    /// The thread's fields.
    #[serde(flatten)]
    pub thread: ThreadHead,
    /// Posts in order (the first page; follow `posts_next_cursor` with `/posts`).
    pub posts: Vec<PostOut>,
    /// Cursor for `GET /api/v1/threads/{id}/posts` when there are more posts.
    pub posts_next_cursor: Option<String>,
}

/// A thread and its first page of posts.
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "threads", params(("id" = String, Path)),
    responses((status = 200, body = ThreadOut), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<ThreadOut>> {
    let page = PageRequest {
        after: None,
        limit: baton_core::page::MAX_PAGE,
    };
    let (thread, posts) = threads::read_thread(&state, &caller, id, page).await?;
    Ok(Json(ThreadOut {
        thread: (&thread).into(),
        posts: posts.items.iter().map(Into::into).collect(),
        posts_next_cursor: posts.next_cursor,
    }))
}

/// Body of `POST /api/v1/threads/{id}/posts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePost {
    /// Markdown (at most 64 KiB).
    pub body: String,
    /// What the post expects of its readers.
    pub expectation: Option<ExpectationBody>,
}

/// A written post.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPostOut {
    /// Post id.
    pub id: String,
    /// When it was written.
    pub created_at: String,
    /// Asks created by a `reply` expectation.
    pub asks: Vec<AskOut>,
    /// For an `urgent` expectation: whether it went out as urgent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<UrgentOut>,
}

/// Replies in a thread.
#[utoipa::path(post, path = "/api/v1/threads/{id}/posts", tag = "threads", request_body = CreatePost,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CreatedPostOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create_post(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    key: KeyHeader,
    body: JsonBody<CreatePost>,
) -> ApiResult<(StatusCode, Json<CreatedPostOut>)> {
    let claim = state.in_flight.claim(caller.id, key, &body.fingerprint)?;
    let b = body.value;
    let (post, urgent) = threads::reply(
        &state,
        &caller,
        id,
        &b.body,
        b.expectation.map(ExpectationInput::try_from).transpose()?,
        claim.as_ref().map(|c| &c.0),
    )
    .await?;
    let asks = threads::asks_of(&state, &caller, &post).await?;
    let asks = asks.iter().map(AskOut::from).collect();
    Ok((
        StatusCode::CREATED,
        Json(CreatedPostOut {
            id: post.id.to_string(),
            created_at: time(post.created_at),
            asks,
            urgent: urgent.map(Into::into),
        }),
    ))
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    /// In write order.
    pub posts: Vec<PostOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Pages through a thread's posts.
#[utoipa::path(get, path = "/api/v1/threads/{id}/posts", tag = "threads", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = PostList), (status = 404, body = Problem)))]
pub async fn list_posts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<PostList>> {
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let (_, posts) = threads::read_thread(&state, &caller, id, page).await?;
    Ok(Json(PostList {
        posts: posts.items.iter().map(Into::into).collect(),
        next_cursor: posts.next_cursor,
    }))
}

/// Body of `POST /api/v1/threads/{id}/read`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// Read up to and including this post; the latest post when absent.
    pub post_id: Option<String>,
}

/// Marks a thread read for the caller (the read cursor only moves forward).
#[utoipa::path(post, path = "/api/v1/threads/{id}/read", tag = "threads", params(("id" = String, Path)), request_body = MarkRead,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn mark_read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<MarkRead>,
) -> ApiResult<StatusCode> {
    let post = body
        .value
        .post_id
        .map(|p| Id::parse("post_id", &p))
        .transpose()?;
    threads::mark_read(&state, &caller, id, post).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the caller follows a thread: followers hear of its replies at their delivery
/// windows. Posting in a thread follows it, unless the caller unfollowed it on purpose.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Following {
    /// `true` to follow, `false` to stop.
    pub following: bool,
}

/// Whether the caller follows a thread.
#[utoipa::path(get, path = "/api/v1/threads/{id}/following", tag = "threads", params(("id" = String, Path)),
    responses((status = 200, body = Following), (status = 404, body = Problem)))]
pub async fn following(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Following>> {
    let following = threads::following(&state, &caller, id).await?;
    Ok(Json(Following { following }))
}

/// Follows or unfollows a thread for the caller.
#[utoipa::path(put, path = "/api/v1/threads/{id}/following", tag = "threads", params(("id" = String, Path)), request_body = Following,
    responses((status = 200, body = Following), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_following(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<Following>,
) -> ApiResult<Json<Following>> {
    let following = body.value.following;
    threads::set_following(&state, &caller, id, following).await?;
    Ok(Json(Following { following }))
}

/// The threads the caller follows that have unread posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedThreads {
    /// Most recently active first, at most 20.
    pub threads: Vec<super::spaces::ThreadListItem>,
}

/// The threads the caller follows with posts they have not read: the replies and mentions
/// waiting for them, most recently active first.
#[utoipa::path(get, path = "/api/v1/following", tag = "threads",
    responses((status = 200, body = FollowedThreads), (status = 401, body = Problem)))]
pub async fn followed_unread(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<FollowedThreads>> {
    let threads = threads::followed_unread(&state, &caller)
        .await?
        .iter()
        .map(|s| super::spaces::ThreadListItem {
            thread: (&s.thread).into(),
            unread: s.unread,
        })
        .collect();
    Ok(Json(FollowedThreads { threads }))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = String, Path)),
    responses((status = 200, body = PostOut), (status = 404, body = Problem)))]
pub async fn read_post(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(
        (&access::visible_post(&state, &caller, id).await?).into(),
    ))
}

/// Body of `PATCH /api/v1/posts/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPost {
    /// The new Markdown body.
    pub body: String,
}

/// Edits a post (its author only); the previous version is kept.
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = String, Path)), request_body = EditPost,
    responses((status = 200, body = PostOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_post(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<EditPost>,
) -> ApiResult<Json<PostOut>> {
    Ok(Json(
        (&threads::edit_post(&state, &caller, id, &body.value.body).await?).into(),
    ))
}

/// An earlier version of a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionOut {
    /// Markdown of that version.
    pub body: String,
    /// Its HTML.
    pub html: String,
    /// When it was replaced.
    pub replaced_at: String,
}

/// A page of a post's earlier versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// Oldest first.
    pub revisions: Vec<RevisionOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists a post's earlier versions, a page at a time.
#[utoipa::path(get, path = "/api/v1/posts/{id}/revisions", tag = "posts", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = RevisionList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn revisions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<RevisionList>> {
    let page = threads::revisions(&state, &caller, id, q.page()?).await?;
    let revisions = page
        .items
        .into_iter()
        .map(|r| RevisionOut {
            body: r.body,
            html: r.html,
            replaced_at: time(r.replaced_at),
        })
        .collect();
    Ok(Json(RevisionList {
        revisions,
        next_cursor: page.next_cursor,
    }))
}
