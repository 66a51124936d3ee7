//! The workspace's audit log: acts admins must be able to review afterwards, each written in
//! the same transaction as the act itself.
//!
//! Owns: what an entry records ([`AuditEntry`]) and the actions it can name ([`AuditAction`]).
//! Does not own: who may read the log (admins, decided by the server) or how it is stored.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Id;
use crate::delivery::UrgentLeg;
use crate::model::{Member, Post};
use crate::role::Role;

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// An urgent post went out as urgent.
    #[serde(rename = "urgent.sent")]
    UrgentSent,
    /// An urgent post found its sender's budget used up and went out as ordinary.
    #[serde(rename = "urgent.over_budget")]
    UrgentOverBudget,
    /// A member created an API token of their own.
    #[serde(rename = "token.created")]
    TokenCreated,
    /// An API token was revoked, by its member or an admin.
    #[serde(rename = "token.revoked")]
    TokenRevoked,
    /// A member's role was changed.
    #[serde(rename = "member.role_changed")]
    RoleChanged,
    /// A member was deactivated.
    #[serde(rename = "member.deactivated")]
    MemberDeactivated,
    /// The owner handed the workspace's ownership to another member.
    #[serde(rename = "workspace.ownership_transferred")]
    OwnershipTransferred,
}

impl AuditAction {
    /// Every action, for tables and checks that must name them all.
    pub const ALL: [Self; 7] = [
        Self::UrgentSent,
        Self::UrgentOverBudget,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::RoleChanged,
        Self::MemberDeactivated,
        Self::OwnershipTransferred,
    ];

    /// The stored and listed spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UrgentSent => "urgent.sent",
            Self::UrgentOverBudget => "urgent.over_budget",
            Self::TokenCreated => "token.created",
            Self::TokenRevoked => "token.revoked",
            Self::RoleChanged => "member.role_changed",
            Self::MemberDeactivated => "member.deactivated",
            Self::OwnershipTransferred => "workspace.ownership_transferred",
        }
    }

    /// Reads the stored spelling back; `None` for an action this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One row of a workspace's audit log: who did what that admins must be able to review,
/// written in the same transaction as the act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Public id.
    pub id: Id,
    /// Who acted.
    pub actor_id: Id,
    /// What they did.
    pub action: AuditAction,
    /// The thread it concerns.
    pub thread_id: Option<Id>,
    /// The post it concerns.
    pub post_id: Option<Id>,
    /// For urgent sends: each recipient and where their notification went.
    pub legs: Vec<UrgentLeg>,
    /// The member the act concerns (whose token, whose role, who was deactivated, the new
    /// owner).
    pub subject_id: Option<Id>,
    /// The token it concerns.
    pub token_id: Option<Id>,
    /// A short fact about the act, e.g. `member → admin` for a role change.
    pub detail: Option<String>,
    /// When.
    pub at: Timestamp,
    /// Order of writing (backs the cursor).
    pub seq: i64,
}

impl AuditEntry {
    /// The entry of an urgent post: sent as urgent or over its sender's budget, with the
    /// route each recipient's notification takes.
    pub fn of_urgent_post(post: &Post, action: AuditAction, legs: Vec<UrgentLeg>) -> Self {
        Self {
            id: Id::random(),
            actor_id: post.author_id,
            action,
            thread_id: Some(post.thread_id),
            post_id: Some(post.id),
            legs,
            subject_id: None,
            token_id: None,
            detail: None,
            at: post.created_at,
            seq: 0,
        }
    }

    /// An entry about a member (and maybe one of their tokens), not about a post.
    pub fn about_member(actor_id: Id, action: AuditAction, subject_id: Id, at: Timestamp) -> Self {
        Self {
            id: Id::random(),
            actor_id,
            action,
            thread_id: None,
            post_id: None,
            legs: Vec::new(),
            subject_id: Some(subject_id),
            token_id: None,
            detail: None,
            at,
            seq: 0,
        }
    }
}

/// Whether `heir` may take over the workspace from its owner `owner`: an active member or
/// admin other than the owner, never a guest.
pub fn may_inherit_ownership(heir: &Member, owner: Id) -> bool {
    heir.active && heir.role != Role::Guest && heir.id != owner
}

/// The `detail` of a role change: the roles before and after, e.g. `member → admin`.
pub fn role_change(from: Role, to: Role) -> String {
    format!("{} → {}", from.as_str(), to.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_spelling() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("token.minted"), None);
    }
}
