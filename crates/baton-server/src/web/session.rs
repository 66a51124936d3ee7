//! The session cookie: reading it into the signed-in [`Viewer`], and setting or clearing it.
//! The cookie is HttpOnly (scripts cannot read it), SameSite=Lax (other sites cannot send it
//! with their forms) and Secure when Baton is served over https.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::error::WebError;
use crate::services::sessions::{self, IDLE_LIMIT, SignedIn};
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "baton_session";

/// The signed-in member making a page request. Pages that need one take this; without a live
/// session the request is sent to sign-in and back.
#[derive(Debug, Clone)]
pub struct Viewer(pub SignedIn);

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for `name`, host-only, for the whole site.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Puts a new session's cookie on `response`.
pub fn start_cookie(response: &mut Response, state: &AppState, signed_in: &SignedIn) {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &signed_in.secret,
            IDLE_LIMIT.as_secs(),
            state.web.secure_cookies,
        ),
    );
}

/// Removes the session cookie from the browser.
pub fn clear_cookie(response: &mut Response, state: &AppState) {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.web.secure_cookies),
    );
}

/// Where to come back to after signing in: this request's path and query.
fn return_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        <Self as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or_else(|| WebError::SignIn {
                next: return_path(parts),
            })
    }
}

impl OptionalFromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(Some(v.clone()));
        }
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        let viewer = sessions::current(state, secret).await?.map(Viewer);
        if let Some(v) = &viewer {
            parts.extensions.insert(v.clone());
        }
        Ok(viewer)
    }
}
