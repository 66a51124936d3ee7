//! Workspace administration: members (create, role, deactivate) and spaces (visibility).
//!
//! Owns: the `/admin…` pages. Does not own: who may do what. Every change goes through
//! `services::{members, spaces}`, which refuse non-admins; the pages only check the role first
//! so that a member who types the address gets the same refusal instead of a table.
//! Private spaces the admin is not in stay hidden here too: administering a workspace is not a
//! licence to read private conversations (see `baton_core::visibility`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::role::Role;
use baton_core::visibility::Visibility;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::auth::FieldError;
use super::format::zone_names;
use super::forms::CsrfForm;
use super::session::Viewer;
use super::{Chrome, PageId, Section, WebResult, render, render_with};
use crate::error::ApiError;
use crate::services::members::{self, MemberInput};
use crate::services::sessions::SignedIn;
use crate::services::spaces;
use crate::state::AppState;

/// Members on one page of the admin table. Each row carries two small forms (~1.3 KiB) and the
/// add form's zone list ~19 KiB, so 40 rows keep the page well under 100 KiB.
const PAGE_SIZE: u32 = 40;
/// Roles an admin can hand out, in the order the selects offer them.
const GRANTABLE: [Role; 3] = [Role::Member, Role::Guest, Role::Admin];

/// `/admin/members…` and `/admin/spaces…`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/members", get(members_page).post(create_member))
        .route("/admin/members/{id}/role", post(set_role))
        .route("/admin/members/{id}/deactivate", post(deactivate))
        .route("/admin/owner", post(transfer_ownership))
        .route("/admin/spaces", get(spaces_page))
        .route("/admin/spaces/{id}/visibility", post(set_visibility))
}

/// The 403 a member who is not an admin gets for these pages, in the services' words.
fn admin_only(viewer: &Member) -> WebResult<()> {
    if viewer.role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("Only workspace admins can see this page.").into())
    }
}

#[derive(Debug, Deserialize)]
struct AdminQuery {
    cursor: Option<String>,
    saved: Option<String>,
}

impl AdminQuery {
    fn notice(&self) -> Option<&'static str> {
        Some(match self.saved.as_deref()? {
            "created" => "Member added.",
            "role" => "Role changed.",
            "deactivated" => "Member deactivated. Their sessions and tokens no longer work.",
            "owner" => "Ownership handed over. You are an admin now.",
            "visibility" => "Visibility changed.",
            _ => return None,
        })
    }
}

// ----- members -----

#[derive(Template)]
#[template(path = "admin_members.html")]
struct MembersPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    rows: Vec<MemberRow>,
    /// For the owner: who on this page may become the owner, as (id, name).
    heirs: Vec<(String, String)>,
    next_cursor: Option<String>,
    /// The roles the viewer may hand out.
    roles: Vec<&'static str>,
    zones: &'static [String],
    form: NewMemberForm,
    error: FieldError,
}

struct MemberRow {
    member: Member,
    /// Whether the viewer may change this member's role or deactivate them.
    manageable: bool,
}

/// The create form as typed.
#[derive(Debug, Default, Deserialize)]
struct NewMemberForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

async fn members_response(
    state: &AppState,
    viewer: &SignedIn,
    query: &AdminQuery,
    form: NewMemberForm,
    error: FieldError,
) -> WebResult<Response> {
    let me = &viewer.member;
    admin_only(me)?;
    let request =
        PageRequest::parse(query.cursor.as_deref(), Some(PAGE_SIZE)).map_err(ApiError::from)?;
    let page = state.store.list_members(me.workspace_id, request).await?;
    // Mirrors `members::set_role`: the service decides; this only avoids offering buttons
    // that would be refused.
    let manageable = |m: &Member| m.id != me.id && me.role.may_administer(m.role);
    let heirs = if me.role == Role::Owner {
        page.items
            .iter()
            .filter(|m| m.active && m.id != me.id && m.role != Role::Guest)
            .map(|m| (m.id.to_string(), m.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let page_out = MembersPage {
        chrome: Chrome::load(state, viewer, Section::Admin, "Members").await?,
        notice: query.notice(),
        heirs,
        rows: page
            .items
            .into_iter()
            .map(|member| MemberRow {
                manageable: manageable(&member),
                member,
            })
            .collect(),
        next_cursor: page.next_cursor,
        roles: GRANTABLE
            .iter()
            .filter(|r| me.role.may_grant(**r))
            .map(|r| r.as_str())
            .collect(),
        zones: zone_names(),
        form,
        error,
    };
    let status = if page_out.error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_with(&page_out, status))
}

async fn members_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<AdminQuery>,
) -> WebResult<Response> {
    let form = NewMemberForm {
        timezone: viewer.member.timezone.clone(),
        role: Role::Member.as_str().to_owned(),
        ..NewMemberForm::default()
    };
    members_response(&state, &viewer, &query, form, FieldError::default()).await
}

async fn create_member(
    State(state): State<AppState>,
    form: CsrfForm<NewMemberForm>,
) -> WebResult<Response> {
    let f = &form.value;
    let input = MemberInput {
        email: f.email.clone(),
        name: f.name.clone(),
        timezone: f.timezone.clone(),
        password: Some(f.password.clone()).filter(|p| !p.is_empty()),
        role: Some(f.role.clone()).filter(|r| !r.is_empty()),
    };
    match members::create_member(&state, &form.viewer.member, input, None)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to("/admin/members?saved=created").into_response()),
        // A taken email (409) is the sender's to fix in the form, like a bad one (422).
        Err(e)
            if matches!(
                e.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let error = FieldError::from_api(&e, "email");
            let kept = NewMemberForm {
                password: String::new(),
                ..form.value
            };
            let query = AdminQuery {
                cursor: None,
                saved: None,
            };
            members_response(&state, &form.viewer, &query, kept, error).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    PageId(member): PageId,
    form: CsrfForm<RoleForm>,
) -> WebResult<Response> {
    members::set_role(&state, &form.viewer.member, member, &form.value.role).await?;
    Ok(Redirect::to("/admin/members?saved=role").into_response())
}

async fn deactivate(
    State(state): State<AppState>,
    PageId(member): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    members::deactivate(&state, &form.viewer.member, member).await?;
    Ok(Redirect::to("/admin/members?saved=deactivated").into_response())
}

#[derive(Debug, Deserialize)]
struct OwnerForm {
    #[serde(default)]
    member_id: String,
    confirm: Option<String>,
}

/// The owner hands the workspace over; the form's checkbox says what that means for them.
async fn transfer_ownership(
    State(state): State<AppState>,
    form: CsrfForm<OwnerForm>,
) -> WebResult<Response> {
    if form.value.confirm.is_none() {
        return Err(ApiError::invalid(
            "confirm",
            "Tick the box to confirm: you will be an admin, no longer the owner.",
        )
        .into());
    }
    let heir = baton_core::Id::parse("member_id", &form.value.member_id).map_err(ApiError::from)?;
    members::transfer_ownership(&state, &form.viewer.member, heir).await?;
    Ok(Redirect::to("/admin/members?saved=owner").into_response())
}

// ----- spaces -----

#[derive(Template)]
#[template(path = "admin_spaces.html")]
struct SpacesPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// (id, name, visibility, "3 members" or "200+ members").
    spaces: Vec<(String, String, &'static str, String)>,
    next_cursor: Option<String>,
    visibilities: [&'static str; 2],
}

async fn spaces_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<AdminQuery>,
) -> WebResult<Response> {
    let me = &viewer.member;
    admin_only(me)?;
    let request = PageRequest::parse(query.cursor.as_deref(), None).map_err(ApiError::from)?;
    let list = spaces::list_visible(&state, me, request).await?;
    let mut rows = Vec::new();
    for (space, _) in list.items {
        // Counted up to one page of the largest size: past it, "200+" says enough.
        let members = spaces::members(&state, me, space.id, PageRequest::largest()).await?;
        let count = match (members.items.len(), members.next_cursor.is_some()) {
            (n, true) => format!("{n}+ members"),
            (1, false) => "1 member".to_owned(),
            (n, false) => format!("{n} members"),
        };
        rows.push((
            space.id.to_string(),
            space.name,
            space.visibility.as_str(),
            count,
        ));
    }
    let page = SpacesPage {
        chrome: Chrome::load(&state, &viewer, Section::Admin, "Spaces").await?,
        notice: query.notice(),
        spaces: rows,
        next_cursor: list.next_cursor,
        visibilities: [Visibility::Public.as_str(), Visibility::Private.as_str()],
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
struct VisibilityForm {
    #[serde(default)]
    visibility: String,
}

async fn set_visibility(
    State(state): State<AppState>,
    PageId(space): PageId,
    form: CsrfForm<VisibilityForm>,
) -> WebResult<Response> {
    spaces::set_visibility(&state, &form.viewer.member, space, &form.value.visibility).await?;
    Ok(Redirect::to("/admin/spaces?saved=visibility").into_response())
}
