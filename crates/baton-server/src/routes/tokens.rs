//! `POST /api/v1/tokens`: signing in from a script or a client. A member trades their email
//! and password for a new API token of their own, checked and throttled exactly like the
//! sign-in form.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::members::NewTokenOut;
use crate::client::ClientAddr;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
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
}

/// Issues a new API token to the member whose email and password these are (no bearer
/// token needed). Failed attempts are throttled as sign-in is.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = PasswordLogin, security(()),
    responses((status = 201, body = NewTokenOut), (status = 422, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    body: JsonBody<PasswordLogin>,
) -> ApiResult<(StatusCode, Json<NewTokenOut>)> {
    let b = body.value;
    let credentials = sessions::Credentials {
        email: &b.email,
        password: &b.password,
        client,
    };
    let member = sessions::check_password(&state, &credentials).await?;
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
