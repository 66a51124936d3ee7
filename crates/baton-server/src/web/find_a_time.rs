//! "Find a time": the fairest slots for a meeting of the people chosen, each shown in every
//! participant's own local time, with who it puts outside their working hours.
//!
//! Owns: `/meetings/find-a-time` (a GET form, so a search is a link that can be shared) and how
//! a slot reads for a person. Does not own: the ranking (`baton_core::meeting::slots`) or who
//! may search for whom (`services::meeting_slots`).

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use baton_core::meeting::slots::{Search, Slot};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::{CoreError, Id};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::auth::FieldError;
use super::forms::Fields;
use super::meetings::chart::SlotChart;
use super::session::Viewer;
use super::{Chrome, Section, WebResult, render_with};
use crate::error::ApiError;
use crate::services::meeting_slots::{self, SlotsFound};
use crate::services::{access, schedules};
use crate::state::AppState;

/// Meeting lengths the form offers, in minutes.
const DURATIONS: [u32; 6] = [15, 30, 45, 60, 90, 120];
/// Days searched when the form does not say.
const DEFAULT_DAYS: i64 = 7;

/// `/meetings/find-a-time`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/meetings/find-a-time", get(find_a_time))
}

/// The search as the form sent it (every field optional: the bare page is the empty form).
#[derive(Debug, Default)]
struct Request {
    /// Chosen member ids, as sent.
    with: Vec<String>,
    /// Meeting length in minutes, as sent.
    minutes: String,
    /// First day, `YYYY-MM-DD` in the viewer's zone, as sent.
    from: String,
    /// How many days to search, as sent.
    days: String,
    /// Whether the meeting repeats weekly.
    weekly: bool,
}

impl Request {
    fn from_query(query: Option<&str>) -> Self {
        let fields =
            Fields(serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default());
        let one = |name| {
            fields
                .all(name)
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        Self {
            with: fields.all("with").map(str::to_owned).collect(),
            minutes: one("minutes"),
            from: one("from"),
            days: one("days"),
            weekly: fields.all("weekly").next().is_some(),
        }
    }

    /// Whether the form was sent at all (the bare page only shows it).
    fn is_search(&self) -> bool {
        !self.with.is_empty() || !self.minutes.is_empty()
    }

    /// The participants and the search, read in `zone` (the viewer's).
    fn parse(&self, zone: &TimeZone) -> Result<(Vec<Id>, Search), CoreError> {
        let with = crate::extract::ids("with", &self.with)?;
        let minutes = self
            .minutes
            .parse::<u32>()
            .map_err(|_| CoreError::invalid("minutes", "Choose how long the meeting is."))?;
        let from = self
            .from
            .parse::<Date>()
            .map_err(|_| CoreError::invalid("from", "Enter the first day as YYYY-MM-DD."))?;
        let days = self
            .days
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=60).contains(d))
            .ok_or_else(|| CoreError::invalid("days", "Search 1 to 60 days."))?;
        let start = from
            .to_zoned_datetime(zone.clone())
            .map_err(|_| CoreError::invalid("from", "That day does not exist in your time zone."))?
            .timestamp();
        let end = start + SignedDuration::from_hours(24 * days);
        // The core names the API's fields; the form's are `minutes` and `days`.
        let search = Search::new(start, end, minutes).map_err(|mut e| {
            e.field = match e.field {
                "duration_minutes" => "minutes",
                "to" => "days",
                other => other,
            };
            e
        })?;
        Ok((with, search))
    }
}

/// One participant's side of a slot.
struct Seat {
    name: String,
    /// "Tue 2 Jun 06:00" in their zone.
    local: String,
    /// Their zone's city, "Los Angeles".
    city: String,
    /// Minutes of the slot outside their working hours.
    outside: u32,
}

/// A slot as the page shows it.
struct SlotRow {
    /// In the viewer's zone: "Tue 2 Jun 15:00–16:00".
    when: String,
    /// For `<time datetime>`.
    machine: String,
    /// "Everyone is inside their working hours" or who pays for it.
    verdict: String,
    seats: Vec<Seat>,
    /// The request form pre-filled with this slot and its participants.
    request: String,
}

/// A person to tick.
struct Choice {
    id: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "find_a_time.html")]
struct FindPage {
    chrome: Chrome,
    people: Vec<Choice>,
    durations: Vec<(u32, bool)>,
    from: String,
    days: String,
    weekly: bool,
    searched: bool,
    slots: Vec<SlotRow>,
    /// For a weekly meeting: the rotation of weekly times, and each person's share of
    /// out-of-hours occurrences ("Maya 2 of 3").
    rotation: Vec<SlotRow>,
    shares: Vec<String>,
    /// The best slots drawn on each participant's own day.
    chart: Option<SlotChart>,
    error: FieldError,
}

/// `GET /meetings/find-a-time`: the form, and with it sent, the best slots.
async fn find_a_time(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> WebResult<Response> {
    let me = &viewer.0.member;
    let zone = baton_core::tzdb::zone(&me.timezone).unwrap_or(TimeZone::UTC);
    let mut request = Request::from_query(query.as_deref());
    if !request.is_search() {
        request.with = vec![me.id.to_string()];
        request.minutes = "60".into();
        request.days = DEFAULT_DAYS.to_string();
    }
    if request.from.is_empty() {
        request.from = state
            .clock
            .now()
            .to_zoned_datetime(zone.clone())
            .date()
            .to_string();
    }
    let mut error = FieldError::default();
    let mut found = None;
    if request.is_search() && query.is_some() {
        let searched = match request.parse(&zone) {
            Ok((with, search)) => {
                meeting_slots::find_slots(&state, me, &with, search, request.weekly)
                    .await
                    .map_err(ApiError::from)
            }
            Err(e) => Err(e.into()),
        };
        match searched {
            Ok(slots) => found = Some(slots),
            Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                error = FieldError::from_api(&e, "with");
                if error.field == "participants" {
                    "with".clone_into(&mut error.field);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = page(&state, &viewer, &request, found.as_ref(), error).await?;
    let status = if page.error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_with(&page, status))
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    request: &Request,
    found: Option<&SlotsFound>,
    error: FieldError,
) -> WebResult<FindPage> {
    let me = &viewer.0.member;
    let listed = access::members_in_sight(state, me, PageRequest::largest()).await?;
    let people = listed
        .items
        .iter()
        .filter(|m| m.active)
        .map(|m| Choice {
            id: m.id.to_string(),
            name: m.name.clone(),
            checked: request.with.iter().any(|w| *w == m.id.to_string()),
        })
        .collect();
    let minutes = request.minutes.parse::<u32>().unwrap_or(60);
    let rows = |slots: &[Slot], found: &SlotsFound| -> Vec<SlotRow> {
        slots.iter().map(|s| slot_row(me, s, found)).collect()
    };
    let chart = match found {
        Some(found) => {
            let schedules = schedules::schedules_of(state, &found.participants).await?;
            Some(SlotChart::new(found, &schedules, &me.timezone))
        }
        None => None,
    };
    let (slots, rotation, shares) = match found {
        Some(found) => {
            let (rotation, shares) = match &found.rotation {
                Some(r) => (
                    rows(&r.slots, found),
                    shares(&found.participants, &r.shares),
                ),
                None => (Vec::new(), Vec::new()),
            };
            (rows(&found.slots, found), rotation, shares)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    Ok(FindPage {
        chrome: Chrome::load(state, &viewer.0, Section::Meetings, "Find a time").await?,
        people,
        durations: DURATIONS.iter().map(|d| (*d, *d == minutes)).collect(),
        from: request.from.clone(),
        days: request.days.clone(),
        weekly: request.weekly,
        searched: found.is_some(),
        slots,
        rotation,
        shares,
        chart,
        error,
    })
}

/// `slot` for `viewer`: its time in their zone, and each participant's side of it.
fn slot_row(viewer: &Member, slot: &Slot, found: &SlotsFound) -> SlotRow {
    let seats: Vec<Seat> = found
        .participants
        .iter()
        .zip(&found.zones)
        .zip(&slot.out_of_hours)
        .map(|((member, zone), outside)| Seat {
            name: member.name.clone(),
            local: local(slot.start, zone, "%a %-d %b %H:%M"),
            city: zone
                .iana_name()
                .map_or_else(|| "UTC".to_owned(), super::format::city),
            outside: *outside,
        })
        .collect();
    let paying: Vec<&str> = seats
        .iter()
        .filter(|s| s.outside > 0)
        .map(|s| s.name.as_str())
        .collect();
    let verdict = if paying.is_empty() {
        "Inside everyone's working hours".to_owned()
    } else {
        format!("Outside working hours for {}", paying.join(", "))
    };
    let zone = baton_core::tzdb::zone(&viewer.timezone).unwrap_or(TimeZone::UTC);
    SlotRow {
        when: format!(
            "{}–{}",
            local(slot.start, &zone, "%a %-d %b %H:%M"),
            local(slot.end, &zone, "%H:%M")
        ),
        machine: local(slot.start, &zone, "%Y-%m-%dT%H:%M:%S%:z"),
        verdict,
        seats,
        request: request_link(slot, found),
    }
}

/// The request form pre-filled with `slot`: its start (an instant, which the form shows in the
/// viewer's time), its length and everyone searched for.
fn request_link(slot: &Slot, found: &SlotsFound) -> String {
    let start = slot.start.to_string();
    let minutes = slot.end.duration_since(slot.start).as_mins().to_string();
    let ids: Vec<String> = found
        .participants
        .iter()
        .map(|m| m.id.to_string())
        .collect();
    let mut query = vec![("start", start.as_str()), ("duration", minutes.as_str())];
    query.extend(ids.iter().map(|id| ("participants", id.as_str())));
    format!(
        "/meetings/new?{}",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    )
}

fn local(at: Timestamp, zone: &TimeZone, format: &str) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime(format)
        .to_string()
}

/// "Maya: 2 of 3 occurrences outside working hours", for those who have any.
fn shares(participants: &[Member], shares: &[f64]) -> Vec<String> {
    participants
        .iter()
        .zip(shares)
        .filter(|(_, share)| **share > 0.0)
        .map(|(m, share)| {
            format!(
                "{}: {:.0}% of occurrences outside working hours",
                m.name,
                share * 100.0
            )
        })
        .collect()
}
