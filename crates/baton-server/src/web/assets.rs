//! The static files every page uses, compiled into the binary: the stylesheet, Baton's small
//! script (keyboard shortcuts, time zone detection) and the vendored htmx (0BSD license, in
//! `static/htmx.LICENSE`).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::WebError;
use crate::state::AppState;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "baton.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/baton.css"),
    ),
    (
        "baton.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/baton.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx.min.js"),
    ),
    (
        "htmx.LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../static/htmx.LICENSE"),
    ),
];

/// `GET /static/{name}`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(serve))
}

async fn serve(Path(name): Path<String>) -> Response {
    let Some((_, mime, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return WebError::not_found().into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        *body,
    )
        .into_response()
}
