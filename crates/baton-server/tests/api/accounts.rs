//! Who may act on whose account: only a member mints their own API tokens (in Settings after
//! typing their password, with a token of their own, or by `POST /api/v1/tokens` with their
//! email and password); an admin acts on members and guests only, never against another admin
//! or the owner; ownership moves only when the owner hands it over. Every such act is in the
//! audit log.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem};

const PASSWORD: &str = "a long enough passphrase";

/// A member with a password (and a token of their own, minted by signing in with it).
async fn with_password(app: &TestApp, admin: &Actor, handle: &str, role: &str) -> Actor {
    let email = format!("{handle}@accounts.example");
    app.member_with_password(admin, &email, PASSWORD, role)
        .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> crate::common::Reply {
    app.call(
        "POST",
        "/api/v1/tokens",
        None,
        Some(json!({"email": email, "password": password, "label": "script"})),
        &[],
    )
    .await
}

async fn token_count(app: &TestApp, who: &Actor) -> usize {
    app.get(&format!("/api/v1/members/{}/tokens", who.id), who)
        .await
        .json["tokens"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The audit entries of one action, newest first.
async fn audit(app: &TestApp, owner: &Actor, action: &str) -> Vec<Value> {
    let r = app.get("/api/v1/audit", owner).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

app_test!(
    an_admin_mints_no_token_for_anyone_else_and_the_member_mints_their_own,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let admin = with_password(&app, &owner, "adele", "admin").await;
        let ana = with_password(&app, &owner, "ana", "member").await;

        for target in [&owner.id, &ana.id] {
            let r = app
                .post(
                    &format!("/api/v1/members/{target}/tokens"),
                    &admin,
                    json!({}),
                )
                .await;
            assert_problem(&r, StatusCode::FORBIDDEN, "an admin minting for another");
        }
        assert_eq!(token_count(&app, &ana).await, 1, "nothing was minted");

        let own = app
            .post(
                &format!("/api/v1/members/{}/tokens", ana.id),
                &ana,
                json!({"label": "laptop"}),
            )
            .await;
        assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.json);
        let me = app
            .call("GET", "/api/v1/me", Some(&own.str("/token")), None, &[])
            .await;
        assert_eq!(me.str("/id"), ana.id, "the token is ana's");

        // An admin may still list and revoke a member's tokens.
        assert_eq!(
            app.get(&format!("/api/v1/members/{}/tokens", ana.id), &admin)
                .await
                .status,
            StatusCode::OK
        );
        let revoke = app
            .call(
                "DELETE",
                &format!("/api/v1/members/{}/tokens/{}", ana.id, own.str("/id")),
                Some(&admin.token),
                None,
                &[],
            )
            .await;
        assert_eq!(revoke.status, StatusCode::NO_CONTENT);

        let created = audit(&app, &owner, "token.created").await;
        let laptop = created
            .iter()
            .find(|e| e["token_id"] == own.json["id"])
            .expect("the creation is audited");
        assert_eq!(laptop["actor_id"], json!(ana.id));
        assert_eq!(laptop["subject_id"], json!(ana.id));
        assert_eq!(laptop["detail"], json!("laptop"));
        let revoked = audit(&app, &owner, "token.revoked").await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0]["actor_id"], json!(admin.id));
        assert_eq!(revoked[0]["subject_id"], json!(ana.id));
        assert_eq!(revoked[0]["token_id"], own.json["id"]);
    }
);

app_test!(
    a_script_trades_an_email_and_password_for_its_own_token,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = with_password(&app, &owner, "ana", "member").await;
        assert_eq!(token_count(&app, &ana).await, 1);

        let ok = login(&app, "  ANA@accounts.example ", PASSWORD).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.json);
        let me = app
            .call("GET", "/api/v1/me", Some(&ok.str("/token")), None, &[])
            .await;
        assert_eq!(me.str("/id"), ana.id);
        assert_eq!(token_count(&app, &ana).await, 2);

        for (email, password, context) in [
            (
                "ana@accounts.example",
                "not the password",
                "a wrong password",
            ),
            ("nobody@accounts.example", PASSWORD, "an unknown email"),
        ] {
            let r = login(&app, email, password).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, context);
            assert_eq!(
                r.str("/detail"),
                "This email and password do not match an active account.",
                "{context} is not told apart"
            );
        }
        let unknown_field = app
            .call(
                "POST",
                "/api/v1/tokens",
                None,
                Some(
                    json!({"email": "ana@accounts.example", "password": PASSWORD, "role": "owner"}),
                ),
                &[],
            )
            .await;
        assert_problem(
            &unknown_field,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an unknown field",
        );
        assert_eq!(token_count(&app, &ana).await, 2, "refusals wrote nothing");

        app.post(
            &format!("/api/v1/members/{}/deactivate", ana.id),
            &owner,
            json!({}),
        )
        .await;
        let deactivated = login(&app, "ana@accounts.example", PASSWORD).await;
        assert_problem(
            &deactivated,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a deactivated member",
        );
    }
);

app_test!(
    an_admin_cannot_act_against_another_admin_or_the_owner,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let adele = with_password(&app, &owner, "adele", "admin").await;
        let arno = with_password(&app, &owner, "arno", "admin").await;
        let owner_tokens = app
            .get(&format!("/api/v1/members/{}/tokens", owner.id), &owner)
            .await;
        let owner_token = owner_tokens.json["tokens"][0]["id"]
            .as_str()
            .expect("a token")
            .to_owned();
        let schedule = json!({"timezone": "UTC", "weekly": {"mon": [["00:00", "23:00"]]}});
        let policy = json!({"windows": ["10:00"], "email_digest": false});

        for (target, who) in [(&arno.id, "another admin"), (&owner.id, "the owner")] {
            let cases: [(&str, String, Option<Value>); 4] = [
                (
                    "PATCH",
                    format!("/api/v1/members/{target}"),
                    Some(json!({"role": "member"})),
                ),
                (
                    "POST",
                    format!("/api/v1/members/{target}/deactivate"),
                    Some(json!({})),
                ),
                (
                    "PUT",
                    format!("/api/v1/members/{target}/schedule"),
                    Some(schedule.clone()),
                ),
                (
                    "PUT",
                    format!("/api/v1/members/{target}/policy"),
                    Some(policy.clone()),
                ),
            ];
            for (method, path, body) in cases {
                let r = app.call(method, &path, Some(&adele.token), body, &[]).await;
                assert_problem(
                    &r,
                    StatusCode::FORBIDDEN,
                    &format!("{method} {path} on {who}"),
                );
            }
        }
        let revoke = app
            .call(
                "DELETE",
                &format!("/api/v1/members/{}/tokens/{owner_token}", owner.id),
                Some(&adele.token),
                None,
                &[],
            )
            .await;
        assert_problem(&revoke, StatusCode::FORBIDDEN, "revoking the owner's token");

        let arno_now = app
            .get(&format!("/api/v1/members/{}", arno.id), &owner)
            .await;
        assert_eq!(arno_now.json["role"], json!("admin"));
        assert_eq!(arno_now.json["active"], json!(true));
        assert_eq!(app.get("/api/v1/me", &owner).await.status, StatusCode::OK);

        // The owner may.
        let demoted = app
            .call(
                "PATCH",
                &format!("/api/v1/members/{}", arno.id),
                Some(&owner.token),
                Some(json!({"role": "member"})),
                &[],
            )
            .await;
        assert_eq!(demoted.status, StatusCode::OK, "{:?}", demoted.json);
        let changed = audit(&app, &owner, "member.role_changed").await;
        assert_eq!(changed[0]["subject_id"], json!(arno.id));
        assert_eq!(changed[0]["detail"], json!("admin → member"));
        let gone = app
            .post(
                &format!("/api/v1/members/{}/deactivate", adele.id),
                &owner,
                json!({}),
            )
            .await;
        assert_eq!(gone.status, StatusCode::OK, "{:?}", gone.json);
        assert_eq!(
            audit(&app, &owner, "member.deactivated").await[0]["subject_id"],
            json!(adele.id)
        );
    }
);

app_test!(
    ownership_moves_only_when_the_owner_hands_it_over,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let adele = with_password(&app, &owner, "adele", "admin").await;
        let gus = with_password(&app, &owner, "gus", "guest").await;
        let ana = with_password(&app, &owner, "ana", "member").await;

        let by_role = app
            .call(
                "PATCH",
                &format!("/api/v1/members/{}", adele.id),
                Some(&owner.token),
                Some(json!({"role": "owner"})),
                &[],
            )
            .await;
        assert_problem(
            &by_role,
            StatusCode::FORBIDDEN,
            "ownership by a role change",
        );
        let by_admin = app
            .post(
                "/api/v1/workspace/owner",
                &adele,
                json!({"member_id": adele.id}),
            )
            .await;
        assert_problem(
            &by_admin,
            StatusCode::FORBIDDEN,
            "an admin taking ownership",
        );
        for (body, context) in [
            (json!({"member_id": gus.id}), "to a guest"),
            (json!({"member_id": owner.id}), "to the owner"),
            (json!({"member_id": "not-an-id"}), "a malformed id"),
        ] {
            let r = app.post("/api/v1/workspace/owner", &owner, body).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, context);
        }
        assert!(
            audit(&app, &owner, "workspace.ownership_transferred")
                .await
                .is_empty()
        );
        assert_eq!(
            app.get("/api/v1/me", &owner).await.json["role"],
            json!("owner")
        );

        let handed = app
            .post(
                "/api/v1/workspace/owner",
                &owner,
                json!({"member_id": ana.id}),
            )
            .await;
        assert_eq!(handed.status, StatusCode::OK, "{:?}", handed.json);
        assert_eq!(handed.json["role"], json!("owner"));
        assert_eq!(
            app.get("/api/v1/me", &ana).await.json["role"],
            json!("owner")
        );
        assert_eq!(
            app.get("/api/v1/me", &owner).await.json["role"],
            json!("admin")
        );
        let again = app
            .post(
                "/api/v1/workspace/owner",
                &owner,
                json!({"member_id": adele.id}),
            )
            .await;
        assert_problem(&again, StatusCode::FORBIDDEN, "the former owner");
        let moved = audit(&app, &ana, "workspace.ownership_transferred").await;
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0]["actor_id"], json!(owner.id));
        assert_eq!(moved[0]["subject_id"], json!(ana.id));
        // The new owner now acts on the former one, an admin.
        let demote = app
            .call(
                "PATCH",
                &format!("/api/v1/members/{}", owner.id),
                Some(&ana.token),
                Some(json!({"role": "member"})),
                &[],
            )
            .await;
        assert_eq!(demote.status, StatusCode::OK, "{:?}", demote.json);
    }
);

app_test!(
    a_member_without_a_password_is_added_while_sign_ins_fill_the_password_gate,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        // Fill the gate with checks that wait until the test lets them go.
        let hold = std::sync::Arc::new(tokio::sync::RwLock::new(()));
        let held = hold.write().await;
        let (busy_tx, mut busy_rx) = tokio::sync::mpsc::unbounded_channel();
        let mut checks = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let (gate, hold, busy) = (app.state.passwords.clone(), hold.clone(), busy_tx.clone());
            checks.spawn(async move {
                if gate.run(move || drop(hold.blocking_read())).await.is_err() {
                    let _ = busy.send(());
                }
            });
        }
        busy_rx.recv().await.expect("a check the full gate refused");

        let plain = json!({"email": "ana@example.com", "name": "Ana", "timezone": "UTC"});
        let added = app.post("/api/v1/members", &owner, plain).await;
        assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.json);
        let with_password = json!({"email": "bo@example.com", "name": "Bo", "timezone": "UTC", "password": PASSWORD});
        let refused = app.post("/api/v1/members", &owner, with_password).await;
        assert_problem(
            &refused,
            StatusCode::SERVICE_UNAVAILABLE,
            "a hash waits for the gate",
        );

        drop(held);
        while checks.join_next().await.is_some() {}
    }
);
