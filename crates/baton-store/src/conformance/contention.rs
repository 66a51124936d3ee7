//! Conformance: concurrency (reliability tests 31 and 32 at store level). Many concurrent
//! writers and readers on one thread all succeed: no `SQLITE_BUSY` (or any other error) reaches
//! the caller and no write is lost; concurrent duplicates of one idempotent request have exactly
//! one effect.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::collections::HashSet;

use baton_store::conformance::prelude::*;
use baton_store::store_test;

const WRITERS: usize = 50;
const POSTS_PER_WRITER: usize = 20;
const READERS: usize = 4;

store_test!(
    fifty_concurrent_writers_each_create_twenty_posts_without_error,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, space, thread) = (w.ws(), w.space.id, w.thread.thread.id);
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (store, author) = (store.clone(), w.member.id);
                tokio::spawn(async move {
                    let mut ids = Vec::with_capacity(POSTS_PER_WRITER);
                    for n in 0..POSTS_PER_WRITER {
                        let key = idem(
                            author,
                            &format!("w{writer}-p{n}"),
                            &format!("fp-{writer}-{n}"),
                        );
                        let new =
                            new_post(thread, author, &format!("post {n} of writer {writer}"), 10);
                        let post = store.create_post(ws, new, Some(&key)).await;
                        ids.push(
                            post.unwrap_or_else(|e| panic!("writer {writer}, post {n}: {e:?}"))
                                .id,
                        );
                    }
                    ids
                })
            })
            .collect();
        let readers: Vec<_> = (0..READERS)
            .map(|reader| {
                let (store, viewer) = (store.clone(), w.owner().id);
                tokio::spawn(async move {
                    for n in 0..POSTS_PER_WRITER {
                        let listed = store
                            .list_threads(ws, space, viewer, PageRequest::first())
                            .await;
                        listed.unwrap_or_else(|e| panic!("reader {reader}, read {n}: {e:?}"));
                        store
                            .thread(ws, thread)
                            .await
                            .unwrap_or_else(|e| panic!("reader {reader}, read {n}: {e:?}"));
                    }
                })
            })
            .collect();

        let mut created = HashSet::new();
        for writer in writers {
            created.extend(writer.await.expect("writer task"));
        }
        for reader in readers {
            reader.await.expect("reader task");
        }

        assert_eq!(
            created.len(),
            WRITERS * POSTS_PER_WRITER,
            "every write returned its own post"
        );
        let posts = all_posts(&*store, ws, thread).await;
        assert_eq!(
            posts.len(),
            WRITERS * POSTS_PER_WRITER + 1,
            "exactly 1000 replies and the opening post"
        );
        let stored = store.thread(ws, thread).await.expect("thread");
        assert_eq!(stored.post_count, posts.len() as i64);
        assert_eq!(
            stored.last_post_seq,
            posts.iter().map(|p| p.seq).max().expect("posts")
        );
    }
);

store_test!(
    twenty_concurrent_posts_with_one_key_create_exactly_one_post,
    |store| async move {
        let w = world(&*store, "acme").await;
        let key = idem(w.member.id, "retry-storm", "fp");
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let (store, key, ws) = (store.clone(), key.clone(), w.ws());
                let new = new_post(w.thread.thread.id, w.member.id, "Once", 10 + i);
                tokio::spawn(async move { store.create_post(ws, new, Some(&key)).await })
            })
            .collect();

        let mut posts = Vec::new();
        for task in tasks {
            posts.push(task.await.expect("task").expect("every duplicate succeeds"));
        }

        let ids: HashSet<Id> = posts.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 1, "all twenty calls return the same post");
        assert!(
            posts.iter().all(|p| *p == posts[0]),
            "and the identical value"
        );
        assert_eq!(post_count(&*store, w.ws(), w.thread.thread.id).await, 2);
    }
);
