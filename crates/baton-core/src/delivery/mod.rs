//! Delivery: when a held notification may reach a person, and who an urgent one goes to.
//!
//! Owns: the [`NotificationPolicy`] a member sets (delivery windows, email digest, which
//! events notify), [`next_delivery`] (the next window inside working time and outside focus),
//! urgent routing ([`route_urgent`]), the weekly urgent budget ([`urgent_budget_left`]) and the
//! outbox's records with their retry rule ([`outbox`]), and the end-of-day reminder of baton
//! holders ([`end_of_day`]), one-click unsubscribe links ([`unsubscribe`]); outgoing webhooks ([`webhook`]) and where they may point
//! ([`webhook_target`]).
//! Does not own: working time itself (read from [`crate::schedule`]), storage of held
//! notifications, sending, or the clock: every function takes the instants it needs.
//!
//! # The rule
//!
//! Nothing reaches a person outside their working hours or inside a focus block unless it is
//! urgent, and an urgent notification goes to someone who is working. Ordinary notifications
//! are held and released together at delivery windows, so a person is interrupted a few times
//! a day instead of once per event.

pub mod outbox;
mod policy;
mod reminder;
mod schedule_rule;
pub mod unsubscribe;
mod urgent;
pub mod webhook;
pub mod webhook_target;

pub use crate::audit::{AuditAction, AuditEntry};
pub use policy::{EventKinds, MAX_WINDOWS, NotificationPolicy, START_WINDOW};
pub use reminder::{DAY_BREAK, DEFAULT_LEAD, EndOfDay, MAX_LEAD, MIN_LEAD, end_of_day};
pub use schedule_rule::{SEARCH_DAYS, next_delivery};
pub use urgent::{
    URGENT_BUDGET_WINDOW, UrgentBudget, UrgentLeg, UrgentOutcome, UrgentRoute, UrgentSend,
    plan_urgent, route_urgent, urgent_budget_left,
};
