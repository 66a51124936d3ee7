//! How a page fails: a redirect to sign-in, or an error page with the status and a sentence
//! for a person. A hidden object gets the same 404 page as a missing one.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;
use crate::services::error::ServiceError;

/// Result type of page handlers.
pub type WebResult<T> = Result<T, WebError>;

/// A page that cannot be shown.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in (or the session ended): go to sign-in, then come back to `next`.
    SignIn {
        /// The path to return to.
        next: String,
    },
    /// An error page.
    Status {
        /// HTTP status.
        status: StatusCode,
        /// What went wrong, for a person.
        message: String,
    },
}

impl WebError {
    /// The 403 a form without a valid CSRF token gets.
    pub fn csrf() -> Self {
        Self::Status {
            status: StatusCode::FORBIDDEN,
            message: "This form has expired or did not come from Baton. Go back, reload the page and try again.".into(),
        }
    }

    /// A 404 page.
    pub fn not_found() -> Self {
        Self::Status {
            status: StatusCode::NOT_FOUND,
            message: "There is nothing here, or it is not shared with you.".into(),
        }
    }

    /// 400 for a request no form of ours sends.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Status {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        if e.status() == StatusCode::NOT_FOUND {
            return Self::not_found();
        }
        Self::Status {
            status: e.status(),
            message: e.detail().to_owned(),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<baton_store::StoreError> for WebError {
    fn from(e: baton_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn { next } => {
                let query =
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("/signin?{query}")).into_response()
            }
            Self::Status { status, message } => {
                let page = ErrorPage {
                    status: status.as_u16(),
                    title: status.canonical_reason().unwrap_or("Error"),
                    message: &message,
                };
                let mut response = super::render_with(&page, status);
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-store"),
                );
                response
            }
        }
    }
}
