//! Conformance: browser sessions, profile and password changes. A session is found only by
//! its hash, only while it is live, recent enough and its member active; password changes and
//! deactivation end every session of that member and no one else's.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::token::hash_token;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

async fn live(store: &dyn Store, secret: &str, idle_since: i64) -> Option<Id> {
    store
        .session(&hash_token(secret), at(idle_since))
        .await
        .expect("session lookup")
        .map(|(_, member)| member.id)
}

/// A session for `member` started at `at(secs)` and stored: its cookie secret and row.
async fn started(store: &dyn Store, ws: Id, member: Id, secs: i64) -> (String, NewSession) {
    let (secret, session) = new_session(member, secs);
    store
        .create_session(ws, session.clone())
        .await
        .expect("create_session");
    (secret, session)
}

store_test!(
    a_created_session_is_found_by_its_hash_only,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let (secret, session) = started(&*store, tenant.ws(), tenant.owner.id, 10).await;

        let (info, member) = store
            .session(&session.hash, at(0))
            .await
            .expect("session")
            .expect("live");
        assert_eq!((info.id, info.last_seen_at), (session.id, at(10)));
        assert_eq!(member, tenant.owner);
        assert_eq!(live(&*store, "not-the-secret", 0).await, None);
        assert_eq!(
            store.session(&secret, at(0)).await.expect("lookup"),
            None,
            "the secret is not its hash"
        );
    }
);

store_test!(
    an_idle_session_is_not_found_until_touched,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let (secret, session) = started(&*store, tenant.ws(), tenant.owner.id, 10).await;

        assert_eq!(live(&*store, &secret, 11).await, None, "idle since 11");
        store
            .touch_session(tenant.ws(), session.id, at(20))
            .await
            .expect("touch");

        assert_eq!(live(&*store, &secret, 11).await, Some(tenant.owner.id));
    }
);

store_test!(an_ended_session_is_not_found, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let (secret, session) = started(&*store, tenant.ws(), tenant.owner.id, 10).await;

    store
        .end_session(tenant.ws(), session.id, at(20))
        .await
        .expect("end");
    store
        .end_session(tenant.ws(), session.id, at(21))
        .await
        .expect("ending twice is not an error");

    assert_eq!(live(&*store, &secret, 0).await, None);
});

store_test!(
    a_password_change_ends_that_members_sessions_only,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (ada_laptop, _) = started(&*store, tenant.ws(), ada.id, 10).await;
        let (ada_phone, _) = started(&*store, tenant.ws(), ada.id, 10).await;
        let (owners, _) = started(&*store, tenant.ws(), tenant.owner.id, 10).await;

        store
            .set_password(tenant.ws(), ada.id, "$argon2id$new", at(30), false)
            .await
            .expect("set_password");

        assert_eq!(live(&*store, &ada_laptop, 0).await, None);
        assert_eq!(live(&*store, &ada_phone, 0).await, None);
        assert_eq!(live(&*store, &owners, 0).await, Some(tenant.owner.id));
        assert_eq!(
            store
                .password_hash(tenant.ws(), ada.id)
                .await
                .expect("hash")
                .as_deref(),
            Some("$argon2id$new")
        );
    }
);

store_test!(
    a_password_change_revokes_that_members_tokens_only_when_asked,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (kept, token) = new_token(ada.id, "laptop");
        store
            .create_token(tenant.ws(), token, None)
            .await
            .expect("create_token");
        let (owners, token) = new_token(tenant.owner.id, "owner");
        store
            .create_token(tenant.ws(), token, None)
            .await
            .expect("create_token");
        let works = |secret: String| {
            let store = store.clone();
            async move {
                store
                    .authenticate(&hash_token(&secret))
                    .await
                    .expect("authenticate")
                    .map(|m| m.id)
            }
        };

        store
            .set_password(tenant.ws(), ada.id, "$argon2id$one", at(30), false)
            .await
            .expect("set_password");
        assert_eq!(works(kept.clone()).await, Some(ada.id), "tokens kept");

        store
            .set_password(tenant.ws(), ada.id, "$argon2id$two", at(40), true)
            .await
            .expect("set_password");
        assert_eq!(works(kept).await, None, "tokens revoked");
        assert_eq!(works(owners).await, Some(tenant.owner.id), "others' kept");
        assert!(
            store
                .list_tokens(tenant.ws(), ada.id, PageRequest::first())
                .await
                .expect("list")
                .items
                .is_empty()
        );
    }
);

store_test!(deactivation_ends_every_session, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
    let (secret, _) = started(&*store, tenant.ws(), ada.id, 10).await;

    store
        .deactivate_member(tenant.ws(), ada.id, tenant.owner.id, at(40))
        .await
        .expect("deactivate");

    assert_eq!(live(&*store, &secret, 0).await, None);
});

store_test!(
    a_session_for_another_workspaces_member_is_refused,
    |store| async move {
        let acme = tenant(&*store, "acme").await;
        let globex = tenant(&*store, "globex").await;
        let (secret, session) = new_session(globex.owner.id, 10);

        let err = store
            .create_session(acme.ws(), session)
            .await
            .expect_err("cross-workspace session");

        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        assert_eq!(live(&*store, &secret, 0).await, None);
    }
);

store_test!(
    first_run_creates_the_first_workspace_only,
    |store| async move {
        let workspace = Workspace {
            id: Id::random(),
            name: "first".into(),
            created_at: at(0),
        };
        let owner = new_member("owner@first.test", Role::Owner);
        let (secret, session) = new_session(owner.id, 1);
        store
            .first_run(workspace.clone(), owner.clone(), session)
            .await
            .expect("first run");
        assert_eq!(live(&*store, &secret, 0).await, Some(owner.id));

        let second = new_member("owner@second.test", Role::Owner);
        let (_, session) = new_session(second.id, 2);
        let err = store
            .first_run(
                Workspace {
                    id: Id::random(),
                    name: "second".into(),
                    created_at: at(2),
                },
                second,
                session,
            )
            .await
            .expect_err("a second first run");

        assert!(
            matches!(&err, StoreError::Conflict { constraint } if *constraint == Constraint::WorkspaceExists),
            "{err:?}"
        );
        assert_eq!(
            store.workspaces().await.expect("workspaces"),
            vec![workspace]
        );
    }
);

store_test!(
    racing_first_runs_make_exactly_one_workspace,
    |store| async move {
        let attempts: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let owner = new_member(&format!("owner{i}@race.test"), Role::Owner);
                    let (_, session) = new_session(owner.id, i);
                    let ws = Workspace {
                        id: Id::random(),
                        name: format!("race {i}"),
                        created_at: at(i),
                    };
                    store.first_run(ws, owner, session).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for attempt in attempts {
            results.push(attempt.await.expect("join"));
        }

        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        assert_eq!(store.workspaces().await.expect("workspaces").len(), 1);
    }
);

store_test!(update_profile_changes_name_and_zone, |store| async move {
    let tenant = tenant(&*store, "acme").await;

    let updated = store
        .update_profile(tenant.ws(), tenant.owner.id, "Ada L.", "Asia/Tokyo")
        .await
        .expect("update_profile");

    assert_eq!(
        (updated.name.as_str(), updated.timezone.as_str()),
        ("Ada L.", "Asia/Tokyo")
    );
    assert_eq!(
        store
            .member(tenant.ws(), tenant.owner.id)
            .await
            .expect("member"),
        updated
    );
    let err = store
        .update_profile(tenant.ws(), Id::random(), "X", "UTC")
        .await
        .expect_err("unknown member");
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
});
