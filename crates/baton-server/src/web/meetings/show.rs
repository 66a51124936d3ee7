//! One meeting as a participant reads it: why it is held, when in their time and in everyone
//! else's, the agenda against the length, and when each person's pre-work is due in their own
//! working time.
//!
//! Owns: `/meetings/{id}`. Does not own: who may see it (`services::meetings::get`, which
//! answers anyone but a participant as if it did not exist, so the page is a 404).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use baton_core::Id;
use baton_core::meeting::MeetingStatus;

use super::{purpose_words, span};
use crate::services::{access, meetings, schedules};
use crate::state::AppState;
use crate::web::format;
use crate::web::session::Viewer;
use crate::web::{Chrome, PageId, Section, WebResult, render};

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
}

/// `GET /meetings/{id}`: the meeting, for its participants (404 for anyone else).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    PageId(id): PageId,
) -> WebResult<Response> {
    let me = &viewer.0.member;
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
    let page = MeetingPage {
        chrome: Chrome::load(&state, &viewer.0, Section::Meetings, meeting.title.clone()).await?,
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
    Ok(render(&page))
}
