//! Conformance: members. Creating, finding, listing (cursor pages in creation order), changing
//! roles and deactivating. Emails are unique per workspace, not globally.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::collections::HashSet;

use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    create_member_returns_the_member_as_stored,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let new = new_member("ada@acme.test", Role::Admin);

        let created = store
            .create_member(tenant.ws(), new.clone(), None)
            .await
            .expect("create_member");

        assert_eq!(
            (created.id, created.workspace_id, created.email.as_str()),
            (new.id, tenant.ws(), "ada@acme.test")
        );
        assert_eq!(
            (created.name.as_str(), created.timezone.as_str()),
            (new.name.as_str(), "Europe/Berlin")
        );
        assert_eq!(
            (created.role, created.active, created.created_at),
            (Role::Admin, true, at(0))
        );
        assert_eq!(
            store.member(tenant.ws(), new.id).await.expect("member"),
            created
        );
    }
);

store_test!(password_hash_is_returned_as_stored, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let mut with = new_member("with@acme.test", Role::Member);
    with.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned());
    let without = new_member("without@acme.test", Role::Member);
    store
        .create_member(tenant.ws(), with.clone(), None)
        .await
        .expect("create with password");
    store
        .create_member(tenant.ws(), without.clone(), None)
        .await
        .expect("create without password");

    assert_eq!(
        store
            .password_hash(tenant.ws(), with.id)
            .await
            .expect("hash"),
        with.password_hash
    );
    assert_eq!(
        store
            .password_hash(tenant.ws(), without.id)
            .await
            .expect("no hash"),
        None
    );
});

store_test!(
    a_duplicate_email_in_the_same_workspace_is_a_members_email_conflict,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        member(&*store, tenant.ws(), "ada@acme.test").await;
        let again = new_member("ada@acme.test", Role::Member);

        let result = store.create_member(tenant.ws(), again.clone(), None).await;

        assert!(
            matches!(
                result,
                Err(StoreError::Conflict {
                    constraint: Constraint::MembersEmail
                })
            ),
            "got {result:?}"
        );
        assert_not_found(store.member(tenant.ws(), again.id).await);
        let page = store
            .list_members(tenant.ws(), PageRequest::first())
            .await
            .expect("list_members");
        assert_eq!(page.items.len(), 2, "only the owner and the first ada");
    }
);

store_test!(
    the_same_email_in_another_workspace_is_fine,
    |store| async move {
        let acme = tenant(&*store, "acme").await;
        let globex = tenant(&*store, "globex").await;

        let a = member(&*store, acme.ws(), "ada@example.test").await;
        let b = member(&*store, globex.ws(), "ada@example.test").await;

        assert_ne!(a.id, b.id);
        assert_eq!(
            store
                .member_by_email(acme.ws(), "ada@example.test")
                .await
                .expect("in acme")
                .id,
            a.id
        );
        assert_eq!(
            store
                .member_by_email(globex.ws(), "ada@example.test")
                .await
                .expect("in globex")
                .id,
            b.id
        );
    }
);

store_test!(member_by_email_finds_the_member, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let ada = member(&*store, tenant.ws(), "ada@acme.test").await;

    assert_eq!(
        store
            .member_by_email(tenant.ws(), "ada@acme.test")
            .await
            .expect("found"),
        ada
    );
    assert_not_found(store.member_by_email(tenant.ws(), "nobody@acme.test").await);
});

store_test!(member_of_an_unknown_id_is_not_found, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    assert_not_found(store.member(tenant.ws(), Id::random()).await);
    assert_not_found(store.password_hash(tenant.ws(), Id::random()).await);
});

store_test!(
    list_members_pages_with_cursors_without_gaps_or_duplicates,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let mut expected = vec![tenant.owner.id];
        for i in 1..5 {
            expected.push(
                member(&*store, tenant.ws(), &format!("m{i}@acme.test"))
                    .await
                    .id,
            );
        }

        let mut pages = Vec::new();
        let mut request = PageRequest::parse(None, Some(2)).expect("request");
        loop {
            let page = store
                .list_members(tenant.ws(), request)
                .await
                .expect("list_members");
            pages.push(page.items.iter().map(|m| m.id).collect::<Vec<_>>());
            match next_request(&page, 2) {
                Some(next) => request = next,
                None => break,
            }
        }

        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 2, 1],
            "five members, two per page"
        );
        assert_eq!(
            pages.concat(),
            expected,
            "creation order, no gaps, no duplicates"
        );
    }
);

store_test!(list_members_lists_only_this_workspace, |store| async move {
    let acme = tenant(&*store, "acme").await;
    let globex = tenant(&*store, "globex").await;
    member(&*store, globex.ws(), "ada@globex.test").await;

    let page = store
        .list_members(acme.ws(), PageRequest::first())
        .await
        .expect("list_members");

    assert_eq!(page.items, vec![acme.owner]);
    assert_eq!(page.next_cursor, None);
});

store_test!(set_role_changes_the_role, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let ada = member(&*store, tenant.ws(), "ada@acme.test").await;

    let changed = store
        .set_role(tenant.ws(), ada.id, Role::Guest, tenant.owner.id, at(60))
        .await
        .expect("set_role");

    assert_eq!(changed.role, Role::Guest);
    assert_eq!(
        store.member(tenant.ws(), ada.id).await.expect("member"),
        changed
    );
    assert_not_found(
        store
            .set_role(
                tenant.ws(),
                Id::random(),
                Role::Admin,
                tenant.owner.id,
                at(60),
            )
            .await,
    );
});

store_test!(deactivate_member_marks_them_inactive, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let ada = member(&*store, tenant.ws(), "ada@acme.test").await;

    let deactivated = store
        .deactivate_member(tenant.ws(), ada.id, tenant.owner.id, at(60))
        .await
        .expect("deactivate");

    assert!(!deactivated.active);
    assert_eq!(
        store.member(tenant.ws(), ada.id).await.expect("member"),
        deactivated
    );
    assert!(
        store
            .member(tenant.ws(), tenant.owner.id)
            .await
            .expect("owner")
            .active,
        "only ada is deactivated"
    );
    assert_not_found(
        store
            .deactivate_member(tenant.ws(), Id::random(), tenant.owner.id, at(60))
            .await,
    );
});

store_test!(
    member_ids_are_kept_as_given_and_distinct,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let mut ids = HashSet::from([tenant.owner.id]);
        for i in 0..10 {
            let new = new_member(&format!("m{i}@acme.test"), Role::Member);
            let created = store
                .create_member(tenant.ws(), new.clone(), None)
                .await
                .expect("create_member");
            assert_eq!(created.id, new.id, "the store keeps the caller's id");
            ids.insert(created.id);
        }
        assert_eq!(ids.len(), 11);
    }
);
