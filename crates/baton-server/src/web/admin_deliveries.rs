//! The delivery backlog page for admins: what waits, what went out, what is parked, with a
//! retry button per parked delivery.
//!
//! Owns: `/admin/deliveries` and its retry form. Does not own: the counts, who may see them or
//! what a parked row may reveal (`services::deliveries`, the same functions as
//! `GET /api/v1/deliveries/backlog`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::format::day_time;
use super::forms::CsrfForm;
use super::session::Viewer;
use super::{Chrome, PageId, Section, WebResult, render};
use crate::services::deliveries::{self, PARKED_SHOWN};
use crate::state::AppState;

/// `/admin/deliveries…`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/deliveries", get(page))
        .route("/admin/deliveries/{id}/retry", post(retry))
}

#[derive(Template)]
#[template(path = "admin_deliveries.html")]
struct DeliveriesPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// (label, count) in the order the page lists them.
    counts: Vec<(&'static str, u64)>,
    /// "3 h 12 min", when a delivery is due.
    oldest_wait: Option<String>,
    parked_total: u64,
    parked: Vec<ParkedLine>,
    shown_at_most: u32,
}

/// One parked delivery as the table shows it.
struct ParkedLine {
    id: String,
    recipient: String,
    /// The thread title with its id, when the viewer may see it.
    thread: Option<(String, String)>,
    /// The event's kind, in words ("ask", "baton reminder").
    kind: String,
    due: String,
    attempts: u32,
    error: String,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    saved: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<PageQuery>,
) -> WebResult<Response> {
    let me = &viewer.member;
    let view = deliveries::backlog(&state, me).await?;
    let c = view.counts;
    let parked = view
        .parked
        .iter()
        .map(|row| {
            let d = &row.delivery;
            ParkedLine {
                id: d.id.to_string(),
                recipient: row
                    .recipient
                    .as_ref()
                    .map_or_else(|| "a former member".to_owned(), |m| m.name.clone()),
                thread: row
                    .thread
                    .as_ref()
                    .map(|t| (t.id.to_string(), t.title.clone())),
                kind: d.kind.as_str().replace('_', " "),
                due: day_time(d.due_at, &me.timezone),
                attempts: d.attempts,
                error: d.last_error.clone().unwrap_or_default(),
            }
        })
        .collect();
    let page = DeliveriesPage {
        chrome: Chrome::load(&state, &viewer, Section::Admin, "Deliveries").await?,
        notice: (query.saved.as_deref() == Some("retried"))
            .then_some("Delivery queued again. The worker sends it on its next round."),
        counts: vec![
            ("Due now", c.due_now),
            ("Being sent", c.leased),
            ("Queued in all", c.queued),
            ("Sent in the last 24 hours", c.sent_last_day),
            ("Parked", c.parked),
            ("Dropped (no longer visible to the recipient)", c.dropped),
            ("Events waiting to be expanded", c.unexpanded_events),
        ],
        oldest_wait: view.oldest_due_seconds().map(waited),
        parked_total: c.parked,
        parked,
        shown_at_most: PARKED_SHOWN,
    };
    Ok(render(&page))
}

async fn retry(
    State(state): State<AppState>,
    PageId(delivery): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    deliveries::retry(&state, &form.viewer.member, delivery).await?;
    Ok(Redirect::to("/admin/deliveries?saved=retried").into_response())
}

/// A wait in wall-clock time, coarsely: "under a minute", "12 min", "3 h 5 min", "2 d 4 h".
fn waited(seconds: i64) -> String {
    let minutes = seconds / 60;
    match minutes {
        0 => "under a minute".to_owned(),
        1..60 => format!("{minutes} min"),
        60..1440 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} d {} h", minutes / 1440, minutes % 1440 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::waited;

    #[test]
    fn waits_read_coarsely() {
        assert_eq!(waited(59), "under a minute");
        assert_eq!(waited(12 * 60 + 5), "12 min");
        assert_eq!(waited(3 * 3600 + 5 * 60), "3 h 5 min");
        assert_eq!(waited(2 * 86_400 + 4 * 3600 + 59), "2 d 4 h");
    }
}
