//! Reading and writing iCalendar, checked with Baton's own reader; the independent parser's
//! checks are in `tests/api/calendars.rs`.

use std::collections::HashMap;

use baton_core::Id;
use baton_core::calendar::Busy;
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, Purpose};
use baton_core::model::Member;
use baton_core::role::Role;
use baton_core::schedule::Schedule;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::read::busy_times;
use super::write::{Feed, Method, feed, invitation};

fn t(text: &str) -> Timestamp {
    text.parse().expect("an instant")
}

fn berlin() -> TimeZone {
    baton_core::tzdb::zone("Europe/Berlin").expect("zone")
}

/// March and April 2026 (Berlin moves to summer time on 29 March).
fn spring() -> (Timestamp, Timestamp) {
    (t("2026-03-01T00:00:00Z"), t("2026-05-01T00:00:00Z"))
}

fn ics(events: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
}

fn busy(text: &str) -> Vec<Busy> {
    busy_times(text, &berlin(), spring()).expect("readable")
}

fn starts(found: &[Busy]) -> Vec<String> {
    found.iter().map(|b| b.start.to_string()).collect()
}

#[test]
fn a_weekly_event_keeps_its_local_time_across_daylight_saving_and_skips_its_exdate() {
    let found = busy(&ics(
        "BEGIN:VEVENT\r\nUID:standup\r\nDTSTART;TZID=Europe/Berlin:20260316T090000\r\n\
         DTEND;TZID=Europe/Berlin:20260316T093000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
         EXDATE;TZID=Europe/Berlin:20260323T090000\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(
        starts(&found),
        [
            "2026-03-16T08:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-04-06T07:00:00Z"
        ]
    );
    assert!(
        found
            .iter()
            .all(|b| b.end.duration_since(b.start).as_mins() == 30)
    );
}

#[test]
fn an_until_in_utc_ends_the_series_and_an_override_replaces_its_occurrence() {
    let found = busy(&ics(
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Berlin:20260302T140000\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=DAILY;UNTIL=20260304T130000Z\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260303T140000\r\n\
         DTSTART:20260303T170000Z\r\nDTEND:20260303T180000Z\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(
        starts(&found),
        [
            "2026-03-02T13:00:00Z",
            "2026-03-03T17:00:00Z",
            "2026-03-04T13:00:00Z"
        ]
    );
}

#[test]
fn all_day_events_hold_whole_local_days_and_free_or_cancelled_events_hold_nothing() {
    let found = busy(&ics(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260310\r\nDTEND;VALUE=DATE:20260312\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260311T100000Z\r\nDTEND:20260311T110000Z\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260311T120000Z\r\nDTEND:20260311T130000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(
        found,
        [Busy {
            start: t("2026-03-09T23:00:00Z"),
            end: t("2026-03-11T23:00:00Z"),
        }]
    );
}

#[test]
fn events_outside_the_window_are_left_out() {
    let found = busy(&ics(
        "BEGIN:VEVENT\r\nUID:old\r\nDTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:daily\r\nDTSTART:20200101T100000Z\r\nDTEND:20200101T110000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(found.len(), 61, "every day of March and April, none before");
    assert_eq!(found[0].start, t("2026-03-01T10:00:00Z"));
}

#[test]
fn errors_name_the_line_of_the_text_as_given() {
    let err = |text: &str| busy_times(text, &berlin(), spring()).expect_err("refused");
    let folded = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:a long\r\n  summary\r\nthis line is broken\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(err(folded).line, 5);
    assert_eq!(err("BEGIN:VEVENT\r\nEND:VEVENT\r\n").line, 1);
    assert_eq!(
        err("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260301T100000Z\r\nEND:VCALENDAR\r\n")
            .line,
        4
    );
    let bad_date = err(&ics(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-03-01\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(bad_date.line, 6);
    assert!(bad_date.message.contains("DTSTART"), "{bad_date}");
    let zone = err(&ics(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Mars/Olympus:20260301T100000\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(zone.line, 6);
    assert!(zone.message.contains("Mars/Olympus"), "{zone}");
}

#[test]
fn rules_that_repeat_by_the_minute_or_that_the_crate_refuses_are_not_supported() {
    for rule in [
        "FREQ=MINUTELY",
        "FREQ=SECONDLY;COUNT=5",
        "FREQ=FORTNIGHTLY",
        "FREQ=DAILY;BYHOUR=25",
    ] {
        let err = busy_times(
            &ics(&format!(
                "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260301T100000Z\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
            )),
            &berlin(),
            spring(),
        )
        .expect_err(rule);
        assert_eq!(err.line, 7, "{rule}: {err}");
        assert!(err.message.contains("not supported"), "{rule}: {err}");
    }
}

fn person(name: &str, email: &str) -> Member {
    Member {
        id: Id::random(),
        workspace_id: Id::random(),
        email: email.into(),
        name: name.into(),
        timezone: "Europe/Berlin".into(),
        role: Role::Member,
        active: true,
        created_at: t("2026-01-01T00:00:00Z"),
        seq: 1,
    }
}

fn meeting(organizer: &Member, other: &Member, start: &str) -> Meeting {
    Meeting {
        workspace_id: organizer.workspace_id,
        id: Id::random(),
        title: "Vendor decision, final".into(),
        purpose: Purpose::Decision,
        justification: None,
        organizer_id: organizer.id,
        start: t(start),
        duration_minutes: 45,
        status: MeetingStatus::Invited,
        space_id: None,
        created_at: t("2026-02-01T00:00:00Z"),
        participants: vec![organizer.id, other.id],
        agenda: vec![AgendaItem {
            item: "Options; costs".into(),
            owner_id: organizer.id,
            minutes: 45,
        }],
        prework: vec![PreworkItem {
            what: "Read the comparison".into(),
            due_minutes_before: 240,
        }],
        prework_due: vec![PreworkDue {
            member_id: other.id,
            due_at: t("2026-03-09T12:00:00Z"),
        }],
        sequence: 0,
        thread_id: Some(Id::random()),
        video_url: Some("https://meet.example.com/vendor".into()),
        optional: vec![other.id],
        closed_at: None,
    }
}

fn focus_schedule() -> Schedule {
    serde_json::from_value(serde_json::json!({
        "timezone": "Europe/Berlin",
        "weekly": { "mon": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]] },
        "focus": [{ "days": ["wed"], "start": "09:00", "end": "11:00" }]
    }))
    .expect("schedule")
}

#[test]
fn a_feed_reads_back_as_its_meetings_and_focus_blocks() {
    let (ann, bo) = (
        person("Ann \"A\" Lee", "ann@x.test"),
        person("Bo", "bo@x.test"),
    );
    let m = meeting(&ann, &bo, "2026-03-10T15:00:00Z");
    let mut draft = meeting(&ann, &bo, "2026-03-12T15:00:00Z");
    draft.status = MeetingStatus::Draft;
    let people: HashMap<Id, Member> = [(ann.id, ann.clone()), (bo.id, bo.clone())].into();
    let schedule = focus_schedule();
    let text = feed(&Feed {
        owner: &bo,
        schedule: &schedule,
        meetings: &[m.clone(), draft],
        people: &people,
        range: (t("2026-03-09T00:00:00Z"), t("2026-03-16T00:00:00Z")),
        stamp: t("2026-03-01T00:00:00Z"),
    });
    for line in [
        format!("UID:{}@baton", m.id),
        "DTSTART:20260310T150000Z".into(),
        "DTEND:20260310T154500Z".into(),
        "SEQUENCE:0".into(),
        "DTSTAMP:20260301T000000Z".into(),
        "ORGANIZER;CN=Ann A Lee:mailto:ann@x.test".into(),
    ] {
        assert!(text.contains(&line), "{line} in\n{text}");
    }
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded");
    let found = busy_times(
        &text,
        &berlin(),
        (t("2026-03-09T00:00:00Z"), t("2026-03-16T00:00:00Z")),
    )
    .expect("Baton reads its own feed");
    assert_eq!(
        found,
        [
            Busy {
                start: t("2026-03-10T15:00:00Z"),
                end: t("2026-03-10T15:45:00Z")
            },
            Busy {
                start: t("2026-03-11T08:00:00Z"),
                end: t("2026-03-11T10:00:00Z")
            },
        ],
        "the meeting and Wednesday's focus block; the draft and the pre-work deadline hold no time"
    );
}

#[test]
fn an_invitation_requests_and_a_cancellation_cancels_the_same_uid() {
    let (ann, bo) = (person("Ann", "ann@x.test"), person("Bo", "bo@x.test"));
    let m = meeting(&ann, &bo, "2026-03-10T15:00:00Z");
    let people: HashMap<Id, Member> = [(ann.id, ann.clone()), (bo.id, bo.clone())].into();
    let stamp = t("2026-03-01T00:00:00Z");
    let request = invitation(&m, &people, Method::Request, 0, stamp);
    let cancel = invitation(&m, &people, Method::Cancel, 1, stamp);
    for (text, method, status, sequence) in [
        (&request, "REQUEST", "CONFIRMED", 0),
        (&cancel, "CANCEL", "CANCELLED", 1),
    ] {
        let text = text.replace("\r\n ", "");
        for line in [
            format!("METHOD:{method}"),
            format!("STATUS:{status}"),
            format!("SEQUENCE:{sequence}"),
            format!("UID:{}@baton", m.id),
            "mailto:bo@x.test".into(),
        ] {
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }
}
