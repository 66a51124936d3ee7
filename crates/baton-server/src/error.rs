//! Errors become HTTP responses here and nowhere else: RFC 9457 problem+json with a status, a
//! title and a sentence for a person. Server faults are logged with their cause and answered
//! with a generic detail, so internals never leak to clients.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_core::CoreError;
use baton_store::StoreError;
use serde::Serialize;

use crate::services::error::ServiceError;

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    field: Option<&'static str>,
    /// Seconds for a `Retry-After` header (throttled or busy).
    retry_after: Option<u64>,
    /// One RFC 9457 extension member, e.g. the workspaces an ambiguous sign-in matched.
    extension: Option<(&'static str, serde_json::Value)>,
}

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Any status with a detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            field: None,
            retry_after: None,
            extension: None,
        }
    }

    /// Adds `Retry-After: seconds` (a 429 or 503 saying when to come back).
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds an extension member `name` to the problem body.
    #[must_use]
    pub fn with_extension(mut self, name: &'static str, value: serde_json::Value) -> Self {
        self.extension = Some((name, value));
        self
    }

    /// 404 for `what` ("thread", "space"…). Deliberately the same for "does not exist" and
    /// "exists but you may not see it", so responses reveal nothing about private objects.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("There is no {what} with this id."),
        )
    }

    /// 401: no valid credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Send a valid API token as 'Authorization: Bearer TOKEN'.",
        )
    }

    /// 403: authenticated, visible, but not allowed to do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 422 naming a field.
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// The sentence for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The request field at fault, when there is one (forms show the message next to it).
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// Seconds the client should wait before trying again, when the error says so.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The status this error will answer with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// 500 with a generic detail; the cause goes to the log only.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        ServiceError::internal(cause).into()
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self::invalid(e.field, e.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::new(StatusCode::NOT_FOUND, "There is no such record."),
            StoreError::Conflict {
                constraint: baton_store::Constraint::MembersEmail,
            } => Self {
                field: Some("email"),
                ..Self::conflict("A member with this email already exists.")
            },
            StoreError::Conflict { constraint } => {
                Self::conflict(format!("This conflicts with existing data ({constraint})."))
            }
            StoreError::IdempotencyMismatch => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            ),
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable: {cause}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is unavailable; try again shortly.",
                )
            }
            StoreError::Other(cause) => Self::internal(&cause),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { what } => Self::not_found(&what),
            ServiceError::Forbidden { detail } => Self::forbidden(detail),
            ServiceError::Conflict { detail } => Self::conflict(detail),
            ServiceError::Invalid { field, detail } => Self::invalid(field, detail),
            ServiceError::Throttled {
                detail,
                retry_after,
            } => Self::new(StatusCode::TOO_MANY_REQUESTS, detail).with_retry_after(retry_after),
            ServiceError::Busy {
                detail,
                retry_after,
            } => Self::new(StatusCode::SERVICE_UNAVAILABLE, detail).with_retry_after(retry_after),
            ServiceError::Ambiguous { workspaces } => {
                let listed = workspaces
                    .iter()
                    .map(|w| serde_json::json!({"id": w.id.to_string(), "name": w.name}))
                    .collect();
                Self::conflict(
                    "This email and password open several workspaces. Send `workspace` with one of the ids listed in `workspaces`.",
                )
                .with_extension("workspaces", serde_json::Value::Array(listed))
            }
            ServiceError::Unjustified { detail, space_id } => {
                Self::invalid("justification", detail)
                    .with_extension("async_alternatives", async_alternatives(space_id))
            }
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server; it has been logged.",
            ),
        }
    }
}

/// What to do instead of a meeting, as the problem body's `async_alternatives`: each
/// alternative's kind and sentence, and for a thread the new-thread page of the meeting's space
/// (the space list when it named none). That form takes nothing from its query, so the link
/// carries nothing from the request; the other alternatives have no page yet, so no link.
fn async_alternatives(space: Option<baton_core::Id>) -> serde_json::Value {
    use baton_core::meeting::purpose::AsyncAlternative;
    AsyncAlternative::ALL
        .iter()
        .map(|alt| {
            let mut entry = serde_json::json!({"kind": alt.kind(), "description": alt.sentence()});
            if *alt == AsyncAlternative::Thread {
                entry["link"] = match space {
                    Some(space) => format!("/spaces/{space}/threads/new"),
                    None => "/spaces".to_owned(),
                }
                .into();
            }
            entry
        })
        .collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
        };
        let mut response = match self.extension {
            Some((name, value)) => {
                let mut json = serde_json::to_value(&body).unwrap_or_default();
                if let Some(members) = json.as_object_mut() {
                    members.insert(name.to_owned(), value);
                }
                (self.status, Json(json)).into_response()
            }
            None => (self.status, Json(body)).into_response(),
        };
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
