//! Operational endpoints: health, metrics, the OpenAPI document and the JSON 404.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.store.ping().await?;
    Ok("ok\n")
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
