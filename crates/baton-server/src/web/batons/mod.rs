//! Batons and relays: the board, one baton with its handoffs, a relay's coverage chart.
//!
//! Owns: the pages and forms under `/batons`, `/handoffs` and `/relays`, split by page:
//! `board` (the list and the new-baton form), `baton` (one baton, its threads, its handoff log
//! and the handoff, accept, bounce, done, reopen and thread-link forms), `relay` with `chart` (a relay's legs and its week of
//! coverage), and `roster` (the members and schedules those pages name, loaded once per page).
//! Does not own: who may see or pass what, the note's rules or coverage maths; those are
//! `services::relays` and `baton_core::relay`, shared with the API.

mod baton;
mod board;
mod chart;
mod relay;
mod roster;

use axum::Router;
use axum::routing::{get, post};
use baton_core::model::Relay;

use crate::state::AppState;

/// `/batons`, `/batons/{id}`, its handoff, done, reopen and thread forms, accept and bounce,
/// and `/relays/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/batons", get(board::board_page).post(board::create_baton))
        .route("/batons/{id}", get(baton::baton_page))
        .route("/batons/{id}/handoff", post(baton::hand_off))
        .route("/batons/{id}/done", post(baton::mark_done))
        .route("/batons/{id}/reopen", post(baton::reopen))
        .route("/batons/{id}/threads", post(baton::link_thread))
        .route(
            "/batons/{id}/threads/{thread_id}/unlink",
            post(baton::unlink_thread),
        )
        .route("/handoffs/{id}/accept", post(baton::accept))
        .route("/handoffs/{id}/bounce", post(baton::bounce))
        .route("/relays/{id}", get(relay::relay_page))
}

/// One `<option>` of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A link to a relay, with its number of legs.
struct RelayLink {
    id: String,
    name: String,
    legs: usize,
}

impl From<&Relay> for RelayLink {
    fn from(relay: &Relay) -> Self {
        Self {
            id: relay.id.to_string(),
            name: relay.name.clone(),
            legs: relay.legs.len(),
        }
    }
}
