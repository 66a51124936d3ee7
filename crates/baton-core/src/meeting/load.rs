//! Meeting load: how much of a person's working time meetings take. Async teams keep it near
//! a small target (about 5% of the week instead of most of it), so Baton counts it and says so
//! before a new meeting pushes someone over.

use jiff::Timestamp;

use crate::error::{CoreError, CoreResult};
use crate::schedule::{Schedule, working_intervals};

/// The share of working time a workspace aims to spend in meetings unless it sets its own.
pub const DEFAULT_TARGET: f64 = 0.05;

/// Checks a workspace's meeting-load target: a share above 0 and at most 1 (all of the
/// working time).
///
/// # Errors
/// `meeting_load_target` for anything else (NaN included).
pub fn target(value: f64) -> CoreResult<f64> {
    if value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(CoreError::invalid(
            "meeting_load_target",
            "the meeting-load target is a share of working time above 0 and at most 1 (0.05 is 5%)",
        ))
    }
}

/// Meeting minutes against working minutes over one range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingLoad {
    /// Minutes of the range in at least one meeting (overlapping meetings count once; a
    /// meeting outside working hours counts too: it is time taken all the same).
    pub meeting_minutes: i64,
    /// Working minutes of the range, by the person's schedule.
    pub working_minutes: i64,
}

impl MeetingLoad {
    /// Meeting minutes per working minute (0 for someone with no working time in the range).
    pub fn share(&self) -> f64 {
        if self.working_minutes <= 0 {
            return 0.0;
        }
        // Minutes of at most a year fit an f64 exactly.
        #[expect(
            clippy::cast_precision_loss,
            reason = "minutes of at most a year are exact"
        )]
        let share = self.meeting_minutes as f64 / self.working_minutes as f64;
        share
    }
}

/// The meeting load of someone working on `schedule` who is in `meetings` (start, end; any
/// order, may overlap or reach outside the range) over `[from, to)`.
///
/// # Errors
/// `from`/`to` for an empty, backwards or too long range (as for working intervals).
pub fn meeting_load(
    schedule: &Schedule,
    meetings: &[(Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
) -> CoreResult<MeetingLoad> {
    let working_minutes = working_intervals(schedule, from, to)?
        .iter()
        .map(|(s, e)| e.duration_since(*s).as_mins())
        .sum();
    let mut clipped: Vec<(Timestamp, Timestamp)> = meetings
        .iter()
        .map(|(s, e)| ((*s).max(from), (*e).min(to)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort_unstable();
    let mut meeting_minutes = 0;
    let mut covered_until = from;
    for (start, end) in clipped {
        let start = start.max(covered_until);
        if start < end {
            meeting_minutes += end.duration_since(start).as_mins();
            covered_until = end;
        }
    }
    Ok(MeetingLoad {
        meeting_minutes,
        working_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an instant")
    }

    #[test]
    fn a_week_of_one_hour_meetings_is_counted_once_against_forty_working_hours() {
        let berlin = Schedule::default_for("Europe/Berlin").expect("a zone");
        let (from, to) = (at("2026-01-12T00:00:00Z"), at("2026-01-19T00:00:00Z"));
        let meetings = [
            (at("2026-01-12T09:00:00Z"), at("2026-01-12T10:00:00Z")),
            // Overlaps the first by half an hour: the half hour counts once.
            (at("2026-01-12T09:30:00Z"), at("2026-01-12T10:30:00Z")),
            // Reaches back before the range: only the part inside counts.
            (at("2026-01-11T23:00:00Z"), at("2026-01-12T00:30:00Z")),
            // After the range: nothing.
            (at("2026-01-20T09:00:00Z"), at("2026-01-20T10:00:00Z")),
        ];
        let load = meeting_load(&berlin, &meetings, from, to).expect("a load");
        assert_eq!(load.working_minutes, 5 * 8 * 60);
        assert_eq!(load.meeting_minutes, 90 + 30);
        assert!((load.share() - 120.0 / 2400.0).abs() < 1e-12);
    }

    #[test]
    fn a_target_is_a_share_above_zero_and_at_most_one() {
        assert_eq!(target(0.05), Ok(0.05));
        assert_eq!(target(1.0), Ok(1.0));
        for bad in [0.0, -0.1, 1.01, f64::NAN, f64::INFINITY] {
            assert_eq!(
                target(bad).map_err(|e| e.field),
                Err("meeting_load_target"),
                "{bad}"
            );
        }
    }

    #[test]
    fn no_working_time_is_no_share_and_a_bad_range_is_refused() {
        let berlin = Schedule::default_for("Europe/Berlin").expect("a zone");
        let sunday = (at("2026-01-11T00:00:00Z"), at("2026-01-11T23:00:00Z"));
        let load = meeting_load(&berlin, &[sunday], sunday.0, sunday.1).expect("a load");
        assert_eq!(load.working_minutes, 0);
        assert_eq!(load.meeting_minutes, 23 * 60);
        assert!(load.share().abs() < f64::EPSILON);
        assert_eq!(
            meeting_load(&berlin, &[], sunday.1, sunday.0).map_err(|e| e.field),
            Err("from")
        );
    }
}
