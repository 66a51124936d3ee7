//! Workspace roles and what each may administer.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A member's role in their workspace. Owners and admins manage members and spaces; guests see
/// only the spaces they were explicitly added to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Created the workspace; cannot be demoted by admins.
    Owner,
    /// Manages members, tokens and spaces.
    Admin,
    /// An ordinary member: sees public spaces and the private ones they belong to.
    Member,
    /// Someone from outside the team: sees only the spaces they were added to.
    Guest,
}

impl Role {
    /// The role's spelling in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Guest => "guest",
        }
    }

    /// Parses a stored or client-supplied role.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        match text {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "guest" => Ok(Role::Guest),
            other => Err(CoreError::invalid(
                "role",
                format!("'{other}' is not a role; use admin, member or guest"),
            )),
        }
    }

    /// Whether this role may create members and manage spaces.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether `self` may act on the account of a member whose role is `target`: change their
    /// role, deactivate them, change their schedule or notification policy, revoke their
    /// tokens. Owners act on everyone else; admins on members and guests only, so an admin can
    /// never act against another admin or the owner. Acting on oneself is decided elsewhere.
    pub fn may_administer(self, target: Role) -> bool {
        match self {
            Role::Owner => target != Role::Owner,
            Role::Admin => matches!(target, Role::Member | Role::Guest),
            Role::Member | Role::Guest => false,
        }
    }

    /// Whether `self` may hand out `role` to a new or existing member. Nobody grants ownership
    /// through the API; only owners make admins.
    pub fn may_grant(self, role: Role) -> bool {
        match role {
            Role::Owner => false,
            Role::Admin => self == Role::Owner,
            Role::Member | Role::Guest => self.is_admin(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Guest];

    #[test]
    fn only_a_higher_role_administers_another_account() {
        let allowed: Vec<(Role, Role)> = ALL
            .iter()
            .flat_map(|&a| ALL.iter().map(move |&t| (a, t)))
            .filter(|&(a, t)| a.may_administer(t))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Role::Owner, Role::Admin),
                (Role::Owner, Role::Member),
                (Role::Owner, Role::Guest),
                (Role::Admin, Role::Member),
                (Role::Admin, Role::Guest),
            ]
        );
    }

    #[test]
    fn whoever_grants_a_role_also_administers_its_holders() {
        for actor in ALL {
            for role in ALL {
                if actor.may_grant(role) {
                    assert!(actor.may_administer(role), "{actor:?} grants {role:?}");
                }
            }
        }
    }
}
