//! Conformance: threads, their activity counters, listing by latest activity, and read cursors
//! with unread counts.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    create_thread_returns_the_thread_and_its_opening_post,
    |store| async move {
        let w = world(&*store, "acme").await;
        let new = new_thread(w.space.id, w.member.id, "Roadmap", 30);

        let created = store
            .create_thread(w.ws(), new.clone(), None)
            .await
            .expect("create_thread");

        let (thread, post) = (&created.thread, &created.post);
        assert_eq!(
            (thread.id, thread.space_id, thread.title.as_str()),
            (new.id, w.space.id, "Roadmap")
        );
        assert_eq!(
            (thread.author_id, thread.created_at, thread.last_post_at),
            (w.member.id, at(30), at(30))
        );
        assert_eq!((thread.post_count, thread.last_post_seq), (1, post.seq));
        assert_eq!(
            (post.id, post.thread_id, post.author_id),
            (new.first_post.id, new.id, w.member.id)
        );
        assert_eq!(
            (post.body.as_str(), post.html.as_str()),
            (new.first_post.body.as_str(), new.first_post.html.as_str())
        );
        assert_eq!((post.created_at, post.edited_at), (at(30), None));
        assert_eq!(&store.thread(w.ws(), new.id).await.expect("thread"), thread);
        assert_eq!(&store.post(w.ws(), post.id).await.expect("post"), post);
    }
);

store_test!(
    an_opening_post_without_expectation_makes_an_fyi_thread,
    |store| async move {
        let w = world(&*store, "acme").await;
        assert_eq!(
            w.thread.post.expectation, None,
            "the post keeps what it said"
        );
        assert_eq!(w.thread.thread.expectation, Expectation::fyi());
    }
);

store_test!(
    a_reply_expectation_round_trips_on_thread_and_post,
    |store| async move {
        let w = world(&*store, "acme").await;
        let asks = Expectation::validate(
            ExpectationKind::Reply,
            Some(240),
            vec![w.member.id, w.owner().id],
        )
        .expect("valid");
        let mut new = new_thread(w.space.id, w.owner().id, "Please review", 30);
        new.first_post.expectation = Some(asks.clone());

        let created = store
            .create_thread(w.ws(), new.clone(), None)
            .await
            .expect("create_thread");

        assert_eq!(created.thread.expectation, asks);
        assert_eq!(created.post.expectation, Some(asks.clone()));
        assert_eq!(
            store
                .thread(w.ws(), new.id)
                .await
                .expect("thread")
                .expectation,
            asks
        );
        assert_eq!(
            store
                .post(w.ws(), created.post.id)
                .await
                .expect("post")
                .expectation,
            Some(asks)
        );
    }
);

store_test!(thread_of_an_unknown_id_is_not_found, |store| async move {
    let w = world(&*store, "acme").await;
    assert_not_found(store.thread(w.ws(), Id::random()).await);
});

store_test!(
    create_thread_in_an_unknown_space_is_not_found,
    |store| async move {
        let w = world(&*store, "acme").await;
        let new = new_thread(Id::random(), w.owner().id, "Nowhere", 30);

        assert_not_found(store.create_thread(w.ws(), new.clone(), None).await);

        assert_not_found(store.thread(w.ws(), new.id).await);
        assert_not_found(store.post(w.ws(), new.first_post.id).await);
    }
);

store_test!(create_post_bumps_activity, |store| async move {
    let w = world(&*store, "acme").await;
    let opening = w.thread.post.clone();

    let new = new_post(w.thread.thread.id, w.member.id, "Sounds good", 90);

    let reply = store
        .create_post(w.ws(), new, None)
        .await
        .expect("create_post");

    let thread = store
        .thread(w.ws(), w.thread.thread.id)
        .await
        .expect("thread");
    assert!(reply.seq > opening.seq, "seq grows in write order");
    assert_eq!(
        (thread.post_count, thread.last_post_seq, thread.last_post_at),
        (2, reply.seq, at(90))
    );
    assert_eq!(
        (thread.created_at, thread.title.as_str()),
        (w.thread.thread.created_at, "Kick-off")
    );
    assert_eq!(store.post(w.ws(), reply.id).await.expect("post"), reply);
});

store_test!(
    create_post_in_an_unknown_thread_is_not_found,
    |store| async move {
        let w = world(&*store, "acme").await;
        let stray = new_post(Id::random(), w.owner().id, "Lost", 90);

        assert_not_found(store.create_post(w.ws(), stray.clone(), None).await);

        assert_not_found(store.post(w.ws(), stray.id).await);
    }
);

store_test!(
    list_threads_orders_by_latest_activity_and_pages_by_cursor,
    |store| async move {
        let w = world(&*store, "acme").await;
        let space = space(&*store, w.ws(), w.owner().id, "Busy", Visibility::Public).await;
        let t1 = thread(&*store, w.ws(), space.id, w.owner().id, "One", 10)
            .await
            .thread
            .id;
        let t2 = thread(&*store, w.ws(), space.id, w.owner().id, "Two", 20)
            .await
            .thread
            .id;
        let t3 = thread(&*store, w.ws(), space.id, w.owner().id, "Three", 30)
            .await
            .thread
            .id;
        post(&*store, w.ws(), t1, w.owner().id, "One is active again", 40).await;

        let first_request = PageRequest::parse(None, Some(2)).expect("request");
        let first = store
            .list_threads(w.ws(), space.id, w.member.id, first_request)
            .await
            .expect("page 1");
        let second_request = next_request(&first, 2).expect("a second page");
        let second = store
            .list_threads(w.ws(), space.id, w.member.id, second_request)
            .await
            .expect("page 2");

        let ids =
            |page: &Page<ThreadSummary>| page.items.iter().map(|s| s.thread.id).collect::<Vec<_>>();
        assert_eq!(ids(&first), vec![t1, t3]);
        assert_eq!(ids(&second), vec![t2]);
        assert_eq!(second.next_cursor, None);
        assert!(
            !ids(&first).contains(&w.thread.thread.id),
            "threads of other spaces stay out"
        );
    }
);
