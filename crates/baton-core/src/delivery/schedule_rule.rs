//! The delivery rule: from a policy's windows and a schedule to the instants held
//! notifications are released at.
//!
//! Owns: [`next_delivery`], and with it the mapping of a window to an instant on a date
//! (daylight-saving gaps and folds included) and the deferral of a window that falls in focus.
//! Does not own: working or focus time, which are read from [`crate::schedule`].
//!
//! The delivery instants form one fixed set per schedule and policy: for every local date and
//! window, the window's instant when it is working time and not focus time, or the end of the
//! focus stretch it falls in when that end is still working time. [`next_delivery`] is the
//! first member of that set at or after `after`. Defining the set first and searching it
//! second (rather than reasoning forward from `after`) is what makes the answer monotonic in
//! `after`: a notification arriving at 14:30 during a 13:30–15:00 focus block is released at
//! 15:00, where the deferred 14:00 window fires, exactly as one that arrived at 13:50.

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::NotificationPolicy;
use super::policy::Window;
use crate::schedule::{
    SUPPORTED_FROM, Schedule, focus_intervals, in_focus, is_working, working_intervals,
};

/// How many local dates after `after`'s [`next_delivery`] searches before giving up: a year
/// plus slack, so a long leave or a window that is rarely working time is still found.
pub const SEARCH_DAYS: u32 = 400;

/// How far the end of a focus stretch is looked for. A window inside focus that lasts this
/// long or longer (back-to-back blocks across midnight) is skipped rather than followed: the
/// next window after the stretch delivers instead.
const FOCUS_REACH: SignedDuration = SignedDuration::from_hours(48);

/// Local dates before `after`'s date that are searched too, because a window there may be
/// deferred by focus to after `after`. A deferral is shorter than [`FOCUS_REACH`] (two days),
/// and the local date of an instant is at most a day off its UTC date, hence three.
const LOOKBACK_DAYS: u32 = 3;

/// The first delivery instant at or after `after`: a window of `policy` (a local wall-clock
/// `HH:MM` on some date, or the start of a working period for [`START_WINDOW`]) that is
/// working time and not focus time. A window inside focus moves to the end of that focus
/// stretch when that instant is still working time, and is dropped otherwise. Time off
/// removes working time, so windows on days off never fire.
///
/// Around daylight-saving changes a window in a skipped hour fires at the first instant after
/// the gap (02:30 on a day that jumps from 02:00 to 03:00 fires at 03:00), and a window in a
/// repeated hour fires once, at its first occurrence.
///
/// Windows that do not parse are ignored (validate the policy first). `None` when the
/// schedule has no working time, or no window fires within [`SEARCH_DAYS`] dates.
///
/// [`START_WINDOW`]: super::START_WINDOW
pub fn next_delivery(
    schedule: &Schedule,
    policy: &NotificationPolicy,
    after: Timestamp,
) -> Option<Timestamp> {
    let windows = policy.parsed_windows();
    if windows.is_empty() || !schedule.has_working_time() {
        return None;
    }
    // Nothing is working time before the supported window, so starting there changes no
    // answer and keeps the search from spending its days in a century without working time.
    let after = after.max(SUPPORTED_FROM);
    let mut date = after.to_zoned_datetime(schedule.time_zone().clone()).date();
    for _ in 0..LOOKBACK_DAYS {
        date = date.yesterday().ok()?;
    }
    let mut best: Option<Timestamp> = None;
    for _ in 0..LOOKBACK_DAYS + SEARCH_DAYS {
        let found = delivery_instants(schedule, &windows, date)
            .filter(|&t| t >= after)
            .min();
        if let Some(earlier) = best {
            // Instants of one date can interleave with those of the next around an offset
            // change, so the date after the first find is checked before settling.
            return Some(found.map_or(earlier, |t| t.min(earlier)));
        }
        best = found;
        date = match date.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    best
}

/// The delivery instants the windows give on local `date`, unordered.
fn delivery_instants<'a>(
    schedule: &'a Schedule,
    windows: &'a [Window],
    date: Date,
) -> impl Iterator<Item = Timestamp> + 'a {
    windows
        .iter()
        .flat_map(move |&window| match window {
            Window::At(time) => wall_instant(schedule.time_zone(), date.to_datetime(time))
                .into_iter()
                .collect(),
            Window::Start => period_starts(schedule, date),
        })
        .filter_map(|window| deliverable(schedule, window))
}

/// The instant a window at local `dt` fires at: the first instant whose wall-clock time is
/// `dt`, or, when `dt` is skipped, the first instant after the gap. `None` only outside the
/// range of instants.
fn wall_instant(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        // A repeated hour: the first pass, so the window fires once.
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        // A skipped hour: read with the offset after the change, `dt` names an instant just
        // before the change, so the next transition is the first instant after the gap.
        // Jiff's "compatible" disambiguation was rejected: it shifts by the gap's length
        // (02:30 to 03:30), firing later than the first valid instant.
        AmbiguousOffset::Gap { after, .. } => {
            let before_change = after.to_timestamp(dt).ok()?;
            tz.following(before_change).next().map(|t| t.timestamp())
        }
    }
}

/// The starts of the working periods that begin on local `date`. Working time is merged, so a
/// shift running past midnight, or split by an offset change, starts once.
fn period_starts(schedule: &Schedule, date: Date) -> Vec<Timestamp> {
    let tz = schedule.time_zone();
    let bounds = date.to_zoned_datetime(tz.clone()).and_then(|start| {
        let end = date.tomorrow()?.to_zoned_datetime(tz.clone())?;
        Ok((start.timestamp(), end.timestamp()))
    });
    let Ok((from, to)) = bounds else {
        return Vec::new();
    };
    // Asking from just before the day lets a period already running at midnight show as
    // starting before `from`, and so not count as a start on this date.
    let Ok(just_before) = from.checked_sub(SignedDuration::from_nanos(1)) else {
        return Vec::new();
    };
    working_intervals(schedule, just_before, to)
        .unwrap_or_default()
        .into_iter()
        .map(|(start, _)| start)
        .filter(|&start| start >= from)
        .collect()
}

/// Where a window at instant `window` delivers: the window itself when it is working time
/// outside focus, the end of its focus stretch when that is working time, else nowhere.
fn deliverable(schedule: &Schedule, window: Timestamp) -> Option<Timestamp> {
    if !is_working(schedule, window) {
        return None;
    }
    if !in_focus(schedule, window) {
        return Some(window);
    }
    let reach = window.checked_add(FOCUS_REACH).ok()?;
    // Focus intervals are merged, so the first one (starting at `window`) ends where focus
    // really ends, unless it was cut at `reach`.
    let (_, end) = *focus_intervals(schedule, window, reach).ok()?.first()?;
    (end < reach && is_working(schedule, end)).then_some(end)
}
