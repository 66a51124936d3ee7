//! Benchmarks of the fair slot finder: the targets are 12 participants over two weeks in under
//! 10 ms and 200 participants over two weeks in under 200 ms. The baseline, measured in the
//! same run, is one `working_time_between` over the same two weeks for one schedule, so the
//! figures can be reported as ratios that do not depend on the machine.

use std::hint::black_box;

use baton_core::meeting::slots::{Participant, Search, SlotFinder};
use baton_core::schedule::{Schedule, working_time_between};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use serde_json::json;

mod common;
use common::ZONES;

/// Monday to Friday 09:00–17:00 with a lunch break on Fridays, a day off and focus blocks.
fn schedule(zone: &str) -> Schedule {
    let day = json!([["09:00", "17:00"]]);
    serde_json::from_value(json!({
        "timezone": zone,
        "weekly": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": [["09:00", "12:00"], ["13:00", "17:00"]] },
        "time_off": [{ "start": "2026-03-27", "end": "2026-03-27" }],
        "focus": [{ "days": ["tue", "thu"], "start": "09:00", "end": "11:00" }]
    }))
    .unwrap()
}

/// Two weeks across the March 2026 changes of daylight saving time.
fn two_weeks() -> (Timestamp, Timestamp) {
    (
        "2026-03-23T00:00:00Z".parse().unwrap(),
        "2026-04-06T00:00:00Z".parse().unwrap(),
    )
}

/// One meeting a week for everyone, as busy time.
fn busy(from: Timestamp, i: usize) -> Vec<(Timestamp, Timestamp)> {
    let start = from + jiff::SignedDuration::from_hours(24 + 5 * (i as i64 % 30));
    vec![(start, start + jiff::SignedDuration::from_mins(30))]
}

fn slots(c: &mut Criterion) {
    let (from, to) = two_weeks();
    let search = Search::new(from, to, 60).unwrap();
    let berlin = schedule("Europe/Berlin");
    c.bench_function("baseline: working_time_between over two weeks", |b| {
        b.iter(|| working_time_between(black_box(&berlin), from, to))
    });
    for people in [12, 200] {
        let schedules: Vec<Schedule> = (0..people)
            .map(|i| schedule(ZONES[i % ZONES.len()]))
            .collect();
        let busy: Vec<_> = (0..people).map(|i| busy(from, i)).collect();
        let participants: Vec<Participant<'_>> = schedules
            .iter()
            .zip(&busy)
            .map(|(schedule, busy)| Participant { schedule, busy })
            .collect();
        c.bench_function(
            &format!("best 20 slots for {people} participants over two weeks"),
            |b| {
                b.iter(|| {
                    SlotFinder::new(black_box(&participants), &search)
                        .unwrap()
                        .best(20)
                })
            },
        );
        c.bench_function(
            &format!("best 20 and a rotation for {people} participants over two weeks"),
            |b| {
                b.iter(|| {
                    let finder = SlotFinder::new(black_box(&participants), &search).unwrap();
                    (finder.best(20), finder.rotation())
                })
            },
        );
    }
}

criterion_group!(benches, slots);
criterion_main!(benches);
