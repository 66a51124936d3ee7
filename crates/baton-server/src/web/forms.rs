//! Form posts. Every state change is a POST of an urlencoded form carrying a `csrf` field:
//! signed-in forms carry the session's token ([`CsrfForm`]); the sign-in and first-run forms,
//! which have no session yet, carry a random token that must equal their `baton_csrf` cookie
//! (`__Host-baton_csrf` over https; [`AnonForm`], the double-submit pattern).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::auth::FieldError;
use super::error::WebError;
use super::session::{CookieName, Viewer};
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Largest form body: a 64 KiB post with room for percent-encoding.
pub const MAX_FORM_BYTES: usize = 256 * 1024;
/// Cookie holding the pre-session CSRF token.
const ANON_CSRF_COOKIE: CookieName = CookieName::new("baton_csrf", "__Host-baton_csrf");

/// The fields of a posted form, in order, for forms with repeated names (checkboxes).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// Every value sent under `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A signed-in form post whose CSRF token matched: who sent it, the typed form and its raw
/// fields.
#[derive(Debug)]
pub struct CsrfForm<T> {
    /// The signed-in sender.
    pub viewer: SignedIn,
    /// The form, deserialized.
    pub value: T,
    /// Every field as sent.
    pub fields: Fields,
}

/// A form post without a session whose token matched its cookie.
#[derive(Debug)]
pub struct AnonForm<T> {
    /// The form, deserialized.
    pub value: T,
    /// Every field as sent.
    pub fields: Fields,
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn parse<T: DeserializeOwned>(
    body: axum::body::Body,
    expected_csrf: Option<&str>,
) -> Result<(T, Fields), WebError> {
    let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| WebError::bad_request("This form is larger than Baton accepts."))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| WebError::bad_request("This form could not be read."))?;
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    match (sent, expected_csrf) {
        (Some(sent), Some(expected)) if same_token(sent, expected) => {}
        _ => return Err(WebError::csrf()),
    }
    let value = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| WebError::bad_request(format!("This form could not be read: {e}.")))?;
    Ok((value, Fields(fields)))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let Viewer(viewer) = Viewer::from_request_parts(&mut parts, state).await?;
        let (value, fields) = parse(body, Some(&viewer.csrf_token())).await?;
        Ok(Self {
            viewer,
            value,
            fields,
        })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for AnonForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let expected = ANON_CSRF_COOKIE
            .read(&parts.headers, &state.web)
            .map(str::to_owned);
        let (value, fields) = parse(body, expected.as_deref()).await?;
        Ok(Self { value, fields })
    }
}

/// The pre-session CSRF token for a sign-in or first-run page: the browser's existing one, or
/// a new one to set as a cookie (the second value) with the page.
pub fn anon_csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    if let Some(token) = ANON_CSRF_COOKIE
        .read(headers, &state.web)
        .filter(|t| t.len() == 64)
    {
        return (token.to_owned(), None);
    }
    let mut bytes = [0u8; 32];
    // Without randomness the token is empty and the form post fails its check: safe.
    if getrandom::fill(&mut bytes).is_err() {
        return (String::new(), None);
    }
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    (token.clone(), Some(token))
}

/// Sets the pre-session CSRF cookie made by [`anon_csrf`], if a new one was made.
pub fn set_anon_csrf(response: &mut Response, state: &AppState, new_token: Option<String>) {
    if let Some(token) = new_token {
        response.headers_mut().append(
            axum::http::header::SET_COOKIE,
            ANON_CSRF_COOKIE.set(&state.web, &token, 86_400),
        );
    }
}

/// The status of a page that shows a form again: 422 when the form has an error, otherwise
/// 200.
pub fn form_status(error: &FieldError) -> StatusCode {
    if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
