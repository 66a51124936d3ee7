//! Conformance: idempotency keys (reliability test 32 at store level). A replay with the same
//! fingerprint returns the first result and writes nothing; a different fingerprint is refused;
//! keys are namespaced per member and per workspace; concurrent duplicates have one effect.
//!
//! A retried request carries a fresh id (the server mints one per request), so every replay
//! below uses a new id: only the key can make it a replay.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    a_replay_with_the_same_fingerprint_returns_the_first_post_and_writes_nothing,
    |store| async move {
        let w = world(&*store, "acme").await;
        let key = idem(w.member.id, "key-1", "fp-a");
        let first = store
            .create_post(
                w.ws(),
                new_post(w.thread.thread.id, w.member.id, "Hi", 10),
                Some(&key),
            )
            .await;
        let first = first.expect("first call");

        let replay = store
            .create_post(
                w.ws(),
                new_post(w.thread.thread.id, w.member.id, "Hi", 11),
                Some(&key),
            )
            .await;

        assert_eq!(
            replay.expect("replay"),
            first,
            "the identical post, not a new one"
        );
        assert_eq!(
            post_count(&*store, w.ws(), w.thread.thread.id).await,
            2,
            "the opening post and one reply"
        );
    }
);

store_test!(
    a_replay_with_another_fingerprint_is_a_mismatch_and_writes_nothing,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        let first = new_post(thread, w.member.id, "Hi", 10);
        store
            .create_post(w.ws(), first, Some(&idem(w.member.id, "key-1", "fp-a")))
            .await
            .expect("first call");
        let other = new_post(thread, w.member.id, "Something else", 11);

        let result = store
            .create_post(
                w.ws(),
                other.clone(),
                Some(&idem(w.member.id, "key-1", "fp-b")),
            )
            .await;

        assert!(
            matches!(result, Err(StoreError::IdempotencyMismatch)),
            "got {result:?}"
        );
        assert_not_found(store.post(w.ws(), other.id).await);
        assert_eq!(post_count(&*store, w.ws(), w.thread.thread.id).await, 2);
    }
);

store_test!(
    the_same_key_from_another_member_is_independent,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        let by_member = new_post(thread, w.member.id, "Mine", 10);
        let by_owner = new_post(thread, w.owner().id, "Mine", 11);

        let a = store
            .create_post(
                w.ws(),
                by_member.clone(),
                Some(&idem(w.member.id, "shared", "fp")),
            )
            .await;
        let b = store
            .create_post(
                w.ws(),
                by_owner.clone(),
                Some(&idem(w.owner().id, "shared", "fp")),
            )
            .await;

        assert_eq!(
            (a.expect("member's post").id, b.expect("owner's post").id),
            (by_member.id, by_owner.id)
        );
        assert_eq!(post_count(&*store, w.ws(), w.thread.thread.id).await, 3);
    }
);

store_test!(
    the_same_key_in_another_workspace_is_independent,
    |store| async move {
        let acme = world(&*store, "acme").await;
        let globex = world(&*store, "globex").await;
        let in_acme = new_post(acme.thread.thread.id, acme.member.id, "Same words", 10);
        let in_globex = new_post(globex.thread.thread.id, globex.member.id, "Same words", 10);

        let a = store
            .create_post(
                acme.ws(),
                in_acme.clone(),
                Some(&idem(acme.member.id, "shared", "fp")),
            )
            .await;
        let b = store
            .create_post(
                globex.ws(),
                in_globex.clone(),
                Some(&idem(globex.member.id, "shared", "fp")),
            )
            .await;

        assert_eq!(
            (a.expect("acme").id, b.expect("globex").id),
            (in_acme.id, in_globex.id)
        );
        assert_eq!(
            (
                post_count(&*store, acme.ws(), acme.thread.thread.id).await,
                post_count(&*store, globex.ws(), globex.thread.thread.id).await
            ),
            (2, 2)
        );
    }
);

store_test!(
    writes_without_a_key_are_never_deduplicated,
    |store| async move {
        let w = world(&*store, "acme").await;
        for secs in [10, 11] {
            store
                .create_post(
                    w.ws(),
                    new_post(w.thread.thread.id, w.member.id, "Again", secs),
                    None,
                )
                .await
                .expect("post");
        }
        assert_eq!(post_count(&*store, w.ws(), w.thread.thread.id).await, 3);
    }
);

store_test!(a_failed_write_does_not_claim_the_key, |store| async move {
    let w = world(&*store, "acme").await;
    let lost = new_post(Id::random(), w.member.id, "Into the void", 10);
    assert_not_found(
        store
            .create_post(w.ws(), lost, Some(&idem(w.member.id, "key-1", "fp-a")))
            .await,
    );

    let real = new_post(w.thread.thread.id, w.member.id, "Here", 11);
    let created = store
        .create_post(
            w.ws(),
            real.clone(),
            Some(&idem(w.member.id, "key-1", "fp-b")),
        )
        .await;

    assert_eq!(created.expect("the key is still free").id, real.id);
});

store_test!(
    create_thread_replays_return_the_first_thread,
    |store| async move {
        let w = world(&*store, "acme").await;
        let key = idem(w.member.id, "t-1", "fp");
        let first = store
            .create_thread(
                w.ws(),
                new_thread(w.space.id, w.member.id, "Plan", 10),
                Some(&key),
            )
            .await;
        let first = first.expect("first call");
        let retry = new_thread(w.space.id, w.member.id, "Plan", 11);

        let replay = store
            .create_thread(w.ws(), retry.clone(), Some(&key))
            .await
            .expect("replay");

        assert_eq!(replay, first);
        assert_not_found(store.thread(w.ws(), retry.id).await);
        let mismatch = store
            .create_thread(w.ws(), retry, Some(&idem(w.member.id, "t-1", "other")))
            .await;
        assert!(
            matches!(mismatch, Err(StoreError::IdempotencyMismatch)),
            "got {mismatch:?}"
        );
    }
);

store_test!(
    create_space_replays_return_the_first_space,
    |store| async move {
        let w = world(&*store, "acme").await;
        let key = idem(w.owner().id, "s-1", "fp");
        let first = store
            .create_space(
                w.ws(),
                new_space(w.owner().id, "Ops", Visibility::Public),
                Some(&key),
            )
            .await;
        let first = first.expect("first call");

        let replay = store
            .create_space(
                w.ws(),
                new_space(w.owner().id, "Ops", Visibility::Public),
                Some(&key),
            )
            .await;

        assert_eq!(replay.expect("replay"), first);
        assert_eq!(
            store
                .spaces_for(w.ws(), w.owner().id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("spaces_for")
                .len(),
            2,
            "General and Ops"
        );
    }
);

store_test!(
    create_member_replays_return_the_first_member,
    |store| async move {
        let w = world(&*store, "acme").await;
        let key = idem(w.owner().id, "m-1", "fp");
        let first = store
            .create_member(
                w.ws(),
                new_member("bea@acme.test", Role::Member),
                Some(&key),
            )
            .await;
        let first = first.expect("first call");

        let replay = store
            .create_member(
                w.ws(),
                new_member("bea@acme.test", Role::Member),
                Some(&key),
            )
            .await;

        assert_eq!(replay.expect("a replay, not an email conflict"), first);
        let members = store
            .list_members(w.ws(), PageRequest::first())
            .await
            .expect("list_members");
        assert_eq!(members.items.len(), 3, "owner, member and bea");
    }
);
