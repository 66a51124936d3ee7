//! Spaces: the list, one space's threads with unread marks, and its membership.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
