//! One meeting as a participant reads it: why it is held, when in their time and in everyone
//! else's, the agenda against the length, and when each person's pre-work is due in their own
//! working time.
//!
//! Owns: `/meetings/{id}`, and the organizer's buttons and close form on it (their posts are
//! `steps`). Does not own: who may see it (`services::meetings::get`, which answers anyone but
//! a participant as if it did not exist, so the page is a 404) or who may take a step.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use baton_core::Id;
use baton_core::meeting::{MeetingStatus, lifecycle};
use serde::Deserialize;

use super::{purpose_words, span};
use crate::services::sessions::SignedIn;
use crate::services::{access, meetings, schedules};
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::format;
use crate::web::session::Viewer;
use crate::web::{Chrome, PageId, Section, WebResult, render_with};

/// A participant as the page names them; someone the viewer may not know of (a guest's view
/// of a person outside their spaces) is "A participant" in UTC.
struct Person {
    id: Id,
    name: String,
    zone: String,
}

/// A participant's line: their local start, and whether they called it.
struct Seat {
    name: String,
    local: String,
    city: String,
    organizer: bool,
    you: bool,
    /// The start falls (partly) outside their working hours: they may skip it.
    optional: bool,
}

/// An agenda item with its leader's name.
struct Item {
    item: String,
    owner: String,
    minutes: u32,
}

/// One participant's pre-work deadline, in their time and the viewer's.
struct Due {
    name: String,
    theirs: String,
    city: String,
    yours: String,
    you: bool,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    title: String,
    status: &'static str,
    draft: bool,
    purpose: (&'static str, &'static str),
    justification: Option<String>,
    when: String,
    machine: String,
    minutes: u32,
    space: Option<(String, String)>,
    seats: Vec<Seat>,
    agenda: Vec<Item>,
    agenda_minutes: u32,
    /// Each item with how long before the start it is due, in working time.
    prework: Vec<(String, String)>,
    dues: Vec<Due>,
    id: String,
    video_url: Option<String>,
    thread_id: Option<String>,
    /// Why the meeting stayed a draft, when the load target kept it one.
    notice: Option<&'static str>,
    /// The organizer's steps this meeting allows now.
    may_invite: bool,
    /// For the organizer of a draft that cannot be invited yet: what it lacks, in words.
    invite_blocked: Option<String>,
    may_cancel: bool,
    may_close: bool,
    /// The participants, for the close form's action owners: (id, name).
    owners: Vec<(String, String)>,
    /// The close form as last sent, and what was wrong with it (or with a step).
    close: CloseDraft,
    error: FieldError,
}

/// The close form's fields as typed, kept when it is shown again with an error.
#[derive(Debug, Clone, Default)]
pub(super) struct CloseDraft {
    /// What was said.
    pub notes: String,
    /// One decision a line.
    pub decisions: String,
    /// (owner id, what, within hours) per action row.
    pub actions: Vec<(String, String, String)>,
}

/// Rows of actions the close form offers.
const ACTION_ROWS: usize = 3;

/// `?warned=load` after a request the load target kept a draft.
#[derive(Debug, Deserialize)]
pub(super) struct Warned {
    warned: Option<String>,
}

/// `GET /meetings/{id}`: the meeting, for its participants (404 for anyone else).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
    Query(warned): Query<Warned>,
) -> WebResult<Response> {
    let notice = (warned.warned.as_deref() == Some("load")).then_some(
        "It stays a draft: it would push someone past the workspace's meeting-load target. Invite anyway if it truly needs real time.",
    );
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    meeting_page(&state, &viewer.0, id, shown).await
}

/// What a meeting page shows besides the meeting: a notice, or a step's error with the close
/// form as sent.
#[derive(Debug, Default)]
pub(super) struct Shown {
    /// A line at the top.
    pub notice: Option<&'static str>,
    /// The close form as sent.
    pub close: CloseDraft,
    /// What was wrong, at its field (`steps` for a refused step).
    pub error: FieldError,
    /// The answer's status: 200, or the refusal's.
    pub status: Option<StatusCode>,
}

/// The meeting page of `id` for `viewer`, with `shown`.
pub(super) async fn meeting_page(
    state: &AppState,
    viewer: &SignedIn,
    id: Id,
    shown: Shown,
) -> WebResult<Response> {
    let state = state.clone();
    let me = &viewer.member;
    let meeting = meetings::get(&state, me, id).await?;
    let mut known = Vec::with_capacity(meeting.participants.len());
    for pid in &meeting.participants {
        match access::workspace_member(&state, me, *pid).await {
            Ok(member) => known.push(member),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Each person's zone is their schedule's: the one their pre-work deadline was counted in.
    let schedules = schedules::schedules_of(&state, &known).await?;
    let people: Vec<Person> = meeting
        .participants
        .iter()
        .map(|pid| {
            known
                .iter()
                .zip(&schedules)
                .find(|(m, _)| m.id == *pid)
                .map_or_else(
                    || Person {
                        id: *pid,
                        name: "A participant".into(),
                        zone: "UTC".into(),
                    },
                    |(m, schedule)| Person {
                        id: m.id,
                        name: m.name.clone(),
                        zone: schedule.timezone().to_owned(),
                    },
                )
        })
        .collect();
    let name_of = |pid: Id| {
        people
            .iter()
            .find(|p| p.id == pid)
            .map_or_else(|| "A participant".to_owned(), |p| p.name.clone())
    };
    let seats = people
        .iter()
        .map(|p| Seat {
            name: p.name.clone(),
            local: format::day_time(meeting.start, &p.zone),
            city: format::city(&p.zone),
            organizer: p.id == meeting.organizer_id,
            you: p.id == me.id,
            optional: meeting.optional.contains(&p.id),
        })
        .collect();
    let dues = meeting
        .prework_due
        .iter()
        .filter_map(|d| people.iter().find(|p| p.id == d.member_id).map(|p| (p, d)))
        .map(|(p, d)| Due {
            name: p.name.clone(),
            theirs: format::day_time(d.due_at, &p.zone),
            city: format::city(&p.zone),
            yours: format::day_time(d.due_at, &me.timezone),
            you: p.id == me.id,
        })
        .collect();
    let space = match meeting.space_id {
        Some(space) => match access::visible_space(&state, me, space).await {
            Ok(s) => Some((s.id.to_string(), s.name)),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let organizer = meeting.organizer_id == me.id;
    let now = state.clock.now();
    let mut close = shown.close;
    close
        .actions
        .resize_with(close.actions.len().max(ACTION_ROWS), Default::default);
    let page = MeetingPage {
        chrome: Chrome::load(&state, viewer, Section::Meetings, meeting.title.clone()).await?,
        id: meeting.id.to_string(),
        video_url: meeting.video_url.clone(),
        thread_id: meeting.thread_id.map(|t| t.to_string()),
        notice: shown.notice,
        may_invite: organizer && lifecycle::may_invite(&meeting).is_ok(),
        invite_blocked: (organizer && meeting.status == MeetingStatus::Draft)
            .then(|| lifecycle::may_invite(&meeting).err())
            .flatten(),
        may_cancel: organizer && lifecycle::may_cancel(&meeting).is_ok(),
        may_close: organizer && lifecycle::may_close(&meeting, now).is_ok(),
        owners: people
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        close,
        error: shown.error,
        status: meeting.status.as_str(),
        draft: meeting.status == MeetingStatus::Draft,
        purpose: purpose_words(meeting.purpose),
        justification: meeting.justification.clone(),
        when: span(&meeting, &me.timezone),
        machine: format::machine(meeting.start, &me.timezone),
        minutes: meeting.duration_minutes,
        space,
        seats,
        agenda: meeting
            .agenda
            .iter()
            .map(|a| Item {
                item: a.item.clone(),
                owner: name_of(a.owner_id),
                minutes: a.minutes,
            })
            .collect(),
        agenda_minutes: meeting.agenda.iter().map(|a| a.minutes).sum(),
        prework: meeting
            .prework
            .iter()
            .map(|p| {
                (
                    p.what.clone(),
                    format::working(i64::from(p.due_minutes_before)),
                )
            })
            .collect(),
        dues,
        title: meeting.title,
    };
    Ok(render_with(&page, shown.status.unwrap_or(StatusCode::OK)))
}
