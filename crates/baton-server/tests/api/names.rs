//! Names and titles refuse text-direction overrides and invisible characters (issue 13 item
//! 9): a name that shows as one thing and is another. Each kind of name is refused with a 422
//! that names the field, and nothing is written.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem};

/// "admin" spelled backwards behind a right-to-left override: it shows as "admin".
const REVERSED: &str = "\u{202E}nimda";
/// Two names that look the same, told apart by a zero-width space.
const ZERO_WIDTH: &str = "Ana\u{200B} Souza";

/// Asserts a 422 naming `field` in its detail's subject and in `field`.
#[track_caller]
fn assert_refused(r: &crate::common::Reply, field: &str, what: &str) {
    assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, what);
    assert_eq!(r.json["field"], json!(field), "{what}: {:?}", r.json);
    assert!(
        r.str("/detail").contains("invisible or text-direction"),
        "{what}: {:?}",
        r.json
    );
}

async fn count(app: &TestApp, who: &Actor, path: &str, key: &str) -> usize {
    app.get(path, who).await.json[key]
        .as_array()
        .map_or(0, Vec::len)
}

app_test!(
    every_kind_of_name_and_title_refuses_invisible_characters_and_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        for bad in [REVERSED, ZERO_WIDTH] {
            let r = app
                .post(
                    "/api/v1/members",
                    &owner,
                    json!({"email": "new@acme.example", "name": bad, "timezone": "UTC"}),
                )
                .await;
            assert_refused(&r, "name", "person name");
            assert_eq!(count(&app, &owner, "/api/v1/members", "members").await, 1);

            let r = app
                .post(
                    "/api/v1/spaces",
                    &owner,
                    json!({"name": bad, "visibility": "public"}),
                )
                .await;
            assert_refused(&r, "name", "space name");
            assert_eq!(count(&app, &owner, "/api/v1/spaces", "spaces").await, 1);

            let r = app
                .post(
                    "/api/v1/threads",
                    &owner,
                    json!({"space_id": space, "title": bad, "body": "x"}),
                )
                .await;
            assert_refused(&r, "title", "thread title");
            let threads = format!("/api/v1/spaces/{space}/threads");
            assert_eq!(count(&app, &owner, &threads, "threads").await, 0);

            let r = app
                .post(
                    "/api/v1/batons",
                    &owner,
                    json!({"title": bad, "holder_id": owner.id}),
                )
                .await;
            assert_refused(&r, "title", "baton title");
            assert_eq!(count(&app, &owner, "/api/v1/batons", "batons").await, 0);

            let r = app
                .post(
                    "/api/v1/relays",
                    &owner,
                    json!({"name": bad, "legs": [owner.id]}),
                )
                .await;
            assert_refused(&r, "name", "relay name");

            let tokens = format!("/api/v1/members/{}/tokens", owner.id);
            let r = app.post(&tokens, &owner, json!({"label": bad})).await;
            assert_refused(&r, "label", "token label");
            assert_eq!(count(&app, &owner, &tokens, "tokens").await, 1);
        }
    }
);

app_test!(
    a_new_workspace_name_with_a_direction_override_is_refused_on_first_run,
    |app: TestApp| async move {
        let form = app.page("/setup", None).await;
        let cookie = form
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|c| c.contains("csrf"))
            .find_map(|c| c.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let csrf = hidden_csrf(&form.html());
        let fields = [
            ("csrf", csrf.as_str()),
            ("workspace", "Acme\u{202E}"),
            ("name", "Ada"),
            ("email", "ada@acme.test"),
            ("password", "correct horse battery"),
            ("timezone", "UTC"),
            ("start", "09:00"),
            ("end", "17:00"),
            ("days", "mon"),
        ];
        // From this machine, so first run needs no setup code.
        let local = std::net::SocketAddr::from(([127, 0, 0, 1], 50_000));
        let r = app
            .raw_form_from(local, "/setup", Some(&cookie), &fields)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html());
        assert!(r.html().contains("id=\"workspace-error\""), "{}", r.html());
        assert!(app.store.workspaces().await.expect("workspaces").is_empty());
    }
);

/// The CSRF token of a page's form.
fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_default();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}
