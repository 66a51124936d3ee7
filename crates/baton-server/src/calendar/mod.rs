//! Calendars in iCalendar (RFC 5545): what Baton writes (a member's feed, a meeting's
//! invitation) and what it reads (a member's external calendars, as busy times), and the loop
//! that keeps fetched calendars fresh.
//!
//! Owns: the text in both directions ([`write`], [`read`]) and the refresh loop ([`refresh`]).
//! Does not own: who may do what (`services::calendars`), storage (the store's
//! `CalendarStore`) or the guarded HTTP client (`delivery::webhook_client`, shared with
//! webhooks so that a calendar URL can reach no more than a webhook can).

pub mod read;
pub mod refresh;
pub mod write;

#[cfg(test)]
mod tests;
