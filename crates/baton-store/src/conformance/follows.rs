//! Conformance: following threads. Posting follows a thread and reads it up to the post;
//! an unfollow on purpose outlasts later posts; a reply records one `reply` event for the
//! thread's other followers, and no second one while it waits; its recipients are the
//! followers with unread posts and no reply delivery of the thread already queued.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::delivery::outbox::{Channel, Event, EventKind, NewDelivery};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

/// The unexpanded reply events.
async fn reply_events(store: &dyn Store) -> Vec<Event> {
    let mut events = store.unexpanded_events(1000).await.expect("events");
    events.retain(|e| e.kind == EventKind::Reply);
    events
}

store_test!(
    posting_follows_the_thread_and_reads_it_up_to_the_post,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        assert!(
            store
                .following(w.ws(), w.owner().id, thread)
                .await
                .expect("owner")
        );
        assert!(
            !store
                .following(w.ws(), w.member.id, thread)
                .await
                .expect("member")
        );

        let reply = post(&*store, w.ws(), thread, w.member.id, "On it", 10).await;
        assert!(
            store
                .following(w.ws(), w.member.id, thread)
                .await
                .expect("member")
        );
        assert_eq!(
            store
                .read_cursor(w.ws(), w.member.id, thread)
                .await
                .expect("cursor"),
            reply.seq
        );
        let unread = store
            .unread_posts(w.ws(), w.owner().id, thread, 10)
            .await
            .expect("owner's unread");
        assert_eq!(unread.iter().map(|p| p.id).collect::<Vec<_>>(), [reply.id]);
        let none = store
            .unread_posts(w.ws(), w.member.id, thread, 10)
            .await
            .expect("member's unread");
        assert!(none.is_empty());
    }
);

store_test!(an_unfollow_outlasts_later_posts, |store| async move {
    let w = world(&*store, "acme").await;
    let thread = w.thread.thread.id;
    store
        .set_following(w.ws(), w.owner().id, thread, false)
        .await
        .expect("unfollow");
    post(&*store, w.ws(), thread, w.owner().id, "Still here", 10).await;
    assert!(
        !store
            .following(w.ws(), w.owner().id, thread)
            .await
            .expect("owner")
    );

    store
        .set_following(w.ws(), w.member.id, thread, true)
        .await
        .expect("follow without posting");
    assert!(
        store
            .following(w.ws(), w.member.id, thread)
            .await
            .expect("member")
    );
    assert_eq!(
        store
            .read_cursor(w.ws(), w.member.id, thread)
            .await
            .expect("cursor"),
        0,
        "following reads nothing"
    );
});

store_test!(following_is_scoped_to_the_workspace, |store| async move {
    let (a, b) = two_worlds(&*store).await;
    let err = store
        .set_following(a.ws(), a.member.id, b.thread.thread.id, true)
        .await
        .expect_err("a thread of another workspace");
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = store
        .set_following(a.ws(), b.member.id, a.thread.thread.id, true)
        .await
        .expect_err("a member of another workspace");
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(
        !store
            .following(b.ws(), b.member.id, b.thread.thread.id)
            .await
            .expect("b's member")
    );
});

store_test!(
    a_reply_records_one_waiting_event_per_thread,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        post(&*store, w.ws(), thread, w.owner().id, "Only me so far", 5).await;
        assert!(
            reply_events(&*store).await.is_empty(),
            "nobody else follows"
        );

        let first = post(&*store, w.ws(), thread, w.member.id, "Me too", 10).await;
        post(&*store, w.ws(), thread, w.owner().id, "Welcome", 20).await;
        post(&*store, w.ws(), thread, w.member.id, "Thanks", 30).await;
        let events = reply_events(&*store).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].thread_id, Some(thread));
        assert_eq!(events[0].post_id, Some(first.id));
        assert_eq!(events[0].actor_id, w.member.id);

        store
            .expand_event(w.ws(), events[0].id, Vec::new(), at(31))
            .await
            .expect("expand");
        let next = post(&*store, w.ws(), thread, w.owner().id, "Once more", 40).await;
        let events = reply_events(&*store).await;
        assert_eq!(events.len(), 1, "a new one once the first was expanded");
        assert_eq!(events[0].post_id, Some(next.id));
    }
);

store_test!(
    reply_recipients_have_unread_posts_and_nothing_queued,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        let bea = member(&*store, w.ws(), "bea@acme.test").await;
        let cy = member(&*store, w.ws(), "cy@acme.test").await;
        post(&*store, w.ws(), thread, bea.id, "Bea here", 10).await;
        post(&*store, w.ws(), thread, cy.id, "Cy here", 20).await;
        // The owner and Bea have Cy's post unread; Cy has read everything; the member follows
        // nothing.
        let recipients = store
            .reply_recipients(w.ws(), thread, at(21))
            .await
            .expect("recipients");
        let mut expected = vec![w.owner().id, bea.id];
        expected.sort();
        assert_eq!(recipients, expected);

        store
            .mark_read(w.ws(), bea.id, thread, i64::MAX)
            .await
            .expect("Bea reads");
        let event = reply_events(&*store).await.pop().expect("a reply event");
        let owner_delivery = NewDelivery {
            id: Id::random(),
            recipient_id: w.owner().id,
            channel: Channel::Email,
            webhook_id: None,
            due_at: at(3600),
        };
        store
            .expand_event(w.ws(), event.id, vec![owner_delivery], at(22))
            .await
            .expect("expand");
        assert!(
            store
                .reply_recipients(w.ws(), thread, at(23))
                .await
                .expect("recipients")
                .is_empty(),
            "Bea read it, the owner's delivery waits"
        );

        let other = world(&*store, "globex").await;
        post(
            &*store,
            other.ws(),
            other.thread.thread.id,
            other.member.id,
            "Elsewhere",
            30,
        )
        .await;
        assert!(
            store
                .reply_recipients(w.ws(), other.thread.thread.id, at(31))
                .await
                .expect("another workspace's thread")
                .is_empty()
        );
    }
);

store_test!(
    a_mention_records_its_event_and_follows_the_thread,
    |store| async move {
        let w = world(&*store, "acme").await;
        let thread = w.thread.thread.id;
        let bea = member(&*store, w.ws(), "bea@acme.test").await;
        store
            .set_following(w.ws(), w.member.id, thread, false)
            .await
            .expect("the member unfollowed on purpose");
        let mut mentioning = new_post(thread, w.owner().id, "@bea and @member, look", 10);
        mentioning.mentions = vec![bea.id, w.member.id];
        let written = store
            .create_post(w.ws(), mentioning, None)
            .await
            .expect("post");

        let mut events = store.unexpanded_events(1000).await.expect("events");
        events.retain(|e| e.kind == EventKind::Mention);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].post_id, Some(written.id));
        assert_eq!(events[0].recipients, [bea.id, w.member.id]);
        assert!(store.following(w.ws(), bea.id, thread).await.expect("bea"));
        assert!(
            !store
                .following(w.ws(), w.member.id, thread)
                .await
                .expect("member"),
            "a mention does not undo an unfollow"
        );
        assert_eq!(
            store
                .read_cursor(w.ws(), bea.id, thread)
                .await
                .expect("cursor"),
            0,
            "a mention reads nothing for them"
        );
    }
);

store_test!(
    mentioned_members_are_found_by_handle_or_name,
    |store| async move {
        let w = world(&*store, "acme").await;
        let bea = member(&*store, w.ws(), "bea.ruiz@acme.test").await;
        let other = world(&*store, "globex").await;
        member(&*store, other.ws(), "bea.ruiz@globex.test").await;
        let found = store
            .mentioned_members(
                w.ws(),
                vec!["bea.ruiz".into(), "nobody".into()],
                vec![w.owner().name.clone()],
            )
            .await
            .expect("mentioned");
        let mut ids: Vec<Id> = found.iter().map(|m| m.id).collect();
        ids.sort();
        let mut expected = vec![bea.id, w.owner().id];
        expected.sort();
        assert_eq!(ids, expected, "only this workspace's members");

        store
            .deactivate_member(w.ws(), bea.id, w.owner().id, at(20))
            .await
            .expect("deactivate");
        let found = store
            .mentioned_members(w.ws(), vec!["bea.ruiz".into()], Vec::new())
            .await
            .expect("mentioned");
        assert!(found.is_empty(), "a deactivated member is not mentioned");
    }
);

/// `(thread, unread)` of what `member` follows with unread posts.
async fn followed(store: &dyn Store, ws: Id, member: Id) -> Vec<(Id, i64)> {
    store
        .followed_unread(ws, member, 10)
        .await
        .expect("followed_unread")
        .iter()
        .map(|s| (s.thread.id, s.unread))
        .collect()
}

store_test!(
    followed_unread_lists_followed_threads_with_unread_posts,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, me) = (w.ws(), w.member.id);
        let thread = w.thread.thread.id;
        let other = self::thread(&*store, ws, w.space.id, me, "Other", 2).await;
        post(&*store, ws, thread, me, "Following now", 10).await;
        assert!(
            followed(&*store, ws, me).await.is_empty(),
            "nothing unread yet"
        );

        post(&*store, ws, thread, w.owner().id, "One", 20).await;
        post(&*store, ws, thread, w.owner().id, "Two", 30).await;
        post(&*store, ws, other.thread.id, w.owner().id, "Elsewhere", 40).await;
        assert_eq!(
            followed(&*store, ws, me).await,
            [(other.thread.id, 1), (thread, 2)],
            "most recently active first"
        );
        store
            .set_following(ws, me, other.thread.id, false)
            .await
            .expect("unfollow");
        assert_eq!(followed(&*store, ws, me).await, [(thread, 2)]);
    }
);
