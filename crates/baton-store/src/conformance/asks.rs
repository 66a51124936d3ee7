//! Conformance: asks (created with their post, answered by the asked member's next post in the
//! thread, listed by direction), schedules, and the one-lookup thread access query.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::model::AskDirection;
use baton_core::schedule::ScheduleSpec;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    a_post_creates_its_asks_and_a_reply_answers_them,
    |store| async move {
        let w = world(&*store, "acme").await;
        let owner = w.owner().clone();
        let post = store
            .create_post(
                w.ws(),
                asking_post(w.thread.thread.id, owner.id, &[w.member.id], 100),
                None,
            )
            .await
            .expect("post");
        let asks = store.asks_for_post(w.ws(), post.id).await.expect("asks");
        assert_eq!(asks.len(), 1);
        assert_eq!(
            (
                asks[0].from_id,
                asks[0].to_id,
                asks[0].due_at,
                asks[0].answered_at
            ),
            (owner.id, w.member.id, at(3700), None)
        );

        let to_member = store
            .list_asks(w.ws(), w.member.id, AskDirection::ToMember, true, 50)
            .await
            .expect("to");
        let from_owner = store
            .list_asks(w.ws(), owner.id, AskDirection::FromMember, true, 50)
            .await
            .expect("from");
        assert_eq!((to_member.len(), from_owner.len()), (1, 1));
        assert!(
            store
                .list_asks(w.ws(), owner.id, AskDirection::ToMember, true, 50)
                .await
                .expect("none")
                .is_empty()
        );

        store
            .create_post(
                w.ws(),
                new_post(w.thread.thread.id, w.member.id, "Done", 200),
                None,
            )
            .await
            .expect("reply");
        assert!(
            store
                .list_asks(w.ws(), w.member.id, AskDirection::ToMember, true, 50)
                .await
                .expect("open")
                .is_empty()
        );
        let all = store
            .list_asks(w.ws(), w.member.id, AskDirection::ToMember, false, 50)
            .await
            .expect("all");
        assert_eq!(all[0].answered_at, Some(at(200)));
    }
);

store_test!(asks_are_listed_soonest_due_first, |store| async move {
    let w = world(&*store, "acme").await;
    let third = member(&*store, w.ws(), "third@example.com").await;
    let owner = w.owner().id;
    store
        .create_post(
            w.ws(),
            asking_post(w.thread.thread.id, owner, &[third.id, w.member.id], 100),
            None,
        )
        .await
        .expect("post");
    let mut earlier = asking_post(w.thread.thread.id, owner, &[w.member.id], 50);
    earlier.asks[0].due_at = at(60);
    store
        .create_post(w.ws(), earlier, None)
        .await
        .expect("post");
    let from = store
        .list_asks(w.ws(), owner, AskDirection::FromMember, true, 50)
        .await
        .expect("from");
    let dues: Vec<_> = from.iter().map(|a| a.due_at).collect();
    assert_eq!(dues, vec![at(60), at(3700), at(7300)]);
    assert_eq!(
        store
            .list_asks(w.ws(), owner, AskDirection::FromMember, true, 2)
            .await
            .expect("limited")
            .len(),
        2
    );
});

store_test!(
    asking_a_member_of_another_workspace_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let result = store
            .create_post(
                a.ws(),
                asking_post(a.thread.thread.id, a.member.id, &[b.member.id], 100),
                None,
            )
            .await;
        assert_not_found(result);
        assert_eq!(
            post_count(&*store, a.ws(), a.thread.thread.id).await,
            1,
            "the post rolled back with its asks"
        );
        assert!(
            store
                .list_asks(b.ws(), b.member.id, AskDirection::ToMember, false, 50)
                .await
                .expect("list")
                .is_empty()
        );
    }
);

store_test!(
    a_schedule_round_trips_and_sets_the_member_zone,
    |store| async move {
        let w = world(&*store, "acme").await;
        let spec: ScheduleSpec = serde_json::from_value(serde_json::json!({
        "timezone": "Asia/Kathmandu", "weekly": {"mon": [["09:00", "17:00"]], "tue": [["22:00", "06:00"]]},
        "time_off": [{"start": "2026-05-01", "end": "2026-05-03"}], "focus": []
    }))
    .expect("spec");
        store
            .set_schedule(w.ws(), w.member.id, spec.clone(), at(10))
            .await
            .expect("set");
        let stored = store
            .schedules(w.ws(), &[w.member.id, w.owner().id])
            .await
            .expect("get");
        assert_eq!(
            stored,
            vec![(w.member.id, spec)],
            "members without a schedule are absent"
        );
        assert_eq!(
            store
                .member(w.ws(), w.member.id)
                .await
                .expect("member")
                .timezone,
            "Asia/Kathmandu"
        );
    }
);

store_test!(schedules_stay_inside_their_workspace, |store| async move {
    let (a, b) = two_worlds(&*store).await;
    let spec: ScheduleSpec =
        serde_json::from_value(serde_json::json!({"timezone": "UTC", "weekly": {}})).expect("spec");
    assert_not_found(
        store
            .set_schedule(a.ws(), b.member.id, spec.clone(), at(10))
            .await,
    );
    store
        .set_schedule(b.ws(), b.member.id, spec, at(10))
        .await
        .expect("set");
    assert!(
        store
            .schedules(a.ws(), &[b.member.id])
            .await
            .expect("get")
            .is_empty()
    );
});

store_test!(
    thread_for_tells_the_space_and_the_viewers_membership,
    |store| async move {
        let w = world(&*store, "acme").await;
        let outsider = member(&*store, w.ws(), "outsider@example.com").await;
        let (thread, space, is_member) = store
            .thread_for(w.ws(), w.thread.thread.id, w.member.id)
            .await
            .expect("member view");
        assert_eq!((thread.id, space.id), (w.thread.thread.id, w.space.id));
        let creator_is_member = store
            .space_for(w.ws(), w.space.id, w.member.id)
            .await
            .expect("space")
            .1;
        assert_eq!(is_member, creator_is_member);
        let (_, _, outsider_is_member) = store
            .thread_for(w.ws(), w.thread.thread.id, outsider.id)
            .await
            .expect("outsider view");
        assert!(!outsider_is_member);
        let (a, b) = two_worlds(&*store).await;
        assert_not_found(
            store
                .thread_for(a.ws(), b.thread.thread.id, a.member.id)
                .await,
        );
    }
);

store_test!(
    a_notification_policy_round_trips_per_member,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        assert_eq!(
            store.policy(a.ws(), a.member.id).await.expect("none yet"),
            None
        );
        let policy: baton_core::delivery::NotificationPolicy = serde_json::from_value(
            serde_json::json!({"windows": ["10:00", "start"], "email_digest": false}),
        )
        .expect("policy");
        store
            .set_policy(a.ws(), a.member.id, policy.clone(), at(5))
            .await
            .expect("set");
        assert_eq!(
            store.policy(a.ws(), a.member.id).await.expect("get"),
            Some(policy.clone())
        );
        assert_not_found(store.set_policy(a.ws(), b.member.id, policy, at(6)).await);
        assert_eq!(
            store.policy(a.ws(), b.member.id).await.expect("foreign"),
            None
        );
    }
);
