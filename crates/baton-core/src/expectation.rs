//! Expectations: what a thread or post asks of its readers, stated up front.
//!
//! `fyi` asks nothing; `reply` asks the listed members to answer within N minutes of *their
//! own* working time; `urgent` interrupts. Validation lives here so the API and pages agree.

use serde::{Deserialize, Serialize};

use crate::{CoreError, CoreResult, Id};

/// The longest reply window: one year of working minutes is far beyond any sensible ask.
pub const MAX_WITHIN_MINUTES: u32 = 365 * 24 * 60;
/// The most members one post may ask at once.
pub const MAX_ASKED: usize = 1000;

/// What kind of response a post expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectationKind {
    /// For information; no response expected.
    Fyi,
    /// A reply is expected from each listed member within their own working time.
    Reply,
    /// Needs someone now.
    Urgent,
}

/// A validated expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// The kind of response expected.
    pub kind: ExpectationKind,
    /// For `reply`: minutes of each recipient's working time they have to answer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub within_minutes: Option<u32>,
    /// For `reply` (and optionally `urgent`): whom the post asks, without duplicates.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub of: Vec<Id>,
}

impl Expectation {
    /// The expectation of a post that states none.
    pub fn fyi() -> Self {
        Self {
            kind: ExpectationKind::Fyi,
            within_minutes: None,
            of: Vec::new(),
        }
    }

    /// Checks the combination of fields and removes duplicate recipients (keeping order).
    pub fn validate(
        kind: ExpectationKind,
        within_minutes: Option<u32>,
        of: Vec<Id>,
    ) -> CoreResult<Self> {
        let mut seen = std::collections::HashSet::new();
        let of: Vec<Id> = of.into_iter().filter(|id| seen.insert(*id)).collect();
        if of.len() > MAX_ASKED {
            return Err(CoreError::invalid(
                "expectation.of",
                format!("a post can ask at most {MAX_ASKED} members"),
            ));
        }
        match kind {
            ExpectationKind::Reply => {
                let minutes = within_minutes.ok_or_else(|| {
                    CoreError::invalid(
                        "expectation.within_minutes",
                        "a reply expectation needs within_minutes (working minutes to answer)",
                    )
                })?;
                if minutes == 0 || minutes > MAX_WITHIN_MINUTES {
                    return Err(CoreError::invalid(
                        "expectation.within_minutes",
                        format!("within_minutes must be between 1 and {MAX_WITHIN_MINUTES}"),
                    ));
                }
                if of.is_empty() {
                    return Err(CoreError::invalid(
                        "expectation.of",
                        "a reply expectation needs at least one member in 'of'",
                    ));
                }
            }
            ExpectationKind::Fyi | ExpectationKind::Urgent => {
                if within_minutes.is_some() {
                    return Err(CoreError::invalid(
                        "expectation.within_minutes",
                        "within_minutes only goes with kind 'reply'",
                    ));
                }
                if kind == ExpectationKind::Fyi && !of.is_empty() {
                    return Err(CoreError::invalid(
                        "expectation.of",
                        "an fyi post asks nobody; leave 'of' out",
                    ));
                }
            }
        }
        Ok(Self {
            kind,
            within_minutes,
            of,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_needs_minutes_and_recipients() {
        let a = Id::random();
        assert!(
            Expectation::validate(ExpectationKind::Reply, Some(240), vec![a, a])
                .unwrap()
                .of
                == vec![a]
        );
        assert_eq!(
            Expectation::validate(ExpectationKind::Reply, None, vec![a])
                .unwrap_err()
                .field,
            "expectation.within_minutes"
        );
        assert_eq!(
            Expectation::validate(ExpectationKind::Reply, Some(0), vec![a])
                .unwrap_err()
                .field,
            "expectation.within_minutes"
        );
        assert_eq!(
            Expectation::validate(ExpectationKind::Reply, Some(60), vec![])
                .unwrap_err()
                .field,
            "expectation.of"
        );
    }

    #[test]
    fn fyi_and_urgent_refuse_minutes() {
        assert!(Expectation::validate(ExpectationKind::Fyi, Some(5), vec![]).is_err());
        assert!(Expectation::validate(ExpectationKind::Urgent, Some(5), vec![]).is_err());
        assert!(Expectation::validate(ExpectationKind::Urgent, None, vec![Id::random()]).is_ok());
        assert!(Expectation::validate(ExpectationKind::Fyi, None, vec![Id::random()]).is_err());
    }
}
