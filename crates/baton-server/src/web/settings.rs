//! The viewer's own settings: profile, time zone, password, API tokens, working hours, notifications.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
