//! The purpose gate: which meetings need no case made for them, and what an unjustified one is
//! answered with instead.
//!
//! Owns: [`Purpose`], the justification rule ([`gate`]) and the [`AsyncAlternative`]s offered
//! first. Does not own: the links to the alternatives (the server knows its URLs).

use serde::{Deserialize, Serialize};

use crate::{CoreError, CoreResult};

/// Why a meeting is held. The six named purposes are what real time is kept for in an
/// async team; anything else (a status update, a brainstorm) is `other` and must be justified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A review of someone's work and growth: personal, best face to face.
    PerformanceReview,
    /// A final decision after the async discussion.
    Decision,
    /// Something that cannot wait for the next window.
    Urgent,
    /// Energy for a launch or a push.
    Hype,
    /// Casual time together.
    Hangout,
    /// Marking a success together.
    Celebration,
    /// Anything else; goes ahead only with a written justification.
    Other,
}

impl Purpose {
    /// Every purpose, as the API spells them.
    pub const ALL: [Purpose; 7] = [
        Purpose::PerformanceReview,
        Purpose::Decision,
        Purpose::Urgent,
        Purpose::Hype,
        Purpose::Hangout,
        Purpose::Celebration,
        Purpose::Other,
    ];

    /// The API and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PerformanceReview => "performance_review",
            Purpose::Decision => "decision",
            Purpose::Urgent => "urgent",
            Purpose::Hype => "hype",
            Purpose::Hangout => "hangout",
            Purpose::Celebration => "celebration",
            Purpose::Other => "other",
        }
    }

    /// Reads a spelling given by [`Purpose::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// Fewest bytes a justification may have, trimmed. Twenty bytes are about four words: enough
/// to say why this cannot be a thread ("we need to agree live"), too many to wave the gate
/// through with "sync" or "x".
pub const MIN_JUSTIFICATION_BYTES: usize = 20;
/// Most bytes a justification may have, trimmed: a paragraph. The gate asks for a reason, not
/// a document, and the text is stored with every such meeting.
pub const MAX_JUSTIFICATION_BYTES: usize = 2000;

/// Why a meeting did not pass the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// An `other` meeting without a fit justification: answered with the asynchronous
    /// alternatives first. The sentence says what is missing or wrong.
    Unjustified(String),
    /// A justification, given for a named purpose that needs none, that breaks the length rule.
    Invalid(CoreError),
}

/// Lets a meeting through the gate, returning the justification to store (trimmed; `None`
/// when none was given). A justification, when given, must be 20 to 2000 bytes once trimmed,
/// whatever the purpose; `other` needs one.
///
/// # Errors
/// [`Refused::Unjustified`] when `other` has no fit justification, [`Refused::Invalid`] when
/// another purpose has an unfit one.
pub fn gate(purpose: Purpose, justification: Option<&str>) -> Result<Option<String>, Refused> {
    match (purpose, checked(justification)) {
        (Purpose::Other, Ok(None)) => Err(Refused::Unjustified(
            "A meeting for any other purpose than a performance review, a decision, something urgent, a hype call, a hangout or a celebration needs a written justification; first consider the async alternatives listed.".to_owned(),
        )),
        (Purpose::Other, Err(e)) => Err(Refused::Unjustified(e.message)),
        (_, checked) => checked.map_err(Refused::Invalid),
    }
}

/// The length rule of a justification, trimmed; blank is none.
fn checked(justification: Option<&str>) -> CoreResult<Option<String>> {
    let Some(text) = justification.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.len() < MIN_JUSTIFICATION_BYTES {
        return Err(CoreError::invalid(
            "justification",
            format!(
                "A justification says why this cannot be done asynchronously, in at least {MIN_JUSTIFICATION_BYTES} bytes."
            ),
        ));
    }
    if text.len() > MAX_JUSTIFICATION_BYTES {
        return Err(CoreError::invalid(
            "justification",
            format!("A justification is at most {MAX_JUSTIFICATION_BYTES} bytes."),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// What to do instead of a meeting, offered before any justification is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsyncAlternative {
    /// A thread whose post asks the participants for a reply by a deadline.
    Thread,
    /// A decision record: the options, the choice and why, for comments.
    DecisionRecord,
    /// A check-in question each participant answers in their own time.
    CheckIn,
}

impl AsyncAlternative {
    /// Every alternative, in the order they are offered.
    pub const ALL: [AsyncAlternative; 3] = [
        AsyncAlternative::Thread,
        AsyncAlternative::DecisionRecord,
        AsyncAlternative::CheckIn,
    ];

    /// The name the API gives it.
    pub fn kind(self) -> &'static str {
        match self {
            AsyncAlternative::Thread => "thread",
            AsyncAlternative::DecisionRecord => "decision_record",
            AsyncAlternative::CheckIn => "check_in",
        }
    }

    /// What it is and when it serves, for a person.
    pub fn sentence(self) -> &'static str {
        match self {
            AsyncAlternative::Thread => {
                "Start a thread and ask the participants for a reply within a few working hours: everyone answers in their own time."
            }
            AsyncAlternative::DecisionRecord => {
                "Write a decision record with the options, your proposal and why, and ask for objections by a deadline."
            }
            AsyncAlternative::CheckIn => {
                "Ask a check-in question that each participant answers in their own working hours."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_purposes_pass_without_a_justification() {
        for purpose in Purpose::ALL {
            assert_eq!(Purpose::parse(purpose.as_str()), Some(purpose));
            if purpose != Purpose::Other {
                assert_eq!(gate(purpose, None), Ok(None));
                assert_eq!(gate(purpose, Some("   ")), Ok(None));
            }
        }
        assert_eq!(Purpose::parse("standup"), None);
    }

    #[test]
    fn other_needs_a_justification_of_twenty_to_two_thousand_bytes() {
        assert!(matches!(
            gate(Purpose::Other, None),
            Err(Refused::Unjustified(_))
        ));
        assert!(gate(Purpose::Other, Some("  \n ")).is_err());
        assert!(matches!(
            gate(Purpose::Other, Some(&"x".repeat(19))),
            Err(Refused::Unjustified(_))
        ));
        // A named purpose needs no reason, but one given follows the same rule.
        assert!(matches!(
            gate(Purpose::Hype, Some("why not")),
            Err(Refused::Invalid(e)) if e.field == "justification"
        ));
        let ok = "x".repeat(20);
        assert_eq!(
            gate(Purpose::Other, Some(&format!("  {ok}  "))),
            Ok(Some(ok))
        );
        assert!(gate(Purpose::Other, Some(&"x".repeat(2000))).is_ok());
        assert!(gate(Purpose::Other, Some(&"x".repeat(2001))).is_err());
        // Bytes, not characters: ten two-byte letters are twenty bytes.
        assert!(gate(Purpose::Other, Some(&"é".repeat(10))).is_ok());
    }
}
