//! Baton's pure domain.
//!
//! Owns: the types every other crate speaks (ids, members, spaces, threads, posts), the rules
//! that decide what is valid and who may see what, Markdown rendering, time maths and relays.
//! Does not own: storage, HTTP, the clock or randomness sources beyond id generation. Nothing
//! here performs IO or awaits; every function that depends on time takes `now` as an argument.
#![forbid(unsafe_code)]

pub mod audit;
pub mod calendar;
pub mod delivery;
pub mod error;
pub mod expectation;
pub mod id;
pub mod markdown;
pub mod meeting;
pub mod mention;
pub mod model;
pub mod page;
pub mod relay;
pub mod role;
pub mod schedule;
pub mod throttle;
pub mod token;
pub mod tzdb;
pub mod validate;
pub mod visibility;

pub use error::{CoreError, CoreResult};
pub use id::Id;
