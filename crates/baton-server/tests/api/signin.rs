//! Password sign-in from the outside (issue 13, item 3 and the sign-in half of 9): the
//! throttle per account and per client address, shared by instances on one database and by
//! `POST /api/v1/tokens`; the password gate's 503; the workspace choice when one email and
//! password open several workspaces; a password change that revokes every token.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use baton_server::AppState;
use baton_server::password::PasswordGate;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, Reply, TestApp, assert_problem, send_to};

const PASSWORD: &str = "correct horse battery";

/// A member of `admin`'s workspace with `email` and `password`; returns their id.
async fn member(app: &TestApp, admin: &Actor, email: &str, password: &str) -> String {
    app.account(admin, email, password, "member").await
}

/// `POST /api/v1/tokens` with `body` from the client at `ip` (the peer address a real
/// connection carries).
fn login_request(ip: &str, body: &Value) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri("/api/v1/tokens")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("a valid request");
    let peer: SocketAddr = format!("{ip}:40000").parse().expect("an address");
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

/// Sign-in through `POST /api/v1/tokens` from `ip`.
async fn login(app: &TestApp, ip: &str, email: &str, password: &str) -> Reply {
    let body = json!({"email": email, "password": password});
    app.send(login_request(ip, &body)).await
}

fn retry_after(r: &Reply) -> u64 {
    r.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in {:?}", r.headers))
}

app_test!(
    a_strangers_failures_slow_the_account_but_never_lock_the_real_user_out,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let email = "ada@example.com";
        member(&app, &owner, email, PASSWORD).await;
        let home = "198.51.100.7";
        assert_eq!(
            login(&app, home, email, PASSWORD).await.status,
            StatusCode::CREATED
        );

        // A stranger on ever new addresses (so no address counter holds them back).
        let mut longest = 0;
        for n in 0..40 {
            let stranger = format!("203.0.113.{n}");
            let mut r = login(&app, &stranger, email, "wrong password!").await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                assert_problem(&r, StatusCode::TOO_MANY_REQUESTS, "throttled");
                assert!(
                    r.str("/detail").contains("for this account"),
                    "{:?}",
                    r.json
                );
                let wait = retry_after(&r);
                assert!(wait <= 60, "the backoff is capped at a minute, not {wait}");
                longest = longest.max(wait);
                app.clock
                    .advance(jiff::SignedDuration::from_secs(wait as i64));
                r = login(&app, &stranger, email, "wrong password!").await;
            }
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "a wrong password");
        }
        assert_eq!(longest, 60, "the backoff grew to its cap");

        let held = login(&app, "192.0.2.1", email, PASSWORD).await;
        assert_eq!(
            held.status,
            StatusCode::TOO_MANY_REQUESTS,
            "a new address waits"
        );
        let known = login(&app, home, email, PASSWORD).await;
        assert_eq!(
            known.status,
            StatusCode::CREATED,
            "the address that signed in before walks past the stranger: {:?}",
            known.json
        );
        app.clock.advance(jiff::SignedDuration::from_secs(60));
        let later = login(&app, "192.0.2.1", email, PASSWORD).await;
        assert_eq!(later.status, StatusCode::CREATED, "at most a minute later");
    }
);

app_test!(
    an_address_failing_across_many_accounts_is_throttled_on_its_own,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        member(&app, &owner, "ada@example.com", PASSWORD).await;
        let sprayer = "203.0.113.50";
        for n in 0..20 {
            let r = login(
                &app,
                sprayer,
                &format!("user{n}@example.com"),
                "guess guess",
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "free try {n}");
        }
        let r = login(&app, sprayer, "user20@example.com", "guess guess").await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the 21st counts"
        );
        let held = login(&app, sprayer, "ada@example.com", PASSWORD).await;
        assert_problem(&held, StatusCode::TOO_MANY_REQUESTS, "the address waits");
        assert!(
            held.str("/detail").contains("from your network"),
            "{:?}",
            held.json
        );
        assert!(retry_after(&held) >= 1);
        let elsewhere = login(&app, "198.51.100.7", "ada@example.com", PASSWORD).await;
        assert_eq!(
            elsewhere.status,
            StatusCode::CREATED,
            "other addresses are not slowed"
        );
    }
);

app_test!(
    two_instances_on_one_database_share_the_throttle,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        member(&app, &owner, "ada@example.com", PASSWORD).await;
        let other = app.sibling();
        let wrong = json!({"email": "ada@example.com", "password": "wrong password!"});
        for n in 0..6 {
            let r = app
                .send(login_request(&format!("203.0.113.{n}"), &wrong))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let right = json!({"email": "ada@example.com", "password": PASSWORD});
        let r = send_to(&other, login_request("192.0.2.1", &right)).await;
        assert_problem(
            &r,
            StatusCode::TOO_MANY_REQUESTS,
            "the other instance knows",
        );
    }
);

app_test!(
    a_full_password_gate_answers_503_with_retry_after_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        member(&app, &owner, "ada@example.com", PASSWORD).await;
        // A second instance whose gate runs one check and queues none.
        let state = AppState::builder(app.store.clone())
            .clock(app.clock.clone())
            .passwords(PasswordGate::new(1, 0))
            .build();
        let gated = baton_server::router(state.clone());
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel();
        let gate = state.passwords.clone();
        let busy = tokio::spawn(async move {
            gate.run(move || {
                let _ = started.send(());
                held.recv().ok();
            })
            .await
        });
        running.await.expect("the gate is held");

        let right = json!({"email": "ada@example.com", "password": PASSWORD});
        let r = send_to(&gated, login_request("192.0.2.1", &right)).await;
        assert_problem(&r, StatusCode::SERVICE_UNAVAILABLE, "the gate is full");
        assert_eq!(retry_after(&r), 1);
        let new_member = json!({"email": "bo@example.com", "name": "Bo", "timezone": "UTC", "password": PASSWORD});
        let request = Request::builder()
            .method("POST")
            .uri("/api/v1/members")
            .header("authorization", format!("Bearer {}", owner.token))
            .header("content-type", "application/json")
            .body(Body::from(new_member.to_string()))
            .expect("a valid request");
        let created = send_to(&gated, request).await;
        assert_problem(
            &created,
            StatusCode::SERVICE_UNAVAILABLE,
            "hashing goes through the gate",
        );
        let members = app.get("/api/v1/members", &owner).await;
        assert!(
            !members.json.to_string().contains("bo@example.com"),
            "nothing written"
        );

        release.send(()).expect("release");
        busy.await.expect("joined").expect("ran");
        let r = send_to(&gated, login_request("192.0.2.1", &right)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    }
);

app_test!(
    one_email_in_two_workspaces_asks_which_one,
    |app: TestApp| async move {
        let acme = app.workspace("Acme").await;
        let beta = app.workspace("Beta").await;
        let gamma = app.workspace("Gamma").await;
        let email = "ada@example.com";
        let in_acme = member(&app, &acme, email, PASSWORD).await;
        let in_beta = member(&app, &beta, email, PASSWORD).await;
        member(&app, &gamma, email, "another password").await;
        assert_ne!(in_acme, in_beta, "two members, one email");

        let body = json!({"email": email, "password": PASSWORD});
        let ambiguous = app
            .call("POST", "/api/v1/tokens", None, Some(body), &[])
            .await;
        assert_problem(&ambiguous, StatusCode::CONFLICT, "which workspace?");
        let listed = ambiguous.json["workspaces"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let names: Vec<&str> = listed.iter().filter_map(|w| w["name"].as_str()).collect();
        assert_eq!(names, ["Acme", "Beta"], "only those the password opens");
        let beta_id = listed[1]["id"].as_str().expect("an id").to_owned();

        let body = json!({"email": email, "password": PASSWORD, "workspace": beta_id});
        let chosen = app
            .call("POST", "/api/v1/tokens", None, Some(body), &[])
            .await;
        assert_eq!(chosen.status, StatusCode::CREATED, "{:?}", chosen.json);
        let me = app
            .call("GET", "/api/v1/me", Some(&chosen.str("/token")), None, &[])
            .await;
        assert_eq!(me.str("/id"), in_beta);

        let body = json!({"email": email, "password": "another password"});
        let gamma_only = app
            .call("POST", "/api/v1/tokens", None, Some(body), &[])
            .await;
        assert_eq!(gamma_only.status, StatusCode::CREATED, "one match signs in");

        let body = json!({"email": email, "password": PASSWORD, "workspace": "nope"});
        let bad = app
            .call("POST", "/api/v1/tokens", None, Some(body), &[])
            .await;
        assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "not an id");
    }
);
