//! The delivery worker's state over HTTP, for admins: the backlog and re-queueing a parked
//! delivery.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::PathId;
use crate::routes::dto::time;
use crate::services::deliveries::{self, BacklogView, ParkedRow};
use crate::state::AppState;

/// How many notifications of the workspace are in each state, and the parked ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacklogOut {
    /// Events not yet turned into deliveries.
    pub unexpanded_events: u64,
    /// Deliveries waiting: for their window, for a retry after a failed send, or being sent.
    pub queued: u64,
    /// Queued deliveries due now that no worker holds: what the next claim takes.
    pub due_now: u64,
    /// Queued deliveries a worker is sending (under a live lease).
    pub leased: u64,
    /// Deliveries sent, ever.
    pub sent: u64,
    /// Deliveries sent in the last 24 hours.
    pub sent_last_24h: u64,
    /// Deliveries not sent on purpose (the recipient may no longer see them).
    pub dropped: u64,
    /// Deliveries that failed too often; they wait for an admin (`parked_deliveries`).
    pub parked: u64,
    /// When the longest-waiting queued delivery was first due, if any is due.
    pub oldest_due_at: Option<String>,
    /// How long, in seconds, that delivery has waited.
    pub oldest_due_age_seconds: Option<i64>,
    /// Up to 50 parked deliveries, oldest first.
    pub parked_deliveries: Vec<ParkedOut>,
}

/// A parked delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParkedOut {
    /// The delivery's id (what `POST /deliveries/{id}/retry` takes).
    pub id: String,
    /// Its recipient.
    pub recipient_id: String,
    /// The recipient's name, while they are a member.
    pub recipient_name: Option<String>,
    /// The event it came from.
    pub event_id: String,
    /// The event's kind: `ask` or `baton_reminder`.
    pub event_kind: &'static str,
    /// The thread it is about, when the caller may see that thread.
    pub thread_id: Option<String>,
    /// `email` or `webhook`.
    pub channel: &'static str,
    /// When it was first due.
    pub due_at: String,
    /// How many times it was tried.
    pub attempts: u32,
    /// The last failure, as the mail server or the network reported it.
    pub last_error: Option<String>,
}

impl From<ParkedRow> for ParkedOut {
    fn from(row: ParkedRow) -> Self {
        let d = row.delivery;
        Self {
            id: d.id.to_string(),
            recipient_id: d.recipient_id.to_string(),
            recipient_name: row.recipient.map(|m| m.name),
            event_id: d.event_id.to_string(),
            event_kind: d.kind.as_str(),
            thread_id: row.thread.map(|t| t.id.to_string()),
            channel: d.channel.as_str(),
            due_at: time(d.due_at),
            attempts: d.attempts,
            last_error: d.last_error,
        }
    }
}

impl From<BacklogView> for BacklogOut {
    fn from(view: BacklogView) -> Self {
        let age = view.oldest_due_seconds();
        let b = view.counts;
        Self {
            unexpanded_events: b.unexpanded_events,
            queued: b.queued,
            due_now: b.due_now,
            leased: b.leased,
            sent: b.sent,
            sent_last_24h: b.sent_last_day,
            dropped: b.dropped,
            parked: b.parked,
            oldest_due_at: b.oldest_due_at.map(time),
            oldest_due_age_seconds: age,
            parked_deliveries: view.parked.into_iter().map(ParkedOut::from).collect(),
        }
    }
}

/// The workspace's delivery backlog (admins): a growing `queued` count and an old
/// `oldest_due_at` mean the mail server is unreachable or no `--smtp-url` is set; `parked`
/// deliveries failed too often and are listed for a retry.
#[utoipa::path(get, path = "/api/v1/deliveries/backlog", tag = "deliveries",
    responses((status = 200, body = BacklogOut), (status = 403, body = Problem)))]
pub async fn backlog(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<BacklogOut>> {
    Ok(Json(deliveries::backlog(&state, &caller).await?.into()))
}

/// Re-queues a parked delivery (admins): due at once, with a fresh set of attempts. 409 when
/// it is not parked.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "deliveries",
    params(("id" = String, Path, description = "The parked delivery's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    deliveries::retry(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
