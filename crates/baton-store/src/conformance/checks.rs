//! Checks for the conformance suite: reading whole lists through cursors, and asserting on
//! store errors.
//!
//! Owns: helpers that turn "the store revealed nothing" and "the counts agree" into one call.
//! Does not own: fixtures (see `fixtures`), or any expectation specific to one test.

use std::fmt::Debug;

use baton_core::Id;
use baton_core::model::Post;
use baton_core::page::{Page, PageRequest};

use crate::{Store, StoreError, StoreResult};

/// How many posts a thread has, checking that its `post_count` agrees with the posts listed.
pub async fn post_count(store: &dyn Store, ws: Id, thread: Id) -> usize {
    let posts = all_posts(store, ws, thread).await;
    let stored = store.thread(ws, thread).await.expect("thread");
    assert_eq!(
        stored.post_count,
        posts.len() as i64,
        "post_count agrees with the posts listed"
    );
    posts.len()
}

/// The request for the page after `page`, or `None` at the end of the list.
pub fn next_request<T>(page: &Page<T>, limit: u32) -> Option<PageRequest> {
    let cursor = page.next_cursor.as_deref()?;
    Some(PageRequest::parse(Some(cursor), Some(limit)).expect("a cursor the store gave out parses"))
}

/// Every post of a thread, following cursors.
pub async fn all_posts(store: &dyn Store, ws: Id, thread: Id) -> Vec<Post> {
    let mut request = PageRequest {
        after: None,
        limit: 200,
    };
    let mut posts = Vec::new();
    loop {
        let page = store
            .list_posts(ws, thread, request)
            .await
            .expect("list_posts");
        posts.extend(page.items.iter().cloned());
        match next_request(&page, 200) {
            Some(next) => request = next,
            None => return posts,
        }
    }
}

/// Asserts that a store call failed with `NotFound`.
#[track_caller]
pub fn assert_not_found<T: Debug>(result: StoreResult<T>) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Asserts that a list call on something unknown (or foreign) revealed nothing: either
/// `NotFound` or an empty list. The trait leaves that choice to the backend; leaking is the bug.
#[track_caller]
pub fn assert_not_found_or_empty<T: Debug>(result: StoreResult<Vec<T>>) {
    match result {
        Err(StoreError::NotFound) => {}
        Ok(items) if items.is_empty() => {}
        other => panic!("expected NotFound or nothing, got {other:?}"),
    }
}
