//! Everything bounded (issue 13 item 6): every list answers a page of at most 200 items with
//! `next_cursor`, a `limit` above 200 is refused, and a post that mentions thousands of people
//! is refused at the cap.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem};

/// Follows `path`'s pages of one item each and returns every item under `key`; each page but
/// the last holds exactly one item and names the next.
async fn one_by_one(app: &TestApp, who: &Actor, path: &str, key: &str) -> Vec<Value> {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let url = match &cursor {
            Some(c) => format!("{path}{join}limit=1&cursor={c}"),
            None => format!("{path}{join}limit=1"),
        };
        let page = app.get(&url, who).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {:?}", page.json);
        let list = page.json[key].as_array().expect("the list key is kept");
        assert!(list.len() <= 1, "{url}: more than the limit");
        items.extend(list.iter().cloned());
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert!(
                    page.json.get("next_cursor").is_some(),
                    "{url}: next_cursor is always present"
                );
                return items;
            }
        }
    }
    panic!("{path} did not end");
}

app_test!(
    every_list_pages_by_cursor_and_refuses_a_limit_over_its_maximum,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let space = app.space(&owner, "general", "public").await;
        app.space(&owner, "ops", "public").await;
        app.join(&owner, &space, &ana).await;
        let (_, post) = app.thread(&owner, &space, "Plan").await;
        for body in ["second draft", "third draft"] {
            let r = app
                .call(
                    "PATCH",
                    &format!("/api/v1/posts/{post}"),
                    Some(&owner.token),
                    Some(json!({"body": body})),
                    &[],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        }
        for label in ["laptop", "phone"] {
            let r = app
                .post(
                    &format!("/api/v1/members/{}/tokens", ana.id),
                    &ana,
                    json!({"label": label}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        }
        let mut batons = Vec::new();
        for title in ["Release", "Docs"] {
            let b = app
                .post(
                    "/api/v1/batons",
                    &owner,
                    json!({"title": title, "holder_id": owner.id}),
                )
                .await;
            assert_eq!(b.status, StatusCode::CREATED, "{:?}", b.json);
            batons.push(b.str("/id"));
        }
        let note = |to: &str| json!({"to_id": to, "state": "s", "next_step": "n", "blockers": "none", "links": "none"});
        for (from, to) in [(&owner, &ana), (&ana, &owner)] {
            let h = app
                .post(
                    &format!("/api/v1/batons/{}/handoff", batons[0]),
                    from,
                    note(&to.id),
                )
                .await;
            assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.json);
            let a = app
                .post(
                    &format!("/api/v1/handoffs/{}/accept", h.str("/handoff_id")),
                    to,
                    json!({}),
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        }

        let lists = [
            ("/api/v1/members".to_owned(), "members", 2),
            ("/api/v1/spaces".to_owned(), "spaces", 2),
            (format!("/api/v1/spaces/{space}/members"), "members", 2),
            (format!("/api/v1/members/{}/tokens", ana.id), "tokens", 3),
            (format!("/api/v1/posts/{post}/revisions"), "revisions", 2),
            ("/api/v1/batons".to_owned(), "batons", 2),
            (format!("/api/v1/batons/{}", batons[0]), "handoffs", 2),
        ];
        let who = |path: &str| {
            if path.contains("tokens") {
                &ana
            } else {
                &owner
            }
        };
        for (path, key, count) in &lists {
            let items = one_by_one(&app, who(path), path, key).await;
            assert_eq!(items.len(), *count, "{path}: {items:?}");
            let whole = app.get(path, who(path)).await;
            assert_eq!(
                whole.json[key].as_array().map(Vec::len),
                Some(*count),
                "{path}"
            );
            assert_eq!(whole.json["next_cursor"], Value::Null, "{path}");

            let join = if path.contains('?') { '&' } else { '?' };
            let over = app.get(&format!("{path}{join}limit=201"), who(path)).await;
            assert_problem(&over, StatusCode::UNPROCESSABLE_ENTITY, path);
            assert!(
                over.str("/detail").contains("200"),
                "{path}: {:?}",
                over.json
            );
            let bad = app
                .get(&format!("{path}{join}cursor=nope"), who(path))
                .await;
            assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, path);
        }
    }
);

app_test!(
    the_openapi_document_states_each_lists_maximum_page_size,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let doc = app.get("/api/v1/openapi.json", &owner).await.json;
        for path in [
            "/api/v1/members",
            "/api/v1/spaces",
            "/api/v1/spaces/{id}/members",
            "/api/v1/members/{id}/tokens",
            "/api/v1/posts/{id}/revisions",
            "/api/v1/batons",
            "/api/v1/batons/{id}",
        ] {
            let params = doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap_or_else(|| panic!("{path} has parameters"));
            let limit = params
                .iter()
                .find(|p| p["name"] == json!("limit"))
                .unwrap_or_else(|| panic!("{path} documents limit"));
            assert_eq!(limit["schema"]["maximum"], json!(200), "{path}: {limit}");
            assert_eq!(limit["schema"]["minimum"], json!(1), "{path}: {limit}");
        }
    }
);

app_test!(
    a_64_kib_post_of_distinct_handles_is_refused_at_the_mention_cap,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let mut body = String::new();
        for i in 0.. {
            let handle = format!("@person{i} ");
            if body.len() + handle.len() > baton_core::validate::MAX_BODY_BYTES {
                break;
            }
            body.push_str(&handle);
        }
        let r = app
            .post(
                &format!("/api/v1/threads/{thread}/posts"),
                &owner,
                json!({"body": body}),
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "too many mentions");
        assert!(r.str("/detail").contains("mention"), "{:?}", r.json);
        let posts = app.get(&format!("/api/v1/threads/{thread}"), &owner).await;
        assert_eq!(
            posts.json["posts"].as_array().map(Vec::len),
            Some(1),
            "nothing written"
        );
    }
);
