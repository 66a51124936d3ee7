//! What a use case can refuse or fail with, in the domain's words. Services know nothing of
//! HTTP: the handler and page boundary (`crate::error::ApiError`, `crate::web::error`) turns a
//! [`ServiceError`] into a status and a problem+json body, once.

use baton_core::CoreError;
use baton_core::model::Workspace;
use baton_store::StoreError;

/// Why a service did not do what it was asked.
#[derive(Debug)]
pub enum ServiceError {
    /// No such object, or one the caller may not see: answered alike, so an answer reveals
    /// nothing about private objects. `what` names the kind ("thread", "space"…).
    NotFound {
        /// The kind of object.
        what: String,
    },
    /// The caller is known and may see the object, but may not do this to it.
    Forbidden {
        /// What the caller may not do, for a person.
        detail: String,
    },
    /// The request contradicts the current state (a duplicate, a race lost, a closed step).
    Conflict {
        /// What conflicts, for a person.
        detail: String,
    },
    /// A field breaks a rule.
    Invalid {
        /// The request field at fault.
        field: &'static str,
        /// What is wrong and how to fix it, for a person.
        detail: String,
    },
    /// Too many failed attempts: nothing was checked; try again after `retry_after` seconds.
    Throttled {
        /// Why, for a person.
        detail: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The server is too busy for this right now (the password gate is full).
    Busy {
        /// Why, for a person.
        detail: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// An email and password that open more than one workspace: the caller names one.
    Ambiguous {
        /// The workspaces the credentials open.
        workspaces: Vec<Workspace>,
    },
    /// A meeting whose purpose needs a written justification came without a fit one: the
    /// answer offers the asynchronous alternatives first.
    Unjustified {
        /// What is missing or wrong, for a person.
        detail: String,
        /// The space the meeting named, where a thread could be started instead.
        space_id: Option<baton_core::Id>,
    },
    /// Storage refused or failed (conflicts the service did not translate, an unavailable
    /// database, a fault).
    Store(StoreError),
    /// A fault on the server; the cause has been logged.
    Internal,
}

/// Result type of service functions.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// The object of kind `what` does not exist or is not the caller's to see.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound {
            what: what.to_owned(),
        }
    }

    /// The caller may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden {
            detail: detail.into(),
        }
    }

    /// `field` breaks a rule.
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            detail: detail.into(),
        }
    }

    /// The request conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
        }
    }

    /// A fault: the cause goes to the log only, never to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error: {cause}");
        Self::Internal
    }

    /// A lookup's "not found" as a 422 on the request `field` that named the object: the
    /// request is at fault, not the URL. Other errors stay as they are.
    #[must_use]
    pub fn named_by(self, field: &'static str, detail: impl FnOnce() -> String) -> Self {
        if self.is_not_found() {
            Self::invalid(field, detail())
        } else {
            self
        }
    }

    /// Whether this is the answer for a missing (or hidden) object, which lists and links
    /// skip instead of failing.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::NotFound { .. } | Self::Store(StoreError::NotFound)
        )
    }
}

impl From<CoreError> for ServiceError {
    fn from(e: CoreError) -> Self {
        Self::invalid(e.field, e.message)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound { what } => write!(f, "no {what} with this id"),
            Self::Forbidden { detail }
            | Self::Conflict { detail }
            | Self::Invalid { detail, .. }
            | Self::Throttled { detail, .. }
            | Self::Busy { detail, .. }
            | Self::Unjustified { detail, .. } => f.write_str(detail),
            Self::Ambiguous { workspaces } => {
                write!(f, "the credentials open {} workspaces", workspaces.len())
            }
            Self::Store(e) => write!(f, "{e}"),
            Self::Internal => f.write_str("internal error"),
        }
    }
}

impl std::error::Error for ServiceError {}
