//! Conformance: relays (legs kept in order, all from the workspace), batons (created, listed,
//! filtered by holder, linked to threads of their workspace once each) and handoffs (one
//! pending per baton, only from the holder, accepted or bounced exactly once, even when
//! resolutions race), all scoped by workspace.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

fn new_relay(creator: Id, legs: &[Id]) -> Relay {
    Relay {
        id: Id::random(),
        name: "Release train".to_owned(),
        legs: legs.to_vec(),
        created_by: creator,
        created_at: at(5),
    }
}

/// An open baton to create, held by `holder`, created at `T0 + 6`.
pub(crate) fn new_baton(creator: Id, holder: Id, relay: Option<Id>, title: &str) -> Baton {
    Baton {
        id: Id::random(),
        title: title.to_owned(),
        description: format!("Details of {title}"),
        relay_id: relay,
        holder_id: holder,
        status: BatonStatus::Open,
        created_by: creator,
        created_at: at(6),
        seq: 0,
    }
}

/// A pending handoff with a full note, passed at `T0 + secs` and reaching its receiver an
/// hour later.
pub(crate) fn new_handoff(baton: Id, from: Id, to: Id, secs: i64) -> Handoff {
    Handoff {
        id: Id::random(),
        baton_id: baton,
        from_id: from,
        to_id: to,
        note: HandoffNote {
            state: "Half the migrations are written".to_owned(),
            next_step: "Write the PostgreSQL half".to_owned(),
            blockers: "none".to_owned(),
            links: "https://example.com/pr/1".to_owned(),
        },
        created_at: at(secs),
        delivers_at: at(secs + 3600),
        status: HandoffStatus::Pending,
        resolved_at: None,
        bounce_reason: None,
    }
}

/// A baton held by the world's owner, with no relay.
pub(crate) async fn owners_baton(store: &dyn Store, w: &World) -> Baton {
    store
        .create_baton(
            w.ws(),
            new_baton(w.owner().id, w.owner().id, None, "Ship v3"),
        )
        .await
        .expect("create_baton")
}

/// A pending handoff of the owner's baton from the owner to the world's member.
pub(crate) async fn handed_to_member(store: &dyn Store, w: &World) -> (Baton, Handoff) {
    let baton = owners_baton(store, w).await;
    let handoff = store
        .create_handoff(w.ws(), new_handoff(baton.id, w.owner().id, w.member.id, 10))
        .await
        .expect("create_handoff");
    (baton, handoff)
}

#[track_caller]
pub(crate) fn assert_conflict<T: std::fmt::Debug>(result: StoreResult<T>, expected: Constraint) {
    match result {
        Err(StoreError::Conflict { constraint }) if constraint == expected => {}
        other => panic!("expected Conflict on {expected}, got {other:?}"),
    }
}

store_test!(
    a_relay_round_trips_with_its_legs_in_order,
    |store| async move {
        let w = world(&*store, "acme").await;
        let third = member(&*store, w.ws(), "third@acme.test").await;
        let relay = new_relay(w.owner().id, &[third.id, w.owner().id, w.member.id]);
        let created = store
            .create_relay(w.ws(), relay.clone())
            .await
            .expect("create");
        assert_eq!(created, relay);
        assert_eq!(store.relay(w.ws(), relay.id).await.expect("relay"), relay);
    }
);

store_test!(
    a_relay_with_a_foreign_or_repeated_leg_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let foreign = new_relay(a.owner().id, &[a.member.id, b.member.id]);
        assert_not_found(store.create_relay(a.ws(), foreign.clone()).await);
        assert_not_found(store.relay(a.ws(), foreign.id).await);
        assert_not_found(store.relay(b.ws(), foreign.id).await);

        let repeated = new_relay(a.owner().id, &[a.member.id, a.owner().id, a.member.id]);
        assert_conflict(
            store.create_relay(a.ws(), repeated.clone()).await,
            Constraint::RelayLegs,
        );
        assert_not_found(store.relay(a.ws(), repeated.id).await);
    }
);

store_test!(batons_round_trip_and_list_by_holder, |store| async move {
    let w = world(&*store, "acme").await;
    let (owner, mate) = (w.owner().id, w.member.id);
    let relay = store
        .create_relay(w.ws(), new_relay(owner, &[owner, mate]))
        .await
        .expect("relay");
    let mut created = Vec::new();
    for (holder, relay_id, title) in [
        (owner, Some(relay.id), "First"),
        (mate, None, "Second"),
        (owner, None, "Third"),
    ] {
        let new = new_baton(owner, holder, relay_id, title);
        let baton = store
            .create_baton(w.ws(), new.clone())
            .await
            .expect("create");
        assert_eq!(
            Baton {
                seq: 0,
                ..baton.clone()
            },
            new
        );
        assert_eq!(store.baton(w.ws(), baton.id).await.expect("baton"), baton);
        created.push(baton);
    }
    assert!(created.windows(2).all(|p| p[0].seq < p[1].seq));
    assert_eq!(
        store
            .list_batons(w.ws(), None, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("all"),
        created
    );
    let owners = store
        .list_batons(w.ws(), Some(owner), PageRequest::first())
        .await
        .map(|p| p.items)
        .expect("owner");
    assert_eq!(owners, vec![created[0].clone(), created[2].clone()]);
    let third = member(&*store, w.ws(), "third@acme.test").await;
    assert!(
        store
            .list_batons(w.ws(), Some(third.id), PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("none")
            .is_empty()
    );
});

store_test!(
    a_baton_with_a_holder_or_relay_from_another_workspace_is_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let b_relay = store
            .create_relay(b.ws(), new_relay(b.owner().id, &[b.member.id]))
            .await
            .expect("relay in b");
        let foreign_holder = new_baton(a.owner().id, b.member.id, None, "Foreign holder");
        assert_not_found(store.create_baton(a.ws(), foreign_holder).await);
        let foreign_relay = new_baton(a.owner().id, a.member.id, Some(b_relay.id), "Foreign relay");
        assert_not_found(store.create_baton(a.ws(), foreign_relay).await);
        let foreign_creator = new_baton(b.owner().id, a.member.id, None, "Foreign creator");
        assert_not_found(store.create_baton(a.ws(), foreign_creator).await);
        assert!(
            store
                .list_batons(a.ws(), None, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("a")
                .is_empty()
        );
        assert!(
            store
                .list_batons(b.ws(), None, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("b")
                .is_empty()
        );
    }
);

store_test!(
    racing_links_never_pass_the_limit_of_threads_per_baton,
    |store| async move {
        const LIMIT: usize = 3;
        let w = world(&*store, "acme").await;
        let (ws, owner) = (w.ws(), w.owner().id);
        let baton = owners_baton(&*store, &w).await;
        let mut threads = Vec::new();
        for n in 0..8 {
            threads.push(
                thread(&*store, ws, w.space.id, owner, "Linked", n)
                    .await
                    .thread
                    .id,
            );
        }
        let racers: Vec<_> = threads
            .iter()
            .map(|&t| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .link_thread(ws, baton.id, t, owner, at(30), LIMIT)
                        .await
                })
            })
            .collect();
        let mut linked = 0;
        for racer in racers {
            match racer.await.expect("the task") {
                Ok(()) => linked += 1,
                refused => assert_conflict(refused, Constraint::BatonThreadsLimit),
            }
        }
        assert_eq!(linked, LIMIT);
        let kept = store.baton_threads(ws, baton.id).await.expect("links");
        assert_eq!(kept.len(), LIMIT);
        assert_conflict(
            store
                .link_thread(ws, baton.id, kept[0], owner, at(31), LIMIT)
                .await,
            Constraint::BatonThreadsOnce,
        );
    }
);

store_test!(
    a_baton_links_threads_in_order_once_each_and_unlinks_them,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, owner) = (w.ws(), w.owner().id);
        let first = w.thread.thread.id;
        let second = thread(&*store, ws, w.space.id, owner, "Runbook", 2)
            .await
            .thread
            .id;
        let third = thread(&*store, ws, w.space.id, owner, "Retro", 3)
            .await
            .thread
            .id;
        let new = new_baton(owner, w.member.id, None, "Ship v3");
        let baton = store
            .create_linked_baton(ws, new, vec![second, first])
            .await
            .expect("create with links");
        assert_eq!(
            store.baton_threads(ws, baton.id).await.expect("links"),
            [second, first]
        );
        store
            .link_thread(ws, baton.id, third, w.member.id, at(20), 20)
            .await
            .expect("link");
        assert_conflict(
            store
                .link_thread(ws, baton.id, first, owner, at(21), 20)
                .await,
            Constraint::BatonThreadsOnce,
        );
        store
            .unlink_thread(ws, baton.id, second)
            .await
            .expect("unlink");
        assert_not_found(store.unlink_thread(ws, baton.id, second).await);
        assert_eq!(
            store.baton_threads(ws, baton.id).await.expect("links"),
            [first, third]
        );
        let of_first = store.thread_batons(ws, first).await.expect("batons");
        assert_eq!(
            of_first.iter().map(|b| b.id).collect::<Vec<_>>(),
            [baton.id]
        );
        assert!(
            store
                .thread_batons(ws, second)
                .await
                .expect("batons")
                .is_empty()
        );
        let plain = owners_baton(&*store, &w).await;
        assert!(
            store
                .baton_threads(ws, plain.id)
                .await
                .expect("none")
                .is_empty()
        );
    }
);

store_test!(
    a_thread_link_across_workspaces_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let foreign = b.thread.thread.id;
        let twice = new_baton(a.owner().id, a.member.id, None, "Twice");
        let twice_id = twice.id;
        assert_conflict(
            store
                .create_linked_baton(a.ws(), twice, vec![a.thread.thread.id, a.thread.thread.id])
                .await,
            Constraint::BatonThreadsOnce,
        );
        assert_not_found(store.baton(a.ws(), twice_id).await);
        let new = new_baton(a.owner().id, a.member.id, None, "Foreign thread");
        let new_id = new.id;
        assert_not_found(store.create_linked_baton(a.ws(), new, vec![foreign]).await);
        assert_not_found(store.baton(a.ws(), new_id).await);
        let baton = owners_baton(&*store, &a).await;
        let mine = a.thread.thread.id;
        assert_not_found(
            store
                .link_thread(a.ws(), baton.id, foreign, a.owner().id, at(9), 20)
                .await,
        );
        assert_not_found(
            store
                .link_thread(b.ws(), baton.id, foreign, b.owner().id, at(9), 20)
                .await,
        );
        assert_not_found(
            store
                .link_thread(a.ws(), baton.id, mine, b.owner().id, at(9), 20)
                .await,
        );
        store
            .link_thread(a.ws(), baton.id, mine, a.owner().id, at(9), 20)
            .await
            .expect("link");
        assert_not_found(store.unlink_thread(b.ws(), baton.id, mine).await);
        assert_not_found(store.baton_threads(b.ws(), baton.id).await);
        assert_eq!(
            store.baton_threads(a.ws(), baton.id).await.expect("links"),
            [mine]
        );
    }
);

store_test!(
    a_handoff_starts_pending_and_joins_the_baton_history,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, handoff) = handed_to_member(&*store, &w).await;
        assert_eq!(handoff, new_handoff_like(&handoff));
        assert_eq!(
            (handoff.status, handoff.from_id, handoff.to_id),
            (HandoffStatus::Pending, w.owner().id, w.member.id)
        );
        assert_eq!(
            store.handoff(w.ws(), handoff.id).await.expect("handoff"),
            handoff
        );
        assert_eq!(
            store
                .handoffs_of(w.ws(), baton.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("history"),
            vec![handoff]
        );
        let unchanged = store.baton(w.ws(), baton.id).await.expect("baton");
        assert_eq!(
            unchanged.holder_id,
            w.owner().id,
            "pending passes nothing yet"
        );
    }
);

/// What `new_handoff` would have built for this handoff: the store keeps every field.
fn new_handoff_like(h: &Handoff) -> Handoff {
    Handoff {
        id: h.id,
        ..new_handoff(h.baton_id, h.from_id, h.to_id, 10)
    }
}

store_test!(a_second_pending_handoff_conflicts, |store| async move {
    let w = world(&*store, "acme").await;
    let (baton, first) = handed_to_member(&*store, &w).await;
    let third = member(&*store, w.ws(), "third@acme.test").await;
    let second = new_handoff(baton.id, w.owner().id, third.id, 20);
    assert_conflict(
        store.create_handoff(w.ws(), second.clone()).await,
        Constraint::HandoffPending,
    );
    assert_not_found(store.handoff(w.ws(), second.id).await);
    assert_eq!(
        store
            .handoffs_of(w.ws(), baton.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("history"),
        vec![first]
    );
});

store_test!(
    only_the_holder_of_an_open_baton_can_hand_it_off,
    |store| async move {
        let w = world(&*store, "acme").await;
        let baton = owners_baton(&*store, &w).await;
        let by_other = new_handoff(baton.id, w.member.id, w.owner().id, 10);
        assert_conflict(
            store.create_handoff(w.ws(), by_other).await,
            Constraint::BatonHolder,
        );

        let mut done = new_baton(w.owner().id, w.owner().id, None, "Finished");
        done.status = BatonStatus::Done;
        let done = store.create_baton(w.ws(), done).await.expect("done baton");
        assert_eq!(done.status, BatonStatus::Done);
        let of_done = new_handoff(done.id, w.owner().id, w.member.id, 10);
        assert_conflict(
            store.create_handoff(w.ws(), of_done).await,
            Constraint::BatonHolder,
        );
        assert!(
            store
                .handoffs_of(w.ws(), baton.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("history")
                .is_empty()
        );
    }
);

store_test!(
    accepting_makes_the_receiver_the_holder,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, handoff) = handed_to_member(&*store, &w).await;
        let accepted = store
            .resolve_handoff(w.ws(), handoff.id, Resolution::Accept, at(30))
            .await
            .expect("accept");
        assert_eq!(
            (
                accepted.status,
                accepted.resolved_at,
                accepted.bounce_reason.clone()
            ),
            (HandoffStatus::Accepted, Some(at(30)), None)
        );
        assert_eq!(
            store.handoff(w.ws(), handoff.id).await.expect("read"),
            accepted
        );
        let held = store.baton(w.ws(), baton.id).await.expect("baton");
        assert_eq!(held.holder_id, w.member.id);
        assert_eq!(
            store
                .list_batons(w.ws(), Some(w.member.id), PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("mine"),
            vec![held]
        );
        // The new holder may pass it on: the resolved handoff no longer counts as pending.
        let back = store
            .create_handoff(w.ws(), new_handoff(baton.id, w.member.id, w.owner().id, 40))
            .await
            .expect("hand back");
        assert_eq!(
            store
                .handoffs_of(w.ws(), baton.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("history"),
            vec![accepted, back]
        );
    }
);

store_test!(
    bouncing_keeps_the_holder_and_records_the_reason,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, handoff) = handed_to_member(&*store, &w).await;
        let bounced = store
            .resolve_handoff(
                w.ws(),
                handoff.id,
                Resolution::Bounce {
                    reason: "Out until Monday".into(),
                },
                at(30),
            )
            .await
            .expect("bounce");
        assert_eq!(
            (
                bounced.status,
                bounced.resolved_at,
                bounced.bounce_reason.as_deref()
            ),
            (
                HandoffStatus::Bounced,
                Some(at(30)),
                Some("Out until Monday")
            )
        );
        assert_eq!(
            store.handoff(w.ws(), handoff.id).await.expect("read"),
            bounced
        );
        let held = store.baton(w.ws(), baton.id).await.expect("baton");
        assert_eq!(held.holder_id, w.owner().id);
    }
);

store_test!(
    a_resolved_handoff_cannot_be_resolved_again,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, handoff) = handed_to_member(&*store, &w).await;
        let accepted = store
            .resolve_handoff(w.ws(), handoff.id, Resolution::Accept, at(30))
            .await
            .expect("accept");
        assert_conflict(
            store
                .resolve_handoff(w.ws(), handoff.id, Resolution::Accept, at(40))
                .await,
            Constraint::HandoffResolved,
        );
        assert_conflict(
            store
                .resolve_handoff(
                    w.ws(),
                    handoff.id,
                    Resolution::Bounce {
                        reason: "late".into(),
                    },
                    at(40),
                )
                .await,
            Constraint::HandoffResolved,
        );
        assert_eq!(
            store.handoff(w.ws(), handoff.id).await.expect("read"),
            accepted
        );
        assert_eq!(
            store
                .baton(w.ws(), baton.id)
                .await
                .expect("baton")
                .holder_id,
            w.member.id
        );
        assert_not_found(
            store
                .resolve_handoff(w.ws(), Id::random(), Resolution::Accept, at(40))
                .await,
        );
    }
);

store_test!(
    ten_concurrent_accepts_have_exactly_one_winner,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, handoff) = handed_to_member(&*store, &w).await;
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let (store, ws, id) = (store.clone(), w.ws(), handoff.id);
                tokio::spawn(async move {
                    store
                        .resolve_handoff(ws, id, Resolution::Accept, at(30 + i))
                        .await
                })
            })
            .collect();
        let (mut won, mut lost) = (Vec::new(), 0);
        for task in tasks {
            match task.await.expect("task") {
                Ok(h) => won.push(h),
                Err(StoreError::Conflict {
                    constraint: Constraint::HandoffResolved,
                }) => lost += 1,
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!((won.len(), lost), (1, 9));
        assert_eq!(
            store.handoff(w.ws(), handoff.id).await.expect("read"),
            won[0]
        );
        assert_eq!(
            store
                .baton(w.ws(), baton.id)
                .await
                .expect("baton")
                .holder_id,
            w.member.id
        );
    }
);

store_test!(
    ten_concurrent_handoffs_leave_exactly_one_pending,
    |store| async move {
        let w = world(&*store, "acme").await;
        let baton = owners_baton(&*store, &w).await;
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let (store, ws) = (store.clone(), w.ws());
                let new = new_handoff(baton.id, w.owner().id, w.member.id, 10 + i);
                tokio::spawn(async move { store.create_handoff(ws, new).await })
            })
            .collect();
        let (mut won, mut lost) = (0, 0);
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => won += 1,
                Err(StoreError::Conflict {
                    constraint: Constraint::HandoffPending,
                }) => lost += 1,
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!((won, lost), (1, 9));
        assert_eq!(
            store
                .handoffs_of(w.ws(), baton.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("history")
                .len(),
            1
        );
    }
);

store_test!(
    relays_batons_and_handoffs_of_another_workspace_are_not_found,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let relay = store
            .create_relay(b.ws(), new_relay(b.owner().id, &[b.member.id]))
            .await
            .expect("relay in b");
        let (baton, handoff) = handed_to_member(&*store, &b).await;
        assert_not_found(store.relay(a.ws(), relay.id).await);
        assert_not_found(store.baton(a.ws(), baton.id).await);
        assert_not_found(store.handoff(a.ws(), handoff.id).await);
        assert_not_found_or_empty(
            store
                .handoffs_of(a.ws(), baton.id, PageRequest::first())
                .await
                .map(|p| p.items),
        );
        assert!(
            store
                .list_batons(a.ws(), None, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("a")
                .is_empty()
        );
        assert!(
            store
                .list_batons(a.ws(), Some(b.owner().id), PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("a by b's owner")
                .is_empty()
        );
        assert_not_found(
            store
                .resolve_handoff(a.ws(), handoff.id, Resolution::Accept, at(30))
                .await,
        );
        assert_eq!(
            store.handoff(b.ws(), handoff.id).await.expect("b").status,
            HandoffStatus::Pending
        );
        // Handing b's baton off from a, or a's baton to b's member, writes nothing.
        let from_a = new_handoff(baton.id, b.owner().id, b.member.id, 20);
        assert_not_found(store.create_handoff(a.ws(), from_a).await);
        let a_baton = owners_baton(&*store, &a).await;
        let to_b = new_handoff(a_baton.id, a.owner().id, b.member.id, 20);
        assert_not_found(store.create_handoff(a.ws(), to_b).await);
        assert!(
            store
                .handoffs_of(a.ws(), a_baton.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("history")
                .is_empty()
        );
    }
);

store_test!(
    a_baton_is_marked_done_and_reopened_once_each,
    |store| async move {
        let w = world(&*store, "acme").await;
        let baton = owners_baton(&*store, &w).await;
        let done = store
            .set_baton_status(w.ws(), baton.id, BatonStatus::Done)
            .await
            .expect("done");
        assert_eq!(
            done,
            Baton {
                status: BatonStatus::Done,
                ..baton.clone()
            }
        );
        assert_eq!(store.baton(w.ws(), baton.id).await.expect("read"), done);
        assert_conflict(
            store
                .set_baton_status(w.ws(), baton.id, BatonStatus::Done)
                .await,
            Constraint::BatonStatus,
        );
        let of_done = new_handoff(baton.id, w.owner().id, w.member.id, 10);
        assert_conflict(
            store.create_handoff(w.ws(), of_done).await,
            Constraint::BatonHolder,
        );
        let reopened = store
            .set_baton_status(w.ws(), baton.id, BatonStatus::Open)
            .await
            .expect("reopen");
        assert_eq!(reopened, baton);
    }
);

store_test!(
    a_baton_with_a_pending_handoff_cannot_be_marked_done,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (baton, _) = handed_to_member(&*store, &w).await;
        assert_conflict(
            store
                .set_baton_status(w.ws(), baton.id, BatonStatus::Done)
                .await,
            Constraint::HandoffPending,
        );
        assert_eq!(
            store.baton(w.ws(), baton.id).await.expect("read").status,
            BatonStatus::Open
        );
    }
);

store_test!(
    a_baton_of_another_workspace_cannot_be_marked_done,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let baton = owners_baton(&*store, &b).await;
        assert_not_found(
            store
                .set_baton_status(a.ws(), baton.id, BatonStatus::Done)
                .await,
        );
        assert_eq!(
            store.baton(b.ws(), baton.id).await.expect("read").status,
            BatonStatus::Open
        );
    }
);
