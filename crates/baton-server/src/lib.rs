//! Baton's HTTP server.
//!
//! Owns: the JSON API under `/api/v1` (routes, request and response types, OpenAPI), bearer
//! token authentication, the translation of every error into RFC 9457 problem+json, request
//! size limits, idempotency keys, health and metrics, serving with graceful shutdown, and the
//! delivery worker that sends email digests.
//! Does not own: rules (baton-core) or SQL (baton-store). Handlers stay thin: authenticate,
//! parse into core types, call a service function, map the result to a response.
#![forbid(unsafe_code)]

pub mod auth;
pub mod calendar;
pub mod client;
pub mod clock;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod live;
pub mod metrics;
pub mod password;
pub mod routes;
pub mod services;
pub mod state;
pub mod trace;
pub mod tzdb;
pub mod web;

use std::future::Future;

pub use routes::router;
pub use state::AppState;

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
/// `baton serve` and the tests share this one path.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.live.clone();
    // The peer address reaches handlers as `ConnectInfo` (see `client::ClientAddr`).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Event streams never end by themselves; end them so in-flight requests can finish.
            live.close();
        })
        .await
}
