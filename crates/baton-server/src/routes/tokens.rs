//! `POST /api/v1/tokens`: signing in from a script or a client. A member trades their email
//! and password for a new API token of their own, checked and throttled exactly like the
//! sign-in form; an email in several workspaces names the one it means.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::Id;
use serde::Deserialize;
use utoipa::ToSchema;

use super::members::NewTokenOut;
use crate::client::ClientAddr;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::JsonBody;
use crate::services::error::ServiceError;
use crate::services::sessions::Checked;
use crate::services::{members, sessions};
use crate::state::AppState;

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLogin {
    /// The member's email address.
    pub email: String,
    /// The member's password.
    pub password: String,
    /// What the token is for, e.g. "laptop CLI".
    pub label: Option<String>,
    /// The workspace's id, when this email and password belong to members of several
    /// (without it such a request answers 409 listing them).
    pub workspace: Option<String>,
}

/// Issues a new API token to the member whose email and password these are (no bearer
/// token needed). Failed attempts are throttled as sign-in is (429 with `Retry-After`). When
/// the email and password open members of several workspaces and `workspace` is absent, the
/// answer is 409 with a `workspaces` member listing them (`id`, `name`).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = PasswordLogin, security(()),
    responses((status = 201, body = NewTokenOut), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: JsonBody<PasswordLogin>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let b = body.value;
    let workspace = b
        .workspace
        .as_deref()
        .map(|w| {
            w.parse::<Id>()
                .map_err(|_| ApiError::invalid("workspace", "The workspace is not a valid id."))
        })
        .transpose()?;
    let credentials = sessions::Credentials {
        email: &b.email,
        password: &b.password,
        workspace,
        client,
    };
    let member = match sessions::check_password(&state, &credentials).await? {
        Checked::Member(member) => member,
        Checked::Choose(workspaces) => return Err(ServiceError::Ambiguous { workspaces }.into()),
    };
    let (info, token) =
        members::issue_token(&state, &member, member.id, b.label.as_deref(), None).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenOut {
            token,
            id: info.id.to_string(),
        }),
    ))
}
