//! The fair slot finder: when a meeting across time zones hurts least, and how a weekly one
//! moves the inconvenient hour around.
//!
//! Owns: the search limits, the candidate grid, the ranking and the weekly rotation. Does not
//! own: where schedules and busy times come from (the caller loads them) or the clock (the
//! range is passed in).
//!
//! # The rule
//!
//! Candidates start on the UTC quarter hours inside `[from, to)` and end inside it too. A
//! candidate that overlaps a busy interval of any participant is never offered. For each
//! participant a candidate costs its *out-of-hours minutes* (the part outside their working
//! time, so time off counts as outside) and its *focus minutes* (the part inside their focus
//! blocks). Candidates are ranked by the key (total out-of-hours, worst individual
//! out-of-hours, total focus, start). A slot inside everyone's working hours and outside
//! everyone's focus has the key (0, 0, 0, start), so such clean slots come first, earliest
//! first, without a separate case; when none exists the least total burden wins, then the
//! fairest spread of it, then the least broken focus, then the earliest.
//!
//! # Cost
//!
//! Each participant's working and focus intervals over the range are computed once, with a
//! running sum of their lengths, so the working time inside any slot is two binary searches.
//! The sweep over the grid then costs O(candidates × participants × log intervals), and the
//! out-of-hours minutes are kept per candidate and participant (two bytes each: 60 days of
//! quarter hours for 200 people is 2.3 MB) so that ranking and rotation read them back.

use jiff::{SignedDuration, Timestamp};

use crate::schedule::{Schedule, focus_intervals, working_intervals};
use crate::{CoreError, CoreResult};

/// Most participants one search takes: a large all-hands, small enough to rank in milliseconds.
pub const MAX_PARTICIPANTS: usize = 200;
/// Longest meeting, in minutes: a working day. Longer is a workshop, not a slot.
pub const MAX_DURATION_MINUTES: u32 = 480;
/// Longest search range, in days: about two months ahead is as far as plans hold.
pub const MAX_RANGE_DAYS: i64 = 60;
/// Spacing of candidate starts, in minutes (UTC quarter hours, which every zone's offset
/// keeps on its own quarter hours).
pub const GRID_MINUTES: i64 = 15;
/// Most weekly times a rotation proposes: enough to spread the burden over three zones.
pub const MAX_ROTATION: usize = 3;

const GRID_SECONDS: i64 = GRID_MINUTES * 60;
const WEEK_SECONDS: i64 = 7 * 24 * 3600;

/// One person a meeting is searched for: their schedule and the times they are already taken.
#[derive(Debug, Clone, Copy)]
pub struct Participant<'a> {
    /// Working hours, time off and focus blocks.
    pub schedule: &'a Schedule,
    /// Times already taken (other meetings, external calendars), in any order; may overlap.
    pub busy: &'a [(Timestamp, Timestamp)],
}

/// A validated search: a range and a duration within the limits above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Search {
    from: Timestamp,
    to: Timestamp,
    duration_minutes: u32,
}

impl Search {
    /// Checks the limits of a search.
    ///
    /// # Errors
    ///
    /// `duration_minutes` outside 1..=[`MAX_DURATION_MINUTES`]; `from` when the range is empty
    /// or backwards; `to` when it is longer than [`MAX_RANGE_DAYS`] days or shorter than the
    /// duration.
    pub fn new(from: Timestamp, to: Timestamp, duration_minutes: u32) -> CoreResult<Self> {
        if !(1..=MAX_DURATION_MINUTES).contains(&duration_minutes) {
            return Err(CoreError::invalid(
                "duration_minutes",
                format!("a meeting lasts 1 to {MAX_DURATION_MINUTES} minutes"),
            ));
        }
        if from >= to {
            return Err(CoreError::invalid("from", "from must be before to"));
        }
        let length = to.duration_since(from);
        if length > SignedDuration::from_hours(24 * MAX_RANGE_DAYS) {
            return Err(CoreError::invalid(
                "to",
                format!("a search range spans at most {MAX_RANGE_DAYS} days"),
            ));
        }
        if length < SignedDuration::from_mins(i64::from(duration_minutes)) {
            return Err(CoreError::invalid(
                "to",
                "the range is shorter than the meeting",
            ));
        }
        Ok(Self {
            from,
            to,
            duration_minutes,
        })
    }

    /// The meeting's length in minutes.
    pub fn duration_minutes(&self) -> u32 {
        self.duration_minutes
    }

    /// The range searched, `[from, to)`: what the caller reads busy times over.
    pub fn range(&self) -> (Timestamp, Timestamp) {
        (self.from, self.to)
    }
}

/// One candidate slot and what it costs each participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Start, on the UTC quarter-hour grid.
    pub start: Timestamp,
    /// End (exclusive): start plus the duration.
    pub end: Timestamp,
    /// Minutes outside each participant's working hours, in the participants' order; each in
    /// 0..=duration.
    pub out_of_hours: Vec<u32>,
    /// Minutes inside anyone's focus blocks, summed over participants.
    pub focus_minutes: u32,
}

impl Slot {
    /// Out-of-hours minutes summed over participants: the first ranking criterion.
    pub fn total_out_of_hours(&self) -> u32 {
        self.out_of_hours.iter().sum()
    }

    /// The largest individual out-of-hours minutes: who pays most, the second criterion.
    pub fn worst_out_of_hours(&self) -> u32 {
        self.out_of_hours.iter().copied().max().unwrap_or(0)
    }

    /// The ranking key, smaller is better (see the module doc).
    pub fn rank_key(&self) -> (u32, u32, u32, Timestamp) {
        (
            self.total_out_of_hours(),
            self.worst_out_of_hours(),
            self.focus_minutes,
            self.start,
        )
    }
}

/// A weekly meeting's rotation: occurrence n is held at the weekly time of `slots[n % len]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    /// The slots whose weekday and UTC time the occurrences take in turn (empty when the range
    /// holds no free slot).
    pub slots: Vec<Slot>,
    /// For each participant, the fraction of the rotation's occurrences that fall (even partly)
    /// outside their working hours, in 0..=1.
    pub shares: Vec<f64>,
}

/// Working or focus time of one participant as sorted, disjoint intervals in seconds, with the
/// running sum of their lengths.
struct Cover {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `before[i]`: total length of the first `i` intervals.
    before: Vec<i64>,
}

impl Cover {
    fn new(intervals: &[(Timestamp, Timestamp)]) -> Self {
        let mut before = Vec::with_capacity(intervals.len() + 1);
        let mut sum = 0;
        before.push(sum);
        for (a, b) in intervals {
            sum += seconds_floor(*b) - seconds_floor(*a);
            before.push(sum);
        }
        Self {
            starts: intervals.iter().map(|(a, _)| seconds_floor(*a)).collect(),
            ends: intervals.iter().map(|(_, b)| seconds_floor(*b)).collect(),
            before,
        }
    }

    /// Covered seconds before `t`.
    fn until(&self, t: i64) -> i64 {
        let i = self.starts.partition_point(|s| *s < t);
        match i.checked_sub(1) {
            Some(last) => self.before[i] - (self.ends[last] - t).max(0),
            None => 0,
        }
    }

    /// Covered seconds in `[a, b)`.
    fn within(&self, a: i64, b: i64) -> i64 {
        self.until(b) - self.until(a)
    }
}

/// Every candidate of a search, evaluated once; [`Self::best`] and [`Self::rotation`] read it.
#[derive(Debug)]
pub struct SlotFinder {
    participants: usize,
    duration_minutes: u32,
    /// Start of each offered candidate (busy ones are left out), in seconds.
    starts: Vec<i64>,
    /// Out-of-hours minutes, `participants` per candidate, candidate after candidate.
    out: Vec<u16>,
    /// Focus minutes of each candidate, summed over participants.
    focus: Vec<u32>,
}

impl SlotFinder {
    /// Evaluates every candidate of `search` for `participants`.
    ///
    /// # Errors
    ///
    /// `participants` when there are none or more than [`MAX_PARTICIPANTS`].
    pub fn new(participants: &[Participant<'_>], search: &Search) -> CoreResult<Self> {
        if participants.is_empty() || participants.len() > MAX_PARTICIPANTS {
            return Err(CoreError::invalid(
                "participants",
                format!("name 1 to {MAX_PARTICIPANTS} participants"),
            ));
        }
        let (working, focus) = covers(participants, search)?;
        let busy = merged_busy(participants);
        let duration = i64::from(search.duration_minutes) * 60;
        let mut finder = Self {
            participants: participants.len(),
            duration_minutes: search.duration_minutes,
            starts: Vec::new(),
            out: Vec::new(),
            focus: Vec::new(),
        };
        let last_end = seconds_floor(search.to);
        let mut start = seconds_ceil(search.from).div_euclid(GRID_SECONDS) * GRID_SECONDS;
        if start < seconds_ceil(search.from) {
            start += GRID_SECONDS;
        }
        while start + duration <= last_end {
            let end = start + duration;
            if !overlaps_busy(&busy, start, end) {
                finder.starts.push(start);
                let mut focus_seconds = 0;
                for (work, held) in working.iter().zip(&focus) {
                    let outside = minutes(duration - work.within(start, end));
                    // At most MAX_DURATION_MINUTES, so it fits two bytes.
                    finder.out.push(outside.min(search.duration_minutes) as u16);
                    focus_seconds += held.within(start, end);
                }
                finder.focus.push(minutes(focus_seconds));
            }
            start += GRID_SECONDS;
        }
        Ok(finder)
    }

    /// The `limit` best slots, best first (see the module doc for the order).
    pub fn best(&self, limit: usize) -> Vec<Slot> {
        self.ranked()
            .into_iter()
            .take(limit)
            .map(|i| self.slot(i))
            .collect()
    }

    /// A rotation for a weekly meeting, chosen greedily so the out-of-hours burden moves around.
    ///
    /// The first occurrence takes the best slot. When it puts nobody outside their hours there
    /// is nothing to move, and the rotation is that one slot. Otherwise up to [`MAX_ROTATION`]
    /// slots with different weekly times (weekday and UTC time) are picked one by one, each
    /// time the candidate that keeps the most-burdened person's count of out-of-hours
    /// occurrences lowest, then the sum of the squared counts lowest (so a burden goes to
    /// whoever has carried least), then the best by rank. Greedy, not optimal: an exhaustive search over triples of candidates costs the
    /// cube of their number, and the greedy choice already stops the burden from landing on the
    /// same person while a slot that spares them exists. Each weekly time is judged by the
    /// occurrence found in the range; a change of daylight saving time or time off in another
    /// week may shift it.
    pub fn rotation(&self) -> Rotation {
        let ranked = self.ranked();
        let mut chosen: Vec<usize> = Vec::new();
        let mut counts = vec![0u32; self.participants];
        if let Some(&first) = ranked.first() {
            self.add(&mut counts, first);
            chosen.push(first);
        }
        while chosen.len() < MAX_ROTATION && !counts.iter().all(|c| *c == 0) {
            let new_weekly_time = |c: &usize| {
                chosen
                    .iter()
                    .all(|o| (self.starts[*c] - self.starts[*o]).rem_euclid(WEEK_SECONDS) != 0)
            };
            let Some(next) = ranked
                .iter()
                .copied()
                .filter(new_weekly_time)
                .min_by_key(|c| self.burden_after(&counts, *c))
            else {
                break;
            };
            self.add(&mut counts, next);
            chosen.push(next);
        }
        let occurrences = chosen.len().max(1) as f64;
        Rotation {
            shares: counts.iter().map(|c| f64::from(*c) / occurrences).collect(),
            slots: chosen.into_iter().map(|i| self.slot(i)).collect(),
        }
    }

    /// Candidate indices, best first. `min_by_key` over this order keeps the best on ties.
    fn ranked(&self) -> Vec<usize> {
        let mut keys: Vec<(u32, u32, u32, i64, usize)> = (0..self.starts.len())
            .map(|i| {
                let row = self.row(i);
                let total = row.iter().map(|m| u32::from(*m)).sum();
                let worst = row.iter().copied().max().map_or(0, u32::from);
                (total, worst, self.focus[i], self.starts[i], i)
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(|k| k.4).collect()
    }

    /// Counts one more out-of-hours occurrence for everyone `candidate` puts outside their hours.
    fn add(&self, counts: &mut [u32], candidate: usize) {
        for (count, m) in counts.iter_mut().zip(self.row(candidate)) {
            *count += u32::from(*m > 0);
        }
    }

    /// (highest count, sum of squared counts) of out-of-hours occurrences if `candidate` joined
    /// a rotation that has given `counts` so far.
    fn burden_after(&self, counts: &[u32], candidate: usize) -> (u32, u64) {
        counts
            .iter()
            .zip(self.row(candidate))
            .map(|(c, m)| c + u32::from(*m > 0))
            .fold((0, 0), |(max, squares), c| {
                (max.max(c), squares + u64::from(c) * u64::from(c))
            })
    }

    fn row(&self, i: usize) -> &[u16] {
        &self.out[i * self.participants..(i + 1) * self.participants]
    }

    fn slot(&self, i: usize) -> Slot {
        let start = timestamp(self.starts[i]);
        Slot {
            start,
            end: timestamp(self.starts[i] + i64::from(self.duration_minutes) * 60),
            out_of_hours: self.row(i).iter().map(|m| u32::from(*m)).collect(),
            focus_minutes: self.focus[i],
        }
    }
}

/// Each participant's working and focus time over the search range, computed once.
fn covers(
    participants: &[Participant<'_>],
    search: &Search,
) -> CoreResult<(Vec<Cover>, Vec<Cover>)> {
    let mut working = Vec::with_capacity(participants.len());
    let mut focus = Vec::with_capacity(participants.len());
    for p in participants {
        working.push(Cover::new(&working_intervals(
            p.schedule,
            search.from,
            search.to,
        )?));
        focus.push(Cover::new(&focus_intervals(
            p.schedule,
            search.from,
            search.to,
        )?));
    }
    Ok((working, focus))
}

/// Everyone's busy intervals in seconds (widened to whole seconds), sorted and merged.
fn merged_busy(participants: &[Participant<'_>]) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = participants
        .iter()
        .flat_map(|p| p.busy.iter())
        .map(|(a, b)| (seconds_floor(*a), seconds_ceil(*b)))
        .filter(|(a, b)| a < b)
        .collect();
    all.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(all.len());
    for (a, b) in all {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Whether `[start, end)` overlaps one of the sorted, disjoint `busy` intervals.
fn overlaps_busy(busy: &[(i64, i64)], start: i64, end: i64) -> bool {
    let first_ending_after = busy.partition_point(|(_, b)| *b <= start);
    busy.get(first_ending_after).is_some_and(|(a, _)| *a < end)
}

/// Seconds as whole minutes, rounded to the nearest: zones whose offset has seconds (historical
/// ones only) leave fractions. The seconds of one search fit a u32 of minutes many times over.
fn minutes(seconds: i64) -> u32 {
    ((seconds.max(0) + 30) / 60) as u32
}

fn seconds_floor(t: Timestamp) -> i64 {
    // Every Timestamp is within ±10,000 years, so its seconds fit an i64.
    t.as_nanosecond().div_euclid(1_000_000_000) as i64
}

fn seconds_ceil(t: Timestamp) -> i64 {
    let floor = seconds_floor(t);
    floor + i64::from(t.as_nanosecond().rem_euclid(1_000_000_000) != 0)
}

fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::UNIX_EPOCH + SignedDuration::from_secs(seconds)
}

#[cfg(test)]
mod tests;
