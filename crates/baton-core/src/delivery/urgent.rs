//! Urgent notifications: who is told now, how many urgent sends a person may make, and the
//! audit record each urgent send leaves.
//!
//! Owns: [`route_urgent`] and [`plan_urgent`] (one route per recipient), the workspace's
//! weekly budget ([`UrgentBudget`], counted by [`urgent_budget_left`]), what the write that
//! spends it carries ([`UrgentSend`]) and answers ([`UrgentOutcome`]); each send's audit
//! record is a [`crate::audit::AuditEntry`]. Does not own: deciding that something is urgent, or which
//! colleagues may cover for a recipient (the caller passes them, in order of preference).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::schedule::{Schedule, is_working, next_working_start};
use crate::{CoreError, CoreResult, Id};

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

/// A workspace's urgent budget: how many urgent sends each member may make per rolling
/// [`URGENT_BUDGET_WINDOW`]. A workspace setting admins change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentBudget(u32);

impl UrgentBudget {
    /// The budget of a workspace whose admins never set one: three a week, enough for real
    /// emergencies, few enough that "urgent" keeps its meaning.
    pub const DEFAULT: Self = Self(3);
    /// The largest budget: beyond a few a day, urgent is how people talk, not an exception.
    pub const MAX: u32 = 50;

    /// Checks a budget an admin asked for: a whole number from 0 (urgent sends are always
    /// delivered as ordinary) to [`Self::MAX`].
    ///
    /// # Errors
    /// `urgent_budget` when it is out of that range.
    pub fn new(per_week: i64) -> CoreResult<Self> {
        u32::try_from(per_week)
            .ok()
            .filter(|n| *n <= Self::MAX)
            .map(Self)
            .ok_or_else(|| {
                CoreError::invalid(
                    "urgent_budget",
                    format!(
                        "The urgent budget is a whole number of sends per member and week, from 0 to {}.",
                        Self::MAX
                    ),
                )
            })
    }

    /// Sends per member per rolling seven days.
    pub fn per_week(self) -> u32 {
        self.0
    }
}

impl Default for UrgentBudget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One recipient's urgent route as planned when the post is written, and as the audit log
/// records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentLeg {
    /// Whom the post is for.
    pub recipient_id: Id,
    /// The working colleague told now because the recipient is not working; `None` when the
    /// recipient is working (they are told now) or nobody is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_by: Option<Id>,
    /// When the recipient is told: the post's instant when they are working, else the start
    /// of their next working period.
    pub recipient_at: Timestamp,
}

impl UrgentLeg {
    /// Whether the recipient is told at once (they are working).
    pub fn now(&self, at: Timestamp) -> bool {
        self.recipient_at <= at
    }
}

/// Routes an urgent post for each of `recipients` at `now` (see [`route_urgent`]). A
/// recipient is never their own cover; `others` are tried in the order given. A recipient
/// with no working time ahead is told now: there is no later to promise, and an urgent post
/// must reach them some time.
pub fn plan_urgent(
    recipients: &[(Id, &Schedule)],
    others: &[(Id, &Schedule)],
    now: Timestamp,
) -> Vec<UrgentLeg> {
    recipients
        .iter()
        .map(|&(id, schedule)| {
            let covers: Vec<(Id, &Schedule)> =
                others.iter().copied().filter(|(o, _)| *o != id).collect();
            match route_urgent((id, schedule), &covers, now) {
                Some(route) => UrgentLeg {
                    recipient_id: id,
                    covered_by: route.now_to.first().copied().filter(|first| *first != id),
                    recipient_at: route.recipient_at,
                },
                None => UrgentLeg {
                    recipient_id: id,
                    covered_by: None,
                    recipient_at: now,
                },
            }
        })
        .collect()
}

/// What an urgent post carries into its write: the budget to check and the routes to use if
/// the send is granted. The write decides, in its own transaction, whether it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentSend {
    /// The workspace's budget when the post was planned.
    pub budget: UrgentBudget,
    /// One route per recipient (see [`plan_urgent`]).
    pub legs: Vec<UrgentLeg>,
}

/// What the write decided about an urgent post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentOutcome {
    /// Whether it went out as urgent; `false` when the sender's budget was used up, so it was
    /// delivered as an ordinary notification, held for each recipient's delivery window.
    pub granted: bool,
    /// Urgent sends the sender has left in the rolling week after this one.
    pub left: u32,
    /// The budget it was counted against.
    pub budget: u32,
}

impl UrgentOutcome {
    /// Decides a send at `now` by a sender whose earlier urgent sends were at `sent_at`.
    pub fn decide(sent_at: &[Timestamp], now: Timestamp, budget: UrgentBudget) -> Self {
        let left = urgent_budget_left(sent_at, now, budget.per_week());
        Self {
            granted: left > 0,
            left: left.saturating_sub(1),
            budget: budget.per_week(),
        }
    }

    /// The sentence the sender reads about it.
    pub fn detail(&self) -> String {
        match (self.granted, self.left) {
            (true, 1) => "Sent as urgent. You have 1 urgent interrupt left this week.".to_owned(),
            (true, left) => {
                format!("Sent as urgent. You have {left} urgent interrupts left this week.")
            }
            (false, _) => format!(
                "You have used your {} urgent interrupts this week; this was sent as an ordinary \
                 notification, held for each recipient's delivery window.",
                self.budget
            ),
        }
    }
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

    #[test]
    fn the_budget_accepts_zero_to_fifty_only() {
        assert_eq!(UrgentBudget::new(0).unwrap().per_week(), 0);
        assert_eq!(UrgentBudget::new(50).unwrap().per_week(), 50);
        assert_eq!(UrgentBudget::new(-1).unwrap_err().field, "urgent_budget");
        assert!(UrgentBudget::new(51).is_err());
        assert!(UrgentBudget::new(i64::MAX).is_err());
    }

    #[test]
    fn the_fourth_send_in_a_week_is_refused_with_a_sentence() {
        let now = ts("2026-03-09T12:00:00Z");
        let sent = [ts("2026-03-08T12:00:00Z"); 2];
        let third = UrgentOutcome::decide(&sent, now, UrgentBudget::DEFAULT);
        assert!(third.granted);
        assert_eq!(third.left, 0);
        let fourth = UrgentOutcome::decide(&[sent[0]; 3], now, UrgentBudget::DEFAULT);
        assert!(!fourth.granted);
        assert!(
            fourth
                .detail()
                .starts_with("You have used your 3 urgent interrupts")
        );
        let none = UrgentOutcome::decide(&[], now, UrgentBudget::new(0).unwrap());
        assert!(!none.granted);
    }
}
