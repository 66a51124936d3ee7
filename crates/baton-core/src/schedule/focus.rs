//! Focus time: working time a member holds for deep work, read by the delivery engine.
//!
//! Owns: [`in_focus`] and [`focus_intervals`]. Focus does not change working time (an ask's
//! deadline counts focus minutes like any others); it only tells delivery when to hold back.

use jiff::Timestamp;

use super::Schedule;
use super::arithmetic::local_nanos;
use super::intervals::{Pieces, check_range, merged, to_ns, to_pairs};
use super::overlap::intersect;
use crate::CoreResult;

/// Whether `t` is focus time: working time whose local wall-clock time lies inside a focus
/// block. A block reaching outside working hours (or into a day off) holds only the part that
/// is working time, so delivery never waits for focus that is not there.
pub fn in_focus(schedule: &Schedule, t: Timestamp) -> bool {
    local_nanos(schedule, t)
        .is_some_and(|local| schedule.working.contains(local) && schedule.focus.contains(local))
}

/// The focus time of `schedule` in `[from, to)`: sorted, merged, disjoint, inside the range,
/// and always inside [`working_intervals`](super::working_intervals).
///
/// # Errors
///
/// As [`working_intervals`](super::working_intervals): `from` for an empty or backward range,
/// `to` for one longer than [`MAX_RANGE_DAYS`](super::MAX_RANGE_DAYS) days.
pub fn focus_intervals(
    schedule: &Schedule,
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<Vec<(Timestamp, Timestamp)>> {
    check_range(from, to)?;
    let (from, to) = (to_ns(from), to_ns(to));
    let working = merged(Pieces::new(&schedule.tz, &schedule.working, from, to));
    let focus = merged(Pieces::new(&schedule.tz, &schedule.focus, from, to));
    Ok(to_pairs(intersect(&working, &focus)))
}
