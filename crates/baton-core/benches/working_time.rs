//! Benchmarks of the working-time model: the targets are at least 2 million `add_working_time`
//! calls per second on one core (a five-day schedule with time off, across a DST change), and
//! availability of 1,000 members over one week in under 50 ms.

use std::hint::black_box;

use baton_core::schedule::{
    Schedule, add_working_time, overlap, working_intervals, working_time_between,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

mod common;
use common::ZONES;

/// Monday to Friday 09:00-17:00 with a lunch break on Fridays and a few days off around the
/// March 2026 DST change.
fn five_day_schedule(zone: &str) -> Schedule {
    let day = json!([["09:00", "17:00"]]);
    let spec = json!({
        "timezone": zone,
        "weekly": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": [["09:00", "12:00"], ["13:00", "17:00"]] },
        "time_off": [
            { "start": "2026-03-20", "end": "2026-03-20" },
            { "start": "2026-04-03", "end": "2026-04-06" },
            { "start": "2026-05-01", "end": "2026-05-01" }
        ],
        "focus": [{ "days": ["tue", "thu"], "start": "09:00", "end": "11:00" }]
    });
    serde_json::from_value(spec).unwrap()
}

fn instant(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn add(c: &mut Criterion) {
    let schedule = five_day_schedule("Europe/Berlin");
    // Starts spread over two weeks around the change on 2026-03-29, amounts from 1 to 40
    // working hours: the asks a post creates.
    let base = instant("2026-03-19T06:00:00Z");
    let cases: Vec<(Timestamp, u32)> = (0..1024u32)
        .map(|i| {
            (
                base + SignedDuration::from_secs(i64::from(i) * 1187),
                1 + (i * 97) % 2400,
            )
        })
        .collect();
    let mut group = c.benchmark_group("add_working_time");
    group.throughput(Throughput::Elements(1));
    group.bench_function("five_day_berlin_dst_time_off", |b| {
        let mut i = 0;
        b.iter(|| {
            let (start, minutes) = cases[i % cases.len()];
            i += 1;
            add_working_time(black_box(&schedule), black_box(start), black_box(minutes))
        })
    });
    group.bench_function("eight_hours_kathmandu", |b| {
        let schedule = five_day_schedule("Asia/Kathmandu");
        let mut i = 0;
        b.iter(|| {
            let (start, _) = cases[i % cases.len()];
            i += 1;
            add_working_time(black_box(&schedule), black_box(start), black_box(480))
        })
    });
    group.finish();

    c.bench_function("working_time_between/one_week", |b| {
        let (from, to) = (
            instant("2026-03-23T00:00:00Z"),
            instant("2026-03-30T12:00:00Z"),
        );
        b.iter(|| working_time_between(black_box(&schedule), black_box(from), black_box(to)))
    });
}

fn availability(c: &mut Criterion) {
    let members: Vec<Schedule> = (0..1000)
        .map(|i| five_day_schedule(ZONES[i % ZONES.len()]))
        .collect();
    let (from, to) = (
        instant("2026-03-23T00:00:00Z"),
        instant("2026-03-30T00:00:00Z"),
    );
    let mut group = c.benchmark_group("availability_1000_members_one_week");
    group.sample_size(20);
    group.bench_function("working_intervals_each", |b| {
        b.iter(|| {
            members
                .iter()
                .map(|s| {
                    working_intervals(s, black_box(from), black_box(to))
                        .unwrap()
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("overlap_all", |b| {
        let refs: Vec<&Schedule> = members.iter().collect();
        b.iter(|| overlap(black_box(&refs), black_box(from), black_box(to)).unwrap())
    });
    group.bench_function("load_and_evaluate", |b| {
        let stored: Vec<serde_json::Value> = members
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect();
        b.iter(|| {
            stored
                .iter()
                .map(|json| {
                    let s: Schedule = serde_json::from_value(json.clone()).unwrap();
                    working_intervals(&s, from, to).unwrap().len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, add, availability);
criterion_main!(benches);
