//! Validation of a [`ScheduleSpec`] and its compilation into the rules evaluation reads.
//!
//! Owns: parsing `HH:MM` and `YYYY-MM-DD`, the limits, the field names errors carry, and the
//! normalized spec that is stored. Everything that can be refused is refused here, once, so
//! evaluation has no error paths.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::local::{DayRange, LocalRules, NS_PER_MIN, Range};
use super::{
    Day, FocusSpec, MAX_FOCUS_BLOCKS, MAX_INTERVALS_PER_DAY, MAX_TIME_OFF, ScheduleSpec,
    TimeOffSpec, WeeklySpec,
};
use crate::{CoreError, CoreResult};

const MINUTES_PER_DAY: u32 = 24 * 60;

/// A checked spec with its compiled rules.
pub(super) struct Compiled {
    pub(super) spec: ScheduleSpec,
    pub(super) tz: TimeZone,
    pub(super) working: LocalRules,
    pub(super) focus: LocalRules,
}

// `CoreError::field` is `&'static str`, so the indexed names of weekly intervals come from a
// table; that is also why a day holds at most `MAX_INTERVALS_PER_DAY` intervals. Time off and
// focus lists are longer, so their errors name the list and give the position in the message.
macro_rules! interval_fields {
    ($day:literal) => {
        [
            concat!("weekly.", $day, "[0]"),
            concat!("weekly.", $day, "[1]"),
            concat!("weekly.", $day, "[2]"),
            concat!("weekly.", $day, "[3]"),
            concat!("weekly.", $day, "[4]"),
            concat!("weekly.", $day, "[5]"),
            concat!("weekly.", $day, "[6]"),
            concat!("weekly.", $day, "[7]"),
        ]
    };
}

const INTERVAL_FIELDS: [[&str; MAX_INTERVALS_PER_DAY]; 7] = [
    interval_fields!("mon"),
    interval_fields!("tue"),
    interval_fields!("wed"),
    interval_fields!("thu"),
    interval_fields!("fri"),
    interval_fields!("sat"),
    interval_fields!("sun"),
];
const DAY_FIELDS: [&str; 7] = [
    "weekly.mon",
    "weekly.tue",
    "weekly.wed",
    "weekly.thu",
    "weekly.fri",
    "weekly.sat",
    "weekly.sun",
];

/// Checks every field of `spec` and compiles it.
pub(super) fn compile(spec: &ScheduleSpec) -> CoreResult<Compiled> {
    let name = crate::validate::timezone(&spec.timezone)?;
    let tz = crate::tzdb::zone(&name).map_err(|e| {
        CoreError::invalid("timezone", format!("'{name}' could not be loaded: {e}"))
    })?;
    let timezone = tz.iana_name().unwrap_or(&name).to_owned();

    let (weekly, working_days) = weekly(&spec.weekly)?;
    let (time_off, off_days) = time_off(&spec.time_off)?;
    let (focus, focus_days) = focus(&spec.focus)?;
    Ok(Compiled {
        spec: ScheduleSpec {
            timezone,
            weekly,
            time_off,
            focus,
        },
        tz,
        working: LocalRules::new(working_days, off_days),
        // Time off needs no second copy here: focus time is only ever read where it is also
        // working time, and working time already leaves days off out.
        focus: LocalRules::new(focus_days, Vec::new()),
    })
}

/// The weekly intervals, normalized, and their spans per weekday.
fn weekly(spec: &WeeklySpec) -> CoreResult<(WeeklySpec, [Vec<Range>; 7])> {
    let mut normalized = WeeklySpec::default();
    let mut spans: [Vec<Range>; 7] = Default::default();
    for day in Day::ALL {
        let intervals = spec.day(day);
        if intervals.len() > MAX_INTERVALS_PER_DAY {
            return Err(CoreError::invalid(
                DAY_FIELDS[day.index()],
                format!("a day can hold at most {MAX_INTERVALS_PER_DAY} intervals"),
            ));
        }
        for (i, [start, end]) in intervals.iter().enumerate() {
            let field = INTERVAL_FIELDS[day.index()][i];
            let bad_time = |text: &str| CoreError::invalid(field, not_a_time(text));
            let start = wall_clock(start).ok_or_else(|| bad_time(start))?;
            let end = wall_clock(end).ok_or_else(|| bad_time(end))?;
            if start == end {
                return Err(CoreError::invalid(field, same_start_and_end(start)));
            }
            spans[day.index()].push(span(start, end));
            normalized
                .day_mut(day)
                .push([format_wall_clock(start), format_wall_clock(end)]);
        }
    }
    Ok((normalized, spans))
}

/// The time-off list, normalized, and its inclusive day ranges.
fn time_off(spec: &[TimeOffSpec]) -> CoreResult<(Vec<TimeOffSpec>, Vec<DayRange>)> {
    if spec.len() > MAX_TIME_OFF {
        return Err(CoreError::invalid(
            "time_off",
            format!("a schedule can hold at most {MAX_TIME_OFF} time-off entries"),
        ));
    }
    let mut normalized = Vec::with_capacity(spec.len());
    let mut days = Vec::with_capacity(spec.len());
    for (i, entry) in spec.iter().enumerate() {
        let parse = |text: &str| {
            date(text).ok_or_else(|| {
                CoreError::invalid(
                    "time_off",
                    format!("entry {i}: '{}' is not a date YYYY-MM-DD", shorten(text)),
                )
            })
        };
        let (start, end) = (parse(&entry.start)?, parse(&entry.end)?);
        if end < start {
            return Err(CoreError::invalid(
                "time_off",
                format!("entry {i}: ends ({end}) before it starts ({start})"),
            ));
        }
        days.push((day_number(start), day_number(end)));
        normalized.push(TimeOffSpec {
            start: start.to_string(),
            end: end.to_string(),
        });
    }
    Ok((normalized, days))
}

/// The focus blocks, normalized (days sorted, without repeats), and their spans per weekday.
fn focus(spec: &[FocusSpec]) -> CoreResult<(Vec<FocusSpec>, [Vec<Range>; 7])> {
    if spec.len() > MAX_FOCUS_BLOCKS {
        return Err(CoreError::invalid(
            "focus",
            format!("a schedule can hold at most {MAX_FOCUS_BLOCKS} focus blocks"),
        ));
    }
    let mut normalized = Vec::with_capacity(spec.len());
    let mut spans: [Vec<Range>; 7] = Default::default();
    for (i, block) in spec.iter().enumerate() {
        let bad = |message: String| CoreError::invalid("focus", format!("block {i}: {message}"));
        let start = wall_clock(&block.start).ok_or_else(|| bad(not_a_time(&block.start)))?;
        let end = wall_clock(&block.end).ok_or_else(|| bad(not_a_time(&block.end)))?;
        if start == end {
            return Err(bad(same_start_and_end(start)));
        }
        let mut days = block.days.clone();
        days.sort_unstable();
        days.dedup();
        if days.is_empty() {
            return Err(bad("a focus block needs at least one day".to_owned()));
        }
        for day in &days {
            spans[day.index()].push(span(start, end));
        }
        normalized.push(FocusSpec {
            days,
            start: format_wall_clock(start),
            end: format_wall_clock(end),
        });
    }
    Ok((normalized, spans))
}

/// Minutes after midnight of an `HH:MM` wall-clock time (00:00 to 23:59).
fn wall_clock(text: &str) -> Option<u32> {
    let b = text.trim().as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (hours, minutes) = (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

fn format_wall_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The span of an interval starting `start` minutes after midnight: an end that is not after
/// the start is on the next day.
fn span(start: u32, end: u32) -> Range {
    let end = if end > start {
        end
    } else {
        end + MINUTES_PER_DAY
    };
    (i64::from(start) * NS_PER_MIN, i64::from(end) * NS_PER_MIN)
}

/// A date written exactly `YYYY-MM-DD`.
fn date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 (negative before).
fn day_number(date: Date) -> i64 {
    date.duration_since(Date::constant(1970, 1, 1))
        .as_secs()
        .div_euclid(86_400)
}

fn not_a_time(text: &str) -> String {
    format!(
        "'{}' is not a wall-clock time HH:MM between 00:00 and 23:59",
        shorten(text)
    )
}

fn same_start_and_end(minutes: u32) -> String {
    let at = format_wall_clock(minutes);
    format!(
        "an interval cannot start and end at the same time ({at}–{at}); for a whole day use two \
         intervals, 00:00–12:00 and 12:00–00:00"
    )
}

/// At most 20 characters of a rejected value, so an error message stays readable.
fn shorten(text: &str) -> String {
    text.chars().take(20).collect()
}
