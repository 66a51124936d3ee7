//! Benchmarks of calendars: a member's ICS feed of a year of meetings (250 meetings with five
//! participants, agenda and pre-work, plus two focus blocks a week) against the target of
//! 50 ms, and reading that same feed back as busy times. The baseline, measured in the same
//! run, is the one the slot finder's benchmark uses (`working_time_between` over two weeks for
//! one schedule), so the figures can be reported as ratios that do not depend on the machine.

use std::collections::HashMap;
use std::hint::black_box;

use baton_core::Id;
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, Purpose};
use baton_core::model::Member;
use baton_core::role::Role;
use baton_core::schedule::{Schedule, working_time_between};
use baton_server::calendar::read::busy_times;
use baton_server::calendar::write::{Feed, feed};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

fn schedule() -> Schedule {
    let day = json!([["09:00", "17:00"]]);
    serde_json::from_value(json!({
        "timezone": "Europe/Berlin",
        "weekly": { "mon": day, "tue": day, "wed": day, "thu": day, "fri": day },
        "focus": [{ "days": ["tue", "thu"], "start": "09:00", "end": "11:00" }]
    }))
    .unwrap()
}

fn person(n: usize, ws: Id) -> Member {
    Member {
        id: Id::random(),
        workspace_id: ws,
        email: format!("person{n}@example.com"),
        name: format!("Person {n}"),
        timezone: "Europe/Berlin".into(),
        role: Role::Member,
        active: true,
        created_at: Timestamp::UNIX_EPOCH,
        seq: n as i64,
    }
}

fn ics(c: &mut Criterion) {
    let from: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let range = (from, from + SignedDuration::from_hours(24 * 395));
    let schedule = schedule();
    c.bench_function("baseline: working_time_between over two weeks", |b| {
        b.iter(|| {
            working_time_between(
                black_box(&schedule),
                from,
                from + SignedDuration::from_hours(24 * 14),
            )
        })
    });

    let ws = Id::random();
    let people: Vec<Member> = (0..5).map(|n| person(n, ws)).collect();
    let owner = &people[0];
    let meetings: Vec<Meeting> = (0..250)
        .map(|n| {
            let start = from + SignedDuration::from_hours(24 * (n as i64 * 365 / 250) + 13);
            Meeting {
                workspace_id: ws,
                id: Id::random(),
                title: format!("Decision {n}: which vendor, and when"),
                purpose: Purpose::Decision,
                justification: None,
                organizer_id: people[n % 5].id,
                start,
                duration_minutes: 45,
                status: MeetingStatus::Invited,
                space_id: None,
                created_at: from,
                participants: people.iter().map(|p| p.id).collect(),
                agenda: (0..3)
                    .map(|i| AgendaItem {
                        item: format!("Point {i}, with some words about it"),
                        owner_id: people[i].id,
                        minutes: 15,
                    })
                    .collect(),
                prework: vec![PreworkItem {
                    what: "Read the comparison document".into(),
                    due_minutes_before: 240,
                }],
                prework_due: people
                    .iter()
                    .map(|p| PreworkDue {
                        member_id: p.id,
                        due_at: start - SignedDuration::from_hours(20),
                    })
                    .collect(),
                sequence: 0,
                thread_id: Some(Id::random()),
                video_url: Some("https://meet.example.com/decisions".into()),
                optional: Vec::new(),
                closed_at: None,
            }
        })
        .collect();
    let by_id: HashMap<Id, Member> = people.iter().map(|p| (p.id, p.clone())).collect();
    let the_feed = Feed {
        owner,
        schedule: &schedule,
        meetings: &meetings,
        people: &by_id,
        range,
        stamp: from,
    };
    c.bench_function(
        "an ICS feed of a year of meetings (250) and focus blocks",
        |b| b.iter(|| feed(black_box(&the_feed))),
    );
    let text = feed(&the_feed);
    let zone = schedule.time_zone().clone();
    c.bench_function("reading that feed back as busy times", |b| {
        b.iter(|| busy_times(black_box(&text), &zone, range).unwrap())
    });
}

criterion_group!(benches, ics);
criterion_main!(benches);
