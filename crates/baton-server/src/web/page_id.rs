//! Ids in page paths (`/threads/{id}`, `/spaces/{id}/members/{member_id}/remove`).
//!
//! Owns: turning a path's ids into [`Id`]s for page handlers, and the page a malformed one
//! gets. Does not own: the parsing rule, which is the API's (`extract::PathId`), so a page and
//! the API agree on what names something: a malformed id cannot, and gets the same 404 page as
//! an id that does not exist or is not shared with the viewer.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use baton_core::Id;

use super::WebError;
use crate::extract::{PathId, PathIds};

/// The one id in a page's path.
#[derive(Debug, Clone, Copy)]
pub struct PageId(pub Id);

impl<S: Send + Sync> FromRequestParts<S> for PageId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let PathId(id) = PathId::from_request_parts(parts, state).await?;
        Ok(Self(id))
    }
}

/// The two ids in a page's path (a space and one of its members, a baton and a thread).
#[derive(Debug, Clone, Copy)]
pub struct PageIds(pub Id, pub Id);

impl<S: Send + Sync> FromRequestParts<S> for PageIds {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let PathIds(a, b) = PathIds::from_request_parts(parts, state).await?;
        Ok(Self(a, b))
    }
}
