//! Conformance: workspace isolation for members, tokens and spaces (reliability tests 3 and 7 at
//! store level; threads and posts are in `isolation_threads.rs`). Every lookup is scoped by the
//! workspace id: an id from another workspace is `NotFound`, and a write that names one writes
//! nothing. Public ids are the caller's random ids, never a sequence.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::token::hash_token;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

fn ids(members: &[Member]) -> Vec<Id> {
    members.iter().map(|m| m.id).collect()
}

store_test!(
    member_and_member_by_email_in_another_workspace_are_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        assert_not_found(store.member(a.ws(), b.member.id).await);
        assert_not_found(store.member_by_email(a.ws(), &b.member.email).await);
        assert_not_found(store.password_hash(a.ws(), b.member.id).await);
    }
);

store_test!(
    set_role_and_deactivate_in_another_workspace_change_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(
            store
                .set_role(a.ws(), b.member.id, Role::Admin, a.owner().id, at(60))
                .await,
        );
        assert_not_found(
            store
                .deactivate_member(a.ws(), b.member.id, a.owner().id, at(60))
                .await,
        );

        assert_eq!(
            store.member(b.ws(), b.member.id).await.expect("member"),
            b.member
        );
    }
);

store_test!(
    tokens_cannot_be_issued_listed_or_revoked_across_workspaces,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let (secret, token) = new_token(b.member.id, "smuggled");

        assert_not_found(store.create_token(a.ws(), token, None).await);
        assert_eq!(
            store
                .authenticate(&hash_token(&secret))
                .await
                .expect("authenticate"),
            None
        );
        assert_not_found_or_empty(
            store
                .list_tokens(a.ws(), b.owner().id, PageRequest::first())
                .await
                .map(|p| p.items),
        );
        let b_token = store
            .list_tokens(b.ws(), b.owner().id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("list_tokens")[0]
            .id;
        assert_not_found(
            store
                .revoke_token(a.ws(), b.owner().id, b_token, a.owner().id, at(60))
                .await,
        );
        let still = store
            .authenticate(&hash_token(&b.tenant.owner_token))
            .await
            .expect("authenticate");
        assert_eq!(still.map(|m| m.id), Some(b.owner().id));
    }
);

store_test!(
    a_space_of_another_workspace_is_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(store.space_for(a.ws(), b.space.id, a.owner().id).await);
        assert_not_found(
            store
                .set_visibility(a.ws(), b.space.id, Visibility::Private)
                .await,
        );
        assert_not_found(
            store
                .remove_space_member(a.ws(), b.space.id, b.owner().id)
                .await,
        );
        assert_not_found_or_empty(
            store
                .space_members(a.ws(), b.space.id, PageRequest::first())
                .await
                .map(|p| p.items),
        );

        assert_eq!(
            store
                .space_for(b.ws(), b.space.id, b.owner().id)
                .await
                .expect("space_for"),
            (b.space.clone(), true)
        );
    }
);

store_test!(
    add_space_member_refuses_a_member_of_another_workspace_and_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(
            store
                .add_space_member(a.ws(), a.space.id, b.member.id, at(10))
                .await,
        );

        let members = store
            .space_members(a.ws(), a.space.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("space_members");
        assert_eq!(ids(&members), vec![a.owner().id]);
    }
);

store_test!(
    add_space_member_refuses_a_space_of_another_workspace_and_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(
            store
                .add_space_member(a.ws(), b.space.id, a.member.id, at(10))
                .await,
        );
        assert_not_found(
            store
                .add_space_member(b.ws(), b.space.id, a.member.id, at(10))
                .await,
        );

        let members = store
            .space_members(b.ws(), b.space.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("space_members");
        assert_eq!(ids(&members), vec![b.owner().id]);
        let spaces = store
            .spaces_for(a.ws(), a.member.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("spaces_for");
        assert_eq!(spaces, vec![(a.space.clone(), false)]);
    }
);

store_test!(public_ids_are_not_sequential, |store| async move {
    let w = world(&*store, "acme").await;
    for i in 0..100 {
        post(&*store, w.ws(), w.thread.thread.id, w.member.id, "tick", i).await;
    }

    let in_write_order: Vec<Id> = all_posts(&*store, w.ws(), w.thread.thread.id)
        .await
        .iter()
        .map(|p| p.id)
        .collect();

    let mut sorted = in_write_order.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 101, "every id is distinct");
    assert_ne!(in_write_order, sorted, "ids must not follow write order");
});
