//! Evaluation: from wall-clock rules and a time zone to the instants they cover.
//!
//! Owns: the supported window, the conversion of instants to nanoseconds, the range checks of
//! the range functions, and [`Pieces`], the lazy walk every other function is built on.
//!
//! The walk goes through the zone's offset periods (the stretches between two transitions).
//! Inside one period local time is the instant plus a constant offset, so a local range
//! `[a, b)` covers exactly the instants `[a - offset, b - offset)` of that period. Taking every
//! period in turn is the rule itself, with no case analysis: a skipped hour is a local range no
//! instant maps to, and a repeated hour is met once in the period before the change and once
//! in the period after it. The alternative, mapping each interval's ends with a disambiguation
//! (earliest start, latest end), was rejected: it agrees in common cases but counts instants
//! outside the interval when an endpoint falls inside a repeated hour.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::Schedule;
use super::local::{LocalRanges, LocalRules, NS_PER_DAY, Range};
use crate::{CoreError, CoreResult};

/// The first instant that can be working time, 1900-01-01T00:00:00Z.
pub const SUPPORTED_FROM: Timestamp = Timestamp::constant(-2_208_988_800, 0);
/// The end (exclusive) of the instants that can be working time, 2190-01-01T00:00:00Z: 290
/// years after [`SUPPORTED_FROM`], about as many as an `i64` count of nanoseconds holds.
pub const SUPPORTED_UNTIL: Timestamp = Timestamp::constant(6_942_585_600, 0);
/// The longest range the range functions accept, in days: a year, leap day included.
pub const MAX_RANGE_DAYS: i64 = 366;

const NS_PER_SEC: i64 = 1_000_000_000;
/// [`SUPPORTED_FROM`] in nanoseconds.
pub(super) const FROM_NS: i64 = -2_208_988_800 * NS_PER_SEC;
/// [`SUPPORTED_UNTIL`] in nanoseconds.
pub(super) const UNTIL_NS: i64 = 6_942_585_600 * NS_PER_SEC;

/// The working time of `schedule` in `[from, to)`, as instants: sorted, merged (no two touch),
/// disjoint and inside `[from, to)`. This is what availability shows.
///
/// # Errors
///
/// `from` when `from` is not before `to`; `to` when the range is longer than
/// [`MAX_RANGE_DAYS`] days.
pub fn working_intervals(
    schedule: &Schedule,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<(Timestamp, Timestamp)>> {
    check_range(from, to)?;
    Ok(to_pairs(merged(Pieces::new(
        &schedule.tz,
        &schedule.working,
        to_ns(from),
        to_ns(to),
    ))))
}

/// Refuses ranges that are empty, backwards or longer than [`MAX_RANGE_DAYS`] days, so that a
/// request cannot ask for centuries of intervals.
pub(super) fn check_range(from: Timestamp, to: Timestamp) -> CoreResult<()> {
    if from >= to {
        return Err(CoreError::invalid("from", "from must be before to"));
    }
    if to.duration_since(from) > SignedDuration::from_hours(24 * MAX_RANGE_DAYS) {
        return Err(CoreError::invalid(
            "to",
            format!("a range can span at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok(())
}

/// An instant as nanoseconds since the epoch, clamped into the supported window (outside it
/// there is no working time, so clamping changes no result).
pub(super) fn to_ns(t: Timestamp) -> i64 {
    // The clamp makes the value fit an i64, so the cast cannot truncate.
    t.as_nanosecond()
        .clamp(i128::from(FROM_NS), i128::from(UNTIL_NS)) as i64
}

/// Nanoseconds since the epoch as an instant. Values come from the supported window, far inside
/// the range of `Timestamp`, so the addition cannot overflow.
pub(super) fn to_timestamp(ns: i64) -> Timestamp {
    Timestamp::UNIX_EPOCH + SignedDuration::from_nanos(ns)
}

/// Ranges as pairs of instants.
pub(super) fn to_pairs(ranges: Vec<Range>) -> Vec<(Timestamp, Timestamp)> {
    ranges
        .into_iter()
        .map(|(a, b)| (to_timestamp(a), to_timestamp(b)))
        .collect()
}

/// Joins sorted, disjoint ranges that touch (pieces of one interval split by a transition).
pub(super) fn merged(pieces: impl Iterator<Item = Range>) -> Vec<Range> {
    let mut out: Vec<Range> = Vec::new();
    for (a, b) in pieces {
        match out.last_mut() {
            Some(last) if last.1 == a => last.1 = b,
            _ => out.push((a, b)),
        }
    }
    out
}

/// The instants covered by `rules` in `tz` from `pos` to `end`, in order, as disjoint pieces.
/// Pieces may touch where an offset change falls inside a working stretch; callers that show
/// intervals merge them, callers that count time need not. Allocates nothing.
pub(super) struct Pieces<'a> {
    tz: &'a TimeZone,
    rules: &'a LocalRules,
    /// Instants before this have been handled.
    pos: i64,
    /// Instants from this on are not wanted.
    end: i64,
    /// The offset of the current period, in nanoseconds.
    offset: i64,
    /// The end of the current period (the next transition), at most `end`.
    period_end: i64,
    /// The local ranges still to map in the current period.
    local: LocalRanges<'a>,
}

impl<'a> Pieces<'a> {
    /// Starts a walk over `[from, end)`, both already inside the supported window.
    pub(super) fn new(tz: &'a TimeZone, rules: &'a LocalRules, from: i64, end: i64) -> Self {
        // An empty walk (its last day is before its first) until the first period is entered.
        let local = rules.ranges(0, -NS_PER_DAY);
        let mut pieces = Self {
            tz,
            rules,
            pos: from,
            end,
            offset: 0,
            period_end: from,
            local,
        };
        if from < end {
            pieces.enter_period();
        }
        pieces
    }

    /// Reads the offset and the next transition at `pos` and restarts the local walk there.
    fn enter_period(&mut self) {
        let at = to_timestamp(self.pos);
        self.offset = i64::from(self.tz.to_offset(at).seconds()) * NS_PER_SEC;
        self.period_end = self
            .tz
            .following(at)
            .next()
            .map_or(self.end, |t| to_ns(t.timestamp()).min(self.end));
        self.local = self
            .rules
            .ranges(self.pos + self.offset, self.period_end + self.offset);
    }
}

impl Iterator for Pieces<'_> {
    type Item = Range;

    fn next(&mut self) -> Option<Range> {
        while self.pos < self.end {
            if let Some((a, b)) = self.local.next() {
                let start = (a - self.offset).max(self.pos);
                if start < self.period_end {
                    let end = (b - self.offset).min(self.period_end);
                    self.pos = end;
                    return Some((start, end));
                }
            }
            // Nothing more in this period: continue in the next one.
            self.pos = self.period_end;
            if self.pos < self.end {
                self.enter_period();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_constants_are_the_dates_they_claim() {
        assert_eq!(SUPPORTED_FROM, "1900-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(SUPPORTED_UNTIL, "2190-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(i128::from(FROM_NS), SUPPORTED_FROM.as_nanosecond());
        assert_eq!(i128::from(UNTIL_NS), SUPPORTED_UNTIL.as_nanosecond());
        assert!(
            UNTIL_NS.checked_sub(FROM_NS).is_some(),
            "differences of supported instants fit an i64"
        );
    }

    #[test]
    fn ranges_must_be_forward_and_at_most_a_leap_year() {
        let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(check_range(t, t).unwrap_err().field, "from");
        assert!(check_range(t, t + SignedDuration::from_hours(24 * 366)).is_ok());
        let too_long = t + SignedDuration::from_hours(24 * 366) + SignedDuration::from_nanos(1);
        assert_eq!(check_range(t, too_long).unwrap_err().field, "to");
    }
}
