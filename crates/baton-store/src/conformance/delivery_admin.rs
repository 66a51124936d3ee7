//! Conformance: what admins and the digest sender rely on beyond claiming and settling: the
//! backlog's view of the queue at an instant (due, leased, sent in the last day, the oldest
//! due), the parked list and its retry, the digest key a claim gives its deliveries, and
//! per-workspace secrets.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::collections::HashSet;

use baton_core::delivery::outbox::{Backlog, EventKind, Retry, Settled};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

use super::deliveries::{LEASE, ids, queued};

/// A day in seconds.
const DAY: i64 = 24 * 60 * 60;

store_test!(
    the_backlog_counts_due_leased_and_recently_sent_deliveries,
    |store| async move {
        let w = world(&*store, "acme").await;
        let third = member(&*store, w.ws(), "third@acme.test").await;
        queued(&*store, &w, &[w.member.id], 100).await;
        queued(&*store, &w, &[w.owner().id], 150).await;
        queued(&*store, &w, &[third.id], 500).await;
        let ws = w.ws();
        let backlog = |now| {
            let store = Arc::clone(&store);
            async move { store.backlog(ws, at(now)).await.expect("backlog") }
        };
        assert_eq!(
            backlog(200).await,
            Backlog {
                queued: 3,
                due_now: 2,
                oldest_due_at: Some(at(100)),
                ..Backlog::default()
            }
        );
        let claimed = store
            .claim_due("w", at(200), LEASE, 1)
            .await
            .expect("claim");
        // Which of the two due recipients a claim takes first is the backend's choice.
        let left_due = if claimed[0].recipient_id == w.member.id {
            150
        } else {
            100
        };
        assert_eq!(
            backlog(200).await,
            Backlog {
                queued: 3,
                due_now: 1,
                leased: 1,
                oldest_due_at: Some(at(100)),
                ..Backlog::default()
            }
        );
        store
            .mark_sent(w.ws(), "w", &ids(&claimed), Settled::Sent, at(210))
            .await
            .expect("sent");
        assert_eq!(
            backlog(300).await,
            Backlog {
                queued: 2,
                due_now: 1,
                sent: 1,
                sent_last_day: 1,
                oldest_due_at: Some(at(left_due)),
                ..Backlog::default()
            }
        );
        let next_day = backlog(210 + DAY).await;
        assert_eq!(
            (next_day.sent, next_day.sent_last_day, next_day.due_now),
            (1, 0, 2)
        );
        // Another workspace's backlog counts none of this.
        let other = world(&*store, "globex").await;
        assert_eq!(
            store.backlog(other.ws(), at(300)).await.expect("other"),
            Backlog::default()
        );
    }
);

store_test!(
    a_parked_delivery_is_listed_and_retried_with_fresh_attempts,
    |store| async move {
        let w = world(&*store, "acme").await;
        let event = queued(&*store, &w, &[w.member.id], 100).await;
        let claimed = store
            .claim_due("w", at(100), LEASE, 10)
            .await
            .expect("claim");
        store
            .mark_failed(w.ws(), "w", &ids(&claimed), "550 mailbox full", Retry::Park)
            .await
            .expect("park");
        let parked = store.parked(w.ws(), 10).await.expect("parked");
        assert_eq!(parked.len(), 1);
        let p = &parked[0];
        assert_eq!(
            (
                p.id,
                p.recipient_id,
                p.event_id,
                p.kind,
                p.thread_id,
                p.due_at,
                p.attempts
            ),
            (
                claimed[0].id,
                w.member.id,
                event.id,
                EventKind::Ask,
                Some(w.thread.thread.id),
                at(100),
                1
            )
        );
        assert_eq!(p.last_error.as_deref(), Some("550 mailbox full"));
        let other = world(&*store, "globex").await;
        assert!(store.parked(other.ws(), 10).await.expect("none").is_empty());
        let err = store
            .retry_parked(other.ws(), p.id, at(500))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");

        store
            .retry_parked(w.ws(), p.id, at(500))
            .await
            .expect("retry");
        assert!(store.parked(w.ws(), 10).await.expect("none").is_empty());
        let err = store.retry_parked(w.ws(), p.id, at(501)).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    constraint: Constraint::DeliveryNotParked
                }
            ),
            "{err:?}"
        );
        let err = store
            .retry_parked(w.ws(), Id::random(), at(501))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        assert!(
            store
                .claim_due("w", at(499), LEASE, 10)
                .await
                .expect("not yet")
                .is_empty()
        );
        let again = store
            .claim_due("w", at(500), LEASE, 10)
            .await
            .expect("claim");
        assert_eq!((ids(&again), again[0].attempts), (vec![p.id], 1));
    }
);

store_test!(
    a_claim_keeps_digest_keys_and_gives_new_deliveries_their_own,
    |store| async move {
        let w = world(&*store, "acme").await;
        queued(&*store, &w, &[w.member.id, w.owner().id], 100).await;
        queued(&*store, &w, &[w.member.id], 110).await;
        let first = store
            .claim_due("dead", at(110), LEASE, 10)
            .await
            .expect("claim");
        assert_eq!(first.len(), 3);
        let key_of = |recipient: Id| {
            let keys: HashSet<Id> = first
                .iter()
                .filter(|d| d.recipient_id == recipient)
                .map(|d| d.digest_id)
                .collect();
            assert_eq!(keys.len(), 1, "one digest per recipient and claim");
            keys.into_iter().next().expect("a key")
        };
        let (member_key, owner_key) = (key_of(w.member.id), key_of(w.owner().id));
        assert_ne!(member_key, owner_key);

        // The worker died; a newer delivery joins the member's queue before the lease runs out.
        queued(&*store, &w, &[w.member.id], 200).await;
        let second = store
            .claim_due("live", at(110 + 300), LEASE, 10)
            .await
            .expect("reclaim");
        assert_eq!(second.len(), 4);
        for d in &second {
            let was = first.iter().find(|f| f.id == d.id);
            match was {
                Some(f) => assert_eq!(d.digest_id, f.digest_id, "a claimed delivery keeps its key"),
                None => {
                    assert_ne!(d.digest_id, member_key, "a new delivery is not merged in");
                    assert_eq!(d.attempts, 1);
                }
            }
        }
        // A failed send keeps the key for the retry.
        store
            .mark_failed(
                w.ws(),
                "live",
                &ids(&second),
                "421 busy",
                Retry::At(at(1000)),
            )
            .await
            .expect("fail");
        let retried = store
            .claim_due("live", at(1000), LEASE, 10)
            .await
            .expect("retry");
        for d in &retried {
            let before = second.iter().find(|s| s.id == d.id).expect("the same");
            assert_eq!(d.digest_id, before.digest_id);
        }
    }
);

store_test!(
    a_workspace_secret_is_created_once_per_purpose,
    |store| async move {
        let (w, other) = two_worlds(&*store).await;
        assert_eq!(
            store
                .workspace_secret(w.ws(), "unsubscribe")
                .await
                .expect("none"),
            None
        );
        let ws = w.ws();
        let racers = (0..4).map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .ensure_workspace_secret(ws, "unsubscribe", &format!("candidate-{n}"))
                    .await
                    .expect("ensure")
            })
        });
        let mut winners = HashSet::new();
        for racer in racers.collect::<Vec<_>>() {
            winners.insert(racer.await.expect("racer"));
        }
        assert_eq!(winners.len(), 1, "every caller gets the one secret");
        let secret = winners.into_iter().next().expect("a secret");
        assert_eq!(
            store
                .ensure_workspace_secret(w.ws(), "unsubscribe", "later")
                .await
                .expect("kept"),
            secret
        );
        assert_eq!(
            store
                .workspace_secret(w.ws(), "unsubscribe")
                .await
                .expect("read"),
            Some(secret.clone())
        );
        assert_eq!(
            store
                .workspace_secret(w.ws(), "other purpose")
                .await
                .expect("read"),
            None
        );
        assert_eq!(
            store
                .workspace_secret(other.ws(), "unsubscribe")
                .await
                .expect("read"),
            None
        );
        let err = store
            .ensure_workspace_secret(Id::random(), "unsubscribe", "x")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
);
