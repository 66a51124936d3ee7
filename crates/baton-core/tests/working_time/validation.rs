//! Refusals (each naming its field) and the stored shape of a schedule.

use baton_core::schedule::{Day, Schedule, ScheduleSpec, overlap, working_intervals};
use serde_json::json;

use super::{schedule, ts};

fn refused(json: serde_json::Value) -> baton_core::CoreError {
    let spec: ScheduleSpec = serde_json::from_value(json).unwrap();
    Schedule::new(spec).unwrap_err()
}

#[test]
fn an_interval_with_equal_start_and_end_is_refused_by_its_position() {
    let err = refused(
        json!({ "timezone": "UTC", "weekly": { "mon": [["09:00", "12:00"], ["13:00", "13:00"]] } }),
    );
    assert_eq!(err.field, "weekly.mon[1]");
    assert!(err.message.contains("13:00–13:00"), "{err}");
}

#[test]
fn malformed_times_are_refused_by_their_position() {
    for bad in ["24:00", "9:00", "09:60", "0900", "ab:cd", ""] {
        let err = refused(json!({ "timezone": "UTC", "weekly": { "sun": [["08:00", bad]] } }));
        assert_eq!(err.field, "weekly.sun[0]", "{bad}");
    }
}

#[test]
fn a_day_holds_a_bounded_number_of_intervals() {
    let many: Vec<[String; 2]> = (0..9)
        .map(|h| [format!("{h:02}:00"), format!("{h:02}:30")])
        .collect();
    assert_eq!(
        refused(json!({ "timezone": "UTC", "weekly": { "wed": many } })).field,
        "weekly.wed"
    );
}

#[test]
fn unknown_zones_and_backwards_time_off_are_refused() {
    assert_eq!(
        refused(json!({ "timezone": "Mars/Olympus", "weekly": {} })).field,
        "timezone"
    );
    let err = refused(json!({
        "timezone": "UTC", "weekly": {},
        "time_off": [{ "start": "2026-01-01", "end": "2026-01-02" }, { "start": "2026-02-10", "end": "2026-02-01" }]
    }));
    assert_eq!(err.field, "time_off");
    assert!(err.message.starts_with("entry 1:"), "{err}");
    let err = refused(
        json!({ "timezone": "UTC", "weekly": {}, "time_off": [{ "start": "2026-02-30", "end": "2026-03-01" }] }),
    );
    assert_eq!(err.field, "time_off");
}

#[test]
fn focus_blocks_need_days_and_distinct_times() {
    let err = refused(
        json!({ "timezone": "UTC", "weekly": {}, "focus": [{ "days": [], "start": "09:00", "end": "11:00" }] }),
    );
    assert_eq!(err.field, "focus");
    let err = refused(
        json!({ "timezone": "UTC", "weekly": {}, "focus": [{ "days": ["mon"], "start": "09:00", "end": "09:00" }] }),
    );
    assert_eq!(err.field, "focus");
}

#[test]
fn the_stored_form_is_normalized_and_round_trips() {
    let s = schedule(json!({
        "timezone": " Asia/Kolkata ",
        "weekly": { "mon": [["09:00", "17:00"]], "fri": [["22:00", "06:00"]] },
        "time_off": [{ "start": "2026-12-24", "end": "2026-12-26" }],
        "focus": [{ "days": ["tue", "mon", "tue"], "start": "09:00", "end": "11:00" }]
    }));
    let stored = serde_json::to_value(&s).unwrap();
    assert_eq!(stored["timezone"], "Asia/Kolkata");
    assert_eq!(stored["weekly"]["fri"], json!([["22:00", "06:00"]]));
    assert_eq!(stored["weekly"]["sun"], json!([]));
    assert_eq!(stored["focus"][0]["days"], json!(["mon", "tue"]));
    let back: Schedule = serde_json::from_value(stored).unwrap();
    assert_eq!(back, s);
    let broken = serde_json::from_value::<Schedule>(
        json!({ "timezone": "UTC", "weekly": { "mon": [["09:00", "09:00"]] } }),
    );
    assert!(broken.unwrap_err().to_string().contains("weekly.mon[0]"));
}

#[test]
fn the_default_is_nine_to_five_on_weekdays_in_the_members_zone() {
    let s = Schedule::default_for("America/Chicago").unwrap();
    assert_eq!(s.timezone(), "America/Chicago");
    for day in Day::ALL {
        let expected: &[[String; 2]] = if matches!(day, Day::Sat | Day::Sun) {
            &[]
        } else {
            &[[String::from("09:00"), String::from("17:00")]]
        };
        assert_eq!(s.spec().weekly.day(day), expected, "{day:?}");
    }
    assert!(s.has_working_time());
    assert_eq!(
        Schedule::default_for("Nowhere/Special").unwrap_err().field,
        "timezone"
    );
    let canonical = Schedule::default_for("europe/berlin").unwrap();
    assert_eq!(canonical.timezone(), "Europe/Berlin", "stored canonically");
}

#[test]
fn range_functions_refuse_empty_backward_and_overlong_ranges() {
    let s = Schedule::default_for("UTC").unwrap();
    let t = ts("2026-01-01T00:00Z");
    assert_eq!(working_intervals(&s, t, t).unwrap_err().field, "from");
    assert_eq!(
        working_intervals(&s, ts("2026-01-02T00:00Z"), t)
            .unwrap_err()
            .field,
        "from"
    );
    assert_eq!(
        overlap(&[&s], t, ts("2027-01-03T00:00Z"))
            .unwrap_err()
            .field,
        "to"
    );
    assert!(
        working_intervals(&s, t, ts("2027-01-02T00:00Z")).is_ok(),
        "366 days are allowed"
    );
}

#[test]
fn overlap_is_when_everyone_works() {
    let berlin = Schedule::default_for("Europe/Berlin").unwrap();
    let new_york = Schedule::default_for("America/New_York").unwrap();
    let (from, to) = (ts("2026-03-02T00:00Z"), ts("2026-03-03T00:00Z"));
    // Berlin 08:00Z-16:00Z, New York 14:00Z-22:00Z on a winter Monday.
    assert_eq!(
        overlap(&[&berlin, &new_york], from, to).unwrap(),
        vec![(ts("2026-03-02T14:00Z"), ts("2026-03-02T16:00Z"))]
    );
    assert_eq!(overlap(&[], from, to).unwrap(), vec![(from, to)]);
    let tokyo = Schedule::default_for("Asia/Tokyo").unwrap();
    assert!(
        overlap(&[&berlin, &new_york, &tokyo], from, to)
            .unwrap()
            .is_empty()
    );
}
