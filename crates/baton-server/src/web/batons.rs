//! Batons and relays: the board, one baton with its handoffs, a relay's coverage chart.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
