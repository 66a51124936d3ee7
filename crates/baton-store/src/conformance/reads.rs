//! Conformance: read cursors and unread counts. A cursor only moves forward; a thread's unread
//! count for a viewer is the number of its posts after that viewer's cursor.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

/// The threads of a space as `viewer` lists them, one page of up to 200.
async fn listed(store: &dyn Store, w: &World, space: Id, viewer: Id) -> Vec<(Id, i64)> {
    let request = PageRequest {
        after: None,
        limit: 200,
    };
    let page = store
        .list_threads(w.ws(), space, viewer, request)
        .await
        .expect("list_threads");
    page.items.iter().map(|s| (s.thread.id, s.unread)).collect()
}

store_test!(read_cursor_is_zero_before_reading, |store| async move {
    let w = world(&*store, "acme").await;
    assert_eq!(
        store
            .read_cursor(w.ws(), w.member.id, w.thread.thread.id)
            .await
            .expect("read_cursor"),
        0
    );
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(w.thread.thread.id, 1)]
    );
});

store_test!(unread_counts_follow_mark_read, |store| async move {
    let w = world(&*store, "acme").await;
    let thread = w.thread.thread.id;
    let second = post(&*store, w.ws(), thread, w.owner().id, "Second", 10).await;
    let third = post(&*store, w.ws(), thread, w.owner().id, "Third", 20).await;
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 3)]
    );

    store
        .mark_read(w.ws(), w.member.id, thread, second.seq)
        .await
        .expect("read up to the second");
    assert_eq!(
        store
            .read_cursor(w.ws(), w.member.id, thread)
            .await
            .expect("cursor"),
        second.seq
    );
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 1)]
    );

    store
        .mark_read(w.ws(), w.member.id, thread, third.seq)
        .await
        .expect("read everything");
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 0)]
    );

    post(&*store, w.ws(), thread, w.owner().id, "Fourth", 30).await;
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 1)]
    );
});

store_test!(mark_read_never_moves_backwards, |store| async move {
    let w = world(&*store, "acme").await;
    let thread = w.thread.thread.id;
    let second = post(&*store, w.ws(), thread, w.owner().id, "Second", 10).await;
    store
        .mark_read(w.ws(), w.member.id, thread, second.seq)
        .await
        .expect("read all");

    store
        .mark_read(w.ws(), w.member.id, thread, w.thread.post.seq)
        .await
        .expect("an older seq is accepted");

    assert_eq!(
        store
            .read_cursor(w.ws(), w.member.id, thread)
            .await
            .expect("cursor"),
        second.seq
    );
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 0)]
    );
});

store_test!(read_cursors_are_per_member, |store| async move {
    let w = world(&*store, "acme").await;
    let thread = w.thread.thread.id;
    let bea = member(&*store, w.ws(), "bea@acme.test").await;

    store
        .mark_read(w.ws(), w.member.id, thread, w.thread.post.seq)
        .await
        .expect("mark_read");

    assert_eq!(
        store
            .read_cursor(w.ws(), bea.id, thread)
            .await
            .expect("bea's cursor"),
        0
    );
    assert_eq!(
        listed(&*store, &w, w.space.id, bea.id).await,
        vec![(thread, 1)]
    );
    assert_eq!(
        listed(&*store, &w, w.space.id, w.member.id).await,
        vec![(thread, 0)]
    );
});
