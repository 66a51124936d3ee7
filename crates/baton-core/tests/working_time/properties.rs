//! Properties that must hold for every schedule, instant and amount, checked with proptest on
//! random schedules in zones chosen for their oddities.

use baton_core::schedule::{
    Schedule, add_working_time, is_working, next_working_start, overlap, subtract_working_time,
    working_intervals, working_time_between,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::Rng;
use super::zones::random_schedule;

/// Zones with DST, half-hour DST, 45-minute offsets, day skips, midnight changes and none.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Pacific/Apia",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "America/Santiago",
    "Antarctica/Troll",
    "UTC",
];

/// 1970-01-01 to 2100-01-01, in seconds.
const SECONDS: std::ops::Range<i64> = 0..4_102_444_800;

fn instant(second: i64, nano: u32) -> Timestamp {
    Timestamp::new(second, nano as i32).unwrap()
}

fn schedule_for(seed: u64, zone: usize, around: Timestamp) -> Schedule {
    random_schedule(&mut Rng(seed), ZONES[zone], around, None)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn adding_then_measuring_gives_back_the_minutes(
        seed: u64, zone in 0..ZONES.len(), second in SECONDS, nano in 0..1_000_000_000u32, minutes in 0..20_000u32,
    ) {
        let start = instant(second, nano);
        let s = schedule_for(seed, zone, start);
        prop_assume!(s.has_working_time());
        let due = add_working_time(&s, start, minutes).unwrap();
        prop_assert_eq!(working_time_between(&s, start, due), SignedDuration::from_mins(i64::from(minutes)));
        prop_assert_eq!(working_time_between(&s, due, start), -SignedDuration::from_mins(i64::from(minutes)));
    }

    #[test]
    fn deadlines_grow_with_the_minutes_and_compose(
        seed: u64, zone in 0..ZONES.len(), second in SECONDS, a in 0..10_000u32, b in 0..10_000u32,
    ) {
        let start = instant(second, 0);
        let s = schedule_for(seed, zone, start);
        prop_assume!(s.has_working_time());
        let (small, large) = (a.min(b), a.max(b));
        let due_small = add_working_time(&s, start, small).unwrap();
        let due_large = add_working_time(&s, start, large).unwrap();
        prop_assert!(due_small <= due_large);
        if small < large {
            prop_assert!(due_small < due_large);
        }
        prop_assert_eq!(add_working_time(&s, due_small, large - small), Some(due_large));
    }

    #[test]
    fn subtracting_then_measuring_gives_back_the_minutes(
        seed: u64, zone in 0..ZONES.len(), second in SECONDS, nano in 0..1_000_000_000u32, minutes in 0..20_000u32,
    ) {
        let end = instant(second, nano);
        let s = schedule_for(seed, zone, end);
        prop_assume!(s.has_working_time());
        let due = subtract_working_time(&s, end, minutes).unwrap();
        prop_assert!(due <= end);
        prop_assert_eq!(working_time_between(&s, due, end), SignedDuration::from_mins(i64::from(minutes)));
    }

    #[test]
    fn subtracting_is_the_latest_instant_and_undoes_adding(
        seed: u64, zone in 0..ZONES.len(), second in SECONDS, minutes in 1..10_000u32,
    ) {
        let end = instant(second, 0);
        let s = schedule_for(seed, zone, end);
        prop_assume!(s.has_working_time());
        let due = subtract_working_time(&s, end, minutes).unwrap();
        // The latest such instant lies inside working time: any later one has less ahead.
        prop_assert!(is_working(&s, due));
        // Adding the minutes back from `due` reaches `end` or an earlier instant with the same
        // working time behind it (the end of the last working stretch before `end`).
        let back = add_working_time(&s, due, minutes).unwrap();
        prop_assert!(back <= end);
        prop_assert_eq!(working_time_between(&s, back, end), SignedDuration::ZERO);
    }

    #[test]
    fn working_intervals_are_sorted_disjoint_and_inside_the_range(
        seed: u64, zone in 0..ZONES.len(), second in SECONDS, length in 1..366 * 86_400i64,
    ) {
        let (from, to) = (instant(second, 0), instant(second + length, 0));
        let s = schedule_for(seed, zone, from);
        let intervals = working_intervals(&s, from, to).unwrap();
        for pair in intervals.windows(2) {
            prop_assert!(pair[0].1 < pair[1].0, "{:?}", pair);
        }
        for &(a, b) in &intervals {
            prop_assert!(from <= a && a < b && b <= to);
            prop_assert!(is_working(&s, a) && is_working(&s, b - SignedDuration::from_nanos(1)));
            prop_assert!(a == from || !is_working(&s, a - SignedDuration::from_nanos(1)));
        }
        let total: SignedDuration = intervals.iter().map(|&(a, b)| b.duration_since(a)).sum();
        prop_assert_eq!(working_time_between(&s, from, to), total);
        let next = next_working_start(&s, from);
        prop_assert!(intervals.first().is_none_or(|&(a, _)| next == Some(a)));
        prop_assert_eq!(overlap(&[&s], from, to).unwrap(), intervals);
    }

    #[test]
    fn overlap_lies_inside_every_member_and_does_not_depend_on_order(
        seeds: [u64; 3], zones in [0..ZONES.len(), 0..ZONES.len(), 0..ZONES.len()], second in SECONDS,
    ) {
        let (from, to) = (instant(second, 0), instant(second + 14 * 86_400, 0));
        let s: Vec<Schedule> = (0..3).map(|i| schedule_for(seeds[i], zones[i], from)).collect();
        let all = overlap(&[&s[0], &s[1], &s[2]], from, to).unwrap();
        prop_assert_eq!(&overlap(&[&s[2], &s[0], &s[1]], from, to).unwrap(), &all);
        for &(a, b) in &all {
            for member in &s {
                prop_assert_eq!(working_time_between(member, a, b), b.duration_since(a));
            }
        }
    }
}
