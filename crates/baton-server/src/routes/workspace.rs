//! `/api/v1/workspace/owner`: the owner hands the workspace to another member. Ownership
//! moves only this way, never through a role change.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::MemberOut;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::services::members;
use crate::state::AppState;

/// Body of `POST /api/v1/workspace/owner`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferOwnership {
    /// The member who becomes the owner: active, a member or an admin.
    pub member_id: String,
}

/// Makes another member the workspace's owner (the owner only); the owner becomes an admin.
/// Recorded in the audit log.
#[utoipa::path(post, path = "/api/v1/workspace/owner", tag = "workspace", request_body = TransferOwnership,
    responses((status = 200, body = MemberOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transfer_ownership(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<TransferOwnership>,
) -> ApiResult<Json<MemberOut>> {
    let heir = baton_core::Id::parse("member_id", &body.value.member_id)?;
    let owner = members::transfer_ownership(&state, &caller, heir).await?;
    Ok(Json((&owner).into()))
}
