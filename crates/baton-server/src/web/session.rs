//! The session cookie: reading it into the signed-in [`Viewer`], and setting or clearing it.
//! The cookie is HttpOnly (scripts cannot read it) and SameSite=Lax (other sites cannot send it
//! with their forms). With an https base URL it is also `Secure` and named with the `__Host-`
//! prefix, which browsers accept only from a secure page, with `Path=/` and without `Domain`:
//! neither a plain-http page nor a sibling subdomain can set or overwrite it.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::error::WebError;
use crate::services::sessions::{self, LIFETIME, SignedIn};
use crate::state::{AppState, WebSettings};

/// The name of one of Baton's cookies, plain or `__Host-` prefixed.
#[derive(Debug, Clone, Copy)]
pub struct CookieName {
    plain: &'static str,
    host_only: &'static str,
}

/// The session cookie.
pub const SESSION_COOKIE: CookieName = CookieName {
    plain: "baton_session",
    host_only: "__Host-baton_session",
};

impl CookieName {
    /// A cookie named `plain`, and `host_only` (its `__Host-` form) over https.
    pub const fn new(plain: &'static str, host_only: &'static str) -> Self {
        Self { plain, host_only }
    }

    /// The name this server uses. Only that name is read: over https a plain cookie could have
    /// been planted by a plain-http page or a subdomain.
    pub fn on(self, web: &WebSettings) -> &'static str {
        if web.is_https() {
            self.host_only
        } else {
            self.plain
        }
    }

    /// The cookie's value in the request, if sent.
    pub fn read<'a>(self, headers: &'a HeaderMap, web: &WebSettings) -> Option<&'a str> {
        let name = self.on(web);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// A `Set-Cookie` value: host-only, for the whole site, `Secure` over https.
    pub fn set(self, web: &WebSettings, value: &str, max_age_secs: i64) -> HeaderValue {
        let secure = if web.is_https() { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
            self.on(web)
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The signed-in member making a page request. Pages that need one take this; without a live
/// session the request is sent to sign-in and back.
#[derive(Debug, Clone)]
pub struct Viewer(pub SignedIn);

/// Puts a new session's cookie on `response`. It lasts as long as a session can
/// ([`LIFETIME`]); the server ends an idle session sooner.
pub fn start_cookie(response: &mut Response, state: &AppState, signed_in: &SignedIn) {
    response.headers_mut().append(
        header::SET_COOKIE,
        SESSION_COOKIE.set(&state.web, &signed_in.secret, LIFETIME.as_secs()),
    );
}

/// Removes the session cookie from the browser.
pub fn clear_cookie(response: &mut Response, state: &AppState) {
    response
        .headers_mut()
        .append(header::SET_COOKIE, SESSION_COOKIE.set(&state.web, "", 0));
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
        let Some(secret) = SESSION_COOKIE.read(&parts.headers, &state.web) else {
            return Ok(None);
        };
        let viewer = sessions::current(state, secret).await?.map(Viewer);
        if let Some(v) = &viewer {
            parts.extensions.insert(v.clone());
        }
        Ok(viewer)
    }
}
