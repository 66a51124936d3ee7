//! The wall-clock side of a schedule: which local date-times are working (or focus) time.
//!
//! Owns: the compiled weekly spans and time-off days, membership of one local date-time, and a
//! lazy walk over the merged local ranges from a point onwards. Knows nothing of time zones:
//! local date-times are nanoseconds since 1970-01-01T00:00 on the wall clock, and
//! `intervals` maps them to instants.

/// Nanoseconds in one minute.
pub(super) const NS_PER_MIN: i64 = 60 * 1_000_000_000;
/// Nanoseconds in one civil day.
pub(super) const NS_PER_DAY: i64 = 24 * 60 * NS_PER_MIN;

/// A half-open range `[start, end)` of nanoseconds.
pub(super) type Range = (i64, i64);
/// An inclusive range `[first, last]` of day numbers (days since 1970-01-01).
pub(super) type DayRange = (i64, i64);

/// Compiled wall-clock rules: per weekday, the spans starting that day (nanoseconds after the
/// day's midnight; an overnight span ends after `NS_PER_DAY`), sorted and merged; and the days
/// off (day numbers since 1970-01-01, inclusive ranges), sorted and merged.
#[derive(Debug, Clone, Default)]
pub(super) struct LocalRules {
    days: [Box<[Range]>; 7],
    off: Box<[DayRange]>,
}

impl LocalRules {
    /// Builds the rules from raw spans per weekday (Monday first) and inclusive day ranges off.
    /// Spans and days are sorted and merged here so that evaluation never has to.
    pub(super) fn new(mut days: [Vec<Range>; 7], mut off: Vec<DayRange>) -> Self {
        for spans in &mut days {
            *spans = merge(std::mem::take(spans));
        }
        off.sort_unstable();
        let mut merged_off: Vec<DayRange> = Vec::with_capacity(off.len());
        for (start, end) in off {
            match merged_off.last_mut() {
                Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
                _ => merged_off.push((start, end)),
            }
        }
        Self {
            days: days.map(Vec::into_boxed_slice),
            off: merged_off.into_boxed_slice(),
        }
    }

    /// Whether any weekday holds a span.
    pub(super) fn has_any(&self) -> bool {
        self.days.iter().any(|spans| !spans.is_empty())
    }

    /// The spans starting on `day` (days since 1970-01-01): none on a day off.
    fn spans(&self, day: i64) -> &[Range] {
        let i = self.off.partition_point(|&(_, last)| last < day);
        if self.off.get(i).is_some_and(|&(first, _)| first <= day) {
            return &[];
        }
        // 1970-01-01 was a Thursday, index 3 with Monday = 0.
        let weekday = (day + 3).rem_euclid(7) as usize;
        &self.days[weekday]
    }

    /// Whether the local date-time `local` lies inside a span of its own day or an overnight
    /// span of the day before.
    pub(super) fn contains(&self, local: i64) -> bool {
        let day = local.div_euclid(NS_PER_DAY);
        [day - 1, day].into_iter().any(|d| {
            let at = local - d * NS_PER_DAY;
            self.spans(d)
                .iter()
                .any(|&(start, end)| start <= at && at < end)
        })
    }

    /// The merged local ranges that end after `from` and start on a day no later than the day
    /// of `until`, in order. Ranges are not clipped; the caller clips.
    pub(super) fn ranges(&self, from: i64, until: i64) -> LocalRanges<'_> {
        // Spans starting two days before `from` end before `from`'s day begins, because a
        // span is shorter than a day; the day before may still reach past `from`.
        let day = from.div_euclid(NS_PER_DAY) - 1;
        LocalRanges {
            rules: self,
            floor: from,
            day,
            last_day: until.div_euclid(NS_PER_DAY),
            todo: self.spans(day),
            peeked: None,
        }
    }
}

/// Sorts spans and merges those that overlap or touch.
fn merge(mut spans: Vec<Range>) -> Vec<Range> {
    spans.sort_unstable();
    let mut merged: Vec<Range> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A lazy walk over merged local ranges, day by day, without allocating. Spans of one day are
/// merged at compile time; spans of neighbouring days (an overnight span running into the
/// next morning's) are merged here, because time off can remove one but not the other.
pub(super) struct LocalRanges<'a> {
    rules: &'a LocalRules,
    /// Ranges ending at or before this are skipped.
    floor: i64,
    /// The day whose remaining spans are in `todo`.
    day: i64,
    /// No spans are read from days after this.
    last_day: i64,
    todo: &'a [Range],
    /// A span read ahead while merging, not yet returned.
    peeked: Option<Range>,
}

impl LocalRanges<'_> {
    /// The next raw span in order of start, as local nanoseconds.
    fn raw(&mut self) -> Option<Range> {
        if let Some(span) = self.peeked.take() {
            return Some(span);
        }
        loop {
            if let Some((&(start, end), rest)) = self.todo.split_first() {
                self.todo = rest;
                let midnight = self.day * NS_PER_DAY;
                return Some((midnight + start, midnight + end));
            }
            if self.day >= self.last_day {
                return None;
            }
            self.day += 1;
            self.todo = self.rules.spans(self.day);
        }
    }
}

impl Iterator for LocalRanges<'_> {
    type Item = Range;

    fn next(&mut self) -> Option<Range> {
        let (start, mut end) = loop {
            let span = self.raw()?;
            if span.1 > self.floor {
                break span;
            }
        };
        // Raw spans come in order of start, so the first that starts after `end` ends the run.
        while let Some(span) = self.raw() {
            if span.0 > end {
                self.peeked = Some(span);
                break;
            }
            end = end.max(span.1);
        }
        Some((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = NS_PER_DAY / 24;

    fn rules_with_monday(spans: Vec<Range>, off: Vec<DayRange>) -> LocalRules {
        let mut days: [Vec<Range>; 7] = Default::default();
        days[0] = spans;
        LocalRules::new(days, off)
    }

    #[test]
    fn spans_of_one_day_are_merged_when_they_touch_or_overlap() {
        let rules = rules_with_monday(
            vec![(12 * H, 17 * H), (9 * H, 12 * H), (10 * H, 11 * H)],
            vec![],
        );
        assert_eq!(&*rules.days[0], &[(9 * H, 17 * H)]);
    }

    #[test]
    fn an_overnight_span_merges_with_the_next_morning_unless_its_day_is_off() {
        // Monday 22:00 to Tuesday 06:00, and Tuesday 05:00 to 09:00.
        let mut days: [Vec<Range>; 7] = Default::default();
        days[0] = vec![(22 * H, 30 * H)];
        days[1] = vec![(5 * H, 9 * H)];
        let monday = 4; // 1970-01-05
        let rules = LocalRules::new(days.clone(), vec![]);
        let all: Vec<Range> = rules
            .ranges(monday * NS_PER_DAY, (monday + 2) * NS_PER_DAY)
            .collect();
        assert_eq!(
            all,
            vec![(
                monday * NS_PER_DAY + 22 * H,
                (monday + 1) * NS_PER_DAY + 9 * H
            )]
        );
        let rules = LocalRules::new(days, vec![(monday, monday)]);
        let all: Vec<Range> = rules
            .ranges(monday * NS_PER_DAY, (monday + 2) * NS_PER_DAY)
            .collect();
        assert_eq!(
            all,
            vec![(
                (monday + 1) * NS_PER_DAY + 5 * H,
                (monday + 1) * NS_PER_DAY + 9 * H
            )]
        );
        assert!(!rules.contains(monday * NS_PER_DAY + 23 * H));
        assert!(rules.contains((monday + 1) * NS_PER_DAY + 5 * H));
    }

    #[test]
    fn adjacent_days_off_are_merged() {
        let rules = rules_with_monday(vec![(9 * H, 17 * H)], vec![(10, 12), (3, 5), (6, 8)]);
        assert_eq!(&*rules.off, &[(3, 8), (10, 12)]);
        assert!(rules.spans(4).is_empty(), "a Monday inside 3..=8");
        assert!(rules.spans(11).is_empty(), "a Monday inside 10..=12");
        assert!(!rules.spans(18).is_empty(), "the Monday after");
    }
}
