//! The slot chart on "Find a time": for each of the best slots, every participant's own local
//! day as a band of 24 hours, their working hours shaded on it and the slot drawn where it
//! falls, so whom a time costs shows at a glance. Hand-written SVG, no script; a table says the
//! same in words for screen readers and for anyone who prefers numbers.
//!
//! Owns: the chart's geometry in `viewBox` units (CSS scales it to the column and colours it
//! from the stylesheet's variables, so it reads in light and dark). Does not own: the ranking
//! (`baton_core::meeting::slots`) or the working hours (`baton_core::schedule`).

use baton_core::meeting::slots::Slot;
use baton_core::schedule::{self, Schedule};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::services::meeting_slots::SlotsFound;
use crate::web::format;

/// How many of the best slots the chart draws: enough to compare, few enough to read.
pub const CHART_SLOTS: usize = 3;
/// Most participants drawn per slot; the list of slots above the chart names everyone.
const CHART_PEOPLE: usize = 12;
/// Minutes per `viewBox` unit on the x axis: a day is 288 units.
const MINUTES_PER_UNIT: i64 = 5;
/// Width of the names' column.
const LABEL_WIDTH: i64 = 110;
/// Height of the hour labels' band at the top.
const HEADER: i64 = 18;
/// Height of a slot's heading line.
const HEADING: i64 = 20;
/// Height of one participant's lane.
const LANE: i64 = 18;
/// Longest name drawn in the chart (the table has the full name).
const NAME_CHARS: usize = 15;
/// A day's width in units.
const DAY: i64 = 24 * 60 / MINUTES_PER_UNIT;

/// The chart: geometry for the template, plus its words for the table behind it.
pub struct SlotChart {
    /// `viewBox` width.
    pub width: i64,
    /// `viewBox` height.
    pub height: i64,
    /// Where the day starts on the x axis (after the names).
    pub left: i64,
    /// A day's width.
    pub day: i64,
    /// Hour marks at the top: x and the label ("06:00").
    pub hours: Vec<(i64, String)>,
    /// One group per slot, best first.
    pub groups: Vec<Group>,
}

/// One slot: its heading and a lane per participant.
pub struct Group {
    /// Baseline of the heading.
    pub y: i64,
    /// "1. Tue 3 Mar 16:00 your time".
    pub heading: String,
    /// One lane per participant, in the order named.
    pub lanes: Vec<Lane>,
}

/// One participant's local day around a slot.
pub struct Lane {
    /// Top of the lane.
    pub y: i64,
    /// Full name (for the table).
    pub name: String,
    /// The name as drawn, shortened.
    pub short: String,
    /// Their working hours that day: x and width.
    pub work: Vec<(i64, i64)>,
    /// The slot on their day: x and width.
    pub slot: (i64, i64),
    /// Minutes of the slot outside their working hours.
    pub outside: u32,
    /// "00:00–00:45 Tokyo" in their zone.
    pub local: String,
    /// Their working hours that day in words ("09:00–17:00", or "none").
    pub hours: String,
}

impl SlotChart {
    /// The chart of the first [`CHART_SLOTS`] slots of `found`, each participant's day read with
    /// their `schedules` (in `found.participants`' order), headings in `viewer_zone`.
    pub fn new(found: &SlotsFound, schedules: &[Schedule], viewer_zone: &str) -> Self {
        let mut y = HEADER;
        let groups = found
            .slots
            .iter()
            .take(CHART_SLOTS)
            .enumerate()
            .map(|(n, slot)| {
                let heading = format!(
                    "{}. {} your time",
                    n + 1,
                    format::day_time(slot.start, viewer_zone)
                );
                let top = y;
                y += HEADING;
                let lanes = found
                    .participants
                    .iter()
                    .zip(schedules)
                    .zip(&slot.out_of_hours)
                    .take(CHART_PEOPLE)
                    .map(|((member, schedule), outside)| {
                        let lane = Lane::new(&member.name, schedule, slot, *outside, y);
                        y += LANE;
                        lane
                    })
                    .collect();
                Group {
                    y: top + 14,
                    heading,
                    lanes,
                }
            })
            .collect();
        Self {
            // Room on the right for half of the "24:00" label, centred on the day's end.
            width: LABEL_WIDTH + DAY + 16,
            height: y + 4,
            left: LABEL_WIDTH,
            day: DAY,
            hours: (0..=4)
                .map(|q| (LABEL_WIDTH + q * DAY / 4, format!("{:02}:00", q * 6)))
                .collect(),
            groups,
        }
    }

    /// The chart's accessible description: what the bands and bars mean.
    pub fn desc(&self) -> &'static str {
        "For each of the best slots, every participant's own day from 00:00 to 24:00 in their time zone: their working hours shaded, and the slot drawn where it falls. A slot outside someone's working hours is drawn in the error colour. The table after the chart says the same in words."
    }
}

impl Lane {
    fn new(name: &str, schedule: &Schedule, slot: &Slot, outside: u32, y: i64) -> Self {
        let zone = schedule.time_zone();
        let day = slot.start.to_zoned_datetime(zone.clone());
        let midnight = day.start_of_day().map_or(slot.start, |d| d.timestamp());
        let next = day
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .map_or(midnight, |d| d.timestamp());
        let working = schedule::working_intervals(schedule, midnight, next).unwrap_or_default();
        let x = |at: Timestamp| {
            (at.duration_since(midnight).as_mins() / MINUTES_PER_UNIT).clamp(0, DAY) + LABEL_WIDTH
        };
        let hours: Vec<String> = working
            .iter()
            .map(|(a, b)| format!("{}–{}", clock(*a, zone), clock(*b, zone)))
            .collect();
        let slot_x = x(slot.start);
        Self {
            y,
            name: name.to_owned(),
            short: shorten(name),
            work: working
                .iter()
                .map(|(a, b)| (x(*a), (x(*b) - x(*a)).max(1)))
                .collect(),
            slot: (slot_x, (x(slot.end) - slot_x).max(2)),
            outside,
            local: format!(
                "{}–{} {}",
                clock(slot.start, zone),
                clock(slot.end, zone),
                zone.iana_name()
                    .map_or_else(|| "UTC".to_owned(), format::city)
            ),
            hours: if hours.is_empty() {
                "none".to_owned()
            } else {
                hours.join(", ")
            },
        }
    }
}

fn clock(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%H:%M")
        .to_string()
}

/// `name` cut to [`NAME_CHARS`] characters, with an ellipsis when cut.
fn shorten(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_owned();
    }
    let mut short: String = name.chars().take(NAME_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_with_an_ellipsis() {
        assert_eq!(shorten("Maya"), "Maya");
        assert_eq!(shorten("Maximiliana Oberhauser"), "Maximiliana Ob…");
    }
}
