//! Property tests of urgent planning: every recipient gets exactly one leg, told now only
//! when working, covered only by someone else who is working now, and otherwise told at the
//! start of their next working period.

use baton_core::Id;
use baton_core::delivery::plan_urgent;
use baton_core::schedule::{Schedule, ScheduleSpec, is_working, next_working_start};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::json;

const ZONES: [&str; 4] = ["UTC", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles"];

/// Weekday hours in one of a few zones: a start hour and a length, the same each weekday,
/// or no working time at all (length 0).
fn arb_schedule() -> impl Strategy<Value = Schedule> {
    (0..ZONES.len(), 0u32..24, 0u32..12).prop_map(|(zone, start, len)| {
        let day = if len == 0 {
            json!([])
        } else {
            let end = (start + len) % 24;
            json!([[format!("{start:02}:00"), format!("{end:02}:00")]])
        };
        let spec = json!({"timezone": ZONES[zone], "weekly": {
            "mon": day, "tue": day, "wed": day, "thu": day, "fri": day}});
        Schedule::new(serde_json::from_value::<ScheduleSpec>(spec).unwrap()).unwrap()
    })
}

fn arb_instant() -> impl Strategy<Value = Timestamp> {
    (1_767_225_600i64..1_830_297_600).prop_map(|s| Timestamp::from_second(s).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_recipient_is_told_now_only_when_working_and_covered_only_by_someone_working(
        to in prop::collection::vec(arb_schedule(), 1..=3),
        by in prop::collection::vec(arb_schedule(), 0..=4),
        now in arb_instant(),
    ) {
        let to: Vec<(Id, &Schedule)> = to.iter().map(|s| (Id::random(), s)).collect();
        // The first recipient may also be offered as a cover: never their own.
        let mut others: Vec<(Id, &Schedule)> = by.iter().map(|s| (Id::random(), s)).collect();
        others.insert(0, to[0]);
        let legs = plan_urgent(&to, &others, now);
        prop_assert_eq!(legs.len(), to.len());
        for (leg, (id, schedule)) in legs.iter().zip(&to) {
            prop_assert_eq!(leg.recipient_id, *id);
            prop_assert_ne!(leg.covered_by, Some(*id));
            prop_assert!(leg.recipient_at >= now);
            if is_working(schedule, now) {
                prop_assert_eq!(leg.recipient_at, now);
                prop_assert_eq!(leg.covered_by, None);
            } else if let Some(start) = next_working_start(schedule, now) {
                prop_assert_eq!(leg.recipient_at, start);
                let first_working = others
                    .iter()
                    .find(|(o, s)| o != id && is_working(s, now))
                    .map(|(o, _)| *o);
                prop_assert_eq!(leg.covered_by, first_working);
            } else {
                // No working time ahead: told now rather than never.
                prop_assert_eq!(leg.recipient_at, now);
            }
        }
    }
}
