//! `/api/v1/members…`: members, roles, deactivation and API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{MemberOut, PageQuery, TokenOut};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, PathIds, QueryParams};
use crate::idempotency::KeyHeader;
use crate::services::{access, members, schedules};
use crate::state::AppState;

/// Body of `POST /api/v1/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    /// Email address, unique in the workspace.
    pub email: String,
    /// Display name.
    pub name: String,
    /// IANA time zone, e.g. `America/Sao_Paulo`.
    pub timezone: String,
    /// Initial password (at least 8 characters); without one the member signs in only with tokens.
    pub password: Option<String>,
    /// `admin`, `member` (default) or `guest`.
    pub role: Option<String>,
}

/// Adds a member to the caller's workspace (admins only).
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = CreateMember,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = MemberOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    key: KeyHeader,
    body: JsonBody<CreateMember>,
) -> ApiResult<(StatusCode, Json<MemberOut>)> {
    let claim = state.in_flight.claim(caller.id, key, &body.fingerprint)?;
    let b = body.value;
    let input = members::MemberInput {
        email: b.email,
        name: b.name,
        timezone: b.timezone,
        password: b.password,
        role: b.role,
    };
    let member =
        members::create_member(&state, &caller, input, claim.as_ref().map(|c| &c.0)).await?;
    Ok((StatusCode::CREATED, Json((&member).into())))
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    /// Members in creation order.
    pub members: Vec<MemberOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists the members of the caller's workspace, a page at a time. A guest sees only the
/// members who share a space with them, and of those only their names.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(PageQuery),
    responses((status = 200, body = MemberList), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<MemberList>> {
    let page = access::members_in_sight(&state, &caller, q.page()?).await?;
    Ok(Json(MemberList {
        members: page
            .items
            .iter()
            .map(|m| MemberOut::seen_by(&caller, m))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A member with where they stand in their working day.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDetail {
    /// The member.
    #[serde(flatten)]
    pub member: MemberOut,
    /// Their local wall-clock time now, `HH:MM`.
    pub local_time: String,
    /// Whether they are inside their working hours now.
    pub working_now: bool,
    /// When their next working period starts (now, while working), in UTC. Not shown to
    /// guests (it tells their schedule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_working_start: Option<String>,
}

/// One member of the caller's workspace, with their local time and working state. A guest
/// sees only members who share a space with them (404 for the others), and of them only the
/// name, local time and whether they work now.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)),
    responses((status = 200, body = MemberDetail), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<MemberDetail>> {
    let (member, sight) = access::member_in_sight(&state, &caller, id).await?;
    let presence = schedules::presence(&state, &member).await?;
    Ok(Json(MemberDetail {
        member: MemberOut::seen_by(&caller, &member),
        local_time: presence.local_time,
        working_now: presence.working_now,
        next_working_start: presence
            .next_working_start
            .filter(|_| sight == access::Sight::Full)
            .map(super::dto::time),
    }))
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "members", responses((status = 200, body = MemberOut), (status = 401, body = Problem)))]
pub async fn me(Caller(caller): Caller) -> Json<MemberOut> {
    Json((&caller).into())
}

/// Body of `PATCH /api/v1/members/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    /// New role: `admin`, `member` or `guest`.
    pub role: String,
}

/// Changes a member's role (admins; only the owner makes admins).
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<UpdateMember>,
) -> ApiResult<Json<MemberOut>> {
    Ok(Json(
        (&members::set_role(&state, &caller, id, &body.value.role).await?).into(),
    ))
}

/// Deactivates a member (admins): sign-in and every token stop working at once.
#[utoipa::path(post, path = "/api/v1/members/{id}/deactivate", tag = "members", params(("id" = String, Path)),
    responses((status = 200, body = MemberOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn deactivate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<MemberOut>> {
    Ok(Json(
        (&members::deactivate(&state, &caller, id).await?).into(),
    ))
}

/// Body of `POST /api/v1/members/{id}/tokens`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, e.g. "laptop CLI".
    pub label: Option<String>,
}

/// A newly issued token: the secret is shown here once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenOut {
    /// The secret to send as `Authorization: Bearer …`.
    pub token: String,
    /// Token id (for revoking).
    pub id: String,
}

/// Issues an API token (admin, or the member themself).
#[utoipa::path(post, path = "/api/v1/members/{id}/tokens", tag = "tokens", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a retry issues no second token (409 naming the first)")),
    request_body = CreateToken,
    responses((status = 201, body = NewTokenOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    key: KeyHeader,
    body: JsonBody<CreateToken>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let claim = state.in_flight.claim(caller.id, key, &body.fingerprint)?;
    let idem = claim.as_ref().map(|c| &c.0);
    let (info, token) =
        members::issue_token(&state, &caller, id, body.value.label.as_deref(), idem).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            token,
            id: info.id.to_string(),
        }),
    ))
}

/// A page of a member's live tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// Tokens, oldest first.
    pub tokens: Vec<TokenOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Lists a member's live tokens (admin, or the member themself), a page at a time.
#[utoipa::path(get, path = "/api/v1/members/{id}/tokens", tag = "tokens", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = TokenList), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<TokenList>> {
    let page = members::list_tokens(&state, &caller, id, q.page()?).await?;
    Ok(Json(TokenList {
        tokens: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Revokes a token; it stops working on the next request.
#[utoipa::path(delete, path = "/api/v1/members/{id}/tokens/{token_id}", tag = "tokens",
    params(("id" = String, Path), ("token_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathIds(member, token): PathIds,
) -> ApiResult<StatusCode> {
    members::revoke_token(&state, &caller, member, token).await?;
    Ok(StatusCode::NO_CONTENT)
}
