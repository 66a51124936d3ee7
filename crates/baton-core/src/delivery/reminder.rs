//! The end-of-day reminder: when a baton holder is told, shortly before their working day
//! ends, which batons they hold, so they can hand them off before leaving.
//!
//! Owns: what a working day is for this purpose ([`DAY_BREAK`]), [`end_of_day`] (the day
//! current or next at an instant, and the instant its reminder is due) and the bounds of the
//! lead time. Does not own: who holds what, storage of the reminder (one per holder and day,
//! keyed by [`EndOfDay::day_end`]) or sending.
//!
//! # Why a day and not a working interval
//!
//! Working time is a list of merged intervals; a person with a lunch break has two a day. A
//! reminder before lunch ("your day ends in 30 minutes") would be wrong, so intervals separated
//! by less than [`DAY_BREAK`] count as one working day. A split shift with a longer gap (06:00–
//! 10:00 and 16:00–20:00) gets a reminder before each part, which is what such a person wants:
//! each part ends with somebody else taking over.

use jiff::{SignedDuration, Timestamp};

use crate::schedule::{Schedule, working_intervals};

/// Gaps in working time shorter than this are breaks inside one working day (lunch, a school
/// run); longer ones end the day.
pub const DAY_BREAK: SignedDuration = SignedDuration::from_hours(4);

/// The default lead: the reminder comes this much working time before the day ends. Half an
/// hour is long enough to write a handoff note, short enough that the note reflects the day.
pub const DEFAULT_LEAD: SignedDuration = SignedDuration::from_mins(30);

/// The shortest lead [`end_of_day`] uses: a reminder at the very end would fall outside working
/// time (working intervals are half-open).
pub const MIN_LEAD: SignedDuration = SignedDuration::from_mins(1);

/// The longest lead [`end_of_day`] uses: a whole day, so "before the day ends" still means
/// something.
pub const MAX_LEAD: SignedDuration = SignedDuration::from_hours(8);

/// How far back working time is read to find the start of the current day. A day is at most
/// this long before `now` matters only when it holds less working time than the lead, which
/// [`MAX_LEAD`] keeps far below two days.
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(48);

/// How far ahead the end of the day is looked for: two weeks, so a fortnight of leave still
/// finds the next day. A day not ending within this (a 24×7 schedule) has no reminder.
const LOOK_AHEAD: SignedDuration = SignedDuration::from_hours(14 * 24);

/// A working day and its reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndOfDay {
    /// The instant the day's working time ends (exclusive): the key of its reminder, the same
    /// for every instant of the day, so a reminder recorded under it is recorded once.
    pub day_end: Timestamp,
    /// When the reminder is due: `lead` of working time before [`Self::day_end`], or the
    /// day's first working instant when the day holds less than that. Always working time.
    pub due_at: Timestamp,
}

impl EndOfDay {
    /// Whether the reminder should go out at `now`: it is due and the day has not ended.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.due_at <= now && now < self.day_end
    }
}

/// The working day current at `now` (or, outside working time, the next one) and when its
/// reminder is due: `lead` of working time before the day's end, clamped to
/// [`MIN_LEAD`]..=[`MAX_LEAD`]. The answer is the same for every `now` before the day's end
/// from the moment the previous day ended, so asking again on each tick finds the same
/// reminder.
///
/// `None` when the schedule has no working time in the next two weeks, or the day does not
/// end within them.
pub fn end_of_day(schedule: &Schedule, lead: SignedDuration, now: Timestamp) -> Option<EndOfDay> {
    let from = now.checked_sub(LOOK_BACK).ok()?;
    let to = now.checked_add(LOOK_AHEAD).ok()?;
    let intervals = working_intervals(schedule, from, to).ok()?;
    // The first interval still running or still to come: the day it belongs to is the one
    // whose end is asked for.
    let current = intervals.iter().position(|&(_, end)| end > now)?;
    let mut last = current;
    while let Some(&(next_start, _)) = intervals.get(last + 1) {
        if next_start.duration_since(intervals[last].1) >= DAY_BREAK {
            break;
        }
        last += 1;
    }
    let day_end = intervals[last].1;
    // Working time cut off by the horizon may go on: the day's end is not known.
    if day_end.checked_add(DAY_BREAK).ok()? > to {
        return None;
    }
    let mut first = current;
    while first > 0 && intervals[first].0.duration_since(intervals[first - 1].1) < DAY_BREAK {
        first -= 1;
    }
    let due_at = back_from_end(&intervals[first..=last], lead.clamp(MIN_LEAD, MAX_LEAD));
    Some(EndOfDay { day_end, due_at })
}

/// The instant `lead` of working time before the end of `day` (sorted, disjoint intervals),
/// or the day's first instant when it holds less.
fn back_from_end(day: &[(Timestamp, Timestamp)], lead: SignedDuration) -> Timestamp {
    let mut left = lead;
    for &(start, end) in day.iter().rev() {
        let length = end.duration_since(start);
        if length >= left {
            // `left` is positive, so this is inside `[start, end)`: working time.
            return end - left;
        }
        left -= length;
    }
    day[0].0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::ScheduleSpec;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn utc(weekly: serde_json::Value) -> Schedule {
        let spec = serde_json::json!({ "timezone": "UTC", "weekly": weekly });
        Schedule::new(serde_json::from_value::<ScheduleSpec>(spec).unwrap()).unwrap()
    }

    #[test]
    fn a_lunch_break_does_not_end_the_day_and_the_lead_skips_it() {
        let s = utc(serde_json::json!({ "mon": [["09:00", "12:00"], ["12:10", "17:00"]] }));
        // 2026-03-02 is a Monday.
        let day = end_of_day(
            &s,
            SignedDuration::from_mins(30),
            ts("2026-03-02T10:00:00Z"),
        );
        assert_eq!(
            day,
            Some(EndOfDay {
                day_end: ts("2026-03-02T17:00:00Z"),
                due_at: ts("2026-03-02T16:30:00Z"),
            })
        );
        let long = end_of_day(
            &s,
            SignedDuration::from_mins(5 * 60),
            ts("2026-03-02T10:00:00Z"),
        );
        assert_eq!(long.unwrap().due_at, ts("2026-03-02T11:50:00Z"));
    }

    #[test]
    fn a_short_day_reminds_at_its_start_and_a_24x7_schedule_never() {
        let s = utc(serde_json::json!({ "tue": [["09:00", "09:20"]] }));
        let day = end_of_day(&s, DEFAULT_LEAD, ts("2026-03-02T10:00:00Z")).unwrap();
        assert_eq!(day.due_at, ts("2026-03-03T09:00:00Z"));
        let always = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .map(|d| (d.to_owned(), serde_json::json!([["00:00", "23:59"]])));
        let always = utc(serde_json::Value::Object(always.into_iter().collect()));
        assert_eq!(
            end_of_day(&always, DEFAULT_LEAD, ts("2026-03-02T10:00:00Z")),
            None
        );
    }
}
