//! `Idempotency-Key` (reliability test 32): a retry returns the first response and writes
//! nothing; another body with the same key is refused; keys are per member; concurrent
//! duplicates produce exactly one effect.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

app_test!(
    a_retry_returns_the_first_response_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let path = format!("/api/v1/threads/{thread}/posts");
        let key = [("idempotency-key", "retry-1")];
        let first = app
            .call(
                "POST",
                &path,
                Some(&owner.token),
                Some(json!({"body": "once"})),
                &key,
            )
            .await;
        let second = app
            .call(
                "POST",
                &path,
                Some(&owner.token),
                Some(json!({"body": "once"})),
                &key,
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED);
        assert_eq!(second.status, StatusCode::CREATED);
        assert_eq!(first.json, second.json, "the replay is the first response");
        let other = app
            .call(
                "POST",
                &path,
                Some(&owner.token),
                Some(json!({"body": "something else"})),
                &key,
            )
            .await;
        assert_problem(
            &other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "same key, different body",
        );
        let t = app.get(&format!("/api/v1/threads/{thread}"), &owner).await;
        assert_eq!(
            t.json["post_count"],
            json!(2),
            "one opening post and one reply"
        );

        // The same key from another member is theirs alone.
        let bob = app.member(&owner, "bob", "member").await;
        let bobs = app
            .call(
                "POST",
                &path,
                Some(&bob.token),
                Some(json!({"body": "once"})),
                &key,
            )
            .await;
        assert_eq!(bobs.status, StatusCode::CREATED);
        assert_ne!(bobs.json["id"], first.json["id"]);

        let t1 = app
            .call(
                "POST",
                "/api/v1/threads",
                Some(&owner.token),
                Some(json!({"space_id": space, "title": "T", "body": "b"})),
                &[("idempotency-key", "thread-1")],
            )
            .await;
        let t2 = app
            .call(
                "POST",
                "/api/v1/threads",
                Some(&owner.token),
                Some(json!({"space_id": space, "title": "T", "body": "b"})),
                &[("idempotency-key", "thread-1")],
            )
            .await;
        assert_eq!((t1.status, &t1.json), (t2.status, &t2.json));
        let s1 = app
            .call(
                "POST",
                "/api/v1/spaces",
                Some(&owner.token),
                Some(json!({"name": "x", "visibility": "public"})),
                &[("idempotency-key", "space-1")],
            )
            .await;
        let s2 = app
            .call(
                "POST",
                "/api/v1/spaces",
                Some(&owner.token),
                Some(json!({"name": "x", "visibility": "public"})),
                &[("idempotency-key", "space-1")],
            )
            .await;
        assert_eq!((s1.status, &s1.json), (s2.status, &s2.json));
        let m1 = app
            .call(
                "POST",
                "/api/v1/members",
                Some(&owner.token),
                Some(json!({"email": "m@example.com", "name": "M", "timezone": "UTC"})),
                &[("idempotency-key", "member-1")],
            )
            .await;
        let m2 = app
            .call(
                "POST",
                "/api/v1/members",
                Some(&owner.token),
                Some(json!({"email": "m@example.com", "name": "M", "timezone": "UTC"})),
                &[("idempotency-key", "member-1")],
            )
            .await;
        assert_eq!((m1.status, &m1.json), (m2.status, &m2.json));
    }
);

app_test!(
    concurrent_duplicates_have_exactly_one_effect,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let app = Arc::new(app);
        let path = format!("/api/v1/threads/{thread}/posts");
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (app, path, token) = (app.clone(), path.clone(), owner.token.clone());
                tokio::spawn(async move {
                    app.call(
                        "POST",
                        &path,
                        Some(&token),
                        Some(json!({"body": "dup"})),
                        &[("idempotency-key", "dup-1")],
                    )
                    .await
                })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for t in tasks {
            let r = t.await.expect("task");
            match r.status {
                StatusCode::CREATED => {
                    ids.insert(r.str("/id"));
                }
                StatusCode::CONFLICT => assert_problem(&r, StatusCode::CONFLICT, "in flight"),
                other => panic!("unexpected {other}: {:?}", r.json),
            }
        }
        assert_eq!(ids.len(), 1, "every success carries the same post: {ids:?}");
        let t = app.get(&format!("/api/v1/threads/{thread}"), &owner).await;
        assert_eq!(t.json["post_count"], json!(2));
    }
);
