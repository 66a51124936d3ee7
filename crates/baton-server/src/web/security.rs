//! Headers every response carries (CSP without inline script, nosniff, a strict referrer
//! policy, no framing), and the same-origin check every state-changing browser request passes
//! before its CSRF token is even looked at.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::WebError;

/// The Content-Security-Policy of every page: scripts and styles only from our own origin, no
/// plugins, no `<base>` rewriting, no framing, forms only to ourselves.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response that does not already set them.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Refuses a browser POST that another site started: `Sec-Fetch-Site: cross-site`, or an
/// `Origin` whose host is not the `Host` the request was sent to.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && is_cross_site(request.headers()) {
        return WebError::csrf().into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return true;
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_host_origin_passes_and_others_fail() {
        assert!(!is_cross_site(&with(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(
            !is_cross_site(&with(&[("host", "127.0.0.1:8080")])),
            "no Origin: curl or an old browser"
        );
        assert!(is_cross_site(&with(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(is_cross_site(&with(&[
            ("origin", "null"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(is_cross_site(&with(&[
            ("sec-fetch-site", "cross-site"),
            ("host", "a")
        ])));
    }
}
