//! The delivery worker's state over HTTP, for admins.

use axum::Json;
use axum::extract::State;
use baton_core::delivery::outbox::Backlog;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::deliveries;
use crate::state::AppState;

/// How many notifications of the workspace are in each state.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacklogOut {
    /// Events not yet turned into deliveries.
    pub unexpanded_events: u64,
    /// Deliveries waiting for their window, or for a retry after a failed send.
    pub queued: u64,
    /// Deliveries sent.
    pub sent: u64,
    /// Deliveries not sent on purpose (the recipient may no longer see them).
    pub dropped: u64,
    /// Deliveries that failed too often; they wait for an admin.
    pub parked: u64,
}

impl From<Backlog> for BacklogOut {
    fn from(b: Backlog) -> Self {
        Self {
            unexpanded_events: b.unexpanded_events,
            queued: b.queued,
            sent: b.sent,
            dropped: b.dropped,
            parked: b.parked,
        }
    }
}

/// The workspace's delivery backlog (admins): a growing `queued` count means the mail server is
/// unreachable or no `--smtp-url` is set; `parked` deliveries failed too often.
#[utoipa::path(get, path = "/api/v1/deliveries/backlog", tag = "deliveries",
    responses((status = 200, body = BacklogOut), (status = 403, body = Problem)))]
pub async fn backlog(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<BacklogOut>> {
    Ok(Json(deliveries::backlog(&state, &caller).await?.into()))
}
