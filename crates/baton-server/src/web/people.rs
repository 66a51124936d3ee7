//! The people directory and member profiles: local time and working hours, never presence.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
