//! Tests of delivery (`baton_core::delivery`): named cases on a Berlin 09:00–17:00 week, the
//! daylight-saving cases, urgent routing, and proptests of the delivery rule.

use baton_core::Id;
use baton_core::delivery::{
    MAX_LEAD, MIN_LEAD, NotificationPolicy, end_of_day, next_delivery, route_urgent,
};
use baton_core::schedule::{Schedule, ScheduleSpec, in_focus, is_working, working_time_between};
use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::json;

/// A Berlin wall-clock time as an instant (the first one, should it repeat).
fn berlin(local: &str) -> Timestamp {
    let dt: DateTime = local.parse().unwrap();
    dt.to_zoned_datetime(baton_core::tzdb::zone("Europe/Berlin").unwrap())
        .unwrap()
        .timestamp()
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Monday to Friday 09:00–17:00 in Berlin, with extra schedule fields merged in.
fn berlin_week(extra: serde_json::Value) -> Schedule {
    let mut spec = json!({
        "timezone": "Europe/Berlin",
        "weekly": {
            "mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],
            "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
            "fri": [["09:00", "17:00"]]
        }
    });
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    Schedule::new(serde_json::from_value::<ScheduleSpec>(spec).unwrap()).unwrap()
}

fn policy(windows: &[&str]) -> NotificationPolicy {
    NotificationPolicy {
        windows: windows.iter().map(|w| (*w).to_owned()).collect(),
        ..NotificationPolicy::default()
    }
    .validate()
    .unwrap()
}

// 2026-03-02 is a Monday; Berlin is on +01:00 until 2026-03-29.

#[test]
fn an_event_after_the_last_window_waits_for_the_next_morning() {
    let s = berlin_week(json!({}));
    let p = NotificationPolicy::default();
    let next = next_delivery(&s, &p, berlin("2026-03-02T15:00"));
    assert_eq!(next, Some(berlin("2026-03-03T09:00")));
}

#[test]
fn an_event_before_work_is_delivered_at_the_first_window_that_day() {
    let s = berlin_week(json!({}));
    let p = NotificationPolicy::default();
    let next = next_delivery(&s, &p, berlin("2026-03-02T08:00"));
    assert_eq!(next, Some(berlin("2026-03-02T09:00")));
    let at_window = berlin("2026-03-02T14:00");
    assert_eq!(next_delivery(&s, &p, at_window), Some(at_window));
}

#[test]
fn a_friday_afternoon_event_waits_for_monday() {
    let s = berlin_week(json!({}));
    let p = NotificationPolicy::default();
    let next = next_delivery(&s, &p, berlin("2026-03-06T15:00"));
    assert_eq!(next, Some(berlin("2026-03-09T09:00")));
}

#[test]
fn a_window_inside_focus_moves_to_the_end_of_focus() {
    let focus = json!({ "focus": [{ "days": ["mon", "tue", "wed", "thu", "fri"],
                                    "start": "13:30", "end": "15:00" }] });
    let s = berlin_week(focus);
    let p = NotificationPolicy::default();
    for after in ["10:00", "13:45", "14:30", "15:00"] {
        let next = next_delivery(&s, &p, berlin(&format!("2026-03-02T{after}")));
        assert_eq!(next, Some(berlin("2026-03-02T15:00")), "after {after}");
    }
    let next = next_delivery(&s, &p, berlin("2026-03-02T15:01"));
    assert_eq!(next, Some(berlin("2026-03-03T09:00")));
}

#[test]
fn a_window_in_focus_until_the_end_of_the_day_is_dropped() {
    let focus = json!({ "focus": [{ "days": ["mon"], "start": "16:00", "end": "18:00" }] });
    let s = berlin_week(focus);
    let p = policy(&["09:00", "16:30"]);
    let next = next_delivery(&s, &p, berlin("2026-03-02T10:00"));
    assert_eq!(next, Some(berlin("2026-03-03T09:00")));
}

#[test]
fn time_off_skips_the_days_off() {
    let off = json!({ "time_off": [{ "start": "2026-03-03", "end": "2026-03-04" }] });
    let s = berlin_week(off);
    let p = NotificationPolicy::default();
    let next = next_delivery(&s, &p, berlin("2026-03-02T15:00"));
    assert_eq!(next, Some(berlin("2026-03-05T09:00")));
}

#[test]
fn a_window_outside_working_hours_is_reported_and_never_fires() {
    let s = berlin_week(json!({}));
    let p = policy(&["07:00", "14:00"]);
    assert_eq!(p.windows_outside_working_hours(&s), ["07:00"]);
    let next = next_delivery(&s, &p, berlin("2026-03-02T06:00"));
    assert_eq!(next, Some(berlin("2026-03-02T14:00")));
    assert_eq!(
        next_delivery(&s, &policy(&["07:00"]), berlin("2026-03-02T06:00")),
        None
    );
    assert!(
        NotificationPolicy::default()
            .windows_outside_working_hours(&s)
            .is_empty()
    );
}

#[test]
fn a_window_after_midnight_in_a_night_shift_is_inside_working_hours() {
    let s = Schedule::new(
        serde_json::from_value(json!({
            "timezone": "UTC", "weekly": { "fri": [["22:00", "06:00"]] }
        }))
        .unwrap(),
    )
    .unwrap();
    let p = policy(&["start", "02:00", "12:00"]);
    assert_eq!(p.windows_outside_working_hours(&s), ["12:00"]);
    // The Friday night shift runs into Saturday 2026-03-07.
    let next = next_delivery(&s, &p, ts("2026-03-06T23:00:00Z"));
    assert_eq!(next, Some(ts("2026-03-07T02:00:00Z")));
}

#[test]
fn start_fires_at_each_working_period_of_a_split_day() {
    let s = Schedule::new(serde_json::from_value(json!({
        "timezone": "Europe/Berlin",
        "weekly": { "mon": [["09:00", "12:00"], ["13:00", "17:00"]], "tue": [["10:00", "12:00"]] }
    })).unwrap()).unwrap();
    let p = policy(&["start"]);
    let cases = [
        ("2026-03-02T08:00", "2026-03-02T09:00"),
        ("2026-03-02T09:01", "2026-03-02T13:00"),
        ("2026-03-02T13:01", "2026-03-03T10:00"),
        ("2026-03-03T10:01", "2026-03-09T09:00"),
    ];
    for (after, expected) in cases {
        let next = next_delivery(&s, &p, berlin(after));
        assert_eq!(next, Some(berlin(expected)), "after {after}");
    }
}

/// Every day 00:00–06:00 in Berlin, where 2026-03-29 skips 02:00–03:00 and 2026-10-25
/// repeats it.
fn berlin_nights() -> Schedule {
    let night = json!([["00:00", "06:00"]]);
    let weekly = json!({ "mon": night, "tue": night, "wed": night, "thu": night,
                         "fri": night, "sat": night, "sun": night });
    let spec = json!({ "timezone": "Europe/Berlin", "weekly": weekly });
    Schedule::new(serde_json::from_value(spec).unwrap()).unwrap()
}

#[test]
fn a_window_in_the_skipped_hour_fires_when_the_clock_jumps() {
    let s = berlin_nights();
    let p = policy(&["02:30"]);
    // 03:00 CEST is 01:00 UTC.
    let next = next_delivery(&s, &p, berlin("2026-03-29T01:00"));
    assert_eq!(next, Some(ts("2026-03-29T01:00:00Z")));
    let next = next_delivery(&s, &p, ts("2026-03-29T01:00:00.001Z"));
    assert_eq!(next, Some(berlin("2026-03-30T02:30")));
}

#[test]
fn a_window_in_the_repeated_hour_fires_once() {
    let s = berlin_nights();
    let p = policy(&["02:30"]);
    // The first 02:30 is CEST (00:30 UTC); the second, CET (01:30 UTC), does not fire.
    let first = ts("2026-10-25T00:30:00Z");
    assert_eq!(
        next_delivery(&s, &p, ts("2026-10-25T00:00:00Z")),
        Some(first)
    );
    let next = next_delivery(&s, &p, first + SignedDuration::from_secs(1));
    assert_eq!(next, Some(berlin("2026-10-26T02:30")));
}

#[test]
fn a_schedule_without_working_time_has_no_delivery() {
    let s = Schedule::new(
        serde_json::from_value(json!({
            "timezone": "UTC", "weekly": {}
        }))
        .unwrap(),
    )
    .unwrap();
    let p = NotificationPolicy::default();
    assert_eq!(next_delivery(&s, &p, ts("2026-03-02T00:00:00Z")), None);
    assert_eq!(
        route_urgent((Id::random(), &s), &[], ts("2026-03-02T00:00:00Z")),
        None
    );
}

#[test]
fn urgent_goes_to_the_recipient_when_working_even_in_focus() {
    let focus = json!({ "focus": [{ "days": ["mon"], "start": "09:00", "end": "17:00" }] });
    let s = berlin_week(focus);
    let me = Id::random();
    let now = berlin("2026-03-02T10:00");
    let route = route_urgent((me, &s), &[], now).unwrap();
    assert_eq!((route.now_to, route.recipient_at), (vec![me], now));
}

#[test]
fn urgent_goes_to_the_first_working_colleague_otherwise() {
    let berlin_s = berlin_week(json!({}));
    let utc = Schedule::default_for("UTC").unwrap();
    let tokyo = Schedule::default_for("Asia/Tokyo").unwrap();
    let (me, a, b) = (Id::random(), Id::random(), Id::random());
    // 08:30 in Berlin is 07:30 UTC and 16:30 in Tokyo: only the Tokyo colleague works.
    let now = berlin("2026-03-02T08:30");
    let route = route_urgent((me, &berlin_s), &[(a, &utc), (b, &tokyo)], now).unwrap();
    assert_eq!(route.now_to, [b]);
    assert_eq!(route.recipient_at, berlin("2026-03-02T09:00"));
    // At 20:00 in Berlin nobody works; the recipient hears on Tuesday morning.
    let now = berlin("2026-03-02T20:00");
    let route = route_urgent((me, &berlin_s), &[(a, &utc), (b, &tokyo)], now).unwrap();
    assert!(route.now_to.is_empty());
    assert_eq!(route.recipient_at, berlin("2026-03-03T09:00"));
}

const ZONES: [&str; 4] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
];

/// A random schedule: up to two intervals a weekday on a 15-minute grid, up to two focus
/// blocks and one stretch of time off in 2026.
fn arb_schedule() -> impl Strategy<Value = Schedule> {
    let time = (0u32..96).prop_map(|q| format!("{:02}:{:02}", q / 4, q % 4 * 15));
    let interval = (0u32..96, 1u32..48).prop_map(|(s, len)| {
        [s, (s + len) % 96].map(|q| format!("{:02}:{:02}", q / 4, q % 4 * 15))
    });
    let day = prop::collection::vec(interval, 0..=2);
    let focus = (prop::collection::vec(0usize..7, 1..=3), time.clone(), time)
        .prop_map(|(days, start, end)| (days, start, end));
    let off = prop::option::of((1u32..300, 0u32..10));
    (
        0..ZONES.len(),
        prop::collection::vec(day, 7),
        prop::collection::vec(focus, 0..=2),
        off,
    )
        .prop_filter_map("a valid schedule", |(zone, days, focus, off)| {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let weekly: serde_json::Map<_, _> = names
                .iter()
                .zip(days)
                .map(|(n, d)| ((*n).to_owned(), json!(d)))
                .collect();
            let focus: Vec<_> = focus
                .into_iter()
                .map(|(days, start, end)| {
                    let days: Vec<_> = days.into_iter().map(|d| names[d]).collect();
                    json!({ "days": days, "start": start, "end": end })
                })
                .collect();
            let time_off: Vec<_> = off
                .into_iter()
                .map(|(first, len)| {
                    let day = |n: u32| {
                        jiff::civil::date(2026, 1, 1)
                            .checked_add(jiff::Span::new().days(i64::from(n)))
                            .unwrap()
                            .to_string()
                    };
                    json!({ "start": day(first), "end": day(first + len) })
                })
                .collect();
            let spec = json!({ "timezone": ZONES[zone], "weekly": weekly,
                               "focus": focus, "time_off": time_off });
            Schedule::new(serde_json::from_value(spec).ok()?).ok()
        })
}

fn arb_policy() -> impl Strategy<Value = NotificationPolicy> {
    let window = prop_oneof![
        1 => Just("start".to_owned()),
        4 => (0u32..48).prop_map(|h| format!("{:02}:{:02}", h / 2, h % 2 * 30)),
    ];
    prop::collection::btree_set(window, 1..=4).prop_map(|windows| {
        NotificationPolicy {
            windows: windows.into_iter().collect(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    })
}

/// An instant in 2026 or 2027, to the second.
fn arb_instant() -> impl Strategy<Value = Timestamp> {
    (1_767_225_600i64..1_830_297_600).prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// Whether `t` can be a delivery instant: a window's wall-clock time, the start of a working
/// period (for `start`), the end of focus (a deferred window) or a clock change (a window in
/// a skipped hour).
fn is_window_instant(s: &Schedule, p: &NotificationPolicy, t: Timestamp) -> bool {
    let just_before = t - SignedDuration::from_nanos(1);
    let local = t.to_zoned_datetime(s.time_zone().clone());
    let hhmm = format!("{:02}:{:02}", local.hour(), local.minute());
    let on_minute = local.second() == 0 && local.subsec_nanosecond() == 0;
    (on_minute && p.windows.contains(&hhmm))
        || (p.windows.iter().any(|w| w == "start") && !is_working(s, just_before))
        || in_focus(s, just_before)
        || s.time_zone()
            .preceding(t + SignedDuration::from_nanos(1))
            .next()
            .is_some_and(|tr| tr.timestamp() == t)
}

/// The first instant in `[after, until)`, minute by minute, whose wall-clock time is an
/// `HH:MM` window and that is working time outside focus: a naive reference for the windows
/// `next_delivery` must not skip. Minutes within two hours of a clock change are left out,
/// where a wall-clock time may name no instant or two.
fn first_plain_window(
    s: &Schedule,
    p: &NotificationPolicy,
    after: Timestamp,
    until: Timestamp,
) -> Option<Timestamp> {
    let tz = s.time_zone();
    let near_change = |t: Timestamp| {
        let two_hours = SignedDuration::from_hours(2);
        tz.to_offset(t - two_hours) != tz.to_offset(t + two_hours)
    };
    let first = Timestamp::from_second(after.as_second() + 59 - (after.as_second() + 59) % 60)
        .unwrap()
        .max(after);
    (0..)
        .map(|m| first + SignedDuration::from_mins(m))
        .take_while(|&t| t < until)
        .find(|&t| {
            let local = t.to_zoned_datetime(tz.clone());
            let hhmm = format!("{:02}:{:02}", local.hour(), local.minute());
            p.windows.contains(&hhmm) && is_working(s, t) && !in_focus(s, t) && !near_change(t)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_delivery_is_a_working_window_outside_focus(
        s in arb_schedule(), p in arb_policy(), after in arb_instant()
    ) {
        if let Some(t) = next_delivery(&s, &p, after) {
            prop_assert!(t >= after);
            prop_assert!(is_working(&s, t), "{t} is not working time");
            prop_assert!(!in_focus(&s, t), "{t} is focus time");
            prop_assert!(is_window_instant(&s, &p, t), "{t} is no window");
            prop_assert_eq!(next_delivery(&s, &p, t), Some(t));
        }
    }

    #[test]
    fn no_window_is_skipped(s in arb_schedule(), p in arb_policy(), after in arb_instant()) {
        let next = next_delivery(&s, &p, after);
        let horizon = after + SignedDuration::from_hours(72);
        let until = next.map_or(horizon, |t| t.min(horizon));
        prop_assert_eq!(first_plain_window(&s, &p, after, until), None, "next is {:?}", next);
    }

    #[test]
    fn later_events_are_never_delivered_earlier(
        s in arb_schedule(), p in arb_policy(), a in arb_instant(), gap in 0i64..200_000
    ) {
        let b = a + SignedDuration::from_secs(gap);
        match (next_delivery(&s, &p, a), next_delivery(&s, &p, b)) {
            (Some(x), Some(y)) => prop_assert!(x <= y, "{a} -> {x}, {b} -> {y}"),
            (None, later) => prop_assert_eq!(later, None),
            (Some(_), None) => {}
        }
    }

    #[test]
    fn urgent_is_only_sent_now_to_someone_working(
        schedules in prop::collection::vec(arb_schedule(), 1..=4), now in arb_instant()
    ) {
        let ids: Vec<Id> = schedules.iter().map(|_| Id::random()).collect();
        let people: Vec<(Id, &Schedule)> = ids.iter().copied().zip(&schedules).collect();
        if let Some(route) = route_urgent(people[0], &people[1..], now) {
            prop_assert!(route.now_to.len() <= 1);
            for id in &route.now_to {
                let (_, s) = people.iter().find(|(p, _)| p == id).unwrap();
                prop_assert!(is_working(s, now));
            }
            prop_assert!(route.recipient_at >= now);
            prop_assert!(is_working(people[0].1, route.recipient_at));
        }
    }
}

/// Leads in whole minutes, from nothing to more than [`MAX_LEAD`](baton_core::delivery::MAX_LEAD).
fn arb_lead() -> impl Strategy<Value = SignedDuration> {
    (0i64..600).prop_map(SignedDuration::from_mins)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn an_end_of_day_reminder_is_working_time_before_the_day_ends(
        s in arb_schedule(), lead in arb_lead(), now in arb_instant()
    ) {
        if let Some(day) = end_of_day(&s, lead, now) {
            prop_assert!(is_working(&s, day.due_at), "{} is not working time", day.due_at);
            prop_assert!(day.due_at < day.day_end && now < day.day_end);
            prop_assert!(!is_working(&s, day.day_end));
            let before_end = working_time_between(&s, day.due_at, day.day_end);
            prop_assert!(before_end <= lead.clamp(MIN_LEAD, MAX_LEAD));
        }
    }

    #[test]
    fn every_instant_of_a_day_finds_the_same_single_reminder(
        s in arb_schedule(), lead in arb_lead(), a in arb_instant(), gap in 0i64..200_000
    ) {
        let b = a + SignedDuration::from_secs(gap);
        if let (Some(x), Some(y)) = (end_of_day(&s, lead, a), end_of_day(&s, lead, b)) {
            prop_assert!(x.day_end <= y.day_end, "{a} -> {x:?}, {b} -> {y:?}");
            if b < x.day_end {
                // Still the same day: the same key and the same due instant.
                prop_assert_eq!(x, y);
            } else {
                // A later day: its reminder comes after the earlier day ended.
                prop_assert!(y.due_at >= x.day_end);
            }
        }
    }
}

#[test]
fn a_berlin_holder_is_reminded_half_an_hour_before_five_and_not_on_a_day_off() {
    let s = berlin_week(json!({ "time_off": [{ "start": "2026-03-03", "end": "2026-03-03" }] }));
    let lead = SignedDuration::from_mins(30);
    let monday = end_of_day(&s, lead, berlin("2026-03-02T08:00")).unwrap();
    assert_eq!(monday.day_end, berlin("2026-03-02T17:00"));
    assert_eq!(monday.due_at, berlin("2026-03-02T16:30"));
    assert!(!monday.is_due(berlin("2026-03-02T16:29")));
    assert!(monday.is_due(berlin("2026-03-02T16:45")));
    // Tuesday is off: after Monday ends, the next reminder is Wednesday's.
    let next = end_of_day(&s, lead, berlin("2026-03-02T17:00")).unwrap();
    assert_eq!(next.due_at, berlin("2026-03-04T16:30"));
}
