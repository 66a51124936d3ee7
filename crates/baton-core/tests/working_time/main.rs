//! Tests of the working-time model (`baton_core::schedule`), as one test binary.
//!
//! `reference` holds a deliberately naive minute-by-minute implementation of the rule and the
//! checks that compare it with the fast one; `zones` runs them in every zone of the bundled
//! database; `dst` holds the named cases; `properties` the proptests; `validation` the
//! refusals and the stored shape.

mod dst;
mod properties;
mod reference;
mod validation;
mod zones;

use baton_core::schedule::{Schedule, ScheduleSpec};
use jiff::Timestamp;

/// Parses an RFC 3339 instant.
pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A schedule from its JSON form, as the API would receive it.
pub fn schedule(json: serde_json::Value) -> Schedule {
    let spec: ScheduleSpec = serde_json::from_value(json).unwrap();
    Schedule::new(spec).unwrap()
}

/// A small deterministic generator (SplitMix64), so every run checks the same cases and a
/// failure message can name the seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }
}
