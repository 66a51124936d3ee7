//! The rotation: which members run a relay, in which order, and whose turn comes next.
//!
//! Owns: [`validate_legs`] and [`next_leg`].

use std::collections::HashMap;

use crate::{CoreError, CoreResult, Id};

/// Most legs one relay may have: enough for any follow-the-sun rotation, small enough to show
/// on one screen.
pub const MAX_LEGS: usize = 50;

/// Checks a relay's legs: 1 to [`MAX_LEGS`] members, each at most once.
///
/// # Errors
///
/// `legs` when the list is empty, too long, or names a member twice (the message gives both
/// positions, counting from 0 as the list is sent).
pub fn validate_legs(legs: &[Id]) -> CoreResult<()> {
    if legs.is_empty() {
        return Err(CoreError::invalid(
            "legs",
            "a relay needs at least one leg; add the members who carry the work",
        ));
    }
    if legs.len() > MAX_LEGS {
        return Err(CoreError::invalid(
            "legs",
            format!(
                "a relay can have at most {MAX_LEGS} legs; this one has {}",
                legs.len()
            ),
        ));
    }
    let mut first_seen = HashMap::with_capacity(legs.len());
    for (i, leg) in legs.iter().enumerate() {
        if let Some(j) = first_seen.insert(*leg, i) {
            return Err(CoreError::invalid(
                "legs",
                format!(
                    "leg {i} repeats the member of leg {j}; a member can run only one leg, \
                     so remove one of them"
                ),
            ));
        }
    }
    Ok(())
}

/// Whose turn comes after `holder`: the leg after theirs, wrapping from the last leg to the
/// first. When `holder` runs no leg (they picked the baton up from outside the relay), the
/// first leg. `None` when there are no legs or the only leg is the holder's, since passing to
/// oneself is no handoff.
pub fn next_leg(legs: &[Id], holder: Id) -> Option<Id> {
    match legs.iter().position(|&leg| leg == holder) {
        Some(i) => legs
            .get((i + 1) % legs.len())
            .copied()
            .filter(|&next| next != holder),
        None => legs.first().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Id> {
        (0..n).map(|_| Id::random()).collect()
    }

    #[test]
    fn next_leg_follows_the_order_and_wraps() {
        let legs = ids(3);
        assert_eq!(next_leg(&legs, legs[0]), Some(legs[1]));
        assert_eq!(next_leg(&legs, legs[1]), Some(legs[2]));
        assert_eq!(next_leg(&legs, legs[2]), Some(legs[0]));
    }

    #[test]
    fn an_outsider_hands_to_the_first_leg() {
        let legs = ids(2);
        assert_eq!(next_leg(&legs, Id::random()), Some(legs[0]));
    }

    #[test]
    fn no_next_leg_without_someone_else() {
        let only = Id::random();
        assert_eq!(next_leg(&[], only), None);
        assert_eq!(next_leg(&[only], only), None);
        let other = Id::random();
        assert_eq!(next_leg(&[only], other), Some(only));
    }

    #[test]
    fn legs_must_be_one_to_fifty() {
        assert_eq!(validate_legs(&[]).unwrap_err().field, "legs");
        assert!(validate_legs(&ids(1)).is_ok());
        assert!(validate_legs(&ids(MAX_LEGS)).is_ok());
        let error = validate_legs(&ids(MAX_LEGS + 1)).unwrap_err();
        assert_eq!(error.field, "legs");
        assert!(error.message.contains("at most 50"), "{}", error.message);
    }

    #[test]
    fn a_repeated_member_is_named_by_position() {
        let mut legs = ids(4);
        legs[3] = legs[1];
        let error = validate_legs(&legs).unwrap_err();
        assert_eq!(error.field, "legs");
        assert!(
            error
                .message
                .starts_with("leg 3 repeats the member of leg 1"),
            "{}",
            error.message
        );
    }
}
