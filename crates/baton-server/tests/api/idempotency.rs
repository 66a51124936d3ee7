//! `Idempotency-Key` (reliability test 32): a retry returns the first response and writes
//! nothing; another body with the same key is refused; keys are per member; concurrent
//! duplicates produce exactly one effect.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Reply, TestApp, assert_problem};

/// POSTs `body` to `path` as `token` with `Idempotency-Key: key`.
async fn keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    body: serde_json::Value,
    key: &str,
) -> Reply {
    app.call(
        "POST",
        path,
        Some(token),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

app_test!(
    a_retry_returns_the_first_response_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let path = format!("/api/v1/threads/{thread}/posts");
        let first = keyed(
            &app,
            &path,
            &owner.token,
            json!({"body": "once"}),
            "retry-1",
        )
        .await;
        let second = keyed(
            &app,
            &path,
            &owner.token,
            json!({"body": "once"}),
            "retry-1",
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED);
        assert_eq!(second.status, StatusCode::CREATED);
        assert_eq!(first.json, second.json, "the replay is the first response");
        let other = keyed(
            &app,
            &path,
            &owner.token,
            json!({"body": "something else"}),
            "retry-1",
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
        let bobs = keyed(&app, &path, &bob.token, json!({"body": "once"}), "retry-1").await;
        assert_eq!(bobs.status, StatusCode::CREATED);
        assert_ne!(bobs.json["id"], first.json["id"]);

        // Every keyed create replays its first answer.
        let creates = [
            (
                "/api/v1/threads",
                json!({"space_id": space, "title": "T", "body": "b"}),
                "thread-1",
            ),
            (
                "/api/v1/spaces",
                json!({"name": "x", "visibility": "public"}),
                "space-1",
            ),
            (
                "/api/v1/members",
                json!({"email": "m@example.com", "name": "M", "timezone": "UTC"}),
                "member-1",
            ),
        ];
        for (create, body, key) in creates {
            let once = keyed(&app, create, &owner.token, body.clone(), key).await;
            let twice = keyed(&app, create, &owner.token, body, key).await;
            assert_eq!(
                (once.status, &once.json),
                (twice.status, &twice.json),
                "{create}"
            );
        }
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

app_test!(
    a_retried_token_request_issues_no_second_token_and_names_the_first,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let path = format!("/api/v1/members/{}/tokens", owner.id);
        let body = json!({"label": "ci"});
        let first = keyed(&app, &path, &owner.token, body.clone(), "token-1").await;
        assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json);
        let issued = first.str("/id");
        let retry = keyed(&app, &path, &owner.token, body, "token-1").await;
        assert_problem(&retry, StatusCode::CONFLICT, "a retried token request");
        let detail = retry.json["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&issued), "{detail}");
        assert!(
            retry.json.get("token").is_none(),
            "the secret is never shown twice"
        );
        let other = keyed(
            &app,
            &path,
            &owner.token,
            json!({"label": "other"}),
            "token-1",
        )
        .await;
        assert_problem(
            &other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "same key, other body",
        );
        let tokens = app.get(&path, &owner).await;
        let labels: Vec<&str> = tokens.json["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .filter_map(|t| t["label"].as_str())
            .collect();
        assert_eq!(
            labels.iter().filter(|l| **l == "ci").count(),
            1,
            "{labels:?}"
        );
    }
);
