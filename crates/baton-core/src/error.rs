//! The one error type of baton-core: a rule was broken by some input, named by field.

/// Why a value was refused. `field` names the input (as the API spells it) so that clients and
/// forms can put the message next to the right control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CoreError {
    /// The input field, e.g. `title` or `expectation.within_minutes`.
    pub field: &'static str,
    /// A sentence for a person, e.g. "a thread needs a title".
    pub message: String,
}

impl CoreError {
    /// Builds an error for `field` with a human message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Result of a rule check.
pub type CoreResult<T> = Result<T, CoreError>;
