//! The one rule that decides who may see a space, and so everything in it.
//!
//! Every read path (API, pages, lists, digests, webhooks, the live inbox stream) loads the
//! facts in [`SpaceAccess`] and asks [`can_see_space`]. Keeping the rule in one pure function
//! means a change of policy is one edit, tested once.

use serde::{Deserialize, Serialize};

use crate::role::Role;

/// Whether a space is open to the whole workspace or only to its listed members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Every member (not guests) may read it.
    Public,
    /// Only listed members may read it; everyone else is told it does not exist.
    Private,
}

impl Visibility {
    /// The spelling in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }

    /// Parses a stored or client-supplied visibility.
    pub fn parse(text: &str) -> Result<Self, crate::CoreError> {
        match text {
            "public" => Ok(Visibility::Public),
            "private" => Ok(Visibility::Private),
            other => Err(crate::CoreError::invalid(
                "visibility",
                format!("'{other}' is not a visibility; use public or private"),
            )),
        }
    }
}

/// The facts the visibility rule needs about one viewer and one space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceAccess {
    /// The viewer's role in the space's workspace.
    pub viewer_role: Role,
    /// Whether the viewer's account is active.
    pub viewer_active: bool,
    /// The space's visibility.
    pub visibility: Visibility,
    /// Whether the viewer is a listed member of the space.
    pub viewer_is_member: bool,
}

/// Whether the viewer may see the space. Admins get no special read rights to private spaces:
/// administering a workspace is not a licence to read private conversations.
pub fn can_see_space(access: SpaceAccess) -> bool {
    if !access.viewer_active {
        return false;
    }
    match (access.visibility, access.viewer_role) {
        (_, _) if access.viewer_is_member => true,
        (Visibility::Public, Role::Guest) => false,
        (Visibility::Public, _) => true,
        (Visibility::Private, _) => false,
    }
}

/// Whether the viewer may post and start threads in a space they can see. Same rule as
/// reading today; a separate function so read-only spaces can arrive without touching reads.
pub fn can_post_in_space(access: SpaceAccess) -> bool {
    can_see_space(access)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: Role, visibility: Visibility, member: bool) -> SpaceAccess {
        SpaceAccess {
            viewer_role: role,
            viewer_active: true,
            visibility,
            viewer_is_member: member,
        }
    }

    #[test]
    fn the_visibility_table_holds() {
        use Role::*;
        use Visibility::*;
        let cases = [
            (Owner, Public, false, true),
            (Admin, Public, false, true),
            (Member, Public, false, true),
            (Guest, Public, false, false),
            (Guest, Public, true, true),
            (Owner, Private, false, false),
            (Admin, Private, false, false),
            (Member, Private, false, false),
            (Guest, Private, false, false),
            (Member, Private, true, true),
            (Guest, Private, true, true),
        ];
        for (role, vis, member, expected) in cases {
            assert_eq!(
                can_see_space(access(role, vis, member)),
                expected,
                "{role:?} {vis:?} member={member}"
            );
        }
    }

    #[test]
    fn deactivated_members_see_nothing() {
        let mut a = access(Role::Owner, Visibility::Public, true);
        a.viewer_active = false;
        assert!(!can_see_space(a));
    }
}
