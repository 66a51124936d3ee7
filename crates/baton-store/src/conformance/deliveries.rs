//! Conformance: the transactional outbox (an event written with its post, or not at all),
//! idempotent expansion into deliveries, leased claims (each due delivery to one claimer, all of
//! a recipient's to the same one), lease expiry, retries and parking, and the backlog counts.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::collections::{HashMap, HashSet};

use baton_core::delivery::outbox::{
    Backlog, Channel, ClaimedDelivery, Event, EventKind, NewDelivery, Retry, Settled,
};
use baton_store::conformance::prelude::*;
use baton_store::store_test;
use jiff::SignedDuration;

pub(crate) const LEASE: SignedDuration = SignedDuration::from_secs(300);

/// Writes a post in `w`'s thread asking `to`, and returns the one event it stored.
pub(crate) async fn ask_event(store: &dyn Store, w: &World, to: &[Id], secs: i64) -> Event {
    let before = store.unexpanded_events(1000).await.expect("events").len();
    let post = asking_post(w.thread.thread.id, w.owner().id, to, secs);
    store.create_post(w.ws(), post, None).await.expect("post");
    let mut events = store.unexpanded_events(1000).await.expect("events");
    assert_eq!(events.len(), before + 1, "one event per post with asks");
    events.pop().expect("the new event is the newest")
}

/// One email delivery per recipient of `event`, due at `due` seconds.
pub(crate) fn deliveries_for(event: &Event, due: i64) -> Vec<NewDelivery> {
    event
        .recipients
        .iter()
        .map(|to| NewDelivery {
            id: Id::random(),
            recipient_id: *to,
            channel: Channel::Email,
            webhook_id: None,
            due_at: at(due),
        })
        .collect()
}

/// Writes an ask event for `to` and expands it into deliveries due at `due` seconds.
pub(crate) async fn queued(store: &dyn Store, w: &World, to: &[Id], due: i64) -> Event {
    let event = ask_event(store, w, to, 10).await;
    store
        .expand_event(w.ws(), event.id, deliveries_for(&event, due), at(10))
        .await
        .expect("expand");
    event
}

pub(crate) fn ids(claimed: &[ClaimedDelivery]) -> Vec<Id> {
    claimed.iter().map(|d| d.id).collect()
}

store_test!(
    a_post_with_asks_stores_one_event_with_it,
    |store| async move {
        let w = world(&*store, "acme").await;
        post(
            &*store,
            w.ws(),
            w.thread.thread.id,
            w.owner().id,
            "No asks",
            5,
        )
        .await;
        assert!(store.unexpanded_events(10).await.expect("none").is_empty());

        let third = member(&*store, w.ws(), "third@acme.test").await;
        let event = ask_event(&*store, &w, &[w.member.id, third.id], 20).await;
        let post = store
            .list_posts(w.ws(), w.thread.thread.id, PageRequest::first())
            .await
            .expect("posts")
            .items
            .pop()
            .expect("the asking post");
        assert_eq!(
            (
                event.workspace_id,
                event.kind,
                event.thread_id,
                event.post_id,
                event.actor_id,
                event.created_at
            ),
            (
                w.ws(),
                EventKind::Ask,
                Some(w.thread.thread.id),
                Some(post.id),
                w.owner().id,
                at(20)
            )
        );
        assert_eq!(event.recipients, vec![w.member.id, third.id]);
    }
);

store_test!(a_failed_post_write_leaves_no_event, |store| async move {
    let w = world(&*store, "acme").await;
    // The event is written before the asks; an ask to nobody fails the write after it.
    let doomed = asking_post(
        w.thread.thread.id,
        w.owner().id,
        &[w.member.id, Id::random()],
        5,
    );
    let err = store.create_post(w.ws(), doomed, None).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(store.unexpanded_events(10).await.expect("none").is_empty());
    assert_eq!(
        store.backlog(w.ws(), at(5)).await.expect("backlog"),
        Backlog::default()
    );
});

store_test!(
    expanding_an_event_twice_makes_one_delivery_per_recipient,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (other, _) = two_worlds(&*store).await;
        let event = ask_event(&*store, &w, &[w.member.id, w.owner().id], 5).await;
        let mut first = deliveries_for(&event, 100);
        // A recipient from another workspace is skipped, not an error.
        first.push(NewDelivery {
            recipient_id: other.member.id,
            ..first[0].clone()
        });
        store
            .expand_event(w.ws(), event.id, first, at(6))
            .await
            .expect("expand");
        assert!(
            store
                .unexpanded_events(10)
                .await
                .expect("expanded")
                .is_empty()
        );
        store
            .expand_event(w.ws(), event.id, deliveries_for(&event, 200), at(7))
            .await
            .expect("expand again");
        let backlog = store.backlog(w.ws(), at(7)).await.expect("backlog");
        assert_eq!(
            backlog,
            Backlog {
                queued: 2,
                ..Backlog::default()
            }
        );

        let claimed = store
            .claim_due("w1", at(300), LEASE, 10)
            .await
            .expect("claim");
        let mut recipients: Vec<Id> = claimed.iter().map(|d| d.recipient_id).collect();
        recipients.sort();
        let mut expected = vec![w.member.id, w.owner().id];
        expected.sort();
        assert_eq!(recipients, expected);
        assert!(
            claimed
                .iter()
                .all(|d| d.due_at == at(100) && d.event_id == event.id)
        );
        assert!(
            claimed
                .iter()
                .all(|d| d.thread_id == Some(w.thread.thread.id) && d.attempts == 1)
        );

        let err = store
            .expand_event(other.ws(), event.id, Vec::new(), at(8))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound),
            "another workspace's event: {err:?}"
        );
    }
);

store_test!(nothing_is_claimed_before_it_is_due, |store| async move {
    let w = world(&*store, "acme").await;
    queued(&*store, &w, &[w.member.id], 100).await;
    assert!(
        store
            .claim_due("w1", at(99), LEASE, 10)
            .await
            .expect("early")
            .is_empty()
    );
    assert_eq!(
        store
            .claim_due("w1", at(100), LEASE, 10)
            .await
            .expect("due")
            .len(),
        1
    );
});

store_test!(
    eight_concurrent_claimers_take_each_due_delivery_exactly_once,
    |store| async move {
        let w = world(&*store, "acme").await;
        let mut people = Vec::new();
        for i in 0..24 {
            people.push(member(&*store, w.ws(), &format!("m{i}@acme.test")).await.id);
        }
        // Two events to everyone: two due deliveries per recipient.
        queued(&*store, &w, &people, 50).await;
        queued(&*store, &w, &people, 60).await;
        let claimers = (0..8).map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let owner = format!("worker-{n}");
                let mut mine = Vec::new();
                loop {
                    let batch = store
                        .claim_due(&owner, at(100), LEASE, 2)
                        .await
                        .expect("claim");
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.push((owner.clone(), batch));
                }
            })
        });
        let mut seen = HashSet::new();
        let mut claim_of_recipient: HashMap<Id, usize> = HashMap::new();
        let mut claim_no = 0;
        for claimer in claimers.collect::<Vec<_>>() {
            for (_, batch) in claimer.await.expect("claimer") {
                claim_no += 1;
                for d in batch {
                    assert!(seen.insert(d.id), "delivery {} claimed twice", d.id);
                    let first = *claim_of_recipient.entry(d.recipient_id).or_insert(claim_no);
                    assert_eq!(first, claim_no, "a recipient's deliveries were split");
                }
            }
        }
        assert_eq!(seen.len(), 48);
    }
);

store_test!(
    an_expired_lease_lets_another_owner_reclaim,
    |store| async move {
        let w = world(&*store, "acme").await;
        queued(&*store, &w, &[w.member.id], 100).await;
        let first = store
            .claim_due("a", at(100), LEASE, 10)
            .await
            .expect("a claims");
        assert_eq!(first.len(), 1);
        assert!(
            store
                .claim_due("b", at(399), LEASE, 10)
                .await
                .expect("held")
                .is_empty()
        );
        let second = store
            .claim_due("b", at(400), LEASE, 10)
            .await
            .expect("b reclaims");
        assert_eq!((ids(&second), second[0].attempts), (ids(&first), 2));

        let late = store
            .mark_sent(w.ws(), "a", &ids(&first), Settled::Sent, at(401))
            .await;
        assert_eq!(late.expect("a's late answer"), 0, "a lost its lease");
        let done = store
            .mark_sent(w.ws(), "b", &ids(&second), Settled::Sent, at(402))
            .await;
        assert_eq!(done.expect("b settles"), 1);
        assert!(
            store
                .claim_due("c", at(10_000), LEASE, 10)
                .await
                .expect("sent")
                .is_empty()
        );
        assert_eq!(
            store.backlog(w.ws(), at(402)).await.expect("backlog"),
            Backlog {
                sent: 1,
                sent_last_day: 1,
                ..Backlog::default()
            }
        );
    }
);

store_test!(failed_sends_back_off_and_park, |store| async move {
    let w = world(&*store, "acme").await;
    queued(&*store, &w, &[w.member.id, w.owner().id], 100).await;
    let claimed = store
        .claim_due("w", at(100), LEASE, 10)
        .await
        .expect("claim");
    let (failing, dropped) = (vec![claimed[0].id], vec![claimed[1].id]);
    let retry = Retry::At(at(160));
    assert_eq!(
        store
            .mark_failed(w.ws(), "w", &failing, "421 busy", retry)
            .await
            .expect("fail"),
        1
    );
    assert_eq!(
        store
            .mark_sent(w.ws(), "w", &dropped, Settled::Dropped, at(101))
            .await
            .expect("drop"),
        1
    );

    assert!(
        store
            .claim_due("w", at(159), LEASE, 10)
            .await
            .expect("backing off")
            .is_empty()
    );
    let again = store
        .claim_due("w", at(160), LEASE, 10)
        .await
        .expect("retry");
    assert_eq!((ids(&again), again[0].attempts), (failing.clone(), 2));
    assert_eq!(
        store
            .mark_failed(w.ws(), "w", &failing, "550 no", Retry::Park)
            .await
            .expect("park"),
        1
    );
    assert!(
        store
            .claim_due("w", at(1_000_000), LEASE, 10)
            .await
            .expect("parked")
            .is_empty()
    );
    assert_eq!(
        store.backlog(w.ws(), at(1_000_000)).await.expect("backlog"),
        Backlog {
            parked: 1,
            dropped: 1,
            ..Backlog::default()
        }
    );
});

store_test!(
    an_end_of_day_reminder_is_recorded_once_per_holder_and_day,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (holder, day, next_day) = (w.member.id, at(5000), at(90_000));
        assert!(
            store
                .record_reminder(w.ws(), holder, day, at(4000))
                .await
                .expect("first")
        );
        assert!(
            !store
                .record_reminder(w.ws(), holder, day, at(4010))
                .await
                .expect("again")
        );
        assert!(
            store
                .record_reminder(w.ws(), holder, next_day, at(88_000))
                .await
                .expect("next day")
        );
        assert!(
            store
                .record_reminder(w.ws(), w.owner().id, day, at(4000))
                .await
                .expect("other holder")
        );
        // A member of another workspace is not recorded under this one.
        let other = world(&*store, "globex").await;
        assert!(
            !store
                .record_reminder(w.ws(), other.member.id, day, at(4000))
                .await
                .expect("outsider")
        );

        let events = store.unexpanded_events(100).await.expect("events");
        let mine: Vec<&Event> = events.iter().filter(|e| e.workspace_id == w.ws()).collect();
        assert_eq!(mine.len(), 3);
        let first = mine[0];
        assert_eq!(
            (
                first.kind,
                first.thread_id,
                first.post_id,
                first.actor_id,
                first.created_at
            ),
            (EventKind::BatonReminder, None, None, holder, at(4000))
        );
        assert_eq!(first.recipients, vec![holder]);

        // It expands and is claimed like any other event, without a thread or post.
        store
            .expand_event(w.ws(), first.id, deliveries_for(first, 4000), at(4000))
            .await
            .expect("expand");
        let claimed = store
            .claim_due("w1", at(4000), LEASE, 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            (
                claimed[0].kind,
                claimed[0].thread_id,
                claimed[0].post_id,
                claimed[0].recipient_id
            ),
            (EventKind::BatonReminder, None, None, holder)
        );
        store
            .mark_sent(w.ws(), "w1", &ids(&claimed), Settled::Sent, at(4001))
            .await
            .expect("settle");
    }
);

store_test!(
    baton_holders_lists_each_holder_of_an_open_baton_once,
    |store| async move {
        let w = world(&*store, "acme").await;
        let baton = |holder: Id, title: &str| Baton {
            id: Id::random(),
            title: title.to_owned(),
            description: String::new(),
            relay_id: None,
            holder_id: holder,
            status: BatonStatus::Open,
            created_by: w.owner().id,
            created_at: at(1),
            seq: 0,
        };
        assert!(
            store
                .baton_holders()
                .await
                .expect("none")
                .iter()
                .all(|(ws, _)| *ws != w.ws())
        );
        for title in ["One", "Two"] {
            store
                .create_baton(w.ws(), baton(w.member.id, title))
                .await
                .expect("baton");
        }
        let done = store
            .create_baton(w.ws(), baton(w.owner().id, "Done"))
            .await
            .expect("baton");
        store
            .set_baton_status(w.ws(), done.id, BatonStatus::Done)
            .await
            .expect("done");
        let holders: Vec<(Id, Id)> = store
            .baton_holders()
            .await
            .expect("holders")
            .into_iter()
            .filter(|(ws, _)| *ws == w.ws())
            .collect();
        assert_eq!(holders, vec![(w.ws(), w.member.id)]);
    }
);
