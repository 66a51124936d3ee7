//! Conformance: the change feed. Every subscriber hears every announcement made after it
//! subscribed, byte for byte and in order, up to the size limit every backend accepts; longer
//! ones are refused. (Several processes hearing each other on PostgreSQL is tested with two
//! `baton serve` instances in `crates/baton/tests/live_instances.rs`.)
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::time::Duration;

use baton_store::conformance::prelude::*;
use baton_store::{Heard, MAX_ANNOUNCEMENT, store_test};
use tokio::sync::broadcast;

/// How long a test waits for an announcement before failing instead of hanging. Not a
/// measurement: a working feed answers in milliseconds.
const HEAR_WITHIN: Duration = Duration::from_secs(30);

/// The next announcement `receiver` hears, past any "you may have missed some" notice (heard
/// on PostgreSQL when the listening connection starts).
async fn next_announced(receiver: &mut broadcast::Receiver<Heard>) -> String {
    loop {
        let heard = tokio::time::timeout(HEAR_WITHIN, receiver.recv())
            .await
            .expect("an announcement in time")
            .expect("an open feed");
        if let Heard::Announced(payload) = heard {
            return payload.to_string();
        }
    }
}

store_test!(
    every_subscriber_hears_every_announcement_in_order,
    |store: Arc<dyn Store>| async move {
        let mut first = store.subscribe().await.expect("subscribe");
        let mut second = store.subscribe().await.expect("subscribe again");
        for payload in ["one", "two", "three"] {
            store.announce(payload).await.expect("announce");
        }
        for receiver in [&mut first, &mut second] {
            let mut heard = Vec::new();
            for _ in 0..3 {
                heard.push(next_announced(receiver).await);
            }
            assert_eq!(heard, ["one", "two", "three"]);
        }
    }
);

store_test!(an_announcement_arrives_byte_for_byte, |store: Arc<
    dyn Store,
>| async move {
    let mut receiver = store.subscribe().await.expect("subscribe");
    let quoted = r#"[{"w":"it's \"quoted\"","m":["ünïcødé ✓"]}]"#;
    store.announce(quoted).await.expect("announce quotes");
    assert_eq!(next_announced(&mut receiver).await, quoted);
    let largest = "x".repeat(MAX_ANNOUNCEMENT);
    store
        .announce(&largest)
        .await
        .expect("announce the largest");
    assert_eq!(next_announced(&mut receiver).await, largest);
});

store_test!(
    an_announcement_over_the_limit_is_refused_and_not_heard,
    |store: Arc<dyn Store>| async move {
        let mut receiver = store.subscribe().await.expect("subscribe");
        let refused = store.announce(&"x".repeat(MAX_ANNOUNCEMENT + 1)).await;
        assert!(matches!(refused, Err(StoreError::Other(_))), "{refused:?}");
        store.announce("after").await.expect("announce");
        assert_eq!(next_announced(&mut receiver).await, "after");
    }
);
