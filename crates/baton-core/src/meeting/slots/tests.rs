//! Tests of the slot finder with real zones, and property tests of its ranking invariants.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::schedule::Schedule;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Monday to Friday 09:00–17:00 in `zone`.
fn office(zone: &str) -> Schedule {
    Schedule::default_for(zone).unwrap()
}

fn alone(schedules: &[Schedule]) -> Vec<Participant<'_>> {
    schedules
        .iter()
        .map(|schedule| Participant {
            schedule,
            busy: &[],
        })
        .collect()
}

/// The week of Monday 2026-01-12, UTC: no daylight saving time anywhere involved.
fn january_week(duration_minutes: u32) -> Search {
    Search::new(
        at("2026-01-12T00:00:00Z"),
        at("2026-01-19T00:00:00Z"),
        duration_minutes,
    )
    .unwrap()
}

#[test]
fn berlin_and_lisbon_share_clean_slots_earliest_first() {
    let schedules = [office("Europe/Berlin"), office("Europe/Lisbon")];
    let finder = SlotFinder::new(&alone(&schedules), &january_week(60)).unwrap();
    let best = finder.best(20);
    assert_eq!(best.len(), 20);
    // Berlin works 08:00–16:00 UTC in winter, Lisbon 09:00–17:00 UTC.
    assert_eq!(best[0].start, at("2026-01-12T09:00:00Z"));
    assert_eq!(best[0].end, at("2026-01-12T10:00:00Z"));
    assert_eq!(best[1].start, at("2026-01-12T09:15:00Z"));
    assert!(best.iter().all(|s| s.total_out_of_hours() == 0));
    assert!(best.windows(2).all(|w| w[0].start < w[1].start));
    // Nobody is out of hours, so the rotation is the one best slot.
    let rotation = finder.rotation();
    assert_eq!(rotation.slots, vec![best[0].clone()]);
    assert_eq!(rotation.shares, vec![0.0, 0.0]);
}

#[test]
fn berlin_tokyo_and_los_angeles_get_the_least_bad_slot() {
    let schedules = [
        office("Europe/Berlin"),
        office("Asia/Tokyo"),
        office("America/Los_Angeles"),
    ];
    let finder = SlotFinder::new(&alone(&schedules), &january_week(60)).unwrap();
    let best = finder.best(5);
    // No hour is common to all three: the best slot costs one person one hour. 00:00 UTC on
    // Tuesday is Monday 16:00 in Los Angeles and Tuesday 09:00 in Tokyo, but 01:00 in Berlin.
    assert_eq!(best[0].start, at("2026-01-13T00:00:00Z"));
    assert_eq!(best[0].out_of_hours, vec![60, 0, 0]);
    assert_eq!(best[1].start, at("2026-01-14T00:00:00Z"));
    assert!(best.iter().all(|s| s.total_out_of_hours() > 0));
}

#[test]
fn a_weekly_rotation_moves_the_burden_off_berlin() {
    let schedules = [
        office("Europe/Berlin"),
        office("Asia/Tokyo"),
        office("America/Los_Angeles"),
    ];
    let finder = SlotFinder::new(&alone(&schedules), &january_week(60)).unwrap();
    let rotation = finder.rotation();
    assert_eq!(rotation.slots.len(), MAX_ROTATION);
    // Only Berlin can be the one person out of hours (Tokyo and Los Angeles share 16:00–17:00
    // Pacific; Berlin shares no hour with either), so the second occurrence spares Berlin and
    // burdens the two others, and the third goes back to Berlin alone.
    assert_eq!(rotation.slots[0].out_of_hours, vec![60, 0, 0]);
    assert_eq!(rotation.slots[1].out_of_hours[0], 0);
    assert!(rotation.slots[1].out_of_hours[1..].iter().all(|m| *m > 0));
    assert_eq!(rotation.slots[2].out_of_hours, vec![60, 0, 0]);
    let third = 1.0 / 3.0;
    assert_eq!(rotation.shares, vec![2.0 * third, third, third]);
    // Three different weekly times.
    let starts: Vec<_> = rotation.slots.iter().map(|s| s.start).collect();
    assert_ne!(starts[0], starts[2]);
}

#[test]
fn focus_blocks_push_a_clean_slot_later() {
    let berlin: Schedule = serde_json::from_value(json!({
        "timezone": "Europe/Berlin",
        "weekly": { "mon": [["09:00", "17:00"]] },
        "focus": [{ "days": ["mon"], "start": "10:00", "end": "12:00" }]
    }))
    .unwrap();
    let schedules = [berlin, office("Europe/Lisbon")];
    let finder = SlotFinder::new(&alone(&schedules), &january_week(60)).unwrap();
    let best = finder.best(1);
    // Focus runs 09:00–11:00 UTC; the first slot outside it and inside both days is 11:00.
    assert_eq!(best[0].start, at("2026-01-12T11:00:00Z"));
    assert_eq!(best[0].focus_minutes, 0);
}

#[test]
fn time_off_counts_as_out_of_hours() {
    let berlin: Schedule = serde_json::from_value(json!({
        "timezone": "Europe/Berlin",
        "weekly": { "mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]] },
        "time_off": [{ "start": "2026-01-12", "end": "2026-01-12" }]
    }))
    .unwrap();
    let schedules = [berlin];
    let finder = SlotFinder::new(&alone(&schedules), &january_week(30)).unwrap();
    assert_eq!(finder.best(1)[0].start, at("2026-01-13T08:00:00Z"));
}

#[test]
fn busy_times_are_never_offered() {
    let schedules = [office("Europe/Lisbon")];
    let busy = [(at("2026-01-12T09:00:00Z"), at("2026-01-12T11:10:00Z"))];
    let participants = [Participant {
        schedule: &schedules[0],
        busy: &busy,
    }];
    let finder = SlotFinder::new(&participants, &january_week(60)).unwrap();
    // 11:10 is off the grid, so the first free start is 11:15.
    assert_eq!(finder.best(1)[0].start, at("2026-01-12T11:15:00Z"));
}

#[test]
fn candidates_start_on_the_grid_and_end_inside_the_range() {
    let schedules = [office("UTC")];
    let search = Search::new(at("2026-01-12T09:05:00Z"), at("2026-01-12T10:30:00Z"), 45).unwrap();
    let mut starts: Vec<_> = SlotFinder::new(&alone(&schedules), &search)
        .unwrap()
        .best(20)
        .into_iter()
        .map(|s| s.start)
        .collect();
    starts.sort();
    assert_eq!(
        starts,
        vec![
            at("2026-01-12T09:15:00Z"),
            at("2026-01-12T09:30:00Z"),
            at("2026-01-12T09:45:00Z"),
        ]
    );
}

#[test]
fn searches_outside_the_limits_are_refused_naming_the_field() {
    let from = at("2026-01-12T00:00:00Z");
    let field = |r: CoreResult<Search>| r.unwrap_err().field;
    assert_eq!(
        field(Search::new(from, from + SignedDuration::from_hours(1), 0)),
        "duration_minutes"
    );
    assert_eq!(
        field(Search::new(
            from,
            from + SignedDuration::from_hours(10),
            481
        )),
        "duration_minutes"
    );
    assert_eq!(field(Search::new(from, from, 30)), "from");
    assert_eq!(
        field(Search::new(
            from,
            from + SignedDuration::from_hours(24 * 61),
            30
        )),
        "to"
    );
    assert_eq!(
        field(Search::new(from, from + SignedDuration::from_mins(20), 30)),
        "to"
    );
    assert!(Search::new(from, from + SignedDuration::from_hours(24 * 60), 480).is_ok());
    let search = january_week(30);
    assert_eq!(
        SlotFinder::new(&[], &search).err().unwrap().field,
        "participants"
    );
    let schedule = office("UTC");
    let many = vec![
        Participant {
            schedule: &schedule,
            busy: &[]
        };
        MAX_PARTICIPANTS + 1
    ];
    assert_eq!(
        SlotFinder::new(&many, &search).err().unwrap().field,
        "participants"
    );
}

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "UTC",
];

/// A participant of a generated case: an index into [`ZONES`] and busy intervals as (offset
/// from the start of the search, length), in minutes.
type Person = (usize, Vec<(i64, i64)>);

/// A few participants, each with up to three busy intervals, and a duration.
fn cases() -> impl Strategy<Value = (Vec<Person>, u32)> {
    let busy = prop::collection::vec((0i64..10_080, 1i64..600), 0..3);
    (
        prop::collection::vec((0..ZONES.len(), busy), 1..5),
        1u32..=480,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn results_are_ranked_free_and_bounded((people, duration) in cases()) {
        // Across the March change of daylight saving time in Europe and America.
        let from = at("2026-03-23T00:00:00Z");
        let search = Search::new(from, from + SignedDuration::from_hours(24 * 7), duration).unwrap();
        let schedules: Vec<Schedule> = people.iter().map(|(z, _)| office(ZONES[*z])).collect();
        let busy: Vec<Vec<(Timestamp, Timestamp)>> = people
            .iter()
            .map(|(_, b)| b.iter().map(|(start, len)| {
                let a = from + SignedDuration::from_mins(*start);
                (a, a + SignedDuration::from_mins(*len))
            }).collect())
            .collect();
        let participants: Vec<Participant<'_>> = schedules
            .iter()
            .zip(&busy)
            .map(|(schedule, busy)| Participant { schedule, busy })
            .collect();
        let finder = SlotFinder::new(&participants, &search).unwrap();
        let best = finder.best(30);
        prop_assert!(best.windows(2).all(|w| w[0].rank_key() <= w[1].rank_key()));
        for slot in &best {
            prop_assert_eq!(slot.end.duration_since(slot.start), SignedDuration::from_mins(i64::from(duration)));
            prop_assert_eq!(slot.start.as_second() % (GRID_MINUTES * 60), 0);
            prop_assert!(slot.start >= from && slot.end <= from + SignedDuration::from_hours(24 * 7));
            prop_assert!(slot.out_of_hours.iter().all(|m| *m <= duration));
            prop_assert_eq!(slot.out_of_hours.len(), people.len());
            for (a, b) in busy.iter().flatten() {
                prop_assert!(!(*a < slot.end && slot.start < *b), "{slot:?} overlaps busy {a}..{b}");
            }
        }
        let rotation = finder.rotation();
        prop_assert!(rotation.slots.len() <= MAX_ROTATION);
        prop_assert!(rotation.shares.iter().all(|s| (0.0..=1.0).contains(s)));
        if let Some(first) = best.first() {
            prop_assert_eq!(&rotation.slots[0], first);
        }
    }
}
