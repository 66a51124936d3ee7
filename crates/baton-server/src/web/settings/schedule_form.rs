//! The working-hours form and the schedule it describes, in both directions.
//!
//! Owns: reading the form's rows (a stored schedule, or what was posted, kept exactly as typed
//! when refused), turning them into a `ScheduleSpec`, and placing the core's errors on the row
//! that caused them. Does not own: what makes a schedule valid (`baton_core::schedule`) or the
//! page around the form (`schedule`).

use baton_core::schedule::{
    Day, FocusSpec, MAX_FOCUS_BLOCKS, MAX_INTERVALS_PER_DAY, Schedule, ScheduleSpec, TimeOffSpec,
    WeeklySpec,
};
use jiff::Timestamp;

use super::super::auth::FieldError;
use super::super::forms::Fields;
use crate::error::ApiError;

/// Interval rows the weekly grid shows per day, even when fewer are set.
const GRID_ROWS: usize = 3;

/// The weekdays as the grid names them: form key and label.
const DAYS: [(Day, &str, &str); 7] = [
    (Day::Mon, "mon", "Monday"),
    (Day::Tue, "tue", "Tuesday"),
    (Day::Wed, "wed", "Wednesday"),
    (Day::Thu, "thu", "Thursday"),
    (Day::Fri, "fri", "Friday"),
    (Day::Sat, "sat", "Saturday"),
    (Day::Sun, "sun", "Sunday"),
];

/// The weekday checkboxes of a focus block: (form key, short label).
pub(super) fn day_keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    DAYS.iter().map(|(_, key, label)| (*key, &label[..3]))
}

/// The schedule form as typed, so a refused form comes back exactly as it was sent.
#[derive(Debug, Default)]
pub(super) struct ScheduleForm {
    pub(super) days: Vec<DayRows>,
    /// (first day, last day), `YYYY-MM-DD` or empty.
    pub(super) time_off: Vec<(String, String)>,
    pub(super) focus: Vec<FocusRow>,
}

/// One weekday's rows of the grid.
#[derive(Debug)]
pub(super) struct DayRows {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) rows: Vec<IntervalRow>,
}

/// One start–end pair of the grid.
#[derive(Debug)]
pub(super) struct IntervalRow {
    /// 1-based row number in the grid.
    pub(super) n: usize,
    /// `mon_1`: where this row's error is shown.
    pub(super) field: String,
    pub(super) start: String,
    pub(super) end: String,
}

/// One focus block as typed.
#[derive(Debug, Default)]
pub(super) struct FocusRow {
    pub(super) start: String,
    pub(super) end: String,
    days: Vec<Day>,
}

impl FocusRow {
    /// Whether the day with form key `key` is ticked (for the template).
    pub(super) fn has(&self, key: &str) -> bool {
        DAYS.iter()
            .any(|(day, k, _)| *k == key && self.days.contains(day))
    }
}

/// The grid rows of one day: `pairs` in order, then empty rows up to [`GRID_ROWS`].
fn interval_rows(key: &str, pairs: impl Iterator<Item = (String, String)>) -> Vec<IntervalRow> {
    let mut pairs: Vec<(String, String)> = pairs.collect();
    if pairs.len() < GRID_ROWS {
        pairs.resize(GRID_ROWS, Default::default());
    }
    pairs
        .into_iter()
        .zip(1..)
        .map(|((start, end), n)| IntervalRow {
            n,
            field: format!("{key}_{n}"),
            start,
            end,
        })
        .collect()
}

/// The posted values of rows 1 to the last one sent (at most `max`), a missing value read as
/// empty, so every row keeps its number.
fn posted_rows<T>(max: usize, sent: impl Fn(usize) -> bool, row: impl Fn(usize) -> T) -> Vec<T> {
    let last = (1..=max).rev().find(|n| sent(*n)).unwrap_or(0);
    (1..=last).map(row).collect()
}

/// Today in the schedule's zone, `YYYY-MM-DD` (the spelling time-off entries are stored in).
pub(super) fn today(schedule: &Schedule, now: Timestamp) -> String {
    now.to_zoned_datetime(schedule.time_zone().clone())
        .date()
        .to_string()
}

impl ScheduleForm {
    /// The form for a stored schedule: its intervals, its time off from today on, its focus
    /// blocks, and an empty row to add one more of each.
    pub(super) fn from_schedule(schedule: &Schedule, now: Timestamp) -> Self {
        let spec = schedule.spec();
        let today = today(schedule, now);
        let mut time_off: Vec<(String, String)> = spec
            .time_off
            .iter()
            .filter(|t| t.end >= today)
            .map(|t| (t.start.clone(), t.end.clone()))
            .collect();
        time_off.push(Default::default());
        let mut focus: Vec<FocusRow> = spec
            .focus
            .iter()
            .map(|f| FocusRow {
                start: f.start.clone(),
                end: f.end.clone(),
                days: f.days.clone(),
            })
            .collect();
        focus.push(FocusRow::default());
        Self {
            days: DAYS
                .iter()
                .map(|(day, key, label)| DayRows {
                    key,
                    label,
                    rows: interval_rows(key, spec.weekly.day(*day).iter().cloned().map(Into::into)),
                })
                .collect(),
            time_off,
            focus,
        }
    }

    /// The form as posted. Rows are read up to the core's limits; anything beyond is ignored.
    pub(super) fn from_fields(fields: &Fields) -> Self {
        let one = |name: &str| fields.all(name).next().unwrap_or_default().to_owned();
        let sent = |name: &str| fields.all(name).next().is_some();
        let days = DAYS
            .iter()
            .map(|(_, key, label)| {
                let pairs = posted_rows(
                    MAX_INTERVALS_PER_DAY,
                    |n| sent(&format!("{key}_start_{n}")) || sent(&format!("{key}_end_{n}")),
                    |n| {
                        (
                            one(&format!("{key}_start_{n}")),
                            one(&format!("{key}_end_{n}")),
                        )
                    },
                );
                DayRows {
                    key,
                    label,
                    rows: interval_rows(key, pairs.into_iter()),
                }
            })
            .collect();
        let time_off = fields
            .all("off_start")
            .zip(fields.all("off_end"))
            .map(|(s, e)| (s.trim().to_owned(), e.trim().to_owned()))
            .collect();
        let focus = posted_rows(
            MAX_FOCUS_BLOCKS,
            |n| sent(&format!("focus_start_{n}")) || sent(&format!("focus_days_{n}")),
            |n| FocusRow {
                start: one(&format!("focus_start_{n}")),
                end: one(&format!("focus_end_{n}")),
                days: fields
                    .all(&format!("focus_days_{n}"))
                    .filter_map(|v| DAYS.iter().find(|(_, k, _)| *k == v).map(|(d, ..)| *d))
                    .collect(),
            },
        );
        Self {
            days,
            time_off,
            focus,
        }
    }

    /// The spec this form describes, and for each weekday the grid row of each interval (so a
    /// core error about `weekly.mon[1]` lands on the row it came from). Empty rows are
    /// skipped; a half-filled row is refused here, since the core would only see a bad time.
    pub(super) fn to_spec(
        &self,
        timezone: &str,
    ) -> Result<(ScheduleSpec, Vec<Vec<usize>>), FieldError> {
        let mut weekly = WeeklySpec::default();
        let mut row_of = Vec::with_capacity(DAYS.len());
        for ((day, ..), rows) in DAYS.iter().zip(&self.days) {
            let mut numbers = Vec::new();
            for row in &rows.rows {
                let (start, end) = (row.start.trim(), row.end.trim());
                match (start.is_empty(), end.is_empty()) {
                    (true, true) => continue,
                    (false, false) => {}
                    _ => {
                        return Err(FieldError {
                            field: row.field.clone(),
                            message: "Give both a start and an end, or leave both empty.".into(),
                        });
                    }
                }
                weekly
                    .day_mut(*day)
                    .push([start.to_owned(), end.to_owned()]);
                numbers.push(row.n);
            }
            row_of.push(numbers);
        }
        let mut time_off = Vec::new();
        for (start, end) in &self.time_off {
            match (start.is_empty(), end.is_empty()) {
                (true, true) => {}
                (true, false) => {
                    return Err(FieldError {
                        field: "time_off".into(),
                        message: "Give the first day off.".into(),
                    });
                }
                // A first day alone is one day off.
                (false, no_end) => time_off.push(TimeOffSpec {
                    start: start.clone(),
                    end: if no_end { start } else { end }.clone(),
                }),
            }
        }
        let focus = self
            .focus
            .iter()
            .filter(|f| {
                !(f.start.trim().is_empty() && f.end.trim().is_empty() && f.days.is_empty())
            })
            .map(|f| FocusSpec {
                days: f.days.clone(),
                start: f.start.trim().to_owned(),
                end: f.end.trim().to_owned(),
            })
            .collect();
        let spec = ScheduleSpec {
            timezone: timezone.to_owned(),
            weekly,
            time_off,
            focus,
        };
        Ok((spec, row_of))
    }
}

/// Places a core error about the schedule on the form: `weekly.mon[1]` on the row it came
/// from (`row_of` as [`ScheduleForm::to_spec`] gave it), `time_off` and `focus` on their
/// sections, anything else above the grid.
pub(super) fn schedule_error(e: &ApiError, row_of: &[Vec<usize>]) -> FieldError {
    let field = e.field().unwrap_or("weekly");
    let row = DAYS.iter().zip(row_of).find_map(|((_, key, _), rows)| {
        let index: usize = field
            .strip_prefix("weekly.")?
            .strip_prefix(key)?
            .strip_prefix('[')?
            .strip_suffix(']')?
            .parse()
            .ok()?;
        Some(format!("{key}_{}", rows.get(index)?))
    });
    let field = match (row, field) {
        (Some(row), _) => row,
        (None, "time_off" | "focus") => field.to_owned(),
        (None, _) => "weekly".to_owned(),
    };
    FieldError {
        field,
        message: e.detail().to_owned(),
    }
}
