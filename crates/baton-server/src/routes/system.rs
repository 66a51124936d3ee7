//! Operational endpoints: health, metrics, the OpenAPI document and the JSON 404.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The answer of `/healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `ok`: an unhealthy server answers 503 problem+json instead.
    status: &'static str,
    /// The time zone database every local time is computed with.
    tzdb: TzdbInfo,
}

/// Which time zone database is in use, so an operator can tell whether its rules are current.
#[derive(Debug, Serialize)]
pub struct TzdbInfo {
    /// The IANA release, e.g. `2026f`.
    release: String,
    /// `bundled` (compiled into the binary) or `system` (the host's copy).
    source: &'static str,
}

/// 200 with the time zone database in use when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await?;
    let tzdb = baton_core::tzdb::current();
    Ok(Json(Health {
        status: "ok",
        tzdb: TzdbInfo {
            release: tzdb.release.clone(),
            source: tzdb.source.as_str(),
        },
    }))
}

/// Prometheus text exposition of request metrics.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// The OpenAPI 3 document of every `/api/v1` route, generated from the handlers.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(super::ApiDoc::openapi())
}

/// Any unknown path.
pub async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, "There is nothing at this address.").into_response()
    } else {
        crate::web::WebError::not_found().into_response()
    }
}
