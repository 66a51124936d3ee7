//! Request extractors that answer bad input with problem+json instead of axum's plain text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use baton_core::{CoreError, Id};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A JSON body, plus a fingerprint of the request (method, path and exact body bytes) used to
/// recognise an idempotent retry.
#[derive(Debug)]
pub struct JsonBody<T> {
    /// The parsed body.
    pub value: T,
    /// SHA-256 of method, path and body, hex; empty when the request has no `Idempotency-Key`
    /// header, since only a key's record compares fingerprints (hashing every body showed in
    /// profiles of the post path).
    pub fingerprint: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut hasher = req
            .headers()
            .contains_key(crate::idempotency::HEADER)
            .then(|| {
                let mut hasher = Sha256::new();
                hasher.update(req.method().as_str().as_bytes());
                hasher.update(b" ");
                hasher.update(req.uri().path().as_bytes());
                hasher.update(b"\n");
                hasher
            });
        // Parse through axum's extractor for its checks (content type, size limit, syntax),
        // keeping the raw bytes: the fingerprint is of the exact body, and the typed parse
        // below reports shape errors as 422 with serde's explanation.
        let axum::Json(raw) =
            axum::Json::<Box<serde_json::value::RawValue>>::from_request(req, state)
                .await
                .map_err(json_rejection)?;
        if let Some(hasher) = &mut hasher {
            hasher.update(raw.get().as_bytes());
        }
        // Every body is an object; serde would also read a struct from an array of its
        // fields, a form the document does not allow.
        if !raw.get().starts_with('{') {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request body must be a JSON object.",
            ));
        }
        let value = serde_json::from_str(raw.get()).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The request body does not have the expected shape: {e}."),
            )
        })?;
        Ok(Self {
            value,
            fingerprint: hasher.map_or_else(String::new, |h| baton_core::token::hex(&h.finalize())),
        })
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let detail = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "Send the body as JSON with 'Content-Type: application/json'.".to_owned()
        }
        JsonRejection::JsonSyntaxError(_) => {
            format!("The body is not valid JSON: {}.", rejection.body_text())
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is larger than the 1 MiB limit.".to_owned()
        }
        _ => format!(
            "The request body could not be read: {}.",
            rejection.body_text()
        ),
    };
    ApiError::new(status, detail)
}

/// Query parameters, refused with 422 problem+json when missing, unknown or malformed: the
/// status the OpenAPI document states for a query that does not match its parameters.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("Bad query string: {}.", e.body_text()),
                )
            })
    }
}

/// One id in the path, parsed into a [`baton_core::Id`]. A malformed id cannot name anything,
/// so it answers 404 exactly like an id that does not exist.
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub baton_core::Id);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| path_rejection(e, parts))?;
        text.parse()
            .map(Self)
            .map_err(|_| ApiError::not_found(resource_of(parts.uri.path())))
    }
}

/// Two ids in the path (e.g. a space and a member).
#[derive(Debug, Clone, Copy)]
pub struct PathIds(pub baton_core::Id, pub baton_core::Id);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|e| path_rejection(e, parts))?;
        let what = resource_of(parts.uri.path());
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(Self(a, b)),
            _ => Err(ApiError::not_found(what)),
        }
    }
}

/// A path segment that does not even decode (e.g. `%FF`) cannot name anything either: 404,
/// as the document states for every path with an id. A route without the parameters the
/// extractor expects is a bug in the router, not in the request.
fn path_rejection(e: PathRejection, parts: &Parts) -> ApiError {
    match e {
        PathRejection::FailedToDeserializePathParams(_) => {
            ApiError::not_found(resource_of(parts.uri.path()))
        }
        other => ApiError::internal(&other.body_text()),
    }
}

/// The resource a path names, for 404 messages: `/api/v1/threads/…` → "thread".
fn resource_of(path: &str) -> &'static str {
    match path
        .trim_start_matches("/api/v1")
        .trim_start_matches('/')
        .split('/')
        .next()
    {
        Some("members") => "member",
        Some("spaces") => "space",
        Some("threads") => "thread",
        Some("posts") => "post",
        Some("relays") => "relay",
        Some("batons") => "baton",
        Some("handoffs") => "handoff",
        _ => "record",
    }
}

/// Ids sent as text in `field`, parsed at the edge so services take [`Id`]s.
///
/// # Errors
/// 422 on `field` for the first text that is not an id.
pub fn ids(field: &'static str, texts: &[String]) -> Result<Vec<Id>, CoreError> {
    texts.iter().map(|t| Id::parse(field, t)).collect()
}
