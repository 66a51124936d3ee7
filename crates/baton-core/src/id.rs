//! Public identifiers: random, non-sequential, 122 bits of entropy (UUID v4).
//!
//! Random ids keep objects unguessable and make "does id N+1 exist?" probing useless; they are
//! also safe to generate on any instance without coordination.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::CoreError;

/// The id of any Baton object (workspace, member, space, thread, post, token, ask).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(Uuid);

impl Id {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id's 128 bits, for orderings that must be deterministic yet not by creation (the
    /// hangout pairing shuffles members by them).
    pub fn bits(self) -> u128 {
        self.0.as_u128()
    }

    /// Parses an id supplied by a client, naming `field` in the error.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, CoreError> {
        text.parse().map_err(|_| {
            CoreError::invalid(field, format!("'{}' is not a valid id", shorten(text)))
        })
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A text that is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidId;

impl FromStr for Id {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Only the 36-character hyphenated form: one spelling per id keeps idempotency
        // fingerprints, logs and URLs unambiguous.
        if s.len() != 36 {
            return Err(InvalidId);
        }
        Uuid::parse_str(s).map(Self).map_err(|_| InvalidId)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = Id::random();
        assert_eq!(id.to_string().parse::<Id>().unwrap(), id);
    }

    #[test]
    fn malformed_ids_are_refused_with_the_field_named() {
        for bad in [
            "",
            "1",
            "not-an-id",
            "0000000000000000000000000000000000000000000",
        ] {
            let err = Id::parse("space_id", bad).unwrap_err();
            assert_eq!(err.field, "space_id");
        }
    }

    #[test]
    fn a_thousand_ids_are_distinct_and_not_sequential() {
        let ids: Vec<Id> = (0..1000).map(|_| Id::random()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 1000);
        assert_ne!(
            ids, sorted,
            "random ids must not come out in creation order"
        );
    }
}
