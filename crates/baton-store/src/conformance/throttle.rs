//! Conformance: the sign-in throttle's counters. Failures count up per key, a counter left
//! alone past its `forget_before` starts again, a reset leaves a counter at zero that still
//! records when, and counters no rule needs are deleted.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::throttle::{Counter, Failure};
use baton_store::conformance::prelude::*;
use baton_store::store_test;
use jiff::Timestamp;

fn failure(key: &str, forget_before: i64) -> Failure {
    Failure {
        key: key.to_owned(),
        forget_before: at(forget_before),
    }
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_owned()).collect()
}

/// The counters of `list`, sorted by key.
async fn counters(store: &dyn Store, list: &[&str]) -> Vec<(String, u32, Timestamp)> {
    let mut found: Vec<_> = store
        .throttle_counters(&keys(list))
        .await
        .expect("throttle_counters")
        .into_iter()
        .map(
            |Counter {
                 key,
                 failures,
                 last_at,
             }| (key, failures, last_at),
        )
        .collect();
    found.sort();
    found
}

store_test!(
    failures_count_up_per_key_and_unknown_keys_have_no_counter,
    |store| async move {
        for secs in [10, 20, 30] {
            store
                .count_failures(&[failure("a", 0), failure("b", 0)], at(secs), at(0))
                .await
                .expect("count");
        }
        store
            .count_failures(&[failure("a", 0)], at(40), at(0))
            .await
            .expect("count");
        assert_eq!(
            counters(&*store, &["a", "b", "never"]).await,
            vec![("a".into(), 4, at(40)), ("b".into(), 3, at(30))]
        );
        assert_eq!(counters(&*store, &[]).await, vec![]);
    }
);

store_test!(
    a_counter_untouched_since_its_forget_instant_starts_again_from_one,
    |store| async move {
        for secs in [10, 20] {
            store
                .count_failures(&[failure("a", 0)], at(secs), at(0))
                .await
                .expect("count");
        }
        store
            .count_failures(&[failure("a", 25)], at(100), at(0))
            .await
            .expect("count");
        assert_eq!(
            counters(&*store, &["a"]).await,
            vec![("a".into(), 1, at(100))]
        );
    }
);

store_test!(
    a_reset_leaves_a_counter_at_zero_with_its_instant,
    |store| async move {
        store
            .count_failures(&[failure("a", 0)], at(10), at(0))
            .await
            .expect("count");
        store
            .reset_counters(&keys(&["a", "known"]), at(50))
            .await
            .expect("reset");
        assert_eq!(
            counters(&*store, &["a", "known"]).await,
            vec![("a".into(), 0, at(50)), ("known".into(), 0, at(50))]
        );
    }
);

store_test!(
    counting_deletes_counters_last_touched_before_the_expiry,
    |store| async move {
        store
            .reset_counters(&keys(&["old", "recent"]), at(10))
            .await
            .expect("reset");
        store
            .reset_counters(&keys(&["recent"]), at(60))
            .await
            .expect("reset");
        store
            .count_failures(&[failure("new", 0)], at(100), at(50))
            .await
            .expect("count");
        assert_eq!(
            counters(&*store, &["old", "recent", "new"]).await,
            vec![("new".into(), 1, at(100)), ("recent".into(), 0, at(60))]
        );
    }
);

store_test!(concurrent_failures_are_all_counted, |store| async move {
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .count_failures(&[failure("hot", 0)], at(100 + i), at(0))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("joined").expect("count");
    }
    let found = counters(&*store, &["hot"]).await;
    assert_eq!(found.first().map(|c| c.1), Some(20));
});
