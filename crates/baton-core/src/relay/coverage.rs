//! Coverage: how much of a range a relay's legs hold between them.
//!
//! Owns: [`Coverage`] and [`coverage`], the sweep over the legs' working intervals that finds
//! the covered time, the gaps nobody holds and the overlaps where a handoff can happen live.

use jiff::Timestamp;

use crate::CoreResult;
use crate::schedule::{Schedule, overlap, working_intervals};

/// A half-open range of instants, `[start, end)`.
type Span = (Timestamp, Timestamp);

/// What a relay's legs cover in a range. Every list is sorted, merged (no two entries touch),
/// disjoint and inside the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// The instants at which at least one leg works.
    pub covered: Vec<Span>,
    /// The instants at which no leg works: the range minus `covered`, so the two tile it.
    pub gaps: Vec<Span>,
    /// The instants at which at least two legs work: the windows for a live handoff.
    pub overlaps: Vec<Span>,
    /// Each leg's working intervals, in the order of the legs.
    pub per_leg: Vec<Vec<Span>>,
}

/// The coverage of `[from, to)` by `legs` (their schedules, in relay order). With no legs the
/// whole range is one gap.
///
/// # Errors
///
/// As [`working_intervals`]: `from` for an empty or backward range, `to` for one longer than
/// [`MAX_RANGE_DAYS`](crate::schedule::MAX_RANGE_DAYS) days.
pub fn coverage(legs: &[&Schedule], from: Timestamp, to: Timestamp) -> CoreResult<Coverage> {
    // The range check of the schedule functions, run even when there are no legs to check it;
    // `overlap` of no schedules does only that (and returns the whole range).
    overlap(&[], from, to)?;
    let per_leg = legs
        .iter()
        .map(|leg| working_intervals(leg, from, to))
        .collect::<CoreResult<Vec<_>>>()?;
    let (covered, overlaps) = sweep(&per_leg);
    let gaps = complement(&covered, from, to);
    Ok(Coverage {
        covered,
        gaps,
        overlaps,
        per_leg,
    })
}

/// Walks the intervals' endpoints in time order, counting how many legs work, and returns the
/// stretches where at least one and at least two do. Sorting the 2n endpoints once costs
/// O(n log n) for n intervals whatever the range's length; the rejected alternative, stepping
/// minute by minute, costs ten thousand steps a week per leg and cannot see sub-minute ends.
fn sweep(per_leg: &[Vec<Span>]) -> (Vec<Span>, Vec<Span>) {
    let mut events: Vec<(Timestamp, i64)> = per_leg
        .iter()
        .flatten()
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    // Events at one instant may come in any order: the stretches between them are empty, so
    // only the count after the last of them matters.
    events.sort_unstable_by_key(|&(at, _)| at);
    let (mut covered, mut overlaps) = (Vec::new(), Vec::new());
    let mut working = 0;
    let mut previous = None;
    for (at, change) in events {
        if let Some(since) = previous.filter(|&since| since < at) {
            if working >= 1 {
                push_merged(&mut covered, (since, at));
            }
            if working >= 2 {
                push_merged(&mut overlaps, (since, at));
            }
        }
        working += change;
        previous = Some(at);
    }
    (covered, overlaps)
}

/// Appends `span` to a sorted list, joining it to the last entry when the two touch.
fn push_merged(out: &mut Vec<Span>, span: Span) {
    match out.last_mut() {
        Some(last) if last.1 == span.0 => last.1 = span.1,
        _ => out.push(span),
    }
}

/// `[from, to)` minus `covered` (sorted, disjoint, inside the range).
fn complement(covered: &[Span], from: Timestamp, to: Timestamp) -> Vec<Span> {
    let mut gaps = Vec::with_capacity(covered.len() + 1);
    let mut cursor = from;
    for &(start, end) in covered {
        if cursor < start {
            gaps.push((cursor, start));
        }
        cursor = end;
    }
    if cursor < to {
        gaps.push((cursor, to));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(hour)
    }

    fn spans(hours: &[(i64, i64)]) -> Vec<Span> {
        hours.iter().map(|&(a, b)| (at(a), at(b))).collect()
    }

    #[test]
    fn the_sweep_joins_touching_legs_and_finds_shared_time() {
        let per_leg = [
            spans(&[(0, 8), (24, 32)]),
            spans(&[(8, 16)]),
            spans(&[(6, 10), (30, 31)]),
        ];
        let (covered, overlaps) = sweep(&per_leg);
        assert_eq!(covered, spans(&[(0, 16), (24, 32)]));
        assert_eq!(overlaps, spans(&[(6, 10), (30, 31)]));
    }

    #[test]
    fn three_legs_at_once_are_one_overlap() {
        let per_leg = [spans(&[(0, 10)]), spans(&[(2, 8)]), spans(&[(4, 6)])];
        assert_eq!(sweep(&per_leg).1, spans(&[(2, 8)]));
    }

    #[test]
    fn the_complement_fills_both_ends_and_the_middle() {
        let covered = spans(&[(2, 4), (6, 8)]);
        assert_eq!(
            complement(&covered, at(0), at(10)),
            spans(&[(0, 2), (4, 6), (8, 10)])
        );
        assert_eq!(complement(&[], at(0), at(10)), spans(&[(0, 10)]));
        assert_eq!(complement(&spans(&[(0, 10)]), at(0), at(10)), vec![]);
    }
}
