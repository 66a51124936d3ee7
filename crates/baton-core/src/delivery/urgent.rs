//! Urgent notifications: who is told now, and how many urgent sends a person may receive.
//!
//! Owns: [`route_urgent`] and [`urgent_budget_left`]. Does not own: deciding that something
//! is urgent, or which colleagues may cover for a recipient (the caller passes them, in order
//! of preference).

use jiff::{SignedDuration, Timestamp};

use crate::Id;
use crate::schedule::{Schedule, is_working, next_working_start};

/// Where an urgent notification goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentRoute {
    /// Who is notified at once: the recipient when working, else the first covering
    /// colleague who is working, else nobody.
    pub now_to: Vec<Id>,
    /// When the recipient themself is notified: now when working, else the start of their
    /// next working period.
    pub recipient_at: Timestamp,
}

/// Routes an urgent notification for `recipient` at `now`. Urgent goes through focus, never
/// outside working hours: when the recipient is working (focus or not) they are told now;
/// otherwise the first of `others`, in the order given, who is working now is told instead,
/// and the recipient is told when their next working period starts.
///
/// `None` when the recipient has no working time ahead, so there is no "later" to promise.
pub fn route_urgent(
    recipient: (Id, &Schedule),
    others: &[(Id, &Schedule)],
    now: Timestamp,
) -> Option<UrgentRoute> {
    let (id, schedule) = recipient;
    if is_working(schedule, now) {
        return Some(UrgentRoute {
            now_to: vec![id],
            recipient_at: now,
        });
    }
    let recipient_at = next_working_start(schedule, now)?;
    let now_to = others
        .iter()
        .find(|(_, other)| is_working(other, now))
        .map(|&(other, _)| other)
        .into_iter()
        .collect();
    Some(UrgentRoute {
        now_to,
        recipient_at,
    })
}

/// The window [`urgent_budget_left`] counts sends over: the last seven days.
pub const URGENT_BUDGET_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// How many more urgent notifications may be sent at `now` when `per_week` are allowed and
/// `sent_at` lists earlier sends (in any order): `per_week` minus the sends within the last
/// [`URGENT_BUDGET_WINDOW`], `(now - 7 × 24 h, ∞)`, never below zero.
pub fn urgent_budget_left(sent_at: &[Timestamp], now: Timestamp, per_week: u32) -> u32 {
    // A rolling window, not a calendar week: a budget that resets on Monday would allow twice
    // the budget across one weekend and would need the member's zone to say when Monday is.
    // Sends stamped after `now` still count: they come from another instance's clock running
    // ahead, and counting them errs towards fewer interruptions.
    let since = now
        .checked_sub(URGENT_BUDGET_WINDOW)
        .unwrap_or(Timestamp::MIN);
    let used = sent_at.iter().filter(|&&t| t > since).count();
    per_week.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_budget_counts_the_last_seven_days_only() {
        let now = ts("2026-03-09T12:00:00Z");
        let sent = [
            ts("2026-03-02T12:00:00Z"), // exactly seven days ago: out of the window
            ts("2026-03-02T12:00:01Z"),
            ts("2026-03-09T11:00:00Z"),
            ts("2026-03-09T12:05:00Z"), // a clock running ahead: counted
        ];
        assert_eq!(urgent_budget_left(&sent, now, 5), 2);
        assert_eq!(urgent_budget_left(&sent, now, 2), 0);
        assert_eq!(urgent_budget_left(&[], now, 3), 3);
    }
}
