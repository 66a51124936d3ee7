//! The fast implementation against the reference, in every zone of the bundled database: per
//! zone, random schedules over one random week between 1970 and 2100 and one week around a
//! random transition of that zone, with interval ends drawn near the transition's wall-clock
//! time so that skipped and repeated hours land inside, around and on interval endpoints.

use baton_core::schedule::{Day, FocusSpec, Schedule, ScheduleSpec, TimeOffSpec, WeeklySpec};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::Rng;
use super::reference::compare;

const DAY_SECS: i64 = 86_400;
const FIRST: i64 = 0; // 1970-01-01
const LAST: i64 = 4_102_444_800; // 2100-01-01

fn clock(minute: i64) -> String {
    let m = minute.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A wall-clock minute: near `hint` (the local time of a transition) a third of the time,
/// else on a quarter hour or anywhere.
fn minute(rng: &mut Rng, hint: Option<i64>) -> i64 {
    match (rng.below(3), hint) {
        (0, Some(h)) => h + rng.range(-90, 91),
        (1, _) => rng.range(0, 96) * 15,
        _ => rng.range(0, 24 * 60),
    }
}

/// A random valid schedule in `tz` whose time off falls within the days around `around`.
pub fn random_schedule(rng: &mut Rng, tz: &str, around: Timestamp, hint: Option<i64>) -> Schedule {
    let mut weekly = WeeklySpec::default();
    for day in Day::ALL {
        for _ in 0..rng.below(4) {
            let start = minute(rng, hint);
            let mut end = minute(rng, hint);
            if clock(end) == clock(start) {
                end += 1 + rng.range(0, 600);
            }
            weekly.day_mut(day).push([clock(start), clock(end)]);
        }
    }
    let date = |offset_days: i64| {
        (around + SignedDuration::from_hours(24 * offset_days))
            .to_zoned_datetime(TimeZone::UTC)
            .date()
    };
    let time_off = (0..rng.below(3))
        .map(|_| {
            let first = rng.range(-4, 4);
            let last = first + rng.range(0, 3);
            TimeOffSpec {
                start: date(first).to_string(),
                end: date(last).to_string(),
            }
        })
        .collect();
    let focus = (0..rng.below(3))
        .map(|_| {
            let days = Day::ALL
                .into_iter()
                .filter(|_| rng.below(2) == 0)
                .collect::<Vec<_>>();
            let days = if days.is_empty() {
                vec![Day::ALL[rng.below(7) as usize]]
            } else {
                days
            };
            let start = minute(rng, hint);
            FocusSpec {
                days,
                start: clock(start),
                end: clock(start + 1 + rng.range(0, 900)),
            }
        })
        .collect();
    Schedule::new(ScheduleSpec {
        timezone: tz.to_owned(),
        weekly,
        time_off,
        focus,
    })
    .unwrap()
}

/// Whole minutes: the reference samples on minute boundaries.
fn floor_minute(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second().div_euclid(60) * 60).unwrap()
}

fn check_zone(name: &str, seed: u64) {
    let mut rng = Rng(seed);
    let tz = baton_core::tzdb::zone(name).unwrap();
    let week = SignedDuration::from_hours(24 * 7);

    let from = floor_minute(Timestamp::from_second(rng.range(FIRST, LAST - 8 * DAY_SECS)).unwrap());
    let schedule = random_schedule(&mut rng, name, from + week / 2, None);
    compare(&schedule, from, from + week, &mut rng);

    let after = Timestamp::from_second(rng.range(FIRST, LAST - 400 * DAY_SECS)).unwrap();
    if let Some(transition) = tz
        .following(after)
        .next()
        .map(|t| t.timestamp())
        .filter(|t| t.as_second() < LAST)
    {
        // The wall-clock time just before the change, in minutes after midnight.
        let before = tz
            .to_datetime(transition - SignedDuration::from_nanos(1))
            .time();
        let hint = i64::from(before.hour()) * 60 + i64::from(before.minute()) + 1;
        // Three days around the change: where the interesting instants are.
        let around = SignedDuration::from_hours(72);
        let from = floor_minute(transition - around / 2);
        for _ in 0..2 {
            let schedule = random_schedule(&mut rng, name, transition, Some(hint));
            compare(&schedule, from, from + around, &mut rng);
        }
    }
}

/// Every zone, split into shards so the test runner can use several cores.
fn check_shard(shard: usize, shards: usize) {
    let mut names: Vec<String> = baton_core::tzdb::current()
        .db
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    names.sort();
    assert!(
        names.len() > 300,
        "the bundled database has only {} zones",
        names.len()
    );
    for (i, name) in names
        .iter()
        .enumerate()
        .filter(|(i, _)| i % shards == shard)
    {
        check_zone(name, 0x5EED ^ i as u64);
    }
}

#[test]
fn every_zone_agrees_with_the_reference_shard_0() {
    check_shard(0, 4);
}

#[test]
fn every_zone_agrees_with_the_reference_shard_1() {
    check_shard(1, 4);
}

#[test]
fn every_zone_agrees_with_the_reference_shard_2() {
    check_shard(2, 4);
}

#[test]
fn every_zone_agrees_with_the_reference_shard_3() {
    check_shard(3, 4);
}
