//! Bad input gets a clear problem+json and writes nothing: malformed JSON, unknown fields
//! (mass assignment, reliability test 8), wrong types, empty or oversized values, unknown
//! zones, malformed ids, cursors and keys.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

app_test!(
    each_bad_request_is_refused_clearly_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let posts = format!("/api/v1/threads/{thread}/posts");
        let cases = [
            (
                "empty title",
                "/api/v1/threads",
                json!({"space_id": space, "title": "   ", "body": "x"}),
                422,
            ),
            (
                "wrong type",
                "/api/v1/threads",
                json!({"space_id": space, "title": 42, "body": "x"}),
                422,
            ),
            (
                "missing field",
                "/api/v1/threads",
                json!({"space_id": space, "body": "x"}),
                422,
            ),
            (
                "malformed space id",
                "/api/v1/threads",
                json!({"space_id": "nope", "title": "t", "body": "x"}),
                422,
            ),
            (
                "unknown space",
                "/api/v1/threads",
                json!({"space_id": baton_core::Id::random().to_string(), "title": "t", "body": "x"}),
                422,
            ),
            (
                "mass assignment: author_id",
                posts.as_str(),
                json!({"body": "x", "author_id": owner.id}),
                422,
            ),
            (
                "mass assignment: created_at",
                posts.as_str(),
                json!({"body": "x", "created_at": "2020-01-01T00:00:00Z"}),
                422,
            ),
            (
                "mass assignment: workspace_id",
                "/api/v1/spaces",
                json!({"name": "s", "visibility": "public", "workspace_id": "x"}),
                422,
            ),
            (
                "bad visibility",
                "/api/v1/spaces",
                json!({"name": "s", "visibility": "secret"}),
                422,
            ),
            ("empty post", posts.as_str(), json!({"body": " \n "}), 422),
            (
                "post over 64 KiB",
                posts.as_str(),
                json!({"body": "x".repeat(64 * 1024 + 1)}),
                422,
            ),
            (
                "request over 1 MiB",
                posts.as_str(),
                json!({"body": "x".repeat(2 * 1024 * 1024)}),
                413,
            ),
            (
                "reply without minutes",
                posts.as_str(),
                json!({"body": "x", "expectation": {"kind": "reply", "of": [owner.id]}}),
                422,
            ),
            (
                "unknown expectation kind",
                posts.as_str(),
                json!({"body": "x", "expectation": {"kind": "asap"}}),
                422,
            ),
            (
                "unknown time zone",
                "/api/v1/members",
                json!({"email": "z@example.com", "name": "Z", "timezone": "Mars/Olympus"}),
                422,
            ),
            (
                "bad email",
                "/api/v1/members",
                json!({"email": "not-an-email", "name": "Z", "timezone": "UTC"}),
                422,
            ),
            (
                "short password",
                "/api/v1/members",
                json!({"email": "z@example.com", "name": "Z", "timezone": "UTC", "password": "short"}),
                422,
            ),
            (
                "owner role",
                "/api/v1/members",
                json!({"email": "z@example.com", "name": "Z", "timezone": "UTC", "role": "owner"}),
                403,
            ),
            (
                "unknown role",
                "/api/v1/members",
                json!({"email": "z@example.com", "name": "Z", "timezone": "UTC", "role": "king"}),
                422,
            ),
            (
                "mass assignment: active",
                "/api/v1/members",
                json!({"email": "z@example.com", "name": "Z", "timezone": "UTC", "active": false}),
                422,
            ),
        ];
        for (label, path, body, status) in cases {
            let r = app.post(path, &owner, body).await;
            assert_problem(&r, StatusCode::from_u16(status).expect("a status"), label);
        }
        let tz = app
            .post(
                "/api/v1/members",
                &owner,
                json!({"email": "z@example.com", "name": "Z", "timezone": "Mars/Olympus"}),
            )
            .await;
        assert_eq!(
            tz.json["field"],
            json!("timezone"),
            "the error names the field"
        );

        let raw = Request::builder()
            .method("POST")
            .uri("/api/v1/threads")
            .header("authorization", format!("Bearer {}", owner.token))
            .header("content-type", "application/json")
            .body(Body::from("{not json"))
            .expect("request");
        assert_problem(
            &app.send(raw).await,
            StatusCode::BAD_REQUEST,
            "malformed JSON",
        );
        let plain = Request::builder()
            .method("POST")
            .uri("/api/v1/spaces")
            .header("authorization", format!("Bearer {}", owner.token))
            .body(Body::from("name=x"))
            .expect("request");
        assert_problem(
            &app.send(plain).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "no JSON content type",
        );
        assert_problem(
            &app.get("/api/v1/members?cursor=zzz", &owner).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad cursor",
        );
        assert_problem(
            &app.get("/api/v1/members?limit=100000", &owner).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit too big",
        );
        assert_problem(
            &app.get("/api/v1/members?limit=-1", &owner).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "negative limit",
        );
        assert_problem(
            &app.get("/api/v1/nothing-here", &owner).await,
            StatusCode::NOT_FOUND,
            "unknown path",
        );
        let long_key = "k".repeat(300);
        let r = app
            .call(
                "POST",
                &posts,
                Some(&owner.token),
                Some(json!({"body": "x"})),
                &[("idempotency-key", &long_key)],
            )
            .await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "oversized idempotency key");

        // Nothing above was written.
        let thread_now = app.get(&format!("/api/v1/threads/{thread}"), &owner).await;
        assert_eq!(thread_now.json["post_count"], json!(1));
        let spaces = app.get("/api/v1/spaces", &owner).await;
        assert_eq!(spaces.json["spaces"].as_array().map(Vec::len), Some(1));
        let members = app.get("/api/v1/members", &owner).await;
        assert_eq!(members.json["members"].as_array().map(Vec::len), Some(1));
        let created = app
            .post(
                "/api/v1/members",
                &owner,
                json!({"email": "z@example.com", "name": "Z", "timezone": "Europe/Paris"}),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "the email of a refused request is still free"
        );
    }
);

app_test!(
    a_duplicate_email_is_a_conflict_naming_the_field,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let body =
            json!({"email": "Ana@Example.com", "name": "Ana", "timezone": "America/Sao_Paulo"});
        assert_eq!(
            app.post("/api/v1/members", &owner, body.clone())
                .await
                .status,
            StatusCode::CREATED
        );
        let again = app
            .post(
                "/api/v1/members",
                &owner,
                json!({"email": "ana@example.com", "name": "Ana 2", "timezone": "UTC"}),
            )
            .await;
        assert_problem(&again, StatusCode::CONFLICT, "duplicate email");
        assert_eq!(again.json["field"], json!("email"));
    }
);
