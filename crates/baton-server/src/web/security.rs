//! What guards every request and response: the host check that refuses requests for another
//! host (DNS rebinding), headers every response carries (CSP without inline script, nosniff, a
//! strict referrer policy, no framing, HSTS over https), and the same-origin check every
//! state-changing browser request passes before its CSRF token is even looked at.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::base_url::is_loopback_literal;
use super::error::WebError;
use crate::error::ApiError;
use crate::state::{AppState, WebSettings};

/// The Content-Security-Policy of every page: scripts and styles only from our own origin, no
/// plugins, no `<base>` rewriting, no framing, forms only to ourselves.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// HSTS over https: browsers that saw it use https for a year, so a network attacker cannot
/// downgrade a later visit to plain http and read the session cookie's owner's traffic.
const HSTS: &str = "max-age=31536000";

/// With a base URL, refuses every request whose `Host` is neither its host nor a loopback
/// address written as an address. A DNS rebinding page (a site whose name is re-pointed at
/// this server, so the browser treats Baton's answers as that site's own) always sends its
/// own name, so it is refused. Without a base URL Baton cannot know its name, and answers all.
///
/// The refusal is 421 Misdirected Request, not 400: the request is well formed, it was only
/// sent to a server that does not answer for that host (RFC 9110 §15.5.20), and a client that
/// reused a connection for another name may retry on a fresh one. A request naming no host at
/// all is malformed, and gets 400.
///
/// `/healthz` answers whatever the host: load balancers and orchestrators probe an instance
/// by its own address (`10.0.0.5:8080`), and "ok" tells a rebinding page nothing. Loopback
/// addresses pass too: no DNS name is involved, and the machine's own tools keep working.
pub async fn host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(base) = &state.web.base_url else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let api = path.starts_with("/api/");
    let refusal = match authority(request.uri(), request.headers()) {
        _ if path == "/healthz" => None,
        Some(host) if base.matches_host(host) || is_loopback_literal(host) => None,
        Some(_) => Some((
            StatusCode::MISDIRECTED_REQUEST,
            "This server does not answer for the host name this request was sent to. Use the \
             address Baton was set up with.",
        )),
        None => Some((
            StatusCode::BAD_REQUEST,
            "This request names no host. Send a Host header.",
        )),
    };
    match refusal {
        None => next.run(request).await,
        Some((status, detail)) if api => ApiError::new(status, detail).into_response(),
        Some((status, detail)) => WebError::Status {
            status,
            message: detail.into(),
        }
        .into_response(),
    }
}

/// The host a request was sent to: the request target's authority (HTTP/2's `:authority`, or
/// an absolute-form target, both of which take precedence over `Host`), else `Host`.
fn authority<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a str> {
    uri.authority()
        .map(|a| a.as_str())
        .or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
}

/// Whether the request reached Baton over https, when Baton can know: the base URL's scheme,
/// else (only behind a trusted proxy) the proxy's `X-Forwarded-Proto`. `None` when unknown:
/// Baton itself speaks plain http, but a TLS proxy it was not told about may sit in front.
fn arrived_over_https(headers: &HeaderMap, web: &WebSettings) -> Option<bool> {
    if let Some(base) = &web.base_url {
        return Some(base.is_https());
    }
    if !web.trust_proxy {
        return None;
    }
    // A chain of proxies appends; the last value is the one our own proxy set.
    let proto = headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()?;
    Some(proto.trim().eq_ignore_ascii_case("https"))
}

/// Adds the security headers to every response that does not already set them.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let https = arrived_over_https(request.headers(), &state.web) == Some(true);
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
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Refuses a browser POST that another site started: `Sec-Fetch-Site: cross-site`, or an
/// `Origin` that is not the origin the request was sent to.
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && is_cross_site(request.uri(), request.headers(), &state.web)
    {
        return WebError::csrf().into_response();
    }
    next.run(request).await
}

fn is_cross_site(uri: &Uri, headers: &HeaderMap, web: &WebSettings) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return true;
    }
    let Some(origin) = text(header::ORIGIN) else {
        // No Origin: curl or an old browser; the CSRF token still guards the form.
        return false;
    };
    if origin == "null" {
        return true;
    }
    if let Some(base) = &web.base_url {
        return !base.matches_origin(origin);
    }
    let (scheme, origin_host) = origin.split_once("://").unwrap_or(("", origin));
    // An http page must not post into an https site (a network attacker can write the former).
    let same_scheme = match arrived_over_https(headers, web) {
        Some(https) => scheme.eq_ignore_ascii_case(if https { "https" } else { "http" }),
        None => true,
    };
    let same_host =
        authority(uri, headers).is_none_or(|host| origin_host.eq_ignore_ascii_case(host));
    !(same_scheme && same_host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::base_url::BaseUrl;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn cross(pairs: &[(&'static str, &'static str)], web: &WebSettings) -> bool {
        is_cross_site(&Uri::from_static("/spaces"), &with(pairs), web)
    }

    #[test]
    fn same_host_origin_passes_and_others_fail() {
        let web = WebSettings::default();
        assert!(!cross(
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ],
            &web
        ));
        assert!(
            !cross(&[("host", "127.0.0.1:8080")], &web),
            "no Origin: curl or an old browser"
        );
        assert!(cross(
            &[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080")
            ],
            &web
        ));
        assert!(cross(
            &[("origin", "null"), ("host", "127.0.0.1:8080")],
            &web
        ));
        assert!(cross(
            &[("sec-fetch-site", "cross-site"), ("host", "a")],
            &web
        ));
    }

    #[test]
    fn the_scheme_counts_when_the_base_url_or_a_trusted_proxy_tells_it() {
        let plain = WebSettings::default();
        let https_origin = [("origin", "https://a.example"), ("host", "a.example")];
        let http_origin = [
            ("origin", "http://a.example"),
            ("host", "a.example"),
            ("x-forwarded-proto", "https"),
        ];
        assert!(!cross(&https_origin, &plain) && !cross(&http_origin, &plain));
        let proxied = WebSettings {
            trust_proxy: true,
            ..WebSettings::default()
        };
        assert!(
            cross(&http_origin, &proxied),
            "http page into an https site"
        );
        let based = WebSettings {
            base_url: Some(BaseUrl::parse("https://a.example").expect("valid")),
            ..WebSettings::default()
        };
        assert!(!cross(&https_origin, &based));
        assert!(cross(
            &[("origin", "http://a.example"), ("host", "a.example")],
            &based
        ));
    }
}
