//! Named cases: days when clocks change, odd offsets, zones that skipped a day, time off on an
//! overnight shift, and the ends of the range (1970, 2100). Expected instants are written out
//! by hand from the zone rules, so these do not lean on the reference.

use baton_core::schedule::{
    Schedule, add_working_time, is_working, next_working_start, subtract_working_time,
    working_intervals, working_time_between,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::{schedule, ts};

/// A schedule in `tz` with the given intervals on every day of the week.
fn every_day(tz: &str, intervals: serde_json::Value) -> Schedule {
    let weekly: serde_json::Map<String, serde_json::Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| ((*d).to_owned(), intervals.clone()))
            .collect();
    schedule(json!({ "timezone": tz, "weekly": weekly }))
}

/// Working intervals in `[from, to)` written as RFC 3339 pairs, for readable assertions.
fn intervals(s: &Schedule, from: &str, to: &str) -> Vec<(String, String)> {
    working_intervals(s, ts(from), ts(to))
        .unwrap()
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (ts(a).to_string(), ts(b).to_string()))
        .collect()
}

fn hours(h: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(h * 3600.0)
}

fn between(s: &Schedule, a: &str, b: &str) -> SignedDuration {
    working_time_between(s, ts(a), ts(b))
}

#[test]
fn berlin_spring_forward_keeps_a_nine_to_five_day_at_eight_hours() {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z.
    let s = every_day("Europe/Berlin", json!([["09:00", "17:00"]]));
    assert_eq!(
        intervals(&s, "2026-03-29T00:00Z", "2026-03-30T00:00Z"),
        pairs(&[("2026-03-29T07:00Z", "2026-03-29T15:00Z")])
    );
    let night = every_day("Europe/Berlin", json!([["01:00", "04:00"]]));
    assert_eq!(
        between(&night, "2026-03-29T00:00Z", "2026-03-29T12:00Z"),
        hours(2.0),
        "the skipped hour holds no time"
    );
    let in_gap = every_day("Europe/Berlin", json!([["02:30", "05:00"]]));
    assert_eq!(
        intervals(&in_gap, "2026-03-29T00:00Z", "2026-03-30T00:00Z"),
        pairs(&[("2026-03-29T01:00Z", "2026-03-29T03:00Z")]),
        "an interval starting in the skipped hour starts at the first instant after it"
    );
    let all_in_gap = every_day("Europe/Berlin", json!([["02:10", "02:50"]]));
    assert!(intervals(&all_in_gap, "2026-03-29T00:00Z", "2026-03-30T00:00Z").is_empty());
}

#[test]
fn berlin_fall_back_counts_a_repeated_hour_inside_an_interval_twice() {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:00-03:00 happens twice.
    let s = every_day("Europe/Berlin", json!([["09:00", "17:00"]]));
    assert_eq!(
        intervals(&s, "2026-10-25T00:00Z", "2026-10-26T00:00Z"),
        pairs(&[("2026-10-25T08:00Z", "2026-10-25T16:00Z")])
    );
    let night = every_day("Europe/Berlin", json!([["00:00", "03:00"]]));
    assert_eq!(
        intervals(&night, "2026-10-24T12:00Z", "2026-10-25T12:00Z"),
        pairs(&[("2026-10-24T22:00Z", "2026-10-25T02:00Z")]),
        "00:00-03:00 lasts four real hours"
    );
    // An endpoint inside the repeated hour: the rule counts 02:30-03:00 twice and the second
    // 02:00-02:30 not at all.
    let from_half_past = every_day("Europe/Berlin", json!([["02:30", "05:00"]]));
    assert_eq!(
        intervals(&from_half_past, "2026-10-24T12:00Z", "2026-10-25T12:00Z"),
        pairs(&[
            ("2026-10-25T00:30Z", "2026-10-25T01:00Z"),
            ("2026-10-25T01:30Z", "2026-10-25T04:00Z")
        ])
    );
    // And the other way round: 01:00-02:30 is 01:00-02:30 CEST, then 02:00-02:30 CET again.
    let to_half_past = every_day("Europe/Berlin", json!([["01:00", "02:30"]]));
    assert_eq!(
        intervals(&to_half_past, "2026-10-24T12:00Z", "2026-10-25T12:00Z"),
        pairs(&[
            ("2026-10-24T23:00Z", "2026-10-25T00:30Z"),
            ("2026-10-25T01:00Z", "2026-10-25T01:30Z")
        ])
    );
    assert_eq!(
        between(&to_half_past, "2026-10-24T12:00Z", "2026-10-25T12:00Z"),
        hours(2.0)
    );
}

#[test]
fn an_overnight_interval_across_a_change_lasts_the_real_time_between_its_ends() {
    let s =
        schedule(json!({ "timezone": "Europe/Berlin", "weekly": { "sat": [["22:00", "06:00"]] } }));
    assert_eq!(
        intervals(&s, "2026-03-28T00:00Z", "2026-03-30T00:00Z"),
        pairs(&[("2026-03-28T21:00Z", "2026-03-29T04:00Z")])
    );
    assert_eq!(
        intervals(&s, "2026-10-24T00:00Z", "2026-10-26T00:00Z"),
        pairs(&[("2026-10-24T20:00Z", "2026-10-25T05:00Z")])
    );
}

#[test]
fn a_deadline_over_a_weekend_with_a_clock_change_lands_on_monday_local_time() {
    let s = Schedule::default_for("Europe/Berlin").unwrap();
    // Friday 16:00 CET plus two working hours: one on Friday, one on Monday from 09:00 CEST.
    assert_eq!(
        add_working_time(&s, ts("2026-03-27T15:00Z"), 120),
        Some(ts("2026-03-30T08:00Z"))
    );
    assert_eq!(
        next_working_start(&s, ts("2026-03-28T12:00Z")),
        Some(ts("2026-03-30T07:00Z"))
    );
    // And back: pre-work due two working hours before Monday 10:00 CEST is Friday 16:00 CET.
    assert_eq!(
        subtract_working_time(&s, ts("2026-03-30T08:00Z"), 120),
        Some(ts("2026-03-27T15:00Z"))
    );
}

#[test]
fn sao_paulo_historic_changes_at_midnight() {
    // 2018-11-04 00:00 -03 became 01:00 -02 (at 03:00Z); 2019-02-17 00:00 -02 became
    // 2019-02-16 23:00 -03 (at 02:00Z).
    let s = schedule(json!({
        "timezone": "America/Sao_Paulo",
        "weekly": { "sat": [["22:00", "00:00"]], "sun": [["00:00", "02:00"]] }
    }));
    assert_eq!(
        intervals(&s, "2018-11-03T12:00Z", "2018-11-05T00:00Z"),
        pairs(&[("2018-11-04T01:00Z", "2018-11-04T04:00Z")]),
        "Saturday night ends when midnight is skipped; Sunday starts at 01:00 -02"
    );
    assert_eq!(
        between(&s, "2018-11-04T03:00Z", "2018-11-05T00:00Z"),
        hours(1.0)
    );
    assert_eq!(
        intervals(&s, "2019-02-16T12:00Z", "2019-02-18T00:00Z"),
        pairs(&[("2019-02-17T00:00Z", "2019-02-17T05:00Z")]),
        "Saturday 22:00 to midnight lasts three hours when 23:00 repeats; Sunday follows"
    );
}

#[test]
fn lord_howe_changes_by_half_an_hour() {
    // +10:30 standard, +11 in summer. 2026-10-04 02:00 becomes 02:30; 2026-04-05 02:00
    // becomes 01:30.
    let s = every_day("Australia/Lord_Howe", json!([["09:00", "17:00"]]));
    assert_eq!(
        between(&s, "2026-10-03T12:00Z", "2026-10-04T12:00Z"),
        hours(8.0)
    );
    let early = every_day("Australia/Lord_Howe", json!([["02:00", "03:00"]]));
    assert_eq!(
        intervals(&early, "2026-10-03T12:00Z", "2026-10-04T12:00Z"),
        pairs(&[("2026-10-03T15:30Z", "2026-10-03T16:00Z")])
    );
    let night = every_day("Australia/Lord_Howe", json!([["01:00", "03:00"]]));
    assert_eq!(
        intervals(&night, "2026-04-04T12:00Z", "2026-04-05T12:00Z"),
        pairs(&[("2026-04-04T14:00Z", "2026-04-04T16:30Z")])
    );
}

#[test]
fn kathmandu_and_kolkata_keep_their_odd_offsets() {
    let s = every_day("Asia/Kathmandu", json!([["09:00", "17:00"]]));
    assert_eq!(
        intervals(&s, "2026-03-02T00:00Z", "2026-03-03T00:00Z"),
        pairs(&[("2026-03-02T03:15Z", "2026-03-02T11:15Z")])
    );
    // Kathmandu moved from +05:30 to +05:45 at 1986-01-01 00:00, skipping 00:00-00:15.
    let midnight = every_day("Asia/Kathmandu", json!([["00:00", "01:00"]]));
    assert_eq!(
        intervals(&midnight, "1985-12-31T12:00Z", "1986-01-01T12:00Z"),
        pairs(&[("1985-12-31T18:30Z", "1985-12-31T19:15Z")])
    );
    let s = every_day("Asia/Kolkata", json!([["09:00", "17:00"]]));
    assert_eq!(
        intervals(&s, "2026-03-02T00:00Z", "2026-03-03T00:00Z"),
        pairs(&[("2026-03-02T03:30Z", "2026-03-02T11:30Z")])
    );
}

#[test]
fn apia_skipped_a_whole_friday() {
    // Samoa went from 2011-12-29 24:00 -10 straight to 2011-12-31 00:00 +14 (at 10:00Z).
    let s = schedule(json!({
        "timezone": "Pacific/Apia",
        "weekly": { "thu": [["22:00", "06:00"]], "fri": [["09:00", "17:00"]], "sat": [["09:00", "17:00"]] }
    }));
    assert_eq!(
        intervals(&s, "2011-12-29T00:00Z", "2012-01-01T00:00Z"),
        pairs(&[
            ("2011-12-30T08:00Z", "2011-12-30T10:00Z"),
            ("2011-12-30T19:00Z", "2011-12-31T03:00Z")
        ])
    );
}

#[test]
fn time_off_removes_the_overnight_interval_that_starts_on_the_day_off() {
    // Thursday 2026-03-05 and Friday 2026-03-06 nights; Friday is off.
    let s = schedule(json!({
        "timezone": "UTC",
        "weekly": { "thu": [["22:00", "06:00"]], "fri": [["22:00", "06:00"]] },
        "time_off": [{ "start": "2026-03-06", "end": "2026-03-06" }]
    }));
    assert_eq!(
        intervals(&s, "2026-03-05T00:00Z", "2026-03-08T00:00Z"),
        pairs(&[("2026-03-05T22:00Z", "2026-03-06T06:00Z")])
    );
    assert!(
        is_working(&s, ts("2026-03-06T05:59Z")),
        "Thursday's night still ends on the day off"
    );
    assert!(!is_working(&s, ts("2026-03-06T23:00Z")));
    // With Saturday off instead, Friday's night runs into Saturday as planned.
    let s = schedule(json!({
        "timezone": "UTC",
        "weekly": { "fri": [["22:00", "06:00"]] },
        "time_off": [{ "start": "2026-03-07", "end": "2026-03-07" }]
    }));
    assert_eq!(
        intervals(&s, "2026-03-06T00:00Z", "2026-03-08T00:00Z"),
        pairs(&[("2026-03-06T22:00Z", "2026-03-07T06:00Z")])
    );
}

#[test]
fn the_first_and_last_years_of_the_range_work() {
    // 1970-01-01 was a Thursday; New York was on EST.
    let s = Schedule::default_for("America/New_York").unwrap();
    assert_eq!(
        intervals(&s, "1970-01-01T00:00Z", "1970-01-02T00:00Z"),
        pairs(&[("1970-01-01T14:00Z", "1970-01-01T22:00Z")])
    );
    // 1970-04-26: New York sprang forward at 02:00.
    let night = every_day("America/New_York", json!([["01:00", "04:00"]]));
    assert_eq!(
        between(&night, "1970-04-26T00:00Z", "1970-04-26T12:00Z"),
        hours(2.0)
    );
    // 2100-03-28, the last Sunday of March 2100: Berlin springs forward.
    let s = every_day("Europe/Berlin", json!([["09:00", "17:00"]]));
    assert_eq!(
        intervals(&s, "2100-03-28T00:00Z", "2100-03-29T00:00Z"),
        pairs(&[("2100-03-28T07:00Z", "2100-03-28T15:00Z")])
    );
    let night = every_day("Europe/Berlin", json!([["01:00", "04:00"]]));
    assert_eq!(
        between(&night, "2100-03-28T00:00Z", "2100-03-28T12:00Z"),
        hours(2.0)
    );
    // 2100-12-31 is a Friday; a deadline set then falls due in 2101.
    let s = Schedule::default_for("Europe/Berlin").unwrap();
    assert_eq!(
        add_working_time(&s, ts("2100-12-31T15:00Z"), 120),
        Some(ts("2101-01-03T09:00Z"))
    );
}

#[test]
fn is_working_follows_the_wall_clock_through_a_gap() {
    let s = every_day("Europe/Berlin", json!([["02:30", "05:00"]]));
    let t: Timestamp = ts("2026-03-29T00:59:59Z");
    assert!(!is_working(&s, t), "01:59:59 CET is before 02:30");
    assert!(
        is_working(&s, ts("2026-03-29T01:00Z")),
        "03:00 CEST is after 02:30"
    );
}
