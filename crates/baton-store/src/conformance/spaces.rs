//! Conformance: spaces and their membership. The creator is the first member; membership
//! flags come back with every space so the caller can apply the visibility rule.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

fn member_ids(members: &[Member]) -> Vec<Id> {
    members.iter().map(|m| m.id).collect()
}

store_test!(
    create_space_makes_the_creator_its_first_member,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let new = new_space(tenant.owner.id, "Design", Visibility::Private);

        let created = store
            .create_space(tenant.ws(), new.clone(), None)
            .await
            .expect("create_space");

        assert_eq!(
            Space {
                seq: created.seq,
                ..new
            },
            created,
            "everything but seq is kept as given"
        );
        assert_eq!(
            store
                .space_for(tenant.ws(), created.id, tenant.owner.id)
                .await
                .expect("as creator"),
            (created.clone(), true)
        );
        assert_eq!(
            store
                .space_for(tenant.ws(), created.id, ada.id)
                .await
                .expect("as ada"),
            (created.clone(), false)
        );
        let members = store
            .space_members(tenant.ws(), created.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("space_members");
        assert_eq!(member_ids(&members), vec![tenant.owner.id]);
    }
);

store_test!(
    space_for_an_unknown_space_is_not_found,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        assert_not_found(
            store
                .space_for(tenant.ws(), Id::random(), tenant.owner.id)
                .await,
        );
    }
);

store_test!(
    spaces_for_lists_every_space_oldest_first_with_the_viewers_membership,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let general = space(
            &*store,
            tenant.ws(),
            tenant.owner.id,
            "General",
            Visibility::Public,
        )
        .await;
        let secret = space(&*store, tenant.ws(), ada.id, "Secret", Visibility::Private).await;
        let other = tenant_space_elsewhere(&*store).await;

        let for_owner = store
            .spaces_for(tenant.ws(), tenant.owner.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("owner");
        let for_ada = store
            .spaces_for(tenant.ws(), ada.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("ada");

        assert_eq!(
            for_owner,
            vec![(general.clone(), true), (secret.clone(), false)]
        );
        assert_eq!(for_ada, vec![(general, false), (secret, true)]);
        assert!(
            !for_owner.iter().any(|(s, _)| s.id == other),
            "spaces of another workspace never appear"
        );
    }
);

/// A space in a second workspace, to prove lists stay in their own.
async fn tenant_space_elsewhere(store: &dyn Store) -> Id {
    let globex = tenant(store, "globex").await;
    space(
        store,
        globex.ws(),
        globex.owner.id,
        "Elsewhere",
        Visibility::Public,
    )
    .await
    .id
}

store_test!(
    add_space_member_adds_them_listed_in_workspace_order,
    |store| async move {
        let w = world(&*store, "acme").await;
        let bea = member(&*store, w.ws(), "bea@acme.test").await;

        store
            .add_space_member(w.ws(), w.space.id, w.member.id, at(10))
            .await
            .expect("add member");
        store
            .add_space_member(w.ws(), w.space.id, bea.id, at(20))
            .await
            .expect("add bea");

        let members = store
            .space_members(w.ws(), w.space.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("space_members");
        assert_eq!(
            member_ids(&members),
            vec![w.owner().id, w.member.id, bea.id]
        );
        assert!(
            store
                .space_for(w.ws(), w.space.id, w.member.id)
                .await
                .expect("space_for")
                .1
        );
    }
);

store_test!(add_space_member_is_idempotent, |store| async move {
    let w = world(&*store, "acme").await;

    store
        .add_space_member(w.ws(), w.space.id, w.member.id, at(10))
        .await
        .expect("first add");
    store
        .add_space_member(w.ws(), w.space.id, w.member.id, at(20))
        .await
        .expect("second add is a no-op");
    store
        .add_space_member(w.ws(), w.space.id, w.owner().id, at(30))
        .await
        .expect("the creator again");

    let members = store
        .space_members(w.ws(), w.space.id, PageRequest::first())
        .await
        .map(|p| p.items)
        .expect("space_members");
    assert_eq!(member_ids(&members), vec![w.owner().id, w.member.id]);
});

store_test!(
    add_space_member_of_an_unknown_member_or_space_is_not_found,
    |store| async move {
        let w = world(&*store, "acme").await;

        assert_not_found(
            store
                .add_space_member(w.ws(), w.space.id, Id::random(), at(10))
                .await,
        );
        assert_not_found(
            store
                .add_space_member(w.ws(), Id::random(), w.member.id, at(10))
                .await,
        );

        let members = store
            .space_members(w.ws(), w.space.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("space_members");
        assert_eq!(member_ids(&members), vec![w.owner().id]);
    }
);

store_test!(remove_space_member_takes_them_out, |store| async move {
    let w = world(&*store, "acme").await;
    store
        .add_space_member(w.ws(), w.space.id, w.member.id, at(10))
        .await
        .expect("add");

    store
        .remove_space_member(w.ws(), w.space.id, w.member.id)
        .await
        .expect("remove");

    assert!(
        !store
            .space_for(w.ws(), w.space.id, w.member.id)
            .await
            .expect("space_for")
            .1
    );
    let members = store
        .space_members(w.ws(), w.space.id, PageRequest::first())
        .await
        .map(|p| p.items)
        .expect("space_members");
    assert_eq!(member_ids(&members), vec![w.owner().id]);
});

store_test!(
    removing_someone_not_in_the_space_is_not_found,
    |store| async move {
        let w = world(&*store, "acme").await;

        assert_not_found(
            store
                .remove_space_member(w.ws(), w.space.id, w.member.id)
                .await,
        );
        assert_not_found(
            store
                .remove_space_member(w.ws(), Id::random(), w.owner().id)
                .await,
        );

        assert!(
            store
                .space_for(w.ws(), w.space.id, w.owner().id)
                .await
                .expect("space_for")
                .1,
            "the owner stays"
        );
    }
);

store_test!(set_visibility_changes_the_visibility, |store| async move {
    let w = world(&*store, "acme").await;

    let private = store
        .set_visibility(w.ws(), w.space.id, Visibility::Private)
        .await
        .expect("to private");

    assert_eq!(
        private,
        Space {
            visibility: Visibility::Private,
            ..w.space.clone()
        }
    );
    assert_eq!(
        store
            .space_for(w.ws(), w.space.id, w.member.id)
            .await
            .expect("space_for")
            .0,
        private
    );
    let public = store
        .set_visibility(w.ws(), w.space.id, Visibility::Public)
        .await
        .expect("back to public");
    assert_eq!(public, w.space);
    assert_not_found(
        store
            .set_visibility(w.ws(), Id::random(), Visibility::Private)
            .await,
    );
});

store_test!(
    space_members_of_an_unknown_space_reveal_nothing,
    |store| async move {
        let w = world(&*store, "acme").await;
        assert_not_found_or_empty(
            store
                .space_members(w.ws(), Id::random(), PageRequest::first())
                .await
                .map(|p| p.items),
        );
    }
);
