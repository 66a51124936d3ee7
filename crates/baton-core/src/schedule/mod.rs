//! Working time: when a member works, and the arithmetic every deadline is computed with.
//!
//! Owns: the [`Schedule`] type (an IANA zone, weekly wall-clock intervals, dated time off and
//! focus blocks), its validation, and the pure functions that turn it into instants: which
//! instants are working time, when N working minutes have elapsed, how much working time lies
//! between two instants, and when several members work at once.
//! Does not own: storage, the clock (every function takes the instants it needs), or delivery
//! policy, which reads focus time through [`in_focus`] and [`focus_intervals`].
//!
//! # The rule
//!
//! An instant is working time when its local wall-clock time lies inside one of the intervals
//! of a (non time-off) day, where an interval whose end is not after its start runs past
//! midnight into the next day. Working time is measured in real elapsed time over those
//! instants. So on the day clocks spring forward a skipped hour simply holds no instants (an
//! interval starting inside it starts at the first instant after it), and on the day clocks
//! fall back a repeated hour is counted on both passes when it lies inside an interval.
//! Followed literally, the rule also decides the rare case of an interval *endpoint* inside a
//! repeated hour: with 02:30–05:00 on a day that repeats 02:00–03:00, the first 02:30–03:00
//! counts, the second 02:00–02:30 does not, then 02:30–05:00 counts; the evaluation here and
//! the minute-by-minute reference in the tests agree on exactly that.
//!
//! # The supported window
//!
//! Instants are handled as `i64` nanoseconds, so working time exists only in
//! [`SUPPORTED_FROM`, `SUPPORTED_UNTIL`) (1900 to 2190): outside it a schedule has no working
//! time. This keeps sub-second instants exact without 128-bit arithmetic on the hot path.

mod arithmetic;
mod compile;
mod focus;
mod intervals;
mod local;
mod overlap;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::{CoreError, CoreResult};

pub use arithmetic::{
    add_working_time, is_working, next_working_start, subtract_working_time, working_time_between,
};
pub use focus::{focus_intervals, in_focus};
pub use intervals::{MAX_RANGE_DAYS, SUPPORTED_FROM, SUPPORTED_UNTIL, working_intervals};
pub use overlap::overlap;

use local::LocalRules;

/// Most intervals one weekday may hold; enough for split shifts, small enough to name each.
pub const MAX_INTERVALS_PER_DAY: usize = 8;
/// Most time-off entries one schedule may hold (years of holidays, one entry each).
pub const MAX_TIME_OFF: usize = 1000;
/// Most focus blocks one schedule may hold.
pub const MAX_FOCUS_BLOCKS: usize = 50;

/// A day of the week, spelled as the API spells it (`"mon"` … `"sun"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// Every day, Monday first: the order weekly rules are stored and evaluated in.
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// Position in the week, Monday = 0.
    fn index(self) -> usize {
        self as usize
    }
}

/// One wall-clock interval as typed, `["HH:MM", "HH:MM"]`. An end that is not after the start
/// runs past midnight (`["22:00", "06:00"]` ends at 06:00 the next day).
pub type WallInterval = [String; 2];

/// The weekly rule: for each day, the wall-clock intervals that start on it. A missing day has
/// no working time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklySpec {
    /// Monday's intervals.
    #[serde(default)]
    pub mon: Vec<WallInterval>,
    /// Tuesday's intervals.
    #[serde(default)]
    pub tue: Vec<WallInterval>,
    /// Wednesday's intervals.
    #[serde(default)]
    pub wed: Vec<WallInterval>,
    /// Thursday's intervals.
    #[serde(default)]
    pub thu: Vec<WallInterval>,
    /// Friday's intervals.
    #[serde(default)]
    pub fri: Vec<WallInterval>,
    /// Saturday's intervals.
    #[serde(default)]
    pub sat: Vec<WallInterval>,
    /// Sunday's intervals.
    #[serde(default)]
    pub sun: Vec<WallInterval>,
}

impl WeeklySpec {
    /// The intervals of one day, so rules can be read in a loop over [`Day::ALL`].
    pub fn day(&self, day: Day) -> &[WallInterval] {
        match day {
            Day::Mon => &self.mon,
            Day::Tue => &self.tue,
            Day::Wed => &self.wed,
            Day::Thu => &self.thu,
            Day::Fri => &self.fri,
            Day::Sat => &self.sat,
            Day::Sun => &self.sun,
        }
    }

    /// Mutable access to one day's intervals, for building schedules in code.
    pub fn day_mut(&mut self, day: Day) -> &mut Vec<WallInterval> {
        match day {
            Day::Mon => &mut self.mon,
            Day::Tue => &mut self.tue,
            Day::Wed => &mut self.wed,
            Day::Thu => &mut self.thu,
            Day::Fri => &mut self.fri,
            Day::Sat => &mut self.sat,
            Day::Sun => &mut self.sun,
        }
    }
}

/// Days off, `start` to `end` inclusive (`YYYY-MM-DD`). Removes the intervals that *start* on
/// those dates, so an overnight shift starting the evening before still ends as planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOffSpec {
    /// First day off.
    pub start: String,
    /// Last day off (inclusive).
    pub end: String,
}

/// A recurring focus block: working time that is held for deep work, so deliveries wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusSpec {
    /// The days the block starts on.
    pub days: Vec<Day>,
    /// Wall-clock start, `HH:MM`.
    pub start: String,
    /// Wall-clock end, `HH:MM`; not after `start` means past midnight.
    pub end: String,
}

/// A schedule as the API receives and stores it: plain data, checked by [`Schedule::new`].
/// Times and dates stay strings here so that a bad one is refused with the field that holds it
/// (`weekly.mon[0]`) instead of a parser's line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Weekly working intervals.
    pub weekly: WeeklySpec,
    /// Dated exceptions: days with no working time.
    #[serde(default)]
    pub time_off: Vec<TimeOffSpec>,
    /// Focus blocks inside working hours.
    #[serde(default)]
    pub focus: Vec<FocusSpec>,
}

/// A validated schedule with its rules compiled for fast evaluation. Serializes as its
/// (normalized) [`ScheduleSpec`]; deserializing validates, so a stored schedule that no longer
/// validates fails loudly instead of computing wrong deadlines.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ScheduleSpec", into = "ScheduleSpec")]
pub struct Schedule {
    spec: ScheduleSpec,
    tz: TimeZone,
    working: LocalRules,
    focus: LocalRules,
}

impl Schedule {
    /// Validates `spec` and compiles it. Times are normalized to `HH:MM`, dates to
    /// `YYYY-MM-DD` and the zone to its canonical IANA spelling.
    ///
    /// # Errors
    ///
    /// A [`CoreError`] naming the offending field: `timezone`, `weekly.mon[0]` (bad time,
    /// equal start and end), `weekly.mon` (too many intervals), `time_off` or `focus` (the
    /// message gives the entry's position).
    pub fn new(spec: ScheduleSpec) -> CoreResult<Self> {
        let compiled = compile::compile(&spec)?;
        Ok(Self {
            spec: compiled.spec,
            tz: compiled.tz,
            working: compiled.working,
            focus: compiled.focus,
        })
    }

    /// The schedule of a member who has not set one: Monday to Friday, 09:00–17:00, in their
    /// own zone.
    ///
    /// # Errors
    ///
    /// `timezone` when the zone is not in the bundled database.
    pub fn default_for(timezone: &str) -> CoreResult<Self> {
        let mut weekly = WeeklySpec::default();
        for day in &Day::ALL[..5] {
            weekly
                .day_mut(*day)
                .push(["09:00".to_owned(), "17:00".to_owned()]);
        }
        Self::new(ScheduleSpec {
            timezone: timezone.to_owned(),
            weekly,
            time_off: Vec::new(),
            focus: Vec::new(),
        })
    }

    /// Whether any weekday holds an interval. Without one, no deadline can ever fall due, so
    /// callers that compute deadlines refuse such a schedule (see [`Self::require_working_time`]).
    pub fn has_working_time(&self) -> bool {
        self.working.has_any()
    }

    /// [`Self::has_working_time`] as a rule check, for callers that need working time.
    ///
    /// # Errors
    ///
    /// `weekly` when no weekday has an interval.
    pub fn require_working_time(&self) -> CoreResult<()> {
        if self.has_working_time() {
            Ok(())
        } else {
            Err(CoreError::invalid(
                "weekly",
                "a schedule needs at least one working interval in the week",
            ))
        }
    }

    /// The normalized spec, as stored and shown.
    pub fn spec(&self) -> &ScheduleSpec {
        &self.spec
    }

    /// The canonical IANA name of the zone.
    pub fn timezone(&self) -> &str {
        &self.spec.timezone
    }

    /// The zone itself, for showing a member's local time.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }
}

/// Two schedules are equal when their normalized specs are: the compiled form follows.
impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for Schedule {}

impl TryFrom<ScheduleSpec> for Schedule {
    type Error = CoreError;

    fn try_from(spec: ScheduleSpec) -> CoreResult<Self> {
        Self::new(spec)
    }
}

impl From<Schedule> for ScheduleSpec {
    fn from(schedule: Schedule) -> Self {
        schedule.spec
    }
}
