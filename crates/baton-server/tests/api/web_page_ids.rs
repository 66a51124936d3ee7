//! Ids in page paths: every page route that takes an id answers a malformed one (or one that
//! does not even decode) with the same 404 page as an id that names nothing, before anything
//! is read or written.

use axum::http::StatusCode;

use crate::app_test;
use crate::common::TestApp;

/// Page routes with one id, as (method, path) with `{id}` where the id goes.
const ONE_ID: &[(&str, &str)] = &[
    ("GET", "/spaces/{id}"),
    ("GET", "/spaces/{id}/members"),
    ("POST", "/spaces/{id}/members"),
    ("GET", "/spaces/{id}/threads/new"),
    ("POST", "/spaces/{id}/threads"),
    ("POST", "/spaces/{id}/threads/preview"),
    ("GET", "/spaces/{id}/webhooks"),
    ("POST", "/spaces/{id}/webhooks"),
    ("GET", "/threads/{id}"),
    ("POST", "/threads/{id}/posts"),
    ("POST", "/threads/{id}/preview"),
    ("POST", "/threads/{id}/following"),
    ("GET", "/people/{id}"),
    ("GET", "/batons/{id}"),
    ("POST", "/batons/{id}/handoff"),
    ("POST", "/batons/{id}/done"),
    ("POST", "/batons/{id}/reopen"),
    ("POST", "/batons/{id}/threads"),
    ("POST", "/handoffs/{id}/accept"),
    ("POST", "/handoffs/{id}/bounce"),
    ("GET", "/relays/{id}"),
    ("POST", "/settings/tokens/{id}/revoke"),
    ("POST", "/settings/webhooks/{id}/delete"),
    ("POST", "/admin/members/{id}/role"),
    ("POST", "/admin/members/{id}/deactivate"),
    ("POST", "/admin/spaces/{id}/visibility"),
    ("POST", "/admin/deliveries/{id}/retry"),
    ("GET", "/meetings/{id}"),
];

/// Page routes with two ids; the test breaks each in turn, the other naming a real space.
const TWO_IDS: &[&str] = &[
    "/spaces/{a}/members/{b}/remove",
    "/spaces/{a}/webhooks/{b}/delete",
    "/batons/{a}/threads/{b}/unlink",
];

app_test!(
    a_malformed_id_in_any_page_path_gets_the_404_page_of_a_missing_one,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let space = app.space(&owner, "General", "public").await;
        let missing = app
            .page(
                "/spaces/7d9f1c84-3b1e-4d3c-9a55-2f6a0c1e9b00",
                Some(&browser),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);

        let mut paths = Vec::new();
        for (method, path) in ONE_ID {
            for bad in ["not-an-id", "%FF%FE"] {
                paths.push((*method, path.replace("{id}", bad)));
            }
        }
        for path in TWO_IDS {
            let path = path.replace("{a}", &space);
            paths.push(("POST", path.replace("{b}", "not-an-id")));
            paths.push((
                "POST",
                path.replace(&space, "not-an-id").replace("{b}", &space),
            ));
        }
        for (method, path) in paths {
            let r = match method {
                "GET" => app.page(&path, Some(&browser)).await,
                _ => app.form(&path, &browser, &[]).await,
            };
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(r.html(), missing.html(), "{method} {path}");
        }
    }
);
