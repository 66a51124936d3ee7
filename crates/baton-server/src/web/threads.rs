//! Threads: reading a thread, replying with the composer (preview, expectations), starting a thread.

use axum::Router;

use crate::state::AppState;

/// The routes of these pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
