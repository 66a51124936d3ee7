//! The brute-force reference: the rule read literally, one instant at a time, with none of the
//! fast implementation's machinery (no offset periods, no compiled spans, no merging). It asks
//! jiff for the wall-clock time of each instant and checks it against the day's intervals and
//! the overnight intervals of the day before.

use baton_core::schedule::{
    Day, Schedule, ScheduleSpec, add_working_time, focus_intervals, in_focus, is_working,
    next_working_start, subtract_working_time, working_intervals, working_time_between,
};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const MINUTE: SignedDuration = SignedDuration::from_mins(1);
const NANO: SignedDuration = SignedDuration::from_nanos(1);

/// Intervals per weekday (Monday first), as minutes after midnight.
type Weekly = [Vec<(i64, i64)>; 7];

/// The reference evaluator of one schedule.
pub struct Reference {
    tz: TimeZone,
    working: Weekly,
    focus: Weekly,
    off: Vec<(Date, Date)>,
}

fn minutes(text: &str) -> i64 {
    let (h, m) = text.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

fn weekday(date: Date) -> usize {
    usize::from(date.weekday().to_monday_zero_offset() as u8)
}

impl Reference {
    /// Reads the spec's strings again, independently of the fast implementation's parser.
    pub fn new(spec: &ScheduleSpec) -> Self {
        let mut working: Weekly = Default::default();
        for (i, day) in Day::ALL.iter().enumerate() {
            working[i] = spec
                .weekly
                .day(*day)
                .iter()
                .map(|[s, e]| (minutes(s), minutes(e)))
                .collect();
        }
        let mut focus: Weekly = Default::default();
        for block in &spec.focus {
            for day in &block.days {
                focus[*day as usize].push((minutes(&block.start), minutes(&block.end)));
            }
        }
        let off = spec
            .time_off
            .iter()
            .map(|o| (o.start.parse().unwrap(), o.end.parse().unwrap()))
            .collect();
        Self {
            tz: baton_core::tzdb::zone(&spec.timezone).unwrap(),
            working,
            focus,
            off,
        }
    }

    fn inside(&self, weekly: &Weekly, off_applies: bool, dt: DateTime) -> bool {
        let time = dt.time();
        let at = SignedDuration::from_hours(i64::from(time.hour()))
            + SignedDuration::from_mins(i64::from(time.minute()))
            + SignedDuration::from_secs(i64::from(time.second()))
            + SignedDuration::from_nanos(i64::from(time.subsec_nanosecond()));
        let at_min = |m: i64| SignedDuration::from_mins(m);
        let is_off = |d: Date| off_applies && self.off.iter().any(|&(a, b)| a <= d && d <= b);
        let today = dt.date();
        let yesterday = today.yesterday().unwrap();
        let from_today = !is_off(today)
            && weekly[weekday(today)]
                .iter()
                .any(|&(s, e)| at_min(s) <= at && (e <= s || at < at_min(e)));
        let from_yesterday = !is_off(yesterday)
            && weekly[weekday(yesterday)]
                .iter()
                .any(|&(s, e)| e <= s && at < at_min(e));
        from_today || from_yesterday
    }

    /// The rule: `t`'s wall-clock time lies inside an interval of a day that is not off.
    pub fn working(&self, t: Timestamp) -> bool {
        self.inside(&self.working, true, self.tz.to_datetime(t))
    }

    /// Focus: working, and inside a focus block by the same rule (focus ignores time off).
    pub fn focus(&self, t: Timestamp) -> bool {
        self.working(t) && self.inside(&self.focus, false, self.tz.to_datetime(t))
    }
}

fn contains(intervals: &[(Timestamp, Timestamp)], t: Timestamp) -> bool {
    let i = intervals.partition_point(|&(_, end)| end <= t);
    intervals.get(i).is_some_and(|&(start, _)| start <= t)
}

/// Checks that `intervals` are sorted, merged, non-empty and inside `[from, to)`, and that
/// each boundary is a real boundary of `truth`.
fn check_shape(
    what: &str,
    intervals: &[(Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
    truth: impl Fn(Timestamp) -> bool,
) {
    for pair in intervals.windows(2) {
        assert!(pair[0].1 < pair[1].0, "{what}: {pair:?} overlap or touch");
    }
    for &(a, b) in intervals {
        assert!(
            from <= a && a < b && b <= to,
            "{what}: ({a}, {b}) empty or outside [{from}, {to})"
        );
        assert!(truth(a), "{what}: starts at {a}, which is not inside");
        assert!(
            a == from || !truth(a - NANO),
            "{what}: starts at {a}, but the nanosecond before is inside"
        );
        assert!(
            truth(b - NANO),
            "{what}: ends at {b}, but the nanosecond before is not inside"
        );
        assert!(
            b == to || !truth(b),
            "{what}: ends at {b}, which is still inside"
        );
    }
}

/// Compares every function of the fast implementation with the reference over `[from, to)`,
/// sampling each minute (`from` should be whole minutes) and checking every boundary exactly.
pub fn compare(schedule: &Schedule, from: Timestamp, to: Timestamp, rng: &mut super::Rng) {
    let reference = Reference::new(schedule.spec());
    let label = format!(
        "{} [{from}, {to}) {}",
        schedule.timezone(),
        serde_json::to_string(schedule).unwrap()
    );
    let working = working_intervals(schedule, from, to).unwrap();
    let focus = focus_intervals(schedule, from, to).unwrap();
    check_shape(&format!("working {label}"), &working, from, to, |t| {
        reference.working(t)
    });
    check_shape(&format!("focus {label}"), &focus, from, to, |t| {
        reference.focus(t)
    });

    let mut t = from;
    let mut minutes_working = 0;
    while t < to {
        let expected = reference.working(t);
        assert_eq!(
            is_working(schedule, t),
            expected,
            "is_working at {t} ({}) {label}",
            reference.tz.to_datetime(t)
        );
        assert_eq!(
            contains(&working, t),
            expected,
            "working_intervals at {t} {label}"
        );
        let expected_focus = reference.focus(t);
        assert_eq!(
            in_focus(schedule, t),
            expected_focus,
            "in_focus at {t} {label}"
        );
        assert_eq!(
            contains(&focus, t),
            expected_focus,
            "focus_intervals at {t} {label}"
        );
        minutes_working += i64::from(expected);
        t += MINUTE;
    }

    let total: SignedDuration = working.iter().map(|&(a, b)| b.duration_since(a)).sum();
    assert_eq!(
        working_time_between(schedule, from, to),
        total,
        "between {label}"
    );
    let on_minutes = working.iter().all(|&(a, b)| {
        a.duration_since(from).as_nanos() % MINUTE.as_nanos() == 0
            && b.duration_since(from).as_nanos() % MINUTE.as_nanos() == 0
    });
    if on_minutes {
        assert_eq!(
            total,
            MINUTE * minutes_working as i32,
            "minute count {label}"
        );
    }

    for _ in 0..4 {
        let start =
            from + SignedDuration::from_secs(rng.range(0, to.duration_since(from).as_secs()));
        let m = rng.below(3 * 24 * 60) as u32;
        let due = add_working_time(schedule, start, m).unwrap();
        assert_eq!(
            working_time_between(schedule, start, due),
            SignedDuration::from_mins(i64::from(m)),
            "add {m} at {start} {label}"
        );
        assert!(
            m == 0 || reference.working(due - NANO),
            "add {m} at {start} = {due} is not the earliest {label}"
        );
        let back = subtract_working_time(schedule, start, m).unwrap();
        assert_eq!(
            working_time_between(schedule, back, start),
            SignedDuration::from_mins(i64::from(m)),
            "subtract {m} at {start} {label}"
        );
        assert!(
            m == 0 || reference.working(back),
            "subtract {m} at {start} = {back} is not the latest {label}"
        );
        let next = next_working_start(schedule, start).unwrap();
        assert!(
            reference.working(next) && (next == start || !reference.working(next - NANO)),
            "next {start} {label}"
        );
        assert_eq!(
            working_time_between(schedule, start, next),
            SignedDuration::ZERO,
            "next {start} {label}"
        );
    }
}
