//! Meetings as the exception: the pure rules behind them.
//!
//! Owns: the rules meetings are planned with, each in its own module. Does not own: storage,
//! the clock (every function takes the instants it needs) or HTTP.

pub mod slots;
