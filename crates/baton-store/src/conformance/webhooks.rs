//! Conformance: outgoing webhooks. Registration (scoped to one workspace, limited per scope,
//! secret kept), listing and deletion (the secret erased), webhook deliveries expanded once per
//! event and webhook beside the recipient's email, looked up with their live webhook at send
//! time, and the webhook claim (each delivery to one claimer, never a recipient's email).
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::collections::HashSet;

use baton_core::delivery::outbox::{Channel, EventKind, NewDelivery, Settled};
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope, WebhookSecret};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

use crate::deliveries::{LEASE, ask_event};

/// A webhook of `scope` registered by `by` at `secs`, with a secret derived from `seed`.
fn hook(ws: Id, scope: WebhookScope, by: Id, seed: u8, secs: i64) -> SignedWebhook {
    SignedWebhook {
        webhook: Webhook {
            workspace_id: ws,
            id: Id::random(),
            scope,
            url: format!("https://hooks.example.com/{seed}"),
            created_by: by,
            created_at: at(secs),
        },
        secret: WebhookSecret::from_random(&[seed; 32]),
    }
}

/// A webhook delivery of `event` to `webhook` for `recipient`, due at `secs`.
fn to_hook(recipient: Id, webhook: Id, secs: i64) -> NewDelivery {
    NewDelivery {
        id: Id::random(),
        recipient_id: recipient,
        channel: Channel::Webhook,
        webhook_id: Some(webhook),
        due_at: at(secs),
    }
}

fn email(recipient: Id, secs: i64) -> NewDelivery {
    NewDelivery {
        id: Id::random(),
        recipient_id: recipient,
        channel: Channel::Email,
        webhook_id: None,
        due_at: at(secs),
    }
}

store_test!(
    webhooks_are_listed_per_scope_oldest_first_without_their_secret_and_deleted_for_good,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, mine) = (w.ws(), WebhookScope::Member(w.member.id));
        let first = hook(ws, mine, w.member.id, 1, 10);
        let second = hook(ws, mine, w.member.id, 2, 20);
        let space = hook(ws, WebhookScope::Space(w.space.id), w.owner().id, 3, 30);
        for h in [&first, &second, &space] {
            store
                .create_webhook(ws, h.clone(), 5)
                .await
                .expect("create");
        }
        let listed = store.webhooks(ws, mine).await.expect("list");
        assert_eq!(listed, vec![first.webhook.clone(), second.webhook.clone()]);
        assert_eq!(
            store
                .webhooks(ws, WebhookScope::Space(w.space.id))
                .await
                .expect("list"),
            vec![space.webhook.clone()]
        );
        assert_eq!(
            store.webhook(ws, first.webhook.id).await.expect("one"),
            first.webhook
        );

        store
            .delete_webhook(ws, first.webhook.id, at(40))
            .await
            .expect("delete");
        assert_eq!(
            store.webhooks(ws, mine).await.expect("list"),
            vec![second.webhook.clone()]
        );
        assert_not_found(store.webhook(ws, first.webhook.id).await);
        assert_not_found(store.delete_webhook(ws, first.webhook.id, at(41)).await);
    }
);

store_test!(
    a_webhook_belongs_to_one_workspace_and_its_scope_must_be_there,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        // A scope or creator from the other workspace is not found, and nothing is written.
        let foreign_member = hook(a.ws(), WebhookScope::Member(b.member.id), a.member.id, 1, 1);
        assert_not_found(store.create_webhook(a.ws(), foreign_member, 5).await);
        let foreign_space = hook(a.ws(), WebhookScope::Space(b.space.id), a.owner().id, 2, 1);
        assert_not_found(store.create_webhook(a.ws(), foreign_space, 5).await);
        let foreign_creator = hook(a.ws(), WebhookScope::Space(a.space.id), b.owner().id, 3, 1);
        assert_not_found(store.create_webhook(a.ws(), foreign_creator, 5).await);
        assert!(
            store
                .webhooks(a.ws(), WebhookScope::Space(a.space.id))
                .await
                .expect("list")
                .is_empty()
        );

        let mine = hook(a.ws(), WebhookScope::Member(a.member.id), a.member.id, 4, 1);
        store
            .create_webhook(a.ws(), mine.clone(), 5)
            .await
            .expect("create");
        // Another workspace can neither read nor delete it.
        assert_not_found(store.webhook(b.ws(), mine.webhook.id).await);
        assert_not_found(store.delete_webhook(b.ws(), mine.webhook.id, at(2)).await);
        assert_eq!(
            store
                .webhook(a.ws(), mine.webhook.id)
                .await
                .expect("still there"),
            mine.webhook
        );
    }
);

store_test!(
    registrations_past_the_limit_of_a_scope_conflict_and_a_deleted_one_frees_its_place,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, mine) = (w.ws(), WebhookScope::Member(w.member.id));
        let one = hook(ws, mine, w.member.id, 1, 1);
        store
            .create_webhook(ws, one.clone(), 2)
            .await
            .expect("first");
        store
            .create_webhook(ws, hook(ws, mine, w.member.id, 2, 2), 2)
            .await
            .expect("second");
        let err = store
            .create_webhook(ws, hook(ws, mine, w.member.id, 3, 3), 2)
            .await
            .expect_err("a third is over the limit");
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    constraint: Constraint::WebhooksLimit
                }
            ),
            "{err:?}"
        );
        // The limit is per scope: the space still has room.
        store
            .create_webhook(
                ws,
                hook(ws, WebhookScope::Space(w.space.id), w.owner().id, 4, 4),
                2,
            )
            .await
            .expect("a space webhook");
        store
            .delete_webhook(ws, one.webhook.id, at(5))
            .await
            .expect("delete");
        store
            .create_webhook(ws, hook(ws, mine, w.member.id, 5, 6), 2)
            .await
            .expect("room again");
        assert_eq!(store.webhooks(ws, mine).await.expect("list").len(), 2);
    }
);

store_test!(
    an_event_reaches_each_webhook_once_beside_the_email_and_the_send_sees_the_live_secret,
    |store| async move {
        let w = world(&*store, "acme").await;
        let ws = w.ws();
        let (one, two) = (
            hook(ws, WebhookScope::Member(w.member.id), w.member.id, 1, 1),
            hook(ws, WebhookScope::Member(w.member.id), w.member.id, 2, 1),
        );
        for h in [&one, &two] {
            store
                .create_webhook(ws, h.clone(), 5)
                .await
                .expect("create");
        }
        let event = ask_event(&*store, &w, &[w.member.id], 5).await;
        let planned = vec![
            email(w.member.id, 100),
            to_hook(w.member.id, one.webhook.id, 100),
            to_hook(w.member.id, two.webhook.id, 100),
        ];
        store
            .expand_event(ws, event.id, planned.clone(), at(6))
            .await
            .expect("expand");
        // A second expansion (another worker, a retry) adds nothing.
        let again = planned
            .iter()
            .map(|d| NewDelivery {
                id: Id::random(),
                ..d.clone()
            })
            .collect();
        store
            .expand_event(ws, event.id, again, at(7))
            .await
            .expect("expand again");

        let claimed = store
            .claim_due_webhooks("w1", at(100), LEASE, 10)
            .await
            .expect("claim");
        let ids: HashSet<Id> = claimed.iter().map(|d| d.id).collect();
        assert_eq!(ids, HashSet::from([planned[1].id, planned[2].id]));
        assert!(claimed.iter().all(|d| d.channel == Channel::Webhook
            && d.attempts == 1
            && d.post_id.is_some()
            && d.recipient_id == w.member.id));

        let sending = store
            .delivery_webhook(ws, planned[1].id)
            .await
            .expect("lookup")
            .expect("a live webhook");
        assert_eq!(sending, one);
        assert_eq!(sending.secret.expose(), one.secret.expose());
        assert_eq!(
            store
                .delivery_webhook(ws, planned[0].id)
                .await
                .expect("lookup"),
            None,
            "an email delivery has no webhook"
        );
        store
            .delete_webhook(ws, two.webhook.id, at(101))
            .await
            .expect("delete");
        assert_eq!(
            store
                .delivery_webhook(ws, planned[2].id)
                .await
                .expect("lookup"),
            None,
            "a deleted webhook is not sent to"
        );
        assert_eq!(
            store
                .mark_sent(ws, "w1", &[planned[1].id], Settled::Sent, at(102))
                .await
                .expect("settle"),
            1
        );
    }
);

store_test!(
    a_webhook_delivery_goes_to_one_claimer_and_the_webhook_claim_never_takes_email,
    |store| async move {
        let w = world(&*store, "acme").await;
        let ws = w.ws();
        let mut hooks = Vec::new();
        for seed in 1..=3 {
            let h = hook(ws, WebhookScope::Space(w.space.id), w.owner().id, seed, 1);
            store
                .create_webhook(ws, h.clone(), 5)
                .await
                .expect("create");
            hooks.push(h);
        }
        let mut planned = Vec::new();
        for secs in 5..9 {
            let event = ask_event(&*store, &w, &[w.member.id], secs).await;
            let mut deliveries: Vec<NewDelivery> = hooks
                .iter()
                .map(|h| to_hook(w.owner().id, h.webhook.id, 50))
                .collect();
            deliveries.push(email(w.member.id, 50));
            planned.extend(deliveries.iter().map(|d| (d.id, d.channel)));
            store
                .expand_event(ws, event.id, deliveries, at(secs + 1))
                .await
                .expect("expand");
        }
        let webhook_ids: HashSet<Id> = planned
            .iter()
            .filter(|(_, c)| *c == Channel::Webhook)
            .map(|(id, _)| *id)
            .collect();
        assert!(
            store
                .claim_due_webhooks("early", at(49), LEASE, 100)
                .await
                .expect("claim")
                .is_empty(),
            "nothing is due before its time"
        );

        let claimers: Vec<_> = (0..4)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    store
                        .claim_due_webhooks(&format!("w{i}"), at(50), LEASE, 5)
                        .await
                        .expect("claim")
                })
            })
            .collect();
        let mut seen = HashSet::new();
        for claimer in claimers {
            for claim in claimer.await.expect("a claimer") {
                assert!(seen.insert(claim.id), "{} claimed twice", claim.id);
            }
        }
        let rest = store
            .claim_due_webhooks("late", at(50), LEASE, 100)
            .await
            .expect("claim the rest");
        seen.extend(rest.iter().map(|d| d.id));
        assert_eq!(seen, webhook_ids, "every webhook delivery once, no email");

        // A lapsed lease is taken again, as a second attempt.
        let retaken = store
            .claim_due_webhooks(
                "next",
                at(50).checked_add(LEASE).expect("later"),
                LEASE,
                100,
            )
            .await
            .expect("claim after the lease");
        assert_eq!(retaken.len(), webhook_ids.len());
        assert!(retaken.iter().all(|d| d.attempts == 2));
    }
);

store_test!(
    a_plain_post_records_an_event_only_while_its_space_has_a_webhook,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (ws, thread, author) = (w.ws(), w.thread.thread.id, w.member.id);
        // The thread's followers hear of replies through `reply` events; this is about the rest.
        let events = || async {
            let mut events = store.unexpanded_events(1000).await.expect("events");
            events.retain(|e| e.kind != EventKind::Reply);
            events
        };
        let before = events().await.len();
        post(&*store, ws, thread, author, "No one listens yet.", 10).await;
        assert_eq!(events().await.len(), before, "no webhook, no event");

        let listening = hook(ws, WebhookScope::Space(w.space.id), w.owner().id, 3, 11);
        store
            .create_webhook(ws, listening.clone(), 5)
            .await
            .expect("create");
        let heard = post(
            &*store,
            ws,
            thread,
            author,
            "The space's webhook hears this.",
            12,
        )
        .await;
        let mut now = events().await;
        assert_eq!(now.len(), before + 1, "one event for the post");
        let event = now.pop().expect("the newest event");
        assert_eq!(event.kind, EventKind::Post);
        assert_eq!(event.post_id, Some(heard.id));
        assert_eq!(event.thread_id, Some(thread));
        assert!(event.recipients.is_empty(), "it names no member");

        store
            .delete_webhook(ws, listening.webhook.id, at(13))
            .await
            .expect("delete");
        post(&*store, ws, thread, author, "Nobody listens again.", 14).await;
        assert_eq!(
            events().await.len(),
            before + 1,
            "a deleted webhook hears nothing"
        );
    }
);
