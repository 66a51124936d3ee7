//! Conformance: calendar feeds and external calendars. A feed's secret hash names its member
//! until it is replaced or revoked; an external calendar is stored with its busy times in one
//! transaction, listed per member, refreshed (replacing the busy times, or keeping them and
//! recording the error), removed with its busy times, and never reached across workspaces.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::calendar::{Busy, ExternalCalendar, Refresh};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

/// A calendar of `member` fetched from a URL at `secs`, holding `busy` busy times.
fn calendar(ws: Id, member: Id, secs: i64, busy: u32) -> ExternalCalendar {
    ExternalCalendar {
        workspace_id: ws,
        id: Id::random(),
        member_id: member,
        name: "Work".into(),
        url: Some("https://calendar.example/work.ics".into()),
        busy_count: busy,
        created_at: at(secs),
        fetched_at: Some(at(secs)),
        checked_at: at(secs),
        last_error: None,
    }
}

/// `n` one-hour busy times a day apart from `secs`.
fn busy(secs: i64, n: i64) -> Vec<Busy> {
    (0..n)
        .map(|i| Busy {
            start: at(secs + i * 86_400),
            end: at(secs + i * 86_400 + 3_600),
        })
        .collect()
}

store_test!(
    a_feed_secret_names_its_member_until_replaced_or_revoked,
    |store| async move {
        let w = world(&*store, "acme").await;
        let other = world(&*store, "other").await;
        store
            .set_calendar_feed(w.ws(), w.member.id, "hash-1", at(10))
            .await
            .expect("set");
        assert_eq!(
            store.calendar_feed_owner("hash-1").await.expect("owner"),
            (w.ws(), w.member.id)
        );
        store
            .set_calendar_feed(w.ws(), w.member.id, "hash-2", at(20))
            .await
            .expect("replace");
        assert!(matches!(
            store.calendar_feed_owner("hash-1").await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.calendar_feed_owner("hash-2").await.expect("owner"),
            (w.ws(), w.member.id)
        );
        store
            .revoke_calendar_feed(w.ws(), w.member.id)
            .await
            .expect("revoke");
        store
            .revoke_calendar_feed(w.ws(), w.member.id)
            .await
            .expect("revoking twice is no error");
        assert!(matches!(
            store.calendar_feed_owner("hash-2").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .set_calendar_feed(other.ws(), w.member.id, "hash-3", at(30))
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    an_external_calendar_is_stored_with_its_busy_times_and_removed_with_them,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (member, owner) = (w.member.id, w.owner().id);
        let first = calendar(w.ws(), member, 10, 3);
        let second = calendar(w.ws(), member, 20, 1);
        let owners = calendar(w.ws(), owner, 30, 1);
        store
            .add_calendar(w.ws(), first.clone(), busy(100, 3))
            .await
            .expect("add");
        store
            .add_calendar(w.ws(), second.clone(), busy(50, 1))
            .await
            .expect("add");
        store
            .add_calendar(w.ws(), owners.clone(), busy(200, 1))
            .await
            .expect("add");
        assert_eq!(
            store.calendars_of(w.ws(), member).await.expect("list"),
            vec![first.clone(), second.clone()]
        );
        let times = store
            .external_busy(w.ws(), &[member, owner], at(0), at(400 * 86_400))
            .await
            .expect("busy");
        assert_eq!(times.len(), 5);
        let within = store
            .external_busy(w.ws(), &[member], at(100 + 3_600), at(100 + 86_400 + 1))
            .await
            .expect("busy");
        assert_eq!(
            within,
            vec![(member, at(100 + 86_400), at(100 + 86_400 + 3_600))],
            "only busy times overlapping the range, and only the members asked for"
        );
        assert!(matches!(
            store.remove_calendar(w.ws(), owner, first.id).await,
            Err(StoreError::NotFound)
        ));
        store
            .remove_calendar(w.ws(), member, first.id)
            .await
            .expect("remove");
        assert_eq!(
            store.calendars_of(w.ws(), member).await.expect("list"),
            vec![second]
        );
        assert_eq!(
            store
                .external_busy(w.ws(), &[member], at(0), at(400 * 86_400))
                .await
                .expect("busy"),
            vec![(member, at(50), at(50 + 3_600))]
        );
    }
);

store_test!(
    a_calendar_of_a_member_of_another_workspace_writes_nothing,
    |store| async move {
        let w = world(&*store, "acme").await;
        let other = world(&*store, "other").await;
        let cal = calendar(other.ws(), w.member.id, 10, 1);
        assert!(matches!(
            store.add_calendar(other.ws(), cal, busy(100, 1)).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .external_busy(other.ws(), &[w.member.id], at(0), at(86_400 * 10))
                .await
                .expect("busy")
                .is_empty()
        );
        assert!(
            store
                .calendars_of(other.ws(), w.member.id)
                .await
                .expect("list")
                .is_empty()
        );
    }
);

store_test!(
    a_refresh_replaces_busy_times_and_a_failed_one_keeps_them,
    |store| async move {
        let w = world(&*store, "acme").await;
        let member = w.member.id;
        let cal = calendar(w.ws(), member, 10, 2);
        let uploaded = ExternalCalendar {
            url: None,
            ..calendar(w.ws(), member, 10, 0)
        };
        store
            .add_calendar(w.ws(), cal.clone(), busy(100, 2))
            .await
            .expect("add");
        store
            .add_calendar(w.ws(), uploaded, Vec::new())
            .await
            .expect("add");
        let due = store.calendars_due(at(11), 10).await.expect("due");
        assert_eq!(due, vec![cal.clone()], "only fetched calendars are due");
        assert!(
            store
                .calendars_due(at(10), 10)
                .await
                .expect("due")
                .is_empty()
        );

        store
            .record_refresh(w.ws(), cal.id, at(50), Refresh::Failed("timed out".into()))
            .await
            .expect("failed refresh");
        let after_failure = &store.calendars_of(w.ws(), member).await.expect("list")[0];
        assert_eq!(after_failure.last_error.as_deref(), Some("timed out"));
        assert_eq!(after_failure.fetched_at, Some(at(10)));
        assert_eq!(after_failure.checked_at, at(50));
        assert_eq!(after_failure.busy_count, 2);
        let range = (at(0), at(400 * 86_400));
        assert_eq!(
            store
                .external_busy(w.ws(), &[member], range.0, range.1)
                .await
                .expect("busy")
                .len(),
            2
        );

        store
            .record_refresh(w.ws(), cal.id, at(60), Refresh::Read(busy(1_000, 1)))
            .await
            .expect("refresh");
        let refreshed = &store.calendars_of(w.ws(), member).await.expect("list")[0];
        assert_eq!(refreshed.last_error, None);
        assert_eq!(refreshed.fetched_at, Some(at(60)));
        assert_eq!(refreshed.busy_count, 1);
        assert_eq!(
            store
                .external_busy(w.ws(), &[member], range.0, range.1)
                .await
                .expect("busy"),
            vec![(member, at(1_000), at(1_000 + 3_600))]
        );
        store
            .remove_calendar(w.ws(), member, cal.id)
            .await
            .expect("remove");
        assert!(matches!(
            store
                .record_refresh(w.ws(), cal.id, at(70), Refresh::Failed("gone".into()))
                .await,
            Err(StoreError::NotFound)
        ));
    }
);
