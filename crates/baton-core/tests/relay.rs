//! Tests of relays (`baton_core::relay`): named follow-the-sun cases with their coverage
//! written out in UTC, then properties checked with proptest on random legs in odd zones.

use baton_core::Id;
use baton_core::relay::{coverage, next_leg};
use baton_core::schedule::{Day, Schedule, ScheduleSpec, WeeklySpec, overlap, working_intervals};
use jiff::Timestamp;
use proptest::prelude::*;

type Span = (Timestamp, Timestamp);

/// An instant written `2026-01-12 16:00`, in UTC.
fn t(text: &str) -> Timestamp {
    let rfc3339 = format!("{}:00Z", text.replace(' ', "T"));
    rfc3339.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn spans(pairs: &[(&str, &str)]) -> Vec<Span> {
    pairs.iter().map(|&(a, b)| (t(a), t(b))).collect()
}

/// A schedule in `zone` working `start`–`end` (local) on each of `days`.
fn shift(zone: &str, days: &[Day], start: &str, end: &str) -> Schedule {
    let mut weekly = WeeklySpec::default();
    for &day in days {
        weekly.day_mut(day).push([start.to_owned(), end.to_owned()]);
    }
    let spec = ScheduleSpec {
        timezone: zone.to_owned(),
        weekly,
        time_off: Vec::new(),
        focus: Vec::new(),
    };
    Schedule::new(spec).unwrap()
}

/// Monday to Friday.
const WEEKDAYS: &[Day] = Day::ALL.split_at(5).0;

#[test]
fn los_angeles_berlin_tokyo_leave_exactly_the_complement_as_gaps() {
    // Mid-January, no DST anywhere: Tokyo works 00–08 UTC, Berlin 08–16, Los Angeles 17–01.
    let la = shift("America/Los_Angeles", WEEKDAYS, "09:00", "17:00");
    let berlin = shift("Europe/Berlin", WEEKDAYS, "09:00", "17:00");
    let tokyo = shift("Asia/Tokyo", WEEKDAYS, "09:00", "17:00");
    let (from, to) = (t("2026-01-12 00:00"), t("2026-01-19 00:00"));
    let c = coverage(&[&la, &berlin, &tokyo], from, to).unwrap();
    let covered = spans(&[
        ("2026-01-12 00:00", "2026-01-12 16:00"),
        ("2026-01-12 17:00", "2026-01-13 16:00"),
        ("2026-01-13 17:00", "2026-01-14 16:00"),
        ("2026-01-14 17:00", "2026-01-15 16:00"),
        ("2026-01-15 17:00", "2026-01-16 16:00"),
        ("2026-01-16 17:00", "2026-01-17 01:00"),
    ]);
    let gaps = spans(&[
        ("2026-01-12 16:00", "2026-01-12 17:00"),
        ("2026-01-13 16:00", "2026-01-13 17:00"),
        ("2026-01-14 16:00", "2026-01-14 17:00"),
        ("2026-01-15 16:00", "2026-01-15 17:00"),
        ("2026-01-16 16:00", "2026-01-16 17:00"),
        ("2026-01-17 01:00", "2026-01-19 00:00"),
    ]);
    // Los Angeles' evening meets Tokyo's next morning; Tokyo and Berlin only touch at 08:00.
    let overlaps = spans(&[
        ("2026-01-13 00:00", "2026-01-13 01:00"),
        ("2026-01-14 00:00", "2026-01-14 01:00"),
        ("2026-01-15 00:00", "2026-01-15 01:00"),
        ("2026-01-16 00:00", "2026-01-16 01:00"),
    ]);
    assert_eq!(c.covered, covered);
    assert_eq!(c.gaps, gaps);
    assert_eq!(c.overlaps, overlaps);
    assert_eq!(c.per_leg.len(), 3);
    assert_eq!(
        c.per_leg[2][0],
        (t("2026-01-12 00:00"), t("2026-01-12 08:00"))
    );
}

#[test]
fn a_round_the_clock_relay_has_no_gaps() {
    // Tokyo 08–17 (23–08 UTC), London 08–17 (08–17 UTC), Los Angeles 09–18 (17–02 UTC).
    let tokyo = shift("Asia/Tokyo", &Day::ALL, "08:00", "17:00");
    let london = shift("Europe/London", &Day::ALL, "08:00", "17:00");
    let la = shift("America/Los_Angeles", &Day::ALL, "09:00", "18:00");
    let (from, to) = (t("2026-01-12 00:00"), t("2026-01-19 00:00"));
    let c = coverage(&[&tokyo, &london, &la], from, to).unwrap();
    assert_eq!(c.covered, vec![(from, to)]);
    assert!(c.gaps.is_empty(), "{:?}", c.gaps);
    // Los Angeles' evening meets Tokyo's morning every day, cut off at both ends of the range.
    assert_eq!(c.overlaps.len(), 8, "{:?}", c.overlaps);
    assert_eq!(
        c.overlaps[0],
        (t("2026-01-12 00:00"), t("2026-01-12 02:00"))
    );
    assert_eq!(
        c.overlaps[1],
        (t("2026-01-12 23:00"), t("2026-01-13 02:00"))
    );
    assert_eq!(c.overlaps[7], (t("2026-01-18 23:00"), to));
}

#[test]
fn overlaps_are_where_two_legs_share_working_hours() {
    let berlin = shift("Europe/Berlin", WEEKDAYS, "09:00", "17:00");
    let london = shift("Europe/London", WEEKDAYS, "09:00", "17:00");
    let (from, to) = (t("2026-01-12 00:00"), t("2026-01-14 00:00"));
    let c = coverage(&[&berlin, &london], from, to).unwrap();
    let day = |d: &str, a: &str, b: &str| (t(&format!("{d} {a}")), t(&format!("{d} {b}")));
    assert_eq!(
        c.covered,
        vec![
            day("2026-01-12", "08:00", "17:00"),
            day("2026-01-13", "08:00", "17:00")
        ]
    );
    assert_eq!(
        c.overlaps,
        vec![
            day("2026-01-12", "09:00", "16:00"),
            day("2026-01-13", "09:00", "16:00")
        ]
    );
}

#[test]
fn berlins_spring_forward_moves_its_hours_and_shrinks_the_overlap() {
    // Berlin leaves CET for CEST on Sunday 2026-03-29; New York is on EDT all week.
    let berlin = shift("Europe/Berlin", WEEKDAYS, "09:00", "17:00");
    let new_york = shift("America/New_York", WEEKDAYS, "09:00", "17:00");
    let (from, to) = (t("2026-03-26 00:00"), t("2026-04-02 00:00"));
    let c = coverage(&[&berlin, &new_york], from, to).unwrap();
    let day = |d: &str, a: &str, b: &str| (t(&format!("{d} {a}")), t(&format!("{d} {b}")));
    let before = ["2026-03-26", "2026-03-27"];
    let after = ["2026-03-30", "2026-03-31", "2026-04-01"];
    let covered: Vec<Span> = (before.iter().map(|d| day(d, "08:00", "21:00")))
        .chain(after.iter().map(|d| day(d, "07:00", "21:00")))
        .collect();
    let overlaps: Vec<Span> = (before.iter().map(|d| day(d, "13:00", "16:00")))
        .chain(after.iter().map(|d| day(d, "13:00", "15:00")))
        .collect();
    assert_eq!(c.covered, covered);
    assert_eq!(c.overlaps, overlaps);
    assert_eq!(c.gaps.len(), covered.len() + 1);
}

#[test]
fn no_legs_leave_one_gap_and_bad_ranges_are_refused() {
    let (from, to) = (t("2026-01-12 00:00"), t("2026-01-13 00:00"));
    let c = coverage(&[], from, to).unwrap();
    assert_eq!((c.covered, c.gaps), (vec![], vec![(from, to)]));
    assert_eq!(coverage(&[], to, from).unwrap_err().field, "from");
    let berlin = shift("Europe/Berlin", WEEKDAYS, "09:00", "17:00");
    let years = t("2028-01-12 00:00");
    assert_eq!(coverage(&[&berlin], from, years).unwrap_err().field, "to");
}

/// Zones with DST, half-hour DST, 45-minute offsets, a skipped day and none.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "America/Santiago",
    "UTC",
];

/// A leg: a zone and up to three intervals a day, any start, any length under a day.
fn leg() -> impl Strategy<Value = Schedule> {
    let day = prop::collection::vec((0..1440u32, 1..1440u32), 0..3);
    (0..ZONES.len(), prop::collection::vec(day, 7)).prop_map(|(zone, days)| {
        let clock = |m: u32| format!("{:02}:{:02}", m % 1440 / 60, m % 60);
        let mut weekly = WeeklySpec::default();
        for (day, intervals) in Day::ALL.into_iter().zip(days) {
            for (start, length) in intervals {
                weekly
                    .day_mut(day)
                    .push([clock(start), clock(start + length)]);
            }
        }
        let spec = ScheduleSpec {
            timezone: ZONES[zone].to_owned(),
            weekly,
            time_off: Vec::new(),
            focus: Vec::new(),
        };
        Schedule::new(spec).expect("generated schedules are valid")
    })
}

/// Fewer than `max` legs.
fn legs(max: usize) -> impl Strategy<Value = Vec<Schedule>> {
    prop::collection::vec(leg(), 0..max)
}

/// A range starting between 2000 and 2100, from a second to 40 days long.
fn range() -> impl Strategy<Value = Span> {
    (946_684_800..4_102_444_800i64, 1..40 * 86_400i64).prop_map(|(start, length)| {
        let at = |s| Timestamp::from_second(s).expect("inside jiff's range");
        (at(start), at(start + length))
    })
}

/// Sorted, non-empty, disjoint and not touching, inside `[from, to)`.
fn check_canonical(list: &[Span], from: Timestamp, to: Timestamp) -> Result<(), TestCaseError> {
    for &(a, b) in list {
        prop_assert!(
            from <= a && a < b && b <= to,
            "{:?} outside {:?}",
            (a, b),
            (from, to)
        );
    }
    for pair in list.windows(2) {
        prop_assert!(pair[0].1 < pair[1].0, "{:?} not sorted apart", pair);
    }
    Ok(())
}

/// The union of interval lists, computed the plain way: sort by start and merge.
fn union(lists: impl IntoIterator<Item = Vec<Span>>) -> Vec<Span> {
    let mut all: Vec<Span> = lists.into_iter().flatten().collect();
    all.sort();
    let mut out: Vec<Span> = Vec::new();
    for (a, b) in all {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn covered_and_gaps_tile_the_range(legs in legs(6), (from, to) in range()) {
        let legs: Vec<&Schedule> = legs.iter().collect();
        let c = coverage(&legs, from, to).unwrap();
        check_canonical(&c.covered, from, to)?;
        check_canonical(&c.gaps, from, to)?;
        let mut tiles: Vec<Span> = c.covered.iter().chain(&c.gaps).copied().collect();
        tiles.sort();
        prop_assert_eq!(tiles.first().map(|s| s.0), Some(from));
        prop_assert_eq!(tiles.last().map(|s| s.1), Some(to));
        for pair in tiles.windows(2) {
            prop_assert_eq!(pair[0].1, pair[1].0);
        }
    }

    #[test]
    fn covered_is_the_union_of_the_legs(legs in legs(6), (from, to) in range()) {
        let refs: Vec<&Schedule> = legs.iter().collect();
        let c = coverage(&refs, from, to).unwrap();
        for (leg, intervals) in legs.iter().zip(&c.per_leg) {
            prop_assert_eq!(intervals, &working_intervals(leg, from, to).unwrap());
        }
        prop_assert_eq!(c.per_leg.len(), legs.len());
        prop_assert_eq!(&c.covered, &union(c.per_leg.clone()));
    }

    #[test]
    fn overlaps_are_where_some_two_legs_both_work(legs in legs(5), (from, to) in range()) {
        let refs: Vec<&Schedule> = legs.iter().collect();
        let c = coverage(&refs, from, to).unwrap();
        check_canonical(&c.overlaps, from, to)?;
        for &(a, b) in &c.overlaps {
            let inside = c.covered.iter().any(|&(s, e)| s <= a && b <= e);
            prop_assert!(inside, "{:?} not covered", (a, b));
        }
        let pairs = (0..refs.len())
            .flat_map(|i| (i + 1..refs.len()).map(move |j| (i, j)))
            .map(|(i, j)| overlap(&[refs[i], refs[j]], from, to).unwrap());
        prop_assert_eq!(&c.overlaps, &union(pairs));
    }

    #[test]
    fn next_leg_cycles_through_all_legs_in_order(
        raw in prop::collection::hash_set(any::<u128>(), 2..20), start: prop::sample::Index,
    ) {
        let id = |n: u128| uuid::Uuid::from_u128(n).to_string().parse::<Id>().unwrap();
        let legs: Vec<Id> = raw.into_iter().map(id).collect();
        let first = start.index(legs.len());
        let mut holder = legs[first];
        for step in 1..=legs.len() {
            holder = next_leg(&legs, holder).unwrap();
            prop_assert_eq!(holder, legs[(first + step) % legs.len()]);
        }
        prop_assert_eq!(holder, legs[first]);
    }
}
