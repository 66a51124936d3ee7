//! Conformance: a handoff's delivery to its receiver. Creating a handoff stores one `handoff`
//! event in its transaction (a refused handoff stores none), dated when the handoff reaches
//! the receiver; and `handoffs_waiting_for` lists what the handoff email says when it is sent:
//! the receiver's pending handoffs that have reached them, with their batons.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::delivery::outbox::{Event, EventKind};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

use crate::relays::{assert_conflict, handed_to_member, new_baton, new_handoff, owners_baton};

/// The unexpanded events of `ws`, oldest first.
async fn events_of(store: &dyn Store, ws: Id) -> Vec<Event> {
    let all = store.unexpanded_events(1000).await.expect("events");
    all.into_iter().filter(|e| e.workspace_id == ws).collect()
}

store_test!(
    a_handoff_records_one_event_for_its_receiver_dated_when_it_reaches_them,
    |store| async move {
        let w = world(&*store, "acme").await;
        let before = events_of(&*store, w.ws()).await.len();
        let (_, handoff) = handed_to_member(&*store, &w).await;
        let events = events_of(&*store, w.ws()).await;
        assert_eq!(events.len(), before + 1, "one event per handoff");
        let event = events.last().expect("the new event");
        assert_eq!(
            (
                event.kind,
                event.thread_id,
                event.post_id,
                event.actor_id,
                event.created_at
            ),
            (
                EventKind::Handoff,
                None,
                None,
                w.owner().id,
                handoff.delivers_at
            )
        );
        assert_eq!(event.recipients, vec![w.member.id]);
    }
);

store_test!(a_refused_handoff_records_no_event, |store| async move {
    let w = world(&*store, "acme").await;
    let (baton, _) = handed_to_member(&*store, &w).await;
    let after_first = events_of(&*store, w.ws()).await.len();
    let third = member(&*store, w.ws(), "third@acme.test").await;
    assert_conflict(
        store
            .create_handoff(w.ws(), new_handoff(baton.id, w.owner().id, third.id, 20))
            .await,
        Constraint::HandoffPending,
    );
    let other = owners_baton(&*store, &w).await;
    assert_conflict(
        store
            .create_handoff(w.ws(), new_handoff(other.id, w.member.id, third.id, 20))
            .await,
        Constraint::BatonHolder,
    );
    assert_eq!(events_of(&*store, w.ws()).await.len(), after_first);
});

store_test!(
    handoffs_waiting_for_lists_the_pending_ones_that_reached_the_receiver,
    |store| async move {
        let (w, globex) = two_worlds(&*store).await;
        let (first_baton, first) = handed_to_member(&*store, &w).await;
        let second_baton = store
            .create_baton(w.ws(), new_baton(w.owner().id, w.owner().id, None, "Docs"))
            .await
            .expect("create_baton");
        let second = store
            .create_handoff(
                w.ws(),
                new_handoff(second_baton.id, w.owner().id, w.member.id, 20),
            )
            .await
            .expect("create_handoff");
        let waiting = |who: Id, ws: Id, secs: i64| {
            let store = Arc::clone(&store);
            async move {
                store
                    .handoffs_waiting_for(ws, who, at(secs))
                    .await
                    .expect("handoffs_waiting_for")
            }
        };

        assert!(
            waiting(w.member.id, w.ws(), 3609).await.is_empty(),
            "not before delivers_at"
        );
        assert_eq!(
            waiting(w.member.id, w.ws(), 3610).await,
            vec![(first.clone(), first_baton.clone())]
        );
        assert_eq!(
            waiting(w.member.id, w.ws(), 4000).await,
            vec![
                (first.clone(), first_baton.clone()),
                (second.clone(), second_baton)
            ],
            "oldest first, each with its baton"
        );
        assert!(
            waiting(w.owner().id, w.ws(), 4000).await.is_empty(),
            "only the receiver's"
        );
        assert!(
            waiting(w.member.id, globex.ws(), 4000).await.is_empty(),
            "only in its workspace"
        );

        store
            .resolve_handoff(
                w.ws(),
                second.id,
                Resolution::Bounce {
                    reason: "busy".into(),
                },
                at(30),
            )
            .await
            .expect("bounce");
        assert_eq!(
            waiting(w.member.id, w.ws(), 4000).await,
            vec![(first.clone(), first_baton)],
            "a bounced handoff no longer waits"
        );
        store
            .resolve_handoff(w.ws(), first.id, Resolution::Accept, at(40))
            .await
            .expect("accept");
        assert!(
            waiting(w.member.id, w.ws(), 4000).await.is_empty(),
            "an accepted handoff no longer waits"
        );
    }
);
