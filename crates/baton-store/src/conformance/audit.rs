//! Conformance: acts on accounts and the audit log. Tokens created and revoked, role changes,
//! deactivations and ownership transfers each leave one entry, written with the act; the
//! transfer is one transaction that leaves exactly one owner.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::audit::AuditAction;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

async fn actions(store: &dyn Store, ws: Id) -> Vec<(AuditAction, Id, Option<Id>)> {
    let page = PageRequest::parse(None, Some(100)).expect("a page");
    store
        .audit_log(ws, page)
        .await
        .expect("audit_log")
        .items
        .into_iter()
        .rev()
        .map(|e| (e.action, e.actor_id, e.subject_id))
        .collect()
}

store_test!(
    acts_on_accounts_are_audited_in_their_own_transaction,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let owner = tenant.owner.id;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let before = actions(&*store, tenant.ws()).await.len();

        let (_, token) = new_token(ada.id, "laptop");
        store
            .create_token(tenant.ws(), token.clone(), None)
            .await
            .expect("create_token");
        store
            .revoke_token(tenant.ws(), ada.id, token.info.id, owner, at(60))
            .await
            .expect("revoke");
        store
            .set_role(tenant.ws(), ada.id, Role::Admin, owner, at(61))
            .await
            .expect("set_role");
        store
            .deactivate_member(tenant.ws(), ada.id, owner, at(62))
            .await
            .expect("deactivate");
        assert_not_found(
            store
                .revoke_token(tenant.ws(), ada.id, token.info.id, owner, at(63))
                .await,
        );

        let log = actions(&*store, tenant.ws()).await;
        assert_eq!(
            log[before..],
            [
                (AuditAction::TokenCreated, ada.id, Some(ada.id)),
                (AuditAction::TokenRevoked, owner, Some(ada.id)),
                (AuditAction::RoleChanged, owner, Some(ada.id)),
                (AuditAction::MemberDeactivated, owner, Some(ada.id)),
            ],
            "a refused revocation leaves no entry"
        );
        let page = PageRequest::parse(None, Some(1)).expect("a page");
        let newest = store.audit_log(tenant.ws(), page).await.expect("audit_log");
        assert_eq!(newest.items[0].action, AuditAction::MemberDeactivated);
        let page = PageRequest::parse(None, Some(100)).expect("a page");
        let role = store
            .audit_log(tenant.ws(), page)
            .await
            .expect("audit_log")
            .items
            .into_iter()
            .find(|e| e.action == AuditAction::RoleChanged)
            .expect("the role change");
        assert_eq!(role.detail.as_deref(), Some("member → admin"));
    }
);

store_test!(
    ownership_moves_whole_to_an_active_member_and_only_from_the_owner,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let owner = tenant.owner.id;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let gus = store
            .create_member(tenant.ws(), new_member("gus@acme.test", Role::Guest), None)
            .await
            .expect("guest");

        for (heir, why) in [(gus.id, "a guest"), (owner, "the owner themself")] {
            assert!(
                matches!(
                    store
                        .transfer_ownership(tenant.ws(), owner, heir, at(60))
                        .await,
                    Err(StoreError::Conflict {
                        constraint: Constraint::OwnershipHeir
                    })
                ),
                "{why}"
            );
        }
        assert_not_found(
            store
                .transfer_ownership(tenant.ws(), owner, Id::random(), at(60))
                .await,
        );
        let new_owner = store
            .transfer_ownership(tenant.ws(), owner, ada.id, at(61))
            .await
            .expect("transfer");
        assert_eq!(new_owner.role, Role::Owner);
        let former = store
            .member(tenant.ws(), owner)
            .await
            .expect("former owner");
        assert_eq!(former.role, Role::Admin);
        assert!(
            matches!(
                store
                    .transfer_ownership(tenant.ws(), owner, ada.id, at(62))
                    .await,
                Err(StoreError::Conflict {
                    constraint: Constraint::OwnershipOwner
                })
            ),
            "the former owner has nothing left to hand over"
        );
        let log = actions(&*store, tenant.ws()).await;
        assert_eq!(
            log.last(),
            Some(&(AuditAction::OwnershipTransferred, owner, Some(ada.id)))
        );
    }
);
