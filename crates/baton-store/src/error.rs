//! The store's small, semantic error type. Each backend maps its driver's errors into it in one
//! place; callers never see driver types.

use crate::Constraint;

/// What can go wrong in storage, as the caller needs to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist in this workspace.
    #[error("not found")]
    NotFound,
    /// A rule of the data was broken; `constraint` names which.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The rule.
        constraint: Constraint,
    },
    /// The idempotency key was used before with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    /// The database cannot be reached or is shutting down.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a corrupt database.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;
