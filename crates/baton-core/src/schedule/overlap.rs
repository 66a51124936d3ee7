//! Overlap: when several members are all working, for "best time to talk" and handoffs.
//!
//! Owns: [`overlap`] and the intersection of sorted interval lists it (and focus) rely on.

use jiff::Timestamp;

use super::Schedule;
use super::intervals::{Pieces, check_range, merged, to_ns, to_pairs};
use super::local::Range;
use crate::CoreResult;

/// The instants in `[from, to)` at which every schedule in `schedules` is working: sorted,
/// merged, disjoint and inside the range. With no schedules every instant qualifies (nobody is
/// away), so the answer is the whole range; this keeps `overlap` of a list equal to the
/// overlap of its parts.
///
/// # Errors
///
/// As [`working_intervals`](super::working_intervals): `from` for an empty or backward range,
/// `to` for one longer than [`MAX_RANGE_DAYS`](super::MAX_RANGE_DAYS) days.
pub fn overlap(
    schedules: &[&Schedule],
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<(Timestamp, Timestamp)>> {
    check_range(from, to)?;
    let Some((first, rest)) = schedules.split_first() else {
        return Ok(vec![(from, to)]);
    };
    let mut common = merged(Pieces::new(
        &first.tz,
        &first.working,
        to_ns(from),
        to_ns(to),
    ));
    for schedule in rest {
        if common.is_empty() {
            break;
        }
        // Only the stretch the common time still spans needs evaluating.
        let (start, end) = (common[0].0, common[common.len() - 1].1);
        common = intersect(
            &common,
            &merged(Pieces::new(&schedule.tz, &schedule.working, start, end)),
        );
    }
    Ok(to_pairs(common))
}

/// The intersection of two sorted lists of disjoint, non-touching ranges; the result has the
/// same properties (two touching results would need a touching pair in one of the inputs).
pub(super) fn intersect(a: &[Range], b: &[Range]) -> Vec<Range> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
        let (start, end) = (a0.max(b0), a1.min(b1));
        if start < end {
            out.push((start, end));
        }
        if a1 <= b1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_keeps_only_common_time() {
        let a = [(0, 10), (20, 30), (40, 50)];
        let b = [(5, 25), (28, 45)];
        assert_eq!(
            intersect(&a, &b),
            vec![(5, 10), (20, 25), (28, 30), (40, 45)]
        );
        assert_eq!(intersect(&a, &[]), vec![]);
    }
}
