//! Who may do what with relays, batons and handoffs: pure predicates over the member and the
//! object, so the API, the pages and the tests ask the same rule.
//!
//! The guest rule runs through all of them: a guest (an outsider let into some spaces) takes
//! part in the batons handed to them, and nothing else of the team's planning.

use crate::model::{Baton, Handoff, Member};
use crate::role::Role;

/// Whether `member` may plan work: create relays and batons and read relays. Everyone but
/// guests.
pub fn may_plan(member: &Member) -> bool {
    member.role != Role::Guest
}

/// Whether `member` may see `baton`: everyone but guests, who see only the batons they hold.
pub fn may_see(member: &Member, baton: &Baton) -> bool {
    may_plan(member) || baton.holder_id == member.id
}

/// Whether `member` may link threads to `baton` and unlink them: its holder, its creator or an
/// admin.
pub fn may_link(member: &Member, baton: &Baton) -> bool {
    baton.holder_id == member.id || baton.created_by == member.id || member.role.is_admin()
}

/// Whether `member` may mark `baton` done or reopen it: its holder or an admin.
pub fn may_set_status(member: &Member, baton: &Baton) -> bool {
    baton.holder_id == member.id || member.role.is_admin()
}

/// Whether `member` may pass `baton` on: its holder alone, since the note says where *their*
/// work stands.
pub fn may_pass(member: &Member, baton: &Baton) -> bool {
    baton.holder_id == member.id
}

/// A member's part in a handoff, which decides what they may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffPart {
    /// Its receiver: may accept or bounce it.
    Receiver,
    /// Its sender or an admin: may see it, not resolve it.
    Witness,
    /// Anyone else: the handoff is not theirs to know of.
    Stranger,
}

/// `member`'s part in `handoff`.
pub fn handoff_part(member: &Member, handoff: &Handoff) -> HandoffPart {
    if handoff.to_id == member.id {
        HandoffPart::Receiver
    } else if handoff.from_id == member.id || member.role.is_admin() {
        HandoffPart::Witness
    } else {
        HandoffPart::Stranger
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::Id;
    use crate::model::{BatonStatus, HandoffNote, HandoffStatus};

    fn member(role: Role) -> Member {
        Member {
            id: Id::random(),
            workspace_id: Id::random(),
            email: "a@example.com".into(),
            name: "A".into(),
            timezone: "UTC".into(),
            role,
            active: true,
            created_at: Timestamp::UNIX_EPOCH,
            seq: 0,
        }
    }

    fn baton(holder: &Member, creator: &Member) -> Baton {
        Baton {
            id: Id::random(),
            title: "Ship".into(),
            description: String::new(),
            relay_id: None,
            holder_id: holder.id,
            status: BatonStatus::Open,
            created_by: creator.id,
            created_at: Timestamp::UNIX_EPOCH,
            seq: 0,
        }
    }

    fn handoff(from: &Member, to: &Member) -> Handoff {
        Handoff {
            id: Id::random(),
            baton_id: Id::random(),
            from_id: from.id,
            to_id: to.id,
            note: HandoffNote {
                state: "s".into(),
                next_step: "n".into(),
                blockers: "none".into(),
                links: "none".into(),
            },
            created_at: Timestamp::UNIX_EPOCH,
            delivers_at: Timestamp::UNIX_EPOCH,
            status: HandoffStatus::Pending,
            resolved_at: None,
            bounce_reason: None,
        }
    }

    #[test]
    fn a_guest_sees_and_plans_only_what_they_hold() {
        let (guest, other) = (member(Role::Guest), member(Role::Member));
        assert!(!may_plan(&guest));
        assert!(may_plan(&other));
        assert!(may_see(&guest, &baton(&guest, &other)));
        assert!(!may_see(&guest, &baton(&other, &other)));
        assert!(may_see(&other, &baton(&guest, &guest)));
    }

    #[test]
    fn holder_creator_and_admins_link_threads_but_only_holder_and_admins_set_status() {
        let (holder, creator, admin, owner, bystander) = (
            member(Role::Member),
            member(Role::Member),
            member(Role::Admin),
            member(Role::Owner),
            member(Role::Member),
        );
        let b = baton(&holder, &creator);
        for (who, link, status) in [
            (&holder, true, true),
            (&creator, true, false),
            (&admin, true, true),
            (&owner, true, true),
            (&bystander, false, false),
        ] {
            assert_eq!(may_link(who, &b), link, "{:?} link", who.role);
            assert_eq!(may_set_status(who, &b), status, "{:?} status", who.role);
        }
    }

    #[test]
    fn only_the_holder_passes_a_baton_even_before_an_admin() {
        let (holder, admin) = (member(Role::Member), member(Role::Admin));
        let b = baton(&holder, &admin);
        assert!(may_pass(&holder, &b));
        assert!(!may_pass(&admin, &b));
    }

    #[test]
    fn the_receiver_resolves_the_sender_and_admins_watch_others_are_strangers() {
        let (from, to, admin, guest) = (
            member(Role::Member),
            member(Role::Member),
            member(Role::Admin),
            member(Role::Guest),
        );
        let h = handoff(&from, &to);
        assert_eq!(handoff_part(&to, &h), HandoffPart::Receiver);
        assert_eq!(handoff_part(&from, &h), HandoffPart::Witness);
        assert_eq!(handoff_part(&admin, &h), HandoffPart::Witness);
        assert_eq!(handoff_part(&guest, &h), HandoffPart::Stranger);
        let to_admin = handoff(&from, &admin);
        assert_eq!(handoff_part(&admin, &to_admin), HandoffPart::Receiver);
    }
}
