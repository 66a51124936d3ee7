//! The meetings pages: the list (upcoming, drafts, to close), the request form with the purpose
//! gate, and one meeting in every participant's own time.
//!
//! Owns: `/meetings`, `/meetings/new`, `POST /meetings`, `/meetings/{id}` with the organizer's
//! steps (`steps`: invite, cancel, close) and how a meeting
//! reads for a person (purpose names, times in the viewer's zone). Does not own: the gate, the
//! plan's rules or who may see a meeting (`services::meetings`), nor the slot search
//! (`find_a_time`), whose chart lives here in [`chart`] because it draws a meeting's times.

pub(super) mod chart;
mod form;
mod show;
mod steps;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use baton_core::meeting::{Meeting, MeetingStatus, Purpose};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::format;
use super::session::Viewer;
use super::{Chrome, Section, WebResult, render};
use crate::services::meetings;
use crate::state::AppState;

/// `/meetings`, `/meetings/new`, `POST /meetings` and `/meetings/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(form::create))
        .route("/meetings/new", get(form::new))
        .route("/meetings/{id}", get(show::show))
        .route("/meetings/{id}/invite", post(steps::invite))
        .route("/meetings/{id}/cancel", post(steps::cancel))
        .route("/meetings/{id}/close", post(steps::close))
}

/// A purpose as people read it: its name and, in one line, what real time is kept for.
pub(super) fn purpose_words(purpose: Purpose) -> (&'static str, &'static str) {
    match purpose {
        Purpose::PerformanceReview => (
            "Performance review",
            "someone's work and growth, personal and best face to face",
        ),
        Purpose::Decision => (
            "Decision",
            "a final call once the written discussion has run its course",
        ),
        Purpose::Urgent => ("Urgent", "something that cannot wait for the next window"),
        Purpose::Hype => ("Hype call", "energy for a launch or a push"),
        Purpose::Hangout => ("Hangout", "casual time together, never compulsory"),
        Purpose::Celebration => ("Celebration", "marking a success together"),
        Purpose::Other => (
            "Other",
            "anything else: say why it cannot be done in writing",
        ),
    }
}

/// The viewer's zone (UTC for a zone Baton does not know).
pub(super) fn zone_of(member: &Member) -> TimeZone {
    baton_core::tzdb::zone(&member.timezone).unwrap_or(TimeZone::UTC)
}

/// When a meeting ends.
pub(super) fn end_of(meeting: &Meeting) -> Timestamp {
    meeting.start + SignedDuration::from_mins(i64::from(meeting.duration_minutes))
}

/// "Tue 3 Mar 16:00–16:45" in `zone`.
pub(super) fn span(meeting: &Meeting, zone: &str) -> String {
    format!(
        "{}–{}",
        format::day_time(meeting.start, zone),
        format::clock(end_of(meeting), zone)
    )
}

/// One meeting in a list, as the viewer reads it.
struct Row {
    id: String,
    title: String,
    purpose: &'static str,
    /// In the viewer's zone.
    when: String,
    machine: String,
    minutes: u32,
    people: usize,
}

impl Row {
    fn new(m: &Meeting, zone: &str) -> Self {
        Self {
            id: m.id.to_string(),
            title: m.title.clone(),
            purpose: purpose_words(m.purpose).0,
            when: span(m, zone),
            machine: format::machine(m.start, zone),
            minutes: m.duration_minutes,
            people: m.participants.len(),
        }
    }
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    chrome: Chrome,
    upcoming: Vec<Row>,
    drafts: Vec<Row>,
    to_close: Vec<Row>,
}

impl ListPage {
    fn is_empty(&self) -> bool {
        self.upcoming.is_empty() && self.drafts.is_empty() && self.to_close.is_empty()
    }
}

/// `GET /meetings`: the viewer's meetings in three piles, each soonest first: invited ones
/// still ahead, drafts, and invited ones that have ended and wait to be closed.
async fn list(State(state): State<AppState>, viewer: Viewer) -> WebResult<Response> {
    let me = &viewer.0.member;
    let now = state.clock.now();
    let mut mine = meetings::list(&state, me, PageRequest::largest())
        .await?
        .items;
    mine.sort_by_key(|m| m.start);
    let rows = |keep: &dyn Fn(&Meeting) -> bool| -> Vec<Row> {
        mine.iter()
            .filter(|m| keep(m))
            .map(|m| Row::new(m, &me.timezone))
            .collect()
    };
    let invited = |m: &Meeting| m.status == MeetingStatus::Invited;
    let page = ListPage {
        upcoming: rows(&|m| invited(m) && end_of(m) > now),
        drafts: rows(&|m| m.status == MeetingStatus::Draft),
        to_close: rows(&|m| invited(m) && end_of(m) <= now),
        chrome: Chrome::load(&state, &viewer.0, Section::Meetings, "Meetings").await?,
    };
    Ok(render(&page))
}
