//! Tokens and sessions of the API (reliability test 14): revocation and deactivation take
//! effect on the next request, secrets are shown once and never listed; and the operational
//! endpoints (health, metrics, OpenAPI) answer.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

app_test!(
    a_revoked_token_fails_on_the_next_request,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bob = app.member(&owner, "bob", "member").await;
        let second = app
            .post(
                &format!("/api/v1/members/{}/tokens", bob.id),
                &bob,
                json!({"label": "laptop"}),
            )
            .await;
        assert_eq!(second.status, StatusCode::CREATED);
        let secret = second.str("/token");
        let listed = app
            .get(&format!("/api/v1/members/{}/tokens", bob.id), &bob)
            .await;
        assert_eq!(listed.json["tokens"].as_array().map(Vec::len), Some(2));
        assert!(
            !listed.json.to_string().contains(&secret[6..]),
            "secrets are never listed"
        );
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/members/{}/tokens/{}", bob.id, second.str("/id")),
                Some(&bob.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_problem(
            &app.call("GET", "/api/v1/me", Some(&secret), None, &[])
                .await,
            StatusCode::UNAUTHORIZED,
            "revoked",
        );
        assert_eq!(
            app.get("/api/v1/me", &bob).await.status,
            StatusCode::OK,
            "other tokens still work"
        );
    }
);

app_test!(
    deactivation_ends_every_token_at_once,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bob = app.member(&owner, "bob", "member").await;
        let r = app
            .post(
                &format!("/api/v1/members/{}/deactivate", bob.id),
                &owner,
                json!({}),
            )
            .await;
        assert_eq!(r.json["active"], json!(false));
        let me = app.get("/api/v1/me", &bob).await;
        assert_problem(&me, StatusCode::UNAUTHORIZED, "deactivated");
        assert_eq!(
            me.headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
        let again = app
            .post(
                &format!("/api/v1/members/{}/tokens", bob.id),
                &owner,
                json!({}),
            )
            .await;
        assert_problem(
            &again,
            StatusCode::FORBIDDEN,
            "nobody mints a token for someone else",
        );
        let owner_self = app
            .post(
                &format!("/api/v1/members/{}/deactivate", owner.id),
                &owner,
                json!({}),
            )
            .await;
        assert_problem(&owner_self, StatusCode::FORBIDDEN, "the owner stays");
    }
);

app_test!(
    health_metrics_and_openapi_answer,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let health = app.call("GET", "/healthz", None, None, &[]).await;
        assert_eq!(health.status, StatusCode::OK);
        app.get("/api/v1/me", &owner).await;
        let metrics = app.call("GET", "/metrics", None, None, &[]).await;
        let text = metrics.json.as_str().unwrap_or_default();
        assert!(
            text.contains("# TYPE baton_http_requests_total counter"),
            "{text}"
        );
        assert!(
            text.contains("route=\"/api/v1/me\",status=\"200\"} 1"),
            "{text}"
        );
        let spec = app
            .call("GET", "/api/v1/openapi.json", None, None, &[])
            .await;
        assert_eq!(
            spec.json["openapi"].as_str().map(|v| v.starts_with("3.")),
            Some(true)
        );
        assert!(spec.json["paths"]["/api/v1/threads/{id}/posts"]["post"].is_object());
    }
);
