//! Bearer-token authentication: the [`Caller`] extractor turns `Authorization: Bearer TOKEN`
//! into the active member who owns the token, or answers 401. Only the token's SHA-256 is
//! looked up, so the secret never reaches the database or the logs.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use baton_core::model::Member;
use baton_core::token::{TOKEN_PREFIX, hash_token};

use crate::error::ApiError;
use crate::state::AppState;

/// The well-formed Baton token in an `Authorization: Bearer …` header, if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| t.starts_with(TOKEN_PREFIX) && t.len() <= 128)
}

/// The authenticated member making the request.
#[derive(Debug, Clone)]
pub struct Caller(pub Member);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let member = state
            .store
            .authenticate(&hash_token(token))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Caller(member))
    }
}
