//! `/api/v1/spaces…`: spaces, their members and their threads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{MemberOut, PageQuery, SpaceOut, ThreadHead};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, PathIds, QueryParams};
use crate::idempotency::KeyHeader;
use crate::services::{access, spaces, threads};
use crate::state::AppState;

/// Body of `POST /api/v1/spaces`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSpace {
    /// Name.
    pub name: String,
    /// `public` (every member) or `private` (listed members only).
    pub visibility: String,
}

/// Creates a space; the caller becomes its first member.
#[utoipa::path(post, path = "/api/v1/spaces", tag = "spaces", request_body = CreateSpace,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = SpaceOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    key: KeyHeader,
    body: JsonBody<CreateSpace>,
) -> ApiResult<(StatusCode, Json<SpaceOut>)> {
    let claim = state.in_flight.claim(caller.id, key, &body.fingerprint)?;
    let space = spaces::create_space(
        &state,
        &caller,
        &body.value.name,
        &body.value.visibility,
        claim.as_ref().map(|c| &c.0),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(SpaceOut::new(&space, None))))
}

/// A page of the spaces the caller can see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceList {
    /// Oldest first. A page may hold fewer spaces than `limit` (spaces the caller may not see
    /// are left out of it) while `next_cursor` says there are more.
    pub spaces: Vec<SpaceOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists the spaces the caller can see, a page at a time.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "spaces", params(PageQuery),
    responses((status = 200, body = SpaceList), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<SpaceList>> {
    let page = spaces::list_visible(&state, &caller, q.page()?).await?;
    Ok(Json(SpaceList {
        spaces: page
            .items
            .iter()
            .map(|(s, m)| SpaceOut::new(s, Some(*m)))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One space.
#[utoipa::path(get, path = "/api/v1/spaces/{id}", tag = "spaces", params(("id" = String, Path)),
    responses((status = 200, body = SpaceOut), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<SpaceOut>> {
    let space = access::visible_space(&state, &caller, id).await?;
    Ok(Json(SpaceOut::new(&space, None)))
}

/// Body of `PATCH /api/v1/spaces/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSpace {
    /// `public` or `private`.
    pub visibility: String,
}

/// Changes a space's visibility (admins).
#[utoipa::path(patch, path = "/api/v1/spaces/{id}", tag = "spaces", params(("id" = String, Path)), request_body = UpdateSpace,
    responses((status = 200, body = SpaceOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<UpdateSpace>,
) -> ApiResult<Json<SpaceOut>> {
    let space = spaces::set_visibility(&state, &caller, id, &body.value.visibility).await?;
    Ok(Json(SpaceOut::new(&space, None)))
}

/// Body of `POST /api/v1/spaces/{id}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The member to add.
    pub member_id: String,
}

/// Adds a member of the workspace to the space.
#[utoipa::path(post, path = "/api/v1/spaces/{id}/members", tag = "spaces", params(("id" = String, Path)), request_body = AddMember,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<AddMember>,
) -> ApiResult<StatusCode> {
    let member = baton_core::Id::parse("member_id", &body.value.member_id)?;
    spaces::add_member(&state, &caller, id, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member from the space (themself, or anyone by an admin).
#[utoipa::path(delete, path = "/api/v1/spaces/{id}/members/{member_id}", tag = "spaces",
    params(("id" = String, Path), ("member_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathIds(space, member): PathIds,
) -> ApiResult<StatusCode> {
    spaces::remove_member(&state, &caller, space, member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A page of a space's members.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceMemberList {
    /// In the order they joined the workspace. A guest sees each one's name only.
    pub members: Vec<MemberOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists a space's members, a page at a time.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/members", tag = "spaces", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = SpaceMemberList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn members(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<SpaceMemberList>> {
    let page = spaces::members(&state, &caller, id, q.page()?).await?;
    Ok(Json(SpaceMemberList {
        members: page
            .items
            .iter()
            .map(|m| MemberOut::seen_by(&caller, m))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A thread in a space's list, with the caller's unread count.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadListItem {
    /// The thread.
    #[serde(flatten)]
    pub thread: ThreadHead,
    /// Posts the caller has not read.
    pub unread: i64,
}

/// A page of a space's threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadList {
    /// Most recently active first.
    pub threads: Vec<ThreadListItem>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists a space's threads, most recently active first, with unread counts.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/threads", tag = "spaces", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = ThreadList), (status = 404, body = Problem)))]
pub async fn list_threads(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<ThreadList>> {
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let page = threads::list_threads(&state, &caller, id, page).await?;
    let threads = page
        .items
        .iter()
        .map(|s| ThreadListItem {
            thread: (&s.thread).into(),
            unread: s.unread,
        })
        .collect();
    Ok(Json(ThreadList {
        threads,
        next_cursor: page.next_cursor,
    }))
}
