//! Conformance: hangouts. Opting in keeps the first instant and opting out removes the member
//! from the pool; deactivated members leave the pool; a round is stored whole, read back in
//! pair order, written once (a second pairing of the same round is a conflict and changes
//! nothing) and never seen from another workspace.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;
use baton_store::{HangoutRound, PairedHangout};

store_test!(
    the_pool_is_who_opted_in_while_active_in_the_order_they_did,
    |store| async move {
        let w = world(&*store, "acme").await;
        let third = member(&*store, w.ws(), "third@acme.example").await;
        for (who, secs) in [(w.member.id, 10), (w.owner().id, 20), (third.id, 30)] {
            store
                .set_hangout_opt_in(w.ws(), who, true, at(secs))
                .await
                .expect("opt in");
        }
        // Opting in again keeps the first instant, so the order stands.
        store
            .set_hangout_opt_in(w.ws(), w.member.id, true, at(40))
            .await
            .expect("opt in again");
        assert_eq!(
            store.hangout_pool(w.ws()).await.expect("pool"),
            vec![w.member.id, w.owner().id, third.id]
        );
        store
            .set_hangout_opt_in(w.ws(), w.owner().id, false, at(50))
            .await
            .expect("opt out");
        assert!(
            !store
                .hangout_opted_in(w.ws(), w.owner().id)
                .await
                .expect("read")
        );
        assert!(
            store
                .hangout_opted_in(w.ws(), third.id)
                .await
                .expect("read")
        );
        store
            .deactivate_member(w.ws(), third.id, w.owner().id, at(60))
            .await
            .expect("deactivate");
        assert_eq!(
            store.hangout_pool(w.ws()).await.expect("pool"),
            vec![w.member.id]
        );
        let other = world(&*store, "globex").await;
        assert!(matches!(
            store
                .set_hangout_opt_in(w.ws(), other.member.id, true, at(70))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .hangout_pool(other.ws())
                .await
                .expect("pool")
                .is_empty()
        );
    }
);

store_test!(
    a_round_is_stored_whole_once_and_read_back_in_order,
    |store| async move {
        let w = world(&*store, "acme").await;
        let third = member(&*store, w.ws(), "third@acme.example").await;
        let fourth = member(&*store, w.ws(), "fourth@acme.example").await;
        let fifth = member(&*store, w.ws(), "fifth@acme.example").await;
        assert_eq!(store.hangout_round(w.ws(), 7).await.expect("read"), None);
        let round = HangoutRound {
            round: 7,
            paired_at: at(100),
            pairs: vec![
                PairedHangout {
                    a: third.id,
                    b: w.owner().id,
                    shared_minutes: 120,
                    slot: Some((at(3_600), 0, 20)),
                },
                PairedHangout {
                    a: w.member.id,
                    b: fourth.id,
                    shared_minutes: 0,
                    slot: None,
                },
            ],
            left_out: Some(fifth.id),
        };
        store
            .record_hangout_round(w.ws(), round.clone())
            .await
            .expect("record");
        assert_eq!(
            store.hangout_round(w.ws(), 7).await.expect("read"),
            Some(round.clone())
        );
        let again = HangoutRound {
            paired_at: at(200),
            pairs: vec![PairedHangout {
                a: fifth.id,
                b: third.id,
                shared_minutes: 60,
                slot: None,
            }],
            left_out: None,
            ..round.clone()
        };
        assert!(matches!(
            store.record_hangout_round(w.ws(), again).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            store.hangout_round(w.ws(), 7).await.expect("read"),
            Some(round)
        );
        let other = world(&*store, "globex").await;
        assert_eq!(
            store.hangout_round(other.ws(), 7).await.expect("read"),
            None
        );
    }
);
