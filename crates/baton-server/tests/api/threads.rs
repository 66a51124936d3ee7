//! Threads and posts through the API: Markdown rendered and sanitized, unread by read cursor,
//! edits with history, cursor pagination, and the clock the server was given.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::TestApp;

app_test!(
    posts_render_markdown_and_neutralise_scripts,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let body = "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=\"alert(1)\"> [ok](https://example.com)";
        let r = app
            .post(
                "/api/v1/threads",
                &owner,
                json!({"space_id": space, "title": "XSS", "body": body}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let t = app
            .get(&format!("/api/v1/threads/{}", r.str("/id")), &owner)
            .await;
        let html = t.json["posts"][0]["html"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("javascript:") && !html.contains("onerror"),
            "{html}"
        );
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
        assert_eq!(
            t.json["posts"][0]["body"],
            json!(body),
            "the source is kept as written"
        );
    }
);

app_test!(
    unread_counts_follow_each_members_read_cursor,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bob = app.member(&owner, "bob", "member").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        let unread = |r: &crate::common::Reply| r.json["threads"][0]["unread"].clone();
        let list = format!("/api/v1/spaces/{space}/threads");
        assert_eq!(
            unread(&app.get(&list, &bob).await),
            json!(1),
            "bob has not read the opening post"
        );
        assert_eq!(
            app.post(&format!("/api/v1/threads/{thread}/read"), &bob, json!({}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(unread(&app.get(&list, &bob).await), json!(0));
        for text in ["one", "two"] {
            app.post(
                &format!("/api/v1/threads/{thread}/posts"),
                &owner,
                json!({"body": text}),
            )
            .await;
        }
        assert_eq!(unread(&app.get(&list, &bob).await), json!(2));
        assert_eq!(
            unread(&app.get(&list, &owner).await),
            json!(0),
            "the owner wrote every post: writing reads the thread up to one's post"
        );
        let first = app
            .get(&format!("/api/v1/threads/{thread}"), &bob)
            .await
            .json["posts"][0]["id"]
            .clone();
        app.post(
            &format!("/api/v1/threads/{thread}/read"),
            &bob,
            json!({"post_id": first}),
        )
        .await;
        assert_eq!(
            unread(&app.get(&list, &bob).await),
            json!(2),
            "a read cursor never moves back"
        );
    }
);

app_test!(edits_keep_the_earlier_versions, |app: TestApp| async move {
    let owner = app.workspace("Acme").await;
    let space = app.space(&owner, "general", "public").await;
    let (_, post) = app.thread(&owner, &space, "Plan").await;
    app.clock.advance(jiff::SignedDuration::from_mins(5));
    let r = app
        .call(
            "PATCH",
            &format!("/api/v1/posts/{post}"),
            Some(&owner.token),
            Some(json!({"body": "Second *draft*"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["html"], json!("<p>Second <em>draft</em></p>\n"));
    assert_eq!(
        r.json["edited_at"],
        json!("2026-03-02T12:05:00Z"),
        "instants come from the server's clock"
    );
    let revs = app
        .get(&format!("/api/v1/posts/{post}/revisions"), &owner)
        .await;
    assert_eq!(revs.json["revisions"][0]["body"], json!("First post"));
    assert_eq!(revs.json["revisions"].as_array().map(Vec::len), Some(1));
});

app_test!(
    posts_page_by_cursor_without_gaps_or_repeats,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "general", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Plan").await;
        for i in 0..6 {
            app.post(
                &format!("/api/v1/threads/{thread}/posts"),
                &owner,
                json!({"body": format!("reply {i}")}),
            )
            .await;
        }
        let mut seen = Vec::new();
        let mut cursor = String::new();
        for _ in 0..10 {
            let page = app
                .get(
                    &format!("/api/v1/threads/{thread}/posts?limit=3&cursor={cursor}"),
                    &owner,
                )
                .await;
            seen.extend(
                page.json["posts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| p["body"].as_str().unwrap_or_default().to_owned()),
            );
            match page.json["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        let expected: Vec<String> = std::iter::once("First post".to_owned())
            .chain((0..6).map(|i| format!("reply {i}")))
            .collect();
        assert_eq!(seen, expected);
    }
);
