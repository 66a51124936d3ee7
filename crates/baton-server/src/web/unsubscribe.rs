//! One-click unsubscribe (RFC 8058) for people reading a digest: `POST /unsubscribe/{token}`
//! turns the member's email digests off; `GET` shows a page whose button sends that POST.
//!
//! Owns: the two routes and the body check. Does not own: the token (see
//! `services::unsubscribe`), which is the credential, so neither route needs a session or a
//! CSRF token, and both are mounted outside the same-origin check (a mail provider sends the
//! POST from its own servers). GET never changes anything: link scanners and previews fetch
//! links in emails.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::get;

use super::{WebError, WebResult, render};
use crate::services::unsubscribe;
use crate::state::AppState;

/// `/unsubscribe/{token}`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(page).post(one_click))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    token: &'a str,
    email: &'a str,
    /// The POST went through.
    done: bool,
    /// Digests were off before.
    already_off: bool,
}

/// The confirmation page. Writes nothing.
async fn page(State(state): State<AppState>, Path(token): Path<String>) -> WebResult<Response> {
    let member = unsubscribe::resolve(&state, &token).await?;
    let already_off = !state
        .store
        .policy(member.workspace_id, member.id)
        .await?
        .unwrap_or_default()
        .email_digest;
    Ok(render(&UnsubscribePage {
        token: &token,
        email: &member.email,
        done: false,
        already_off,
    }))
}

/// The one-click POST: its body must say `List-Unsubscribe=One-Click` (urlencoded, or as a
/// multipart/form-data field, which RFC 8058 prefers).
async fn one_click(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    // A bad token is a 404 whatever the body says.
    unsubscribe::resolve(&state, &token).await?;
    if !is_one_click(&headers, &body) {
        return Err(WebError::bad_request(
            "This unsubscribe request does not say List-Unsubscribe=One-Click, so nothing was changed.",
        ));
    }
    let member = unsubscribe::unsubscribe(&state, &token).await?;
    Ok(render(&UnsubscribePage {
        token: &token,
        email: &member.email,
        done: true,
        already_off: false,
    }))
}

/// Whether `body` carries the field `List-Unsubscribe` with the value `One-Click`.
fn is_one_click(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        // One part named List-Unsubscribe whose content is One-Click.
        let text = String::from_utf8_lossy(body);
        return text.split("Content-Disposition:").any(|part| {
            part.contains("name=\"List-Unsubscribe\"")
                && part
                    .split_once("\r\n\r\n")
                    .or_else(|| part.split_once("\n\n"))
                    .is_some_and(|(_, value)| value.trim_start().starts_with("One-Click"))
        });
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).is_ok_and(|fields| {
        fields
            .iter()
            .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn typed(content_type: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h
    }

    #[test]
    fn the_one_click_body_is_recognised_urlencoded_and_multipart() {
        let form = typed("application/x-www-form-urlencoded");
        assert!(is_one_click(&form, b"List-Unsubscribe=One-Click"));
        assert!(!is_one_click(&form, b"List-Unsubscribe=Later"));
        assert!(!is_one_click(&form, b""));
        let multipart = typed("multipart/form-data; boundary=XyZ");
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(is_one_click(&multipart, body.as_bytes()));
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"Other\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(!is_one_click(&multipart, other.as_bytes()));
    }
}
