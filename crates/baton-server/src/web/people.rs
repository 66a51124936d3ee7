//! The people directory and member profiles: local time and working hours, never presence.
//!
//! Owns: `/people` and `/people/{id}`, [`Standing`], the one way a page says where someone
//! is in their working day ("14:05 Tokyo · back Tue 09:00 Tokyo · your Mon 20:00"), and the
//! words for working hours other pages reuse (`day_hours`, `span_words`). Does not own:
//! the schedule maths (`baton_core::schedule` through `services::schedules`) or who may see
//! whom (`services::access`: a guest sees only the people who share a space with them, and of
//! them only name, local time and whether they work now). Baton shows when someone works, not
//! whether they are looking at a screen: no "online", no "last seen".

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use baton_core::Id;
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::schedule::{self, Day, Schedule, WeeklySpec};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::format::{city, clock, day_time, machine, weekday_time};
use super::session::Viewer;
use super::{Chrome, PageId, Section, WebResult, render};
use crate::error::ApiError;
use crate::services::access::Sight;
use crate::services::{access, schedules};
use crate::state::AppState;

/// Members on one page of the directory.
const PAGE_SIZE: u32 = 100;
/// How far ahead the profile looks for shared working time.
const OVERLAP_DAYS: i64 = 7;

/// `/people`, `/people/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(directory))
        .route("/people/{id}", get(profile))
}

/// Where a member stands in their working day, in words for the viewer.
#[derive(Debug, Clone)]
pub struct Standing {
    /// Their wall-clock time now, "14:05".
    pub local_time: String,
    /// The same instant for `<time datetime>`.
    pub machine: String,
    /// The city of their zone, "Tokyo".
    pub city: String,
    /// Inside their working hours now.
    pub working_now: bool,
    /// When not working: "back Tue 09:00 Tokyo · your Mon 20:00" (their time, then the
    /// viewer's when it reads differently).
    pub back: String,
}

impl Standing {
    /// Where `member` stands at `now` on `hours` (their schedule, which a list loads for
    /// everyone in one query), with times also in `viewer`'s zone. The local time is on the
    /// schedule's clock, the rest on the member's profile zone.
    pub fn new(viewer: &Member, member: &Member, hours: &Schedule, now: Timestamp) -> Self {
        let working_now = schedule::is_working(hours, now);
        let back = match schedule::next_working_start(hours, now) {
            _ if working_now => String::new(),
            None => "no working hours set".to_owned(),
            Some(at) => back_at(at, now, &member.timezone, &viewer.timezone),
        };
        Self {
            local_time: clock(now, hours.timezone()),
            machine: machine(now, &member.timezone),
            city: city(&member.timezone),
            working_now,
            back,
        }
    }

    /// As much as [`Sight`] allows: a guest sees the local time and whether the person
    /// works now, not where they live or when their day starts.
    fn limited_to(self, sight: Sight) -> Self {
        match sight {
            Sight::Full => self,
            Sight::Presence => Self {
                city: String::new(),
                back: "not working now".to_owned(),
                ..self
            },
        }
    }
}

/// "back Tue 09:00", naming both zones when the viewer's clock reads differently. A start more
/// than six days away also names the date, so a weekday cannot be read as this week's.
fn back_at(at: Timestamp, now: Timestamp, theirs: &str, yours: &str) -> String {
    let when = |zone: &str| {
        if at.duration_since(now) > SignedDuration::from_hours(24 * 6) {
            day_time(at, zone)
        } else {
            weekday_time(at, zone)
        }
    };
    let (there, here) = (when(theirs), when(yours));
    if there == here {
        format!("back {there}")
    } else {
        format!("back {there} {} · your {here}", city(theirs))
    }
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct DirectoryPage {
    chrome: Chrome,
    /// Each person, where they stand, and whether the viewer sees them in full (role shown).
    people: Vec<(Member, Standing, bool)>,
    next_cursor: Option<String>,
}

async fn directory(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<PageQuery>,
) -> WebResult<Response> {
    let request =
        PageRequest::parse(query.cursor.as_deref(), Some(PAGE_SIZE)).map_err(ApiError::from)?;
    let page = access::members_in_sight(&state, &viewer.member, request).await?;
    let members: Vec<Member> = page.items.into_iter().filter(|m| m.active).collect();
    // One query for the whole page's working hours, not one per person.
    let hours = schedules::schedules_of(&state, &members).await?;
    let now = state.clock.now();
    let people = members
        .into_iter()
        .zip(&hours)
        .map(|(member, hours)| {
            let sight = access::sight(&viewer.member, &member);
            let standing = Standing::new(&viewer.member, &member, hours, now).limited_to(sight);
            (member, standing, sight == Sight::Full)
        })
        .collect();
    let page = DirectoryPage {
        chrome: Chrome::load(&state, &viewer, Section::People, "People").await?,
        people,
        next_cursor: page.next_cursor,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "member.html")]
struct ProfilePage {
    chrome: Chrome,
    member: Member,
    /// Whether the viewer sees email, role, zone and working hours (not a guest's view).
    full: bool,
    standing: Standing,
    /// (day, "09:00–12:00, 13:00–17:00" or "not working"), Monday first, in their zone.
    weekly: Vec<(&'static str, String)>,
    /// Shared working time ahead in the viewer's zone; `None` on the viewer's own profile.
    overlap: Option<Overlap>,
}

/// When the viewer and the member both work in the coming days.
struct Overlap {
    /// "Tue 3 Mar 09:00–11:00", in the viewer's zone.
    intervals: Vec<String>,
    /// The sum in words, "6 hours 30 minutes".
    total: String,
}

const DAY_LABELS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

async fn profile(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    PageId(id): PageId,
) -> WebResult<Response> {
    let (member, sight) = access::member_in_sight(&state, &viewer.member, id).await?;
    let full = sight == Sight::Full;
    let schedule = schedules::schedule_of(&state, &member).await?;
    let weekly = Day::ALL
        .iter()
        .zip(DAY_LABELS)
        .map(|(day, label)| {
            let hours = day_hours(&schedule.spec().weekly, *day);
            let hours = if hours.is_empty() {
                "not working".to_owned()
            } else {
                hours
            };
            (label, hours)
        })
        .filter(|_| full)
        .collect();
    let overlap = if member.id == viewer.member.id || !member.active || !full {
        None
    } else {
        Some(overlap_with(&state, &viewer.member, member.id).await?)
    };
    let page = ProfilePage {
        chrome: Chrome::load(&state, &viewer, Section::People, member.name.clone()).await?,
        standing: Standing::new(&viewer.member, &member, &schedule, state.clock.now())
            .limited_to(sight),
        member,
        full,
        weekly,
        overlap,
    };
    Ok(render(&page))
}

async fn overlap_with(state: &AppState, viewer: &Member, member: Id) -> WebResult<Overlap> {
    let now = state.clock.now();
    let until = now + SignedDuration::from_hours(24 * OVERLAP_DAYS);
    let list = schedules::overlap(state, viewer, &[viewer.id, member], now, until).await?;
    let zone = &viewer.timezone;
    let minutes: i64 = list
        .iter()
        .map(|(start, end)| end.duration_since(*start).as_mins())
        .sum();
    Ok(Overlap {
        intervals: list
            .iter()
            .map(|(start, end)| format!("{}–{}", day_time(*start, zone), clock(*end, zone)))
            .collect(),
        total: span_words(minutes),
    })
}

/// One day's working hours of a weekly rule, "09:00–12:00, 13:00–17:00", or empty on a day
/// off.
pub(super) fn day_hours(weekly: &WeeklySpec, day: Day) -> String {
    let hours: Vec<String> = weekly
        .day(day)
        .iter()
        .map(|[start, end]| format!("{start}–{end}"))
        .collect();
    hours.join(", ")
}

/// A wall-time span in words: "45 minutes", "6 hours", "6 hours 30 minutes".
pub(super) fn span_words(minutes: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (minutes / 60, minutes % 60) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_names_both_zones_only_when_the_clocks_differ() {
        let now: Timestamp = "2026-03-02T12:00:00Z".parse().expect("ts");
        let at: Timestamp = "2026-03-03T00:00:00Z".parse().expect("ts");
        assert_eq!(
            back_at(at, now, "Asia/Tokyo", "Europe/Berlin"),
            "back Tue 09:00 Tokyo · your Tue 01:00"
        );
        assert_eq!(
            back_at(at, now, "Asia/Tokyo", "Asia/Tokyo"),
            "back Tue 09:00"
        );
        let later: Timestamp = "2026-03-10T00:00:00Z".parse().expect("ts");
        assert_eq!(
            back_at(later, now, "Asia/Tokyo", "Asia/Tokyo"),
            "back Tue 10 Mar 09:00"
        );
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span_words(0), "0 minutes");
        assert_eq!(span_words(1), "1 minute");
        assert_eq!(span_words(60), "1 hour");
        assert_eq!(span_words(390), "6 hours 30 minutes");
    }
}
