//! When pre-work is due: for each participant, counted back from the start through *their
//! own* working time, so that someone whose day ends as the organizer's begins still gets
//! their full working hours to prepare.

use jiff::Timestamp;

use super::PreworkItem;
use crate::schedule::{Schedule, subtract_working_time};

/// When all of one participant's pre-work is due: the earliest deadline of the items, each
/// `due_minutes_before` of the participant's working minutes before `start`. `None` when
/// there is no pre-work, or the schedule has no working time to count back through.
pub fn due_for(
    schedule: &Schedule,
    start: Timestamp,
    prework: &[PreworkItem],
) -> Option<Timestamp> {
    let most = prework.iter().map(|p| p.due_minutes_before).max()?;
    subtract_working_time(schedule, start, most)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn item(minutes: u32) -> PreworkItem {
        PreworkItem {
            what: "Read the brief".into(),
            due_minutes_before: minutes,
        }
    }

    #[test]
    fn pre_work_is_due_in_each_participants_own_hours() {
        // Tuesday 2026-03-03 15:00 UTC: 16:00 in Berlin, 00:00 (Wednesday) in Tokyo.
        let start = ts("2026-03-03T15:00:00Z");
        let berlin = Schedule::default_for("Europe/Berlin").unwrap();
        let tokyo = Schedule::default_for("Asia/Tokyo").unwrap();
        let prework = [item(60), item(240)];
        // Berlin: 16:00 back 4 hours is 12:00 local, 11:00 UTC.
        assert_eq!(
            due_for(&berlin, start, &prework),
            Some(ts("2026-03-03T11:00:00Z"))
        );
        // Tokyo: Tuesday ended at 17:00 local (08:00 UTC); 4 hours back is 13:00 local.
        assert_eq!(
            due_for(&tokyo, start, &prework),
            Some(ts("2026-03-03T04:00:00Z"))
        );
        assert_eq!(due_for(&tokyo, start, &[]), None);
    }
}
