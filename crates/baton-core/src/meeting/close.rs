//! Closing a held meeting: its notes, the decisions taken and the actions, each owned by a
//! participant and due within that owner's working minutes, and the Markdown post that carries
//! them to the meeting's thread.
//!
//! Owns: the limits of what a close records, [`check`] (naming the request field at fault) and
//! [`post_body`]. Does not own: when an action is due (the server counts it through each
//! owner's schedule) or who may close (the organizer; the server checks that).

use std::fmt::Write;

use crate::expectation::MAX_WITHIN_MINUTES;
use crate::validate::{MAX_BODY_BYTES, MAX_TITLE_CHARS, line};
use crate::{CoreError, CoreResult, Id};

use super::plan::MAX_ITEMS;

/// One action item: who does what, within how many of their own working minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The participant who owns it.
    pub owner_id: Id,
    /// What they do.
    pub what: String,
    /// Within this many of the owner's working minutes from the close.
    pub within_minutes: u32,
}

/// What a close records, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    /// What was said, Markdown.
    pub notes: String,
    /// The decisions taken, one line each.
    pub decisions: Vec<String>,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// Checks and trims what a close records for a meeting of `participants`.
///
/// # Errors
/// A [`CoreError`] naming `notes` (empty or longer than a post), `decisions` (more than 50),
/// `decisions.text`, `actions` (more than 50), `actions.owner_id` (not a participant),
/// `actions.what` or `actions.within_minutes` (1 to a year).
pub fn check(minutes: Minutes, participants: &[Id]) -> CoreResult<Minutes> {
    let notes = minutes.notes.trim().to_owned();
    if notes.is_empty() {
        return Err(CoreError::invalid("notes", "the notes cannot be empty"));
    }
    // The post adds headings and lists around the notes; a quarter of a post is left for them.
    if notes.len() > MAX_BODY_BYTES / 4 * 3 {
        return Err(CoreError::invalid(
            "notes",
            format!(
                "the notes are at most {} KiB",
                MAX_BODY_BYTES / 4 * 3 / 1024
            ),
        ));
    }
    if minutes.decisions.len() > MAX_ITEMS {
        return Err(CoreError::invalid(
            "decisions",
            format!("at most {MAX_ITEMS} decisions"),
        ));
    }
    if minutes.actions.len() > MAX_ITEMS {
        return Err(CoreError::invalid(
            "actions",
            format!("at most {MAX_ITEMS} actions"),
        ));
    }
    let decisions = minutes
        .decisions
        .iter()
        .map(|d| line("decisions", "a decision", d, MAX_TITLE_CHARS))
        .collect::<CoreResult<_>>()?;
    let actions = minutes
        .actions
        .into_iter()
        .enumerate()
        .map(|(n, a)| {
            if !participants.contains(&a.owner_id) {
                return Err(CoreError::invalid(
                    "actions.owner_id",
                    format!("action {}: its owner is not a participant", n + 1),
                ));
            }
            if !(1..=MAX_WITHIN_MINUTES).contains(&a.within_minutes) {
                return Err(CoreError::invalid(
                    "actions.within_minutes",
                    format!(
                        "action {}: within 1 to {MAX_WITHIN_MINUTES} working minutes",
                        n + 1
                    ),
                ));
            }
            Ok(Action {
                what: line("actions.what", "an action", &a.what, MAX_TITLE_CHARS)?,
                ..a
            })
        })
        .collect::<CoreResult<_>>()?;
    Ok(Minutes {
        notes,
        decisions,
        actions,
    })
}

/// Each action owner once, with the fewest working minutes among their actions: one ask per
/// owner, due at their earliest action.
pub fn owners(actions: &[Action]) -> Vec<(Id, u32)> {
    let mut owners: Vec<(Id, u32)> = Vec::new();
    for a in actions {
        match owners.iter_mut().find(|(id, _)| *id == a.owner_id) {
            Some((_, minutes)) => *minutes = (*minutes).min(a.within_minutes),
            None => owners.push((a.owner_id, a.within_minutes)),
        }
    }
    owners
}

/// The Markdown of the closing post: the notes, the decisions and the actions with their
/// owners (named by `name`).
pub fn post_body(title: &str, minutes: &Minutes, name: impl Fn(Id) -> String) -> String {
    let mut out = format!("**Notes of “{title}”**\n\n{}\n", minutes.notes);
    if !minutes.decisions.is_empty() {
        out.push_str("\n**Decisions**\n\n");
        for d in &minutes.decisions {
            let _ = writeln!(out, "- {d}");
        }
    }
    if !minutes.actions.is_empty() {
        out.push_str("\n**Actions**\n\n");
        for a in &minutes.actions {
            let _ = writeln!(
                out,
                "- {} — {} (within {} working minutes)",
                a.what,
                name(a.owner_id),
                a.within_minutes
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(owner: Id, minutes: u32) -> Action {
        Action {
            owner_id: owner,
            what: " Sign the contract ".into(),
            within_minutes: minutes,
        }
    }

    #[test]
    fn a_close_is_checked_and_written_with_its_owners() {
        let (a, b) = (Id::random(), Id::random());
        let given = Minutes {
            notes: " We went with Hostco. ".into(),
            decisions: vec![" Hostco it is ".into()],
            actions: vec![action(a, 480), action(b, 60), action(a, 120)],
        };
        let checked = check(given.clone(), &[a, b]).unwrap();
        assert_eq!(checked.notes, "We went with Hostco.");
        assert_eq!(checked.decisions, vec!["Hostco it is".to_owned()]);
        assert_eq!(checked.actions[0].what, "Sign the contract");
        assert_eq!(owners(&checked.actions), vec![(a, 120), (b, 60)]);
        let body = post_body("Vendor", &checked, |id| {
            if id == a { "Ann".into() } else { "Bo".into() }
        });
        assert!(body.contains("We went with Hostco."), "{body}");
        assert!(body.contains("- Hostco it is"), "{body}");
        assert!(
            body.contains("- Sign the contract — Bo (within 60 working minutes)"),
            "{body}"
        );

        let field = |m: Minutes| check(m, &[a, b]).unwrap_err().field;
        assert_eq!(
            field(Minutes {
                notes: " ".into(),
                ..given.clone()
            }),
            "notes"
        );
        assert_eq!(
            field(Minutes {
                decisions: vec![String::new()],
                ..given.clone()
            }),
            "decisions"
        );
        assert_eq!(
            field(Minutes {
                actions: vec![action(Id::random(), 5)],
                ..given.clone()
            }),
            "actions.owner_id"
        );
        assert_eq!(
            field(Minutes {
                actions: vec![action(a, 0)],
                ..given.clone()
            }),
            "actions.within_minutes"
        );
        assert_eq!(
            field(Minutes {
                actions: vec![Action {
                    what: "\n".into(),
                    ..action(a, 5)
                }],
                ..given
            }),
            "actions.what"
        );
    }
}
