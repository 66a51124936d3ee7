//! Benchmarks of the delivery rule (issue #5, item 10): the target is at least 100,000
//! scheduling decisions per second on one core. A decision is one [`next_delivery`] for a
//! recipient with a realistic policy (two windows, a focus block that defers one of them,
//! time off, a daylight-saving change in range), or one [`route_urgent`] over a small team.
//!
//! Digest building lives in baton-server (it renders email), so its throughput is measured by
//! the end-to-end test `crates/baton/tests/delivery_instances.rs`, not here.

use std::hint::black_box;

use baton_core::Id;
use baton_core::delivery::{NotificationPolicy, next_delivery, route_urgent};
use baton_core::schedule::Schedule;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// Zones of a spread-out team, with and without DST, with odd offsets.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
];

/// Monday to Friday 09:00-17:00 (a lunch break on Fridays), a focus block on Tuesday and
/// Thursday mornings that covers the 09:00 window, and days off around the March 2026 DST
/// change in Europe and the April one in the southern hemisphere.
fn schedule(zone: &str) -> Schedule {
    let day = json!([["09:00", "17:00"]]);
    let spec = json!({
        "timezone": zone,
        "weekly": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": [["09:00", "12:00"], ["13:00", "17:00"]] },
        "time_off": [
            { "start": "2026-03-20", "end": "2026-03-20" },
            { "start": "2026-04-03", "end": "2026-04-06" },
            { "start": "2026-05-01", "end": "2026-05-01" }
        ],
        "focus": [{ "days": ["tue", "thu"], "start": "08:30", "end": "10:30" }]
    });
    serde_json::from_value(spec).unwrap()
}

/// The default windows, 09:00 and 14:00, both validated.
fn policy(windows: &[&str]) -> NotificationPolicy {
    NotificationPolicy {
        windows: windows.iter().map(|w| (*w).to_owned()).collect(),
        ..NotificationPolicy::default()
    }
    .validate()
    .unwrap()
}

/// Event instants spread over three weeks around the DST change on 2026-03-29 (every ~20
/// minutes, so nights, weekends, focus blocks and days off are all hit).
fn events() -> Vec<Timestamp> {
    let base: Timestamp = "2026-03-16T00:00:00Z".parse().unwrap();
    (0..1536i64)
        .map(|i| base + SignedDuration::from_secs(i * 1187))
        .collect()
}

fn decisions(c: &mut Criterion) {
    let berlin = schedule("Europe/Berlin");
    let two_windows = policy(&["09:00", "14:00"]);
    let with_start = policy(&["start", "14:00"]);
    let events = events();
    let mut group = c.benchmark_group("next_delivery");
    group.throughput(Throughput::Elements(1));
    group.bench_function("two_windows_focus_time_off_dst_berlin", |b| {
        let mut i = 0;
        b.iter(|| {
            let after = events[i % events.len()];
            i += 1;
            next_delivery(
                black_box(&berlin),
                black_box(&two_windows),
                black_box(after),
            )
        })
    });
    group.bench_function("start_window_and_14_00_berlin", |b| {
        let mut i = 0;
        b.iter(|| {
            let after = events[i % events.len()];
            i += 1;
            next_delivery(black_box(&berlin), black_box(&with_start), black_box(after))
        })
    });
    // One recipient per zone in turn: the cost of a team, not of one warm time zone.
    let team: Vec<Schedule> = ZONES.iter().map(|z| schedule(z)).collect();
    group.bench_function("two_windows_team_of_seven_zones", |b| {
        let mut i = 0;
        b.iter(|| {
            let after = events[i % events.len()];
            let schedule = &team[i % team.len()];
            i += 1;
            next_delivery(
                black_box(schedule),
                black_box(&two_windows),
                black_box(after),
            )
        })
    });
    group.finish();

    let ids: Vec<Id> = team.iter().map(|_| Id::random()).collect();
    let others: Vec<(Id, &Schedule)> = ids[1..].iter().copied().zip(&team[1..]).collect();
    let mut group = c.benchmark_group("route_urgent");
    group.throughput(Throughput::Elements(1));
    group.bench_function("recipient_and_six_colleagues", |b| {
        let mut i = 0;
        b.iter(|| {
            let now = events[i % events.len()];
            i += 1;
            route_urgent(
                black_box((ids[0], &team[0])),
                black_box(&others),
                black_box(now),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
