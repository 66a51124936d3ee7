//! Conformance: posts. Listing in write order with cursor pages, and edits that keep every
//! earlier version as a revision.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::markdown::render;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    a_post_keeps_its_body_and_html_as_written,
    |store| async move {
        let w = world(&*store, "acme").await;
        let body = "**Bold** plan with a [link](https://example.com) and <script>x</script>";
        let new = new_post(w.thread.thread.id, w.member.id, body, 10);

        let created = store
            .create_post(w.ws(), new.clone(), None)
            .await
            .expect("create_post");

        assert_eq!(
            (created.id, created.body.as_str(), created.html.as_str()),
            (new.id, body, render(body).as_str())
        );
        assert_eq!(
            (created.thread_id, created.author_id, created.created_at),
            (w.thread.thread.id, w.member.id, at(10))
        );
        assert_eq!((created.expectation, created.edited_at), (None, None));
    }
);

store_test!(post_of_an_unknown_id_is_not_found, |store| async move {
    let w = world(&*store, "acme").await;
    assert_not_found(store.post(w.ws(), Id::random()).await);
    assert_not_found_or_empty(
        store
            .post_revisions(w.ws(), Id::random(), PageRequest::first())
            .await
            .map(|p| p.items),
    );
});

store_test!(list_posts_pages_in_write_order, |store| async move {
    let w = world(&*store, "acme").await;
    let thread = w.thread.thread.id;
    let mut expected = vec![w.thread.post.id];
    for i in 1..5 {
        expected.push(
            post(
                &*store,
                w.ws(),
                thread,
                w.owner().id,
                &format!("Reply {i}"),
                i,
            )
            .await
            .id,
        );
    }

    let mut pages = Vec::new();
    let mut request = PageRequest::parse(None, Some(2)).expect("request");
    loop {
        let page = store
            .list_posts(w.ws(), thread, request)
            .await
            .expect("list_posts");
        pages.push(page.items.clone());
        match next_request(&page, 2) {
            Some(next) => request = next,
            None => break,
        }
    }

    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    let posts = pages.concat();
    assert_eq!(
        posts.iter().map(|p| p.id).collect::<Vec<_>>(),
        expected,
        "write order, no gaps, no duplicates"
    );
    assert!(
        posts.windows(2).all(|pair| pair[0].seq < pair[1].seq),
        "seq grows along the list"
    );
});

store_test!(list_posts_lists_only_that_thread, |store| async move {
    let w = world(&*store, "acme").await;
    let other = thread(&*store, w.ws(), w.space.id, w.owner().id, "Other", 5).await;
    post(
        &*store,
        w.ws(),
        other.thread.id,
        w.owner().id,
        "Elsewhere",
        6,
    )
    .await;

    let posts = all_posts(&*store, w.ws(), w.thread.thread.id).await;

    assert_eq!(posts, vec![w.thread.post.clone()]);
});

store_test!(
    edit_post_replaces_the_body_and_keeps_revisions_oldest_first,
    |store| async move {
        let w = world(&*store, "acme").await;
        let original = post(
            &*store,
            w.ws(),
            w.thread.thread.id,
            w.member.id,
            "first draft",
            10,
        )
        .await;

        store
            .edit_post(
                w.ws(),
                original.id,
                "second".to_owned(),
                render("second"),
                at(20),
            )
            .await
            .expect("first edit");
        let edited = store
            .edit_post(
                w.ws(),
                original.id,
                "*third*".to_owned(),
                render("*third*"),
                at(30),
            )
            .await;
        let edited = edited.expect("second edit");

        let expected = Post {
            body: "*third*".to_owned(),
            html: render("*third*"),
            edited_at: Some(at(30)),
            ..original.clone()
        };
        assert_eq!(edited, expected, "id, author, created_at and seq stay");
        assert_eq!(
            store.post(w.ws(), original.id).await.expect("post"),
            expected
        );
        let revisions = store
            .post_revisions(w.ws(), original.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("post_revisions");
        assert_eq!(
            revisions,
            vec![
                PostRevision {
                    body: "first draft".to_owned(),
                    html: render("first draft"),
                    replaced_at: at(20)
                },
                PostRevision {
                    body: "second".to_owned(),
                    html: render("second"),
                    replaced_at: at(30)
                },
            ]
        );
    }
);

store_test!(an_unedited_post_has_no_revisions, |store| async move {
    let w = world(&*store, "acme").await;
    assert_eq!(
        store
            .post_revisions(w.ws(), w.thread.post.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("post_revisions"),
        vec![]
    );
});

store_test!(edit_post_does_not_count_as_activity, |store| async move {
    let w = world(&*store, "acme").await;
    let before = store
        .thread(w.ws(), w.thread.thread.id)
        .await
        .expect("thread");

    store
        .edit_post(
            w.ws(),
            w.thread.post.id,
            "fixed typo".to_owned(),
            render("fixed typo"),
            at(50),
        )
        .await
        .expect("edit");

    assert_eq!(
        store
            .thread(w.ws(), w.thread.thread.id)
            .await
            .expect("thread"),
        before
    );
});

store_test!(
    edit_post_of_an_unknown_id_is_not_found,
    |store| async move {
        let w = world(&*store, "acme").await;
        assert_not_found(
            store
                .edit_post(w.ws(), Id::random(), "x".to_owned(), render("x"), at(50))
                .await,
        );
    }
);
