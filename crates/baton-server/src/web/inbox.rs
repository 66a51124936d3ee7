//! What needs the viewer: open asks to them, soonest due first, in their working time.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
