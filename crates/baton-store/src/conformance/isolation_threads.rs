//! Conformance: workspace isolation for threads, posts and read cursors (reliability test 7 at
//! store level). A thread, space or author id from another workspace is `NotFound`, and a
//! write that names one writes nothing.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::markdown::render;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    create_thread_in_a_space_of_another_workspace_is_not_found_and_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let new = new_thread(b.space.id, a.owner().id, "Intrusion", 10);

        assert_not_found(store.create_thread(a.ws(), new.clone(), None).await);

        for ws in [a.ws(), b.ws()] {
            assert_not_found(store.thread(ws, new.id).await);
            assert_not_found(store.post(ws, new.first_post.id).await);
        }
        let page = store
            .list_threads(b.ws(), b.space.id, b.owner().id, PageRequest::first())
            .await
            .expect("list");
        assert_eq!(page.items.len(), 1, "only b's own thread");
    }
);

store_test!(
    create_post_in_a_thread_of_another_workspace_is_not_found_and_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let new = new_post(b.thread.thread.id, a.owner().id, "Intrusion", 10);

        assert_not_found(store.create_post(a.ws(), new.clone(), None).await);

        for ws in [a.ws(), b.ws()] {
            assert_not_found(store.post(ws, new.id).await);
        }
        assert_eq!(
            store
                .thread(b.ws(), b.thread.thread.id)
                .await
                .expect("thread"),
            b.thread.thread
        );
        assert_eq!(
            all_posts(&*store, b.ws(), b.thread.thread.id).await,
            vec![b.thread.post.clone()]
        );
    }
);

store_test!(
    create_post_by_an_author_of_another_workspace_is_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let new = new_post(a.thread.thread.id, b.member.id, "Ghost writer", 10);

        assert_not_found(store.create_post(a.ws(), new.clone(), None).await);

        assert_not_found(store.post(a.ws(), new.id).await);
        assert_eq!(
            store
                .thread(a.ws(), a.thread.thread.id)
                .await
                .expect("thread")
                .post_count,
            1
        );
    }
);

store_test!(
    threads_and_posts_of_another_workspace_reveal_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(store.thread(a.ws(), b.thread.thread.id).await);
        assert_not_found(store.post(a.ws(), b.thread.post.id).await);
        assert_not_found_or_empty(
            store
                .post_revisions(a.ws(), b.thread.post.id, PageRequest::first())
                .await
                .map(|p| p.items),
        );
        let posts = store
            .list_posts(a.ws(), b.thread.thread.id, PageRequest::first())
            .await
            .map(|p| p.items);
        assert_not_found_or_empty(posts);
        let threads = store
            .list_threads(a.ws(), b.space.id, a.owner().id, PageRequest::first())
            .await;
        assert_not_found_or_empty(threads.map(|p| p.items));
    }
);

store_test!(
    edit_post_in_another_workspace_is_not_found_and_changes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        let edit = store
            .edit_post(
                a.ws(),
                b.thread.post.id,
                "defaced".to_owned(),
                render("defaced"),
                at(60),
            )
            .await;

        assert_not_found(edit);
        assert_eq!(
            store.post(b.ws(), b.thread.post.id).await.expect("post"),
            b.thread.post
        );
        assert_eq!(
            store
                .post_revisions(b.ws(), b.thread.post.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("revisions"),
            vec![]
        );
    }
);

store_test!(
    mark_read_on_a_thread_of_another_workspace_is_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;

        assert_not_found(
            store
                .mark_read(a.ws(), a.member.id, b.thread.thread.id, i64::MAX / 2)
                .await,
        );

        for ws in [a.ws(), b.ws()] {
            match store.read_cursor(ws, a.member.id, b.thread.thread.id).await {
                Ok(0) | Err(StoreError::NotFound) => {}
                other => panic!("no cursor may have been written, got {other:?}"),
            }
        }
        let page = store
            .list_threads(b.ws(), b.space.id, b.member.id, PageRequest::first())
            .await
            .expect("list");
        assert_eq!(
            page.items.iter().map(|s| s.unread).collect::<Vec<_>>(),
            vec![1]
        );
    }
);
