//! The rules of the data a write can break, named once.
//!
//! Owns: [`Constraint`], the name a [`crate::StoreError::Conflict`] carries, and the table that
//! turns the unique indexes both schemas declare into it. Does not own: what a caller answers
//! to a conflict (the server's services and error mapping decide that).
//!
//! Some of these rules are indexes the database enforces; the others are checks a backend
//! makes inside its transaction before writing. Callers cannot tell them apart, and need not.

use std::fmt;

/// A rule of the data that refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// A workspace has at most one member with a given email (index `members_email`).
    MembersEmail,
    /// A member appears at most once among a relay's legs (index `relay_legs_member`).
    RelayLegs,
    /// A baton has at most one handoff waiting for its receiver (partial index
    /// `handoffs_pending`); also checked before a handoff or a status change is written.
    HandoffPending,
    /// Any other uniqueness rule: one no caller acts on by name (an id or a token hash
    /// written twice, say).
    Unique,
    /// The first-run setup creates a workspace only while there is none.
    WorkspaceExists,
    /// Ownership passes only to another active, non-guest member of the workspace.
    OwnershipHeir,
    /// Only the current owner hands ownership on.
    OwnershipOwner,
    /// A member or a space has at most a fixed number of live webhooks.
    WebhooksLimit,
    /// A thread is linked to a baton at most once (index `baton_threads_once`).
    BatonThreadsOnce,
    /// A baton links at most a fixed number of threads.
    BatonThreadsLimit,
    /// A baton's status changes only to a status it does not have.
    BatonStatus,
    /// Only the holder of an open baton hands it off.
    BatonHolder,
    /// A handoff is accepted or bounced once: it is no longer pending.
    HandoffResolved,
    /// Only a parked delivery is retried.
    DeliveryNotParked,
    /// A meeting takes a step of its life only from the status that step needs (invited from
    /// a draft, closed from invited, cancelled from a draft or invited).
    MeetingStatus,
}

impl Constraint {
    /// The rule's stable name, as logs and conflict messages show it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MembersEmail => "members_email",
            Self::RelayLegs => "relay_legs",
            Self::HandoffPending => "handoff_pending",
            Self::Unique => "unique",
            Self::WorkspaceExists => "workspace_exists",
            Self::OwnershipHeir => "ownership_heir",
            Self::OwnershipOwner => "ownership_owner",
            Self::WebhooksLimit => "webhooks_limit",
            Self::BatonThreadsOnce => "baton_threads_once",
            Self::BatonThreadsLimit => "baton_threads_limit",
            Self::BatonStatus => "baton_status",
            Self::BatonHolder => "baton_holder",
            Self::HandoffResolved => "handoff_resolved",
            Self::DeliveryNotParked => "delivery_not_parked",
            Self::MeetingStatus => "meeting_status",
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unique index whose refusal a caller acts on, as each database reports it.
pub(crate) struct UniqueIndex {
    /// The index's name in both schemas: PostgreSQL reports it.
    pub name: &'static str,
    /// The column SQLite names in its message instead ("UNIQUE constraint failed:
    /// members.workspace_id, members.email").
    pub column: &'static str,
    /// The rule it guards.
    pub constraint: Constraint,
}

/// The unique indexes callers act on; a refusal by any other index is [`Constraint::Unique`].
pub(crate) const UNIQUE_INDEXES: [UniqueIndex; 3] = [
    UniqueIndex {
        name: "members_email",
        column: "members.email",
        constraint: Constraint::MembersEmail,
    },
    UniqueIndex {
        name: "relay_legs_member",
        column: "relay_legs.member_id",
        constraint: Constraint::RelayLegs,
    },
    UniqueIndex {
        name: "handoffs_pending",
        column: "handoffs.baton_id",
        constraint: Constraint::HandoffPending,
    },
];

/// The rule behind the unique index PostgreSQL named.
pub(crate) fn by_index_name(name: Option<&str>) -> Constraint {
    UNIQUE_INDEXES
        .iter()
        .find(|i| Some(i.name) == name)
        .map_or(Constraint::Unique, |i| i.constraint)
}

/// The rule behind SQLite's message for a refused row, which names columns, not indexes.
pub(crate) fn by_sqlite_message(message: &str) -> Constraint {
    UNIQUE_INDEXES
        .iter()
        .find(|i| message.contains(i.column))
        .map_or(Constraint::Unique, |i| i.constraint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_names_the_same_rule_for_the_same_index() {
        for index in &UNIQUE_INDEXES {
            assert_eq!(by_index_name(Some(index.name)), index.constraint);
            let message = format!("UNIQUE constraint failed: {}", index.column);
            assert_eq!(by_sqlite_message(&message), index.constraint);
        }
        assert_eq!(by_index_name(Some("workspaces_id_key")), Constraint::Unique);
        assert_eq!(by_index_name(None), Constraint::Unique);
        assert_eq!(
            by_sqlite_message("UNIQUE constraint failed: workspaces.id"),
            Constraint::Unique
        );
    }
}
