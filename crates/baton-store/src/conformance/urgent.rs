//! Conformance: the workspace's urgent budget (default, set, scoped), urgent posts decided
//! against the sender's rolling week inside their own transaction (granted → an `urgent`
//! event and an `urgent.sent` entry; over budget → an ordinary `ask` event and an
//! `urgent.over_budget` entry), concurrent urgent posts that never overshoot, the audit log's
//! newest-first pages, and the relay legs that cover a linked thread.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::delivery::outbox::EventKind;
use baton_core::delivery::{AuditAction, UrgentBudget, UrgentLeg, UrgentSend};
use baton_store::conformance::prelude::*;
use baton_store::store_test;
use jiff::Timestamp;

const WEEK: i64 = 7 * 24 * 3600;

/// An urgent send of `budget` to `to`, who is told now.
fn urgent_to(to: Id, secs: i64, budget: u32) -> UrgentSend {
    UrgentSend {
        budget: UrgentBudget::new(i64::from(budget)).expect("budget"),
        legs: vec![UrgentLeg {
            recipient_id: to,
            covered_by: None,
            recipient_at: at(secs),
        }],
    }
}

/// An urgent post by the world's owner to its member at `secs`.
async fn send(store: &dyn Store, w: &World, secs: i64, budget: u32) -> bool {
    let post = new_post(w.thread.thread.id, w.owner().id, "Prod is down", secs);
    let (_, outcome) = store
        .create_urgent_post(w.ws(), post, urgent_to(w.member.id, secs, budget), None)
        .await
        .expect("urgent post");
    outcome.granted
}

store_test!(
    the_urgent_budget_defaults_to_three_and_is_set_per_workspace,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        assert_eq!(
            store.urgent_budget(a.ws()).await.expect("budget"),
            UrgentBudget::DEFAULT
        );
        let five = UrgentBudget::new(5).expect("five");
        store
            .set_urgent_budget(a.ws(), five, a.owner().id, at(1))
            .await
            .expect("set");
        store
            .set_urgent_budget(a.ws(), five, a.owner().id, at(2))
            .await
            .expect("set again");
        assert_eq!(store.urgent_budget(a.ws()).await.expect("budget"), five);
        assert_eq!(
            store.urgent_budget(b.ws()).await.expect("budget"),
            UrgentBudget::DEFAULT
        );
        // Set by someone from another workspace: refused, nothing written.
        assert_not_found(
            store
                .set_urgent_budget(b.ws(), five, a.owner().id, at(3))
                .await,
        );
        assert_eq!(
            store.urgent_budget(b.ws()).await.expect("budget"),
            UrgentBudget::DEFAULT
        );
    }
);

store_test!(
    an_urgent_post_within_budget_stores_an_urgent_event_and_an_audit_entry,
    |store| async move {
        let w = world(&*store, "acme").await;
        let before = store.unexpanded_events(100).await.expect("events").len();
        let post = new_post(w.thread.thread.id, w.owner().id, "Prod is down", 100);
        let legs = vec![UrgentLeg {
            recipient_id: w.member.id,
            covered_by: Some(w.owner().id),
            recipient_at: at(5000),
        }];
        let urgent = UrgentSend {
            budget: UrgentBudget::DEFAULT,
            legs: legs.clone(),
        };
        let (written, outcome) = store
            .create_urgent_post(w.ws(), post.clone(), urgent, None)
            .await
            .expect("urgent post");
        assert_eq!(written.id, post.id);
        assert!(outcome.granted);
        assert_eq!((outcome.left, outcome.budget), (2, 3));
        let events = store.unexpanded_events(100).await.expect("events");
        assert_eq!(events.len(), before + 1);
        let event = events.last().expect("the new event");
        assert_eq!(event.kind, EventKind::Urgent);
        assert_eq!(event.recipients, vec![w.member.id]);
        assert_eq!(event.post_id, Some(post.id));
        let entry = store
            .audit_of_post(w.ws(), post.id)
            .await
            .expect("read")
            .expect("an entry");
        assert_eq!(entry.action, AuditAction::UrgentSent);
        assert_eq!(
            (entry.actor_id, entry.thread_id),
            (w.owner().id, Some(w.thread.thread.id))
        );
        assert_eq!(entry.legs, legs);
        assert_eq!(entry.at, at(100));
        assert_eq!(
            store
                .urgent_sends_since(w.ws(), w.owner().id, at(0))
                .await
                .expect("sends"),
            vec![at(100)]
        );
    }
);

store_test!(
    an_urgent_thread_is_written_with_its_decision,
    |store| async move {
        let w = world(&*store, "acme").await;
        let new = new_thread(w.space.id, w.owner().id, "Outage", 50);
        let (created, outcome) = store
            .create_urgent_thread(w.ws(), new.clone(), urgent_to(w.member.id, 50, 3), None)
            .await
            .expect("urgent thread");
        assert!(outcome.granted);
        assert_eq!(created.thread.id, new.id);
        let entry = store
            .audit_of_post(w.ws(), created.post.id)
            .await
            .expect("read")
            .expect("entry");
        assert_eq!(entry.thread_id, Some(new.id));
        // Into a space of another workspace: nothing written, no entry.
        let other = world(&*store, "globex").await;
        let foreign = new_thread(other.space.id, w.owner().id, "Sneaky", 60);
        assert_not_found(
            store
                .create_urgent_thread(w.ws(), foreign.clone(), urgent_to(w.member.id, 60, 3), None)
                .await,
        );
        assert!(
            store
                .audit_of_post(w.ws(), foreign.first_post.id)
                .await
                .expect("read")
                .is_none()
        );
    }
);

store_test!(
    over_budget_an_urgent_post_goes_out_as_an_ordinary_ask_and_is_audited,
    |store| async move {
        let w = world(&*store, "acme").await;
        let granted: Vec<bool> = [
            send(&*store, &w, 10, 3).await,
            send(&*store, &w, 20, 3).await,
            send(&*store, &w, 30, 3).await,
            send(&*store, &w, 40, 3).await,
        ]
        .to_vec();
        assert_eq!(granted, [true, true, true, false]);
        let log = store
            .audit_log(w.ws(), PageRequest::first())
            .await
            .expect("log");
        let actions: Vec<AuditAction> = log
            .items
            .iter()
            .filter(|e| e.post_id.is_some())
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                AuditAction::UrgentOverBudget,
                AuditAction::UrgentSent,
                AuditAction::UrgentSent,
                AuditAction::UrgentSent
            ]
        );
        let kinds: Vec<EventKind> = store
            .unexpanded_events(100)
            .await
            .expect("events")
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                EventKind::Urgent,
                EventKind::Urgent,
                EventKind::Urgent,
                EventKind::Ask
            ]
        );
        // An over-budget send does not count: a week after the first send, one is free again.
        assert!(send(&*store, &w, 10 + WEEK, 3).await);
        assert!(!send(&*store, &w, 11 + WEEK, 3).await);
    }
);

store_test!(
    sends_a_week_old_no_longer_count_and_a_zero_budget_refuses_all,
    |store| async move {
        let w = world(&*store, "acme").await;
        assert!(send(&*store, &w, 0, 1).await);
        assert!(
            !send(&*store, &w, WEEK - 1, 1).await,
            "a second before the week is out it still counts"
        );
        assert!(
            send(&*store, &w, WEEK, 1).await,
            "exactly a week later it is out"
        );
        assert!(!send(&*store, &w, WEEK + 2, 0).await);
    }
);

store_test!(
    concurrent_urgent_posts_by_one_sender_never_overshoot_the_budget,
    |store| async move {
        let w = world(&*store, "acme").await;
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (store, w) = (Arc::clone(&store), w.clone());
            tasks.push(tokio::spawn(
                async move { send(&*store, &w, 100 + i, 3).await },
            ));
        }
        let mut granted = 0;
        for task in tasks {
            granted += usize::from(task.await.expect("task"));
        }
        assert_eq!(granted, 3);
        let log = store
            .audit_log(w.ws(), PageRequest::first())
            .await
            .expect("log");
        let urgent: Vec<_> = log.items.iter().filter(|e| e.post_id.is_some()).collect();
        assert_eq!(urgent.len(), 12);
        let sent = urgent
            .iter()
            .filter(|e| e.action == AuditAction::UrgentSent)
            .count();
        assert_eq!(sent, 3);
    }
);

store_test!(
    the_audit_log_pages_newest_first_within_its_workspace,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        for i in 0..5 {
            send(&*store, &a, 10 + i, 50).await;
        }
        send(&*store, &b, 10, 50).await;
        let first = store
            .audit_log(a.ws(), PageRequest::parse(None, Some(3)).expect("page"))
            .await
            .expect("page 1");
        assert_eq!(first.items.len(), 3);
        let second = store
            .audit_log(
                a.ws(),
                PageRequest::parse(first.next_cursor.as_deref(), Some(3)).expect("page"),
            )
            .await
            .expect("page 2");
        // The rest of the page is the workspace's older entries: its owner's first token.
        assert_eq!(
            second.items.iter().filter(|e| e.post_id.is_some()).count(),
            2
        );
        let times: Vec<Timestamp> = first
            .items
            .iter()
            .chain(&second.items)
            .filter(|e| e.post_id.is_some())
            .map(|e| e.at)
            .collect();
        assert_eq!(times, [at(14), at(13), at(12), at(11), at(10)]);
        assert_eq!(
            store
                .audit_log(b.ws(), PageRequest::first())
                .await
                .expect("b")
                .items
                .iter()
                .filter(|e| e.post_id.is_some())
                .count(),
            1
        );
        // Another workspace's post has no entry here.
        let b_post = store
            .audit_log(b.ws(), PageRequest::first())
            .await
            .expect("b")
            .items[0]
            .post_id;
        assert!(
            store
                .audit_of_post(a.ws(), b_post.expect("post"))
                .await
                .expect("read")
                .is_none()
        );
    }
);

store_test!(
    a_thread_linked_to_a_relay_baton_is_covered_by_the_relay_legs_in_order,
    |store| async move {
        let w = world(&*store, "acme").await;
        let third = member(&*store, w.ws(), "third@acme.test").await;
        let thread = w.thread.thread.id;
        assert!(
            store
                .thread_relay_legs(w.ws(), thread)
                .await
                .expect("legs")
                .is_empty()
        );
        let relay = Relay {
            id: Id::random(),
            name: "Release train".to_owned(),
            legs: vec![third.id, w.member.id, w.owner().id],
            created_by: w.owner().id,
            created_at: at(5),
        };
        store
            .create_relay(w.ws(), relay.clone())
            .await
            .expect("relay");
        let baton = Baton {
            id: Id::random(),
            title: "Ship v3".to_owned(),
            description: String::new(),
            relay_id: Some(relay.id),
            holder_id: w.owner().id,
            status: BatonStatus::Open,
            created_by: w.owner().id,
            created_at: at(6),
            seq: 0,
        };
        store
            .create_linked_baton(w.ws(), baton.clone(), vec![thread])
            .await
            .expect("baton");
        assert_eq!(
            store.thread_relay_legs(w.ws(), thread).await.expect("legs"),
            vec![third.id, w.member.id, w.owner().id]
        );
        // A finished baton no longer makes its relay cover the thread.
        store
            .set_baton_status(w.ws(), baton.id, BatonStatus::Done)
            .await
            .expect("done");
        assert!(
            store
                .thread_relay_legs(w.ws(), thread)
                .await
                .expect("legs")
                .is_empty()
        );
    }
);
