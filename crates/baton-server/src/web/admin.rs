//! Workspace administration: members (create, role, deactivate) and spaces (visibility).

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
