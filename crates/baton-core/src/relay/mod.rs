//! Relays: work that follows the sun, passed from leg to leg with a written handoff.
//!
//! Owns: the rules of a relay as pure functions — how much of a range its legs cover together
//! and where the gaps and handoff windows are ([`coverage`]), whose turn is next
//! ([`next_leg`]), which rotations are valid ([`validate_legs`]), what a handoff note must say
//! ([`validate_note`]), when a handoff reaches its receiver ([`delivers_at`]) and which threads
//! a baton may link to ([`validate_thread_links`], [`thread_ref`]), and who may do what with
//! relays, batons and handoffs ([`may_see`], [`may_link`], [`may_set_status`], [`may_pass`],
//! [`handoff_part`]).
//! Does not own: storing relays, batons and handoffs (see [`crate::model`]), the clock, or
//! sending anything; every function that depends on time takes the instants it needs.

mod coverage;
mod handoff;
mod legs;
mod links;
mod permissions;

pub use coverage::{Coverage, coverage};
pub use handoff::{MAX_NOTE_BYTES, delivers_at, validate_note};
pub use legs::{MAX_LEGS, next_leg, validate_legs};
pub use links::{MAX_LINKED_THREADS, thread_ref, validate_thread_links};
pub use permissions::{
    HandoffPart, handoff_part, may_link, may_pass, may_plan, may_see, may_set_status,
};
