//! Service functions: one per use case. Each applies baton-core's rules (validation,
//! visibility, roles), makes one store call that writes in one transaction, and returns core
//! types. Handlers call these; pages call the same ones. They speak the domain (`error::ServiceError`), never HTTP.

pub mod access;
pub mod asks;
pub mod calendars;
pub mod deliveries;
pub mod error;
pub mod hangouts;
pub mod meeting_lifecycle;
pub mod meeting_slots;
pub mod meetings;
pub mod members;
pub mod relays;
pub mod schedules;
pub mod sessions;
pub mod spaces;
pub mod threads;
pub mod unsubscribe;
pub mod urgent;
pub mod webhooks;
