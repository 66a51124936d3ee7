//! Spaces: the list with the "New space" form, one space's threads with unread marks, and its
//! membership page.
//!
//! Owns: these pages and the helper every conversation page uses for failed form posts
//! ([`form_error`]). Does not own: who may see or change a space (`services::spaces`,
//! `services::access`).

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::Id;
use baton_core::model::Member;
use baton_core::page::PageRequest;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::auth::FieldError;
use super::forms::CsrfForm;
use super::session::Viewer;
use super::{Chrome, PageId, PageIds, Section, WebResult, format, render, render_with};
use crate::error::ApiError;
use crate::services::sessions::SignedIn;
use crate::services::{access, spaces, threads, webhooks};
use crate::state::AppState;

/// `/spaces…` pages (the new-thread form lives with the thread pages).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces", get(list).post(create))
        .route("/spaces/{id}", get(space))
        .route("/spaces/{id}/members", get(members).post(add_member))
        .route(
            "/spaces/{id}/members/{member_id}/remove",
            post(remove_member),
        )
}

/// A failed service call on a form post: what the person can fix (shown next to the field,
/// with the input kept, at the error's status), or what becomes an error page. A 404 is never
/// a form error: hidden and missing must look the same everywhere.
///
/// # Errors
///
/// Every error that is not a client error, and every 404, as the error page.
pub fn form_error(e: ApiError, fallback: &str) -> WebResult<(FieldError, StatusCode)> {
    if e.status().is_client_error() && e.status() != StatusCode::NOT_FOUND {
        Ok((FieldError::from_api(&e, fallback), e.status()))
    } else {
        Err(e.into())
    }
}

/// A space in the list.
struct SpaceRow {
    id: String,
    name: String,
    visibility: &'static str,
    member: bool,
}

/// The "New space" form.
#[derive(Debug, Clone, Deserialize)]
struct NewSpaceForm {
    #[serde(default)]
    name: String,
    #[serde(default = "public")]
    visibility: String,
}

fn public() -> String {
    "public".into()
}

#[derive(Template)]
#[template(path = "spaces.html")]
struct SpacesPage {
    chrome: Chrome,
    spaces: Vec<SpaceRow>,
    next_cursor: Option<String>,
    form: NewSpaceForm,
    error: FieldError,
}

/// The page of spaces after `cursor` (the first page without one), with the form.
async fn spaces_page(
    state: &AppState,
    signed_in: &SignedIn,
    cursor: Option<&str>,
    (form, error): (NewSpaceForm, FieldError),
    status: StatusCode,
) -> WebResult<Response> {
    let request = PageRequest::parse(cursor, None).map_err(ApiError::from)?;
    let list = spaces::list_visible(state, &signed_in.member, request).await?;
    let page = SpacesPage {
        chrome: Chrome::load(state, signed_in, Section::Spaces, "Spaces").await?,
        next_cursor: list.next_cursor.clone(),
        spaces: list
            .items
            .iter()
            .map(|(s, member)| SpaceRow {
                id: s.id.to_string(),
                name: s.name.clone(),
                visibility: s.visibility.as_str(),
                member: *member,
            })
            .collect(),
        form,
        error,
    };
    Ok(render_with(&page, status))
}

async fn list(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    query: Result<Query<CursorQuery>, QueryRejection>,
) -> WebResult<Response> {
    let form = NewSpaceForm {
        name: String::new(),
        visibility: public(),
    };
    let cursor = query.ok().and_then(|Query(q)| q.cursor);
    spaces_page(
        &state,
        &signed_in,
        cursor.as_deref(),
        (form, FieldError::default()),
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    form: CsrfForm<NewSpaceForm>,
) -> WebResult<Response> {
    let f = &form.value;
    match spaces::create_space(&state, &form.viewer.member, &f.name, &f.visibility, None)
        .await
        .map_err(ApiError::from)
    {
        Ok(space) => Ok(Redirect::to(&format!("/spaces/{}", space.id)).into_response()),
        Err(e) => {
            let (error, status) = form_error(e, "name")?;
            spaces_page(&state, &form.viewer, None, (form.value, error), status).await
        }
    }
}

/// A thread in a space's list.
struct ThreadRow {
    id: String,
    title: String,
    unread: i64,
    last_post: String,
    datetime: String,
    posts: i64,
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    chrome: Chrome,
    space_id: String,
    visibility: &'static str,
    threads: Vec<ThreadRow>,
    /// Whether to offer the space's webhooks page (workspace admins and its creator).
    manages_webhooks: bool,
    first_page: bool,
    next_cursor: Option<String>,
}

/// `?cursor=` of paged lists.
#[derive(Debug, Default, Deserialize)]
pub struct CursorQuery {
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

async fn space(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(id): PageId,
    query: Result<Query<CursorQuery>, QueryRejection>,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let space = access::visible_space(&state, me, id).await?;
    let cursor = query.ok().and_then(|Query(q)| q.cursor);
    let page = PageRequest::parse(cursor.as_deref(), None).map_err(ApiError::from)?;
    let list = threads::list_threads(&state, me, space.id, page).await?;
    let now = state.clock.now();
    let rows = list
        .items
        .iter()
        .map(|s| ThreadRow {
            id: s.thread.id.to_string(),
            title: s.thread.title.clone(),
            unread: s.unread,
            last_post: super::inbox::when(s.thread.last_post_at, &me.timezone, now),
            datetime: format::machine(s.thread.last_post_at, &me.timezone),
            posts: s.thread.post_count,
        })
        .collect();
    let page = SpacePage {
        chrome: Chrome::load(&state, &signed_in, Section::Spaces, space.name.clone()).await?,
        space_id: space.id.to_string(),
        visibility: space.visibility.as_str(),
        threads: rows,
        manages_webhooks: webhooks::manages(me, &space),
        first_page: cursor.is_none(),
        next_cursor: list.next_cursor,
    };
    Ok(render(&page))
}

/// A member of the space.
struct MemberRow {
    id: String,
    name: String,
    city: String,
    is_me: bool,
    can_remove: bool,
}

/// The "Add member" form.
#[derive(Debug, Default, Deserialize)]
struct AddMemberForm {
    #[serde(default)]
    member_id: String,
}

#[derive(Template)]
#[template(path = "space_members.html")]
struct MembersPage {
    chrome: Chrome,
    space_id: String,
    members: Vec<MemberRow>,
    next_cursor: Option<String>,
    /// Active workspace members not in the space: (id, name).
    candidates: Vec<(String, String)>,
    selected: String,
    error: FieldError,
}

/// The page of a space's members after `cursor` (the first without one), with the form.
async fn members_page(
    state: &AppState,
    signed_in: &SignedIn,
    (id, cursor): (Id, Option<&str>),
    selected: String,
    error: FieldError,
    status: StatusCode,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let space = access::visible_space(state, me, id).await?;
    let request = PageRequest::parse(cursor, None).map_err(ApiError::from)?;
    let members = spaces::members(state, me, space.id, request).await?;
    // The people the viewer may know of (as `GET /api/v1/members` lists them); one page of
    // the largest size keeps the select bounded.
    let everyone = access::members_in_sight(state, me, PageRequest::largest()).await?;
    let candidates = everyone
        .items
        .iter()
        .filter(|m| m.active && !members.items.iter().any(|s| s.id == m.id))
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect();
    let rows = members
        .items
        .iter()
        .map(|m: &Member| MemberRow {
            id: m.id.to_string(),
            name: m.name.clone(),
            city: match access::sight(me, m) {
                access::Sight::Full => format::city(&m.timezone),
                access::Sight::Presence => String::new(),
            },
            is_me: m.id == me.id,
            can_remove: m.id == me.id || me.role.is_admin(),
        })
        .collect();
    let page = MembersPage {
        chrome: Chrome::load(
            state,
            signed_in,
            Section::Spaces,
            format!("Members of {}", space.name),
        )
        .await?,
        space_id: space.id.to_string(),
        members: rows,
        next_cursor: members.next_cursor,
        candidates,
        selected,
        error,
    };
    Ok(render_with(&page, status))
}

async fn members(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(id): PageId,
    query: Result<Query<CursorQuery>, QueryRejection>,
) -> WebResult<Response> {
    let cursor = query.ok().and_then(|Query(q)| q.cursor);
    members_page(
        &state,
        &signed_in,
        (id, cursor.as_deref()),
        String::new(),
        FieldError::default(),
        StatusCode::OK,
    )
    .await
}

async fn add_member(
    State(state): State<AppState>,
    PageId(space): PageId,
    form: CsrfForm<AddMemberForm>,
) -> WebResult<Response> {
    let chosen = form.value.member_id.trim();
    let result = if chosen.is_empty() {
        Err(ApiError::invalid("member_id", "Choose someone to add."))
    } else {
        match Id::parse("member_id", chosen) {
            Ok(member) => spaces::add_member(&state, &form.viewer.member, space, member)
                .await
                .map_err(ApiError::from),
            Err(e) => Err(e.into()),
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{space}/members")).into_response()),
        Err(e) => {
            let (error, status) = form_error(e, "member_id")?;
            let selected = form.value.member_id.clone();
            members_page(&state, &form.viewer, (space, None), selected, error, status).await
        }
    }
}

async fn remove_member(
    State(state): State<AppState>,
    PageIds(space, member): PageIds,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    match spaces::remove_member(&state, me, space, member)
        .await
        .map_err(ApiError::from)
    {
        // Someone who leaves a private space can no longer see it: send them to the list.
        Ok(()) if member == me.id => Ok(Redirect::to("/spaces").into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{space}/members")).into_response()),
        Err(e) => {
            let (error, status) = form_error(e, "remove")?;
            members_page(
                &state,
                &form.viewer,
                (space, None),
                String::new(),
                error,
                status,
            )
            .await
        }
    }
}
