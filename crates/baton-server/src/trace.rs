//! One span per request, so every line a request logs on its way (handler, services, store
//! errors) carries the same request number, method and route, and one request can be followed
//! through the log; the services' own spans (`#[tracing::instrument]`) nest inside it.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Requests numbered in the order this process received them.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// Middleware wrapping the rest of the request in a `request` span.
pub async fn request_span(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "request",
        n = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed),
        method = %request.method(),
        route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str),
    );
    next.run(request).instrument(span).await
}
