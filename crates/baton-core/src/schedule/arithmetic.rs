//! Working-time arithmetic on one schedule: deadlines, durations, "working now", "back at".
//!
//! Owns: [`add_working_time`] (every ask's `due_at`), [`subtract_working_time`] (a meeting's
//! pre-work deadline), [`working_time_between`], [`next_working_start`] and [`is_working`]. All
//! are pure; they walk the schedule lazily from the instant given, so their cost grows with the
//! answer, not the schedule. All but [`subtract_working_time`] allocate nothing.

use jiff::{SignedDuration, Timestamp};

use super::Schedule;
use super::intervals::{FROM_NS, Pieces, UNTIL_NS, to_ns, to_timestamp};
use super::local::NS_PER_MIN;

/// The instant at which `minutes` minutes of working time have elapsed after `start`: the
/// `due_at` of an ask. Minutes are whole (`u32`), like `within_minutes`, so no rounding
/// happens anywhere. The earliest such instant is returned, so a deadline that uses up the
/// last minute of a day falls due at the end of that day, not at the start of the next.
/// Zero minutes is `start` itself.
///
/// `None` when the schedule has no working time, or when that much working time does not fit
/// before [`SUPPORTED_UNTIL`](super::SUPPORTED_UNTIL).
pub fn add_working_time(schedule: &Schedule, start: Timestamp, minutes: u32) -> Option<Timestamp> {
    if minutes == 0 {
        return Some(start);
    }
    if !schedule.has_working_time() {
        return None;
    }
    let mut left = i64::from(minutes).checked_mul(NS_PER_MIN)?;
    for (a, b) in Pieces::new(&schedule.tz, &schedule.working, to_ns(start), UNTIL_NS) {
        if left <= b - a {
            return Some(to_timestamp(a + left));
        }
        left -= b - a;
    }
    None
}

/// The instant at which `minutes` minutes of working time remain before `end`: "pre-work due
/// four working hours before the meeting", counted in the person's own hours. The latest such
/// instant is returned (the mirror of [`add_working_time`]'s earliest), so a deadline that
/// starts with the first minute of a day falls due at the start of that day, not at the end of
/// the day before. Zero minutes is `end` itself; for every result,
/// `working_time_between(s, result, end) == minutes`.
///
/// `None` when the schedule has no working time, or when that much working time does not fit
/// after [`SUPPORTED_FROM`](super::SUPPORTED_FROM).
pub fn subtract_working_time(
    schedule: &Schedule,
    end: Timestamp,
    minutes: u32,
) -> Option<Timestamp> {
    if minutes == 0 {
        return Some(end);
    }
    if !schedule.has_working_time() {
        return None;
    }
    let mut left = i64::from(minutes).checked_mul(NS_PER_MIN)?;
    // The walk over pieces only goes forward, so the time before `end` is read in windows,
    // each walked forward and then taken from its end, the window doubling each time so a long
    // stretch without work (months of time off) costs few windows. Reading the pieces
    // backwards directly would need a second, mirrored walk over the zone's transitions.
    let mut window_end = to_ns(end);
    let mut window = WINDOW_NS;
    while window_end > FROM_NS {
        let window_start = window_end.saturating_sub(window).max(FROM_NS);
        let pieces: Vec<(i64, i64)> =
            Pieces::new(&schedule.tz, &schedule.working, window_start, window_end).collect();
        for (a, b) in pieces.into_iter().rev() {
            if left <= b - a {
                return Some(to_timestamp(b - left));
            }
            left -= b - a;
        }
        window_end = window_start;
        window = window.saturating_mul(2);
    }
    None
}

/// The first window [`subtract_working_time`] reads: two weeks, where most pre-work falls.
const WINDOW_NS: i64 = 14 * 24 * 60 * NS_PER_MIN;

/// How much working time lies in `[a, b)`: "due in 5 working hours". Negative when `b` is
/// before `a`, so that `between(a, b) == -between(b, a)`. Exact to the nanosecond; for every
/// `start` and `m` with a result, `working_time_between(s, start, add_working_time(s, start,
/// m)) == m minutes`.
pub fn working_time_between(schedule: &Schedule, a: Timestamp, b: Timestamp) -> SignedDuration {
    if b < a {
        return -working_time_between(schedule, b, a);
    }
    let nanos: i64 = Pieces::new(&schedule.tz, &schedule.working, to_ns(a), to_ns(b))
        .map(|(a, b)| b - a)
        .sum();
    SignedDuration::from_nanos(nanos)
}

/// When the member is next at work, for "back Tue 09:00": the start of the first working
/// interval at or after `t`, or `t` itself when `t` is working time (so "at or after" holds
/// without a special case). `None` when no working time follows before
/// [`SUPPORTED_UNTIL`](super::SUPPORTED_UNTIL).
pub fn next_working_start(schedule: &Schedule, t: Timestamp) -> Option<Timestamp> {
    if !schedule.has_working_time() {
        return None;
    }
    Pieces::new(&schedule.tz, &schedule.working, to_ns(t), UNTIL_NS)
        .next()
        .map(|(a, _)| to_timestamp(a))
}

/// Whether `t` is working time, for "working now": its local wall-clock time lies inside an
/// interval of a day that is not off.
pub fn is_working(schedule: &Schedule, t: Timestamp) -> bool {
    local_nanos(schedule, t).is_some_and(|local| schedule.working.contains(local))
}

/// The local wall-clock time of `t` as nanoseconds since 1970-01-01T00:00, or `None` outside
/// the supported window, where nothing is working time.
pub(super) fn local_nanos(schedule: &Schedule, t: Timestamp) -> Option<i64> {
    let ns = to_ns(t);
    let inside = i128::from(ns) == t.as_nanosecond() && ns < UNTIL_NS;
    inside.then(|| ns + i64::from(schedule.tz.to_offset(t).seconds()) * 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_reply_within_a_working_day_is_due_at_the_end_of_that_day() {
        let s = Schedule::default_for("UTC").unwrap();
        // Monday 2026-03-02.
        assert_eq!(
            add_working_time(&s, ts("2026-03-02T09:00:00Z"), 480),
            Some(ts("2026-03-02T17:00:00Z"))
        );
        assert_eq!(
            add_working_time(&s, ts("2026-03-02T16:00:00Z"), 120),
            Some(ts("2026-03-03T10:00:00Z"))
        );
        // Friday evening to Monday morning skips the weekend.
        assert_eq!(
            add_working_time(&s, ts("2026-03-06T18:00:00Z"), 60),
            Some(ts("2026-03-09T10:00:00Z"))
        );
        assert_eq!(
            add_working_time(&s, ts("2026-03-06T18:00:00Z"), 0),
            Some(ts("2026-03-06T18:00:00Z"))
        );
    }

    #[test]
    fn sub_second_starts_are_kept_exactly() {
        let s = Schedule::default_for("UTC").unwrap();
        let start = ts("2026-03-02T16:59:59.5Z");
        let due = add_working_time(&s, start, 1).unwrap();
        assert_eq!(due, ts("2026-03-03T09:00:59.5Z"));
        assert_eq!(
            working_time_between(&s, start, due),
            SignedDuration::from_mins(1)
        );
        assert_eq!(
            working_time_between(&s, due, start),
            -SignedDuration::from_mins(1)
        );
    }

    #[test]
    fn pre_work_due_counts_back_through_the_working_days() {
        let s = Schedule::default_for("UTC").unwrap();
        // Monday 2026-03-09 10:00 minus four working hours is Friday 14:00.
        assert_eq!(
            subtract_working_time(&s, ts("2026-03-09T10:00:00Z"), 240),
            Some(ts("2026-03-06T14:00:00Z"))
        );
        // A whole day back from the start of one is the start of the day before, not its end.
        assert_eq!(
            subtract_working_time(&s, ts("2026-03-03T09:00:00Z"), 480),
            Some(ts("2026-03-02T09:00:00Z"))
        );
        assert_eq!(
            subtract_working_time(&s, ts("2026-03-03T12:00:00Z"), 180),
            Some(ts("2026-03-03T09:00:00Z"))
        );
        assert_eq!(
            subtract_working_time(&s, ts("2026-03-07T10:00:00Z"), 0),
            Some(ts("2026-03-07T10:00:00Z"))
        );
        assert_eq!(
            subtract_working_time(&s, ts("1900-01-02T00:00:00Z"), 24 * 60),
            None
        );
    }

    #[test]
    fn next_start_is_the_instant_itself_while_working() {
        let s = Schedule::default_for("UTC").unwrap();
        let t = ts("2026-03-02T10:00:00Z");
        assert_eq!(next_working_start(&s, t), Some(t));
        assert_eq!(
            next_working_start(&s, ts("2026-03-07T10:00:00Z")),
            Some(ts("2026-03-09T09:00:00Z"))
        );
        assert!(is_working(&s, t));
        assert!(
            !is_working(&s, ts("2026-03-02T17:00:00Z")),
            "the end of an interval is not inside it"
        );
    }

    #[test]
    fn nothing_is_working_outside_the_supported_window() {
        let mut spec = Schedule::default_for("UTC").unwrap().spec().clone();
        for day in super::super::Day::ALL {
            spec.weekly
                .day_mut(day)
                .push(["12:00".to_owned(), "00:00".to_owned()]);
            spec.weekly
                .day_mut(day)
                .push(["00:00".to_owned(), "12:00".to_owned()]);
        }
        let always = Schedule::new(spec).unwrap();
        assert!(is_working(&always, ts("1900-01-01T00:00:00Z")));
        assert!(!is_working(&always, ts("1899-12-31T23:59:59Z")));
        assert!(!is_working(&always, ts("2190-01-01T00:00:00Z")));
        assert_eq!(
            add_working_time(&always, ts("2189-12-31T23:00:00Z"), 61),
            None
        );
        assert_eq!(
            add_working_time(&always, ts("1899-12-31T23:00:00Z"), 1),
            Some(ts("1900-01-01T00:01:00Z"))
        );
        assert_eq!(
            add_working_time(&always, ts("2026-01-01T00:00:00Z"), u32::MAX),
            None
        );
    }

    #[test]
    fn a_schedule_without_working_time_has_no_deadlines() {
        let mut spec = Schedule::default_for("UTC").unwrap().spec().clone();
        spec.weekly = Default::default();
        let never = Schedule::new(spec).unwrap();
        assert_eq!(
            add_working_time(&never, ts("2026-03-02T09:00:00Z"), 1),
            None
        );
        assert_eq!(next_working_start(&never, ts("2026-03-02T09:00:00Z")), None);
        assert_eq!(
            subtract_working_time(&never, ts("2026-03-02T09:00:00Z"), 1),
            None
        );
        assert_eq!(never.require_working_time().unwrap_err().field, "weekly");
    }
}
