//! A relay at `/relays/{id}`: its legs in order, and how well they cover the viewer's week.
//!
//! Owns: the relay page, the week it shows (Monday to Monday in the viewer's zone) and the gaps
//! and handoff windows in words. Does not own: the chart's geometry (`chart`), the coverage
//! maths (`baton_core::relay`) or who may see a relay (`services::relays`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use baton_core::schedule::{Day, WeeklySpec};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};

use super::super::people::{day_hours, span_words};
use super::super::session::Viewer;
use super::super::{Chrome, PageId, Section, WebResult, format, render};
use super::chart::Chart;
use crate::error::ApiError;
use crate::services::{access, relays, schedules};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "relay.html")]
struct RelayPage {
    chrome: Chrome,
    id: String,
    name: String,
    legs: Vec<LegRow>,
    week: String,
    zone: String,
    chart: Chart,
    gaps: Vec<String>,
    overlaps: Vec<String>,
}

struct LegRow {
    name: String,
    zone: String,
    hours: String,
}

/// `GET /relays/{id}`.
pub(super) async fn relay_page(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(id): PageId,
) -> WebResult<Response> {
    let viewer = &signed_in.member;
    let relay = relays::get_relay(&state, viewer, id).await?;
    let mut members = Vec::with_capacity(relay.legs.len());
    for leg in &relay.legs {
        members.push(access::workspace_member(&state, viewer, *leg).await?);
    }
    let schedules = schedules::schedules_of(&state, &members).await?;
    let tz = baton_core::tzdb::zone(&viewer.timezone).unwrap_or(TimeZone::UTC);
    let days = week_days(state.clock.now(), &tz).map_err(|e| ApiError::internal(&e))?;
    let (from, to) = (days[0].timestamp(), days[7].timestamp());
    let coverage = relays::coverage(&state, viewer, relay.id, from, to).await?;
    let span_text = |label: &str, &(start, end): &(Timestamp, Timestamp)| {
        format!(
            "{label}: {}, {}",
            span_in(start, end, &tz),
            span_words(end.duration_since(start).as_mins())
        )
    };
    let gaps: Vec<String> = coverage.gaps.iter().map(|g| span_text("Gap", g)).collect();
    let overlaps = coverage
        .overlaps
        .iter()
        .map(|o| span_text("Handoff window", o))
        .collect();
    let week = format!("the week of {}", days[0].strftime("%a %-d %b"));
    let covered_minutes: i64 = coverage
        .covered
        .iter()
        .map(|(s, e)| e.duration_since(*s).as_mins())
        .sum();
    let label = format!(
        "Coverage of {} for {week}: {} of {} hours covered, {} {}.",
        relay.name,
        covered_minutes / 60,
        to.duration_since(from).as_hours(),
        gaps.len(),
        if gaps.len() == 1 { "gap" } else { "gaps" }
    );
    let chart = Chart::new(label, &members, &coverage, &days, &gaps);
    let legs = members
        .iter()
        .zip(&schedules)
        .map(|(m, s)| LegRow {
            name: m.name.clone(),
            zone: format::city(s.timezone()),
            hours: usual_hours(&s.spec().weekly),
        })
        .collect();
    let page = RelayPage {
        chrome: Chrome::load(&state, &signed_in, Section::Batons, relay.name.clone()).await?,
        id: relay.id.to_string(),
        name: relay.name,
        legs,
        week,
        zone: format::city(&viewer.timezone),
        chart,
        gaps,
        overlaps,
    };
    Ok(render(&page))
}

/// The eight midnights, in `tz`, that bound the current week (Monday to Monday). Days are
/// stepped on the calendar, so a week with a clock change is 167 or 169 hours long.
fn week_days(now: Timestamp, tz: &TimeZone) -> Result<Vec<ZonedDateTime>, jiff::Error> {
    let today = now.to_zoned_datetime(tz.clone()).start_of_day()?;
    let back = i64::from(today.weekday().to_monday_zero_offset());
    let mut day = today.checked_sub(back.days())?.start_of_day()?;
    let mut days = Vec::with_capacity(8);
    for _ in 0..8 {
        let next = day.tomorrow()?.start_of_day()?;
        days.push(day);
        day = next;
    }
    Ok(days)
}

/// `[start, end)` on `tz`'s clock: "Tue 17:00–18:00" within a day, else "Fri 18:00 – Mon 01:00".
fn span_in(start: Timestamp, end: Timestamp, tz: &TimeZone) -> String {
    let (a, b) = (
        start.to_zoned_datetime(tz.clone()),
        end.to_zoned_datetime(tz.clone()),
    );
    if a.date() == b.date() {
        format!("{}–{}", a.strftime("%a %H:%M"), b.strftime("%H:%M"))
    } else {
        format!("{} – {}", a.strftime("%a %H:%M"), b.strftime("%a %H:%M"))
    }
}

/// A weekly rule in one line, runs of equal days joined: "Mon–Fri 09:00–17:00".
fn usual_hours(weekly: &WeeklySpec) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let text: Vec<String> = Day::ALL.iter().map(|d| day_hours(weekly, *d)).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let mut j = i;
        while j + 1 < text.len() && text[j + 1] == text[i] {
            j += 1;
        }
        if !text[i].is_empty() {
            let days = if i == j {
                NAMES[i].to_owned()
            } else {
                format!("{}–{}", NAMES[i], NAMES[j])
            };
            parts.push(format!("{days} {}", text[i]));
        }
        i = j + 1;
    }
    if parts.is_empty() {
        "no working hours".into()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        let tz = baton_core::tzdb::zone("Europe/Berlin").expect("zone");
        let at = |s: &str| s.parse::<Timestamp>().expect("instant");
        assert_eq!(
            span_in(at("2026-03-03T16:00:00Z"), at("2026-03-03T17:00:00Z"), &tz),
            "Tue 17:00–18:00"
        );
        assert_eq!(
            span_in(at("2026-03-07T01:00:00Z"), at("2026-03-09T00:00:00Z"), &tz),
            "Sat 02:00 – Mon 01:00"
        );
    }

    #[test]
    fn a_week_starts_on_monday_and_may_be_short() {
        let tz = baton_core::tzdb::zone("Europe/Berlin").expect("zone");
        // Wednesday 25 March 2026: its week holds the clock change of Sunday 29 March.
        let days = week_days("2026-03-25T12:00:00Z".parse().expect("ts"), &tz).expect("days");
        assert_eq!(
            days[0].strftime("%a %F %H:%M").to_string(),
            "Mon 2026-03-23 00:00"
        );
        let hours = days[7]
            .timestamp()
            .duration_since(days[0].timestamp())
            .as_hours();
        assert_eq!(hours, 167);
    }

    #[test]
    fn weekly_hours_are_summarised_in_runs() {
        let mut weekly = WeeklySpec::default();
        for d in [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri] {
            weekly.day_mut(d).push(["09:00".into(), "17:00".into()]);
        }
        weekly
            .day_mut(Day::Sun)
            .push(["10:00".into(), "12:00".into()]);
        assert_eq!(usual_hours(&weekly), "Mon–Fri 09:00–17:00; Sun 10:00–12:00");
        assert_eq!(usual_hours(&WeeklySpec::default()), "no working hours");
    }
}
