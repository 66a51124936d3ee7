//! Web pages: conversations (tests through the real router, on both backends). The inbox,
//! spaces and their members, threads read like documents, the composer with its preview and
//! expectation picker, and the rule that a hidden thing looks exactly like a missing one.
//!
//! The clock stands at Monday 2026-03-02 12:00 UTC: 13:00 in Berlin (the owner) and 21:00 in
//! Tokyo (every other member), so every due time below crosses at least one evening.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, Browser, TestApp};

/// Number of posts in a thread, read through the API as `who`.
async fn post_count(app: &TestApp, who: &Actor, thread: &str) -> usize {
    let r = app.get(&format!("/api/v1/threads/{thread}"), who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["posts"].as_array().map_or(0, Vec::len)
}

/// A workspace with a public space "General" that `ada` belongs to, and signed-in browsers.
struct Team {
    owner: Actor,
    ada: Actor,
    space: String,
    owner_browser: Browser,
    ada_browser: Browser,
}

async fn team(app: &TestApp) -> Team {
    let owner = app.workspace("Acme").await;
    let ada = app.member(&owner, "ada", "member").await;
    let space = app.space(&owner, "General", "public").await;
    app.join(&owner, &space, &ada).await;
    Team {
        owner_browser: app.browser(&owner).await,
        ada_browser: app.browser(&ada).await,
        owner,
        ada,
        space,
    }
}

app_test!(
    the_inbox_shows_asks_to_me_in_my_working_time,
    |app: TestApp| async move {
        let t = team(&app).await;
        let empty = app.page("/inbox", Some(&t.ada_browser)).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty
                .html()
                .contains("Nothing needs you. Good time for deep work."),
            "{}",
            empty.html()
        );

        let r = app
            .post(
                "/api/v1/threads",
                &t.owner,
                json!({"space_id": t.space, "title": "Review the plan", "body": "Please look",
                    "expectation": {"kind": "reply", "within_minutes": 300, "of": [t.ada.id]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);

        // Ada works 09:00–17:00 in Tokyo: five working hours from Monday 21:00 is Tuesday 14:00.
        let inbox = app.page("/inbox", Some(&t.ada_browser)).await.html();
        assert!(inbox.contains("Review the plan"), "{inbox}");
        assert!(inbox.contains("Acme Owner asked"), "{inbox}");
        assert!(
            inbox.contains("Tue 14:00</time> (in 5 working hours)"),
            "{inbox}"
        );
        assert!(!inbox.contains("Nothing needs you"), "{inbox}");

        // The asker sees it under "Waiting on others", in Ada's time and their own.
        let waiting = app.page("/inbox", Some(&t.owner_browser)).await.html();
        assert!(
            waiting.contains("Nothing needs you. Good time for deep work."),
            "{waiting}"
        );
        assert!(
            waiting.contains("ada: due Tue 14:00 Tokyo · your <time"),
            "{waiting}"
        );
        assert!(waiting.contains(">Tue 06:00</time>"), "{waiting}");

        // Overdue is said in words.
        app.clock.advance(jiff::SignedDuration::from_hours(30));
        let late = app.page("/inbox", Some(&t.ada_browser)).await.html();
        assert!(late.contains("working hours overdue"), "{late}");
    }
);

app_test!(
    the_spaces_page_lists_visible_spaces_and_creates_new_ones,
    |app: TestApp| async move {
        let t = team(&app).await;
        app.space(&t.owner, "Board room", "private").await;

        let list = app.page("/spaces", Some(&t.ada_browser)).await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.html();
        assert!(html.contains("General"), "{html}");
        assert!(
            !html.contains("Board room"),
            "a private space of others is absent"
        );
        assert!(html.contains("Space name") && html.contains("Create space"));

        let bad = app
            .form(
                "/spaces",
                &t.ada_browser,
                &[("name", "   "), ("visibility", "private")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.html();
        assert!(html.contains("id=\"name-error\""), "{html}");
        assert!(
            html.contains("<option value=\"private\" selected>"),
            "input kept: {html}"
        );

        let ok = app
            .form(
                "/spaces",
                &t.ada_browser,
                &[("name", "Design <team>"), ("visibility", "private")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let location = ok.location();
        assert!(location.starts_with("/spaces/"), "{location}");
        let space = app.page(&location, Some(&t.ada_browser)).await;
        assert_eq!(space.status, StatusCode::OK);
        assert!(
            space.html().contains(
                "Start a thread: a clear title and what you need by when saves a meeting."
            ),
            "{}",
            space.html()
        );
        let html = app.page("/spaces", Some(&t.ada_browser)).await.html();
        assert!(html.contains("Design &#60;team&#62;"), "escaped: {html}");
        let owner_view = app.page("/spaces", Some(&t.owner_browser)).await.html();
        assert!(
            !owner_view.contains("Design &#60;team&#62;"),
            "private to Ada"
        );
    }
);

app_test!(
    a_hidden_space_or_thread_looks_exactly_like_a_missing_one,
    |app: TestApp| async move {
        let t = team(&app).await;
        let board = app.space(&t.owner, "Board", "private").await;
        let (thread, _) = app.thread(&t.owner, &board, "Salaries").await;
        let random = "7d9f1c84-3b1e-4d3c-9a55-2f6a0c1e9b00";

        for (hidden, missing) in [
            (format!("/spaces/{board}"), format!("/spaces/{random}")),
            (format!("/threads/{thread}"), format!("/threads/{random}")),
            (
                format!("/spaces/{board}/members"),
                format!("/spaces/{random}/members"),
            ),
            (
                format!("/spaces/{board}/threads/new"),
                "/spaces/not-an-id/threads/new".to_owned(),
            ),
        ] {
            let a = app.page(&hidden, Some(&t.ada_browser)).await;
            let b = app.page(&missing, Some(&t.ada_browser)).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{hidden}");
            assert_eq!(b.status, StatusCode::NOT_FOUND, "{missing}");
            assert_eq!(a.html(), b.html(), "{hidden} vs {missing}");
            assert!(!a.html().contains("Salaries") && !a.html().contains("Board"));
        }

        let post = app
            .form(
                &format!("/threads/{thread}/posts"),
                &t.ada_browser,
                &[("body", "let me in"), ("intent", "send")],
            )
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
        assert_eq!(
            post_count(&app, &t.owner, &thread).await,
            1,
            "nothing written"
        );
    }
);

app_test!(
    a_thread_renders_markdown_sanitized,
    |app: TestApp| async move {
        let t = team(&app).await;
        let (thread, _) = app.thread(&t.owner, &t.space, "<i>Launch</i>").await;
        let r = app
            .post(
                &format!("/api/v1/threads/{thread}/posts"),
                &t.ada,
                json!({"body": "**Ready**\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);

        let page = app
            .page(&format!("/threads/{thread}"), Some(&t.owner_browser))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains("<strong>Ready</strong>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(
            html.contains("&#60;i&#62;Launch&#60;/i&#62;"),
            "title escaped"
        );
        assert!(!html.contains("<i>Launch"), "{html}");
        assert!(html.contains("First post"), "the brief");
        // Times are the viewer's: the owner reads in Berlin.
        assert!(html.contains(">Mon 2 Mar 13:00</time>"), "{html}");
        assert!(html.contains("data-nav-item tabindex=\"-1\""), "{html}");
    }
);

app_test!(
    a_new_post_from_someone_else_is_unread_until_the_thread_is_opened,
    |app: TestApp| async move {
        let t = team(&app).await;
        let (thread, _) = app.thread(&t.owner, &t.space, "Roadmap").await;
        let space_page = format!("/spaces/{}", t.space);

        let html = app.page(&space_page, Some(&t.ada_browser)).await.html();
        assert!(html.contains("class=\"unread\""), "{html}");
        assert!(html.contains("1 unread"), "{html}");
        assert!(
            html.contains(&format!("href=\"/threads/{thread}\" data-nav-item")),
            "{html}"
        );
        assert!(html.contains("data-compose"), "{html}");

        let opened = app
            .page(&format!("/threads/{thread}"), Some(&t.ada_browser))
            .await;
        assert_eq!(opened.status, StatusCode::OK);
        let html = app.page(&space_page, Some(&t.ada_browser)).await.html();
        assert!(!html.contains("unread"), "read after opening: {html}");

        app.post(
            &format!("/api/v1/threads/{thread}/posts"),
            &t.owner,
            json!({"body": "One more thing"}),
        )
        .await;
        let html = app.page(&space_page, Some(&t.ada_browser)).await.html();
        assert!(html.contains("1 unread"), "{html}");
    }
);

app_test!(
    replying_through_the_form_writes_the_post_and_redirects_to_it,
    |app: TestApp| async move {
        let t = team(&app).await;
        let (thread, _) = app.thread(&t.owner, &t.space, "Offsite").await;
        let path = format!("/threads/{thread}/posts");

        let empty = app
            .form(
                &path,
                &t.ada_browser,
                &[("body", "   "), ("expect", "fyi"), ("intent", "send")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = empty.html();
        assert!(html.contains("id=\"body-error\""), "{html}");
        assert!(html.contains("cannot be empty"), "{html}");
        assert_eq!(
            post_count(&app, &t.owner, &thread).await,
            1,
            "nothing written"
        );

        let sent = app
            .form(
                &path,
                &t.ada_browser,
                &[
                    ("body", "Works for me"),
                    ("expect", "fyi"),
                    ("within_hours", "8"),
                    ("intent", "send"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let location = sent.location();
        let r = app
            .get(&format!("/api/v1/threads/{thread}"), &t.owner)
            .await;
        let posts = r.json["posts"].as_array().expect("posts");
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[1]["body"], json!("Works for me"));
        assert_eq!(posts[1]["author_id"], json!(t.ada.id));
        assert_eq!(
            location,
            format!(
                "/threads/{thread}#post-{}",
                posts[1]["id"].as_str().expect("id")
            )
        );
        let page = app
            .page(&format!("/threads/{thread}"), Some(&t.owner_browser))
            .await;
        assert!(page.html().contains("Works for me"));
    }
);

app_test!(
    preview_renders_the_draft_and_due_times_and_writes_nothing,
    |app: TestApp| async move {
        let t = team(&app).await;
        let (thread, _) = app.thread(&t.owner, &t.space, "Hiring").await;
        let fields = [
            ("body", "**hi** <script>alert(1)</script>"),
            ("expect", "reply"),
            ("within_hours", "2"),
            ("ask", t.owner.id.as_str()),
            ("intent", "preview"),
        ];

        let page = app
            .form(&format!("/threads/{thread}/posts"), &t.ada_browser, &fields)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains("<strong>hi</strong>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("**hi** &#60;script&#62;alert(1)&#60;/script&#62;</textarea>"),
            "text kept: {html}"
        );
        // Two of the owner's working hours from Monday 13:00 Berlin; Ada reads in Tokyo.
        assert!(
            html.contains("Acme Owner: due Mon 15:00 Berlin · your <time"),
            "{html}"
        );
        assert!(html.contains(">Mon 23:00</time>"), "{html}");
        assert!(html.contains("value=\"reply\" checked"), "choice kept");

        let fragment = app
            .form(
                &format!("/threads/{thread}/preview"),
                &t.ada_browser,
                &fields,
            )
            .await;
        assert_eq!(fragment.status, StatusCode::OK);
        let html = fragment.html();
        assert!(!html.contains("<html"), "just the fragment: {html}");
        assert!(html.contains("<strong>hi</strong>"), "{html}");
        assert!(html.contains("Acme Owner: due Mon 15:00 Berlin"), "{html}");

        let nobody = app
            .form(
                &format!("/threads/{thread}/preview"),
                &t.ada_browser,
                &[("body", "x"), ("expect", "reply"), ("within_hours", "2")],
            )
            .await;
        assert_eq!(nobody.status, StatusCode::OK, "htmx swaps only 2xx");
        assert!(nobody.html().contains("field-error"), "{}", nobody.html());

        assert_eq!(
            post_count(&app, &t.owner, &thread).await,
            1,
            "nothing written"
        );
        let asks = app.get("/api/v1/asks?direction=to_me", &t.owner).await;
        assert_eq!(asks.json["asks"], json!([]), "{:?}", asks.json);
    }
);

app_test!(
    a_new_thread_with_a_reply_expectation_asks_people,
    |app: TestApp| async move {
        let t = team(&app).await;
        let new = format!("/spaces/{}/threads/new", t.space);
        let form = app.page(&new, Some(&t.owner_browser)).await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.html();
        assert!(html.contains(&format!("value=\"{}\"", t.ada.id)), "{html}");
        assert!(html.contains("data-composer") && html.contains("Start thread"));

        let action = format!("/spaces/{}/threads", t.space);
        let untitled = app
            .form(
                &action,
                &t.owner_browser,
                &[
                    ("title", ""),
                    ("body", "Numbers attached"),
                    ("expect", "reply"),
                    ("within_hours", "5"),
                    ("ask", &t.ada.id),
                    ("intent", "send"),
                ],
            )
            .await;
        assert_eq!(untitled.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = untitled.html();
        assert!(html.contains("id=\"title-error\""), "{html}");
        assert!(html.contains("Numbers attached</textarea>"), "kept");
        assert!(
            html.contains(&format!("value=\"{}\" checked", t.ada.id)),
            "kept"
        );

        let unasked = app
            .form(
                &action,
                &t.owner_browser,
                &[
                    ("title", "Budget"),
                    ("body", "Numbers attached"),
                    ("expect", "reply"),
                    ("within_hours", "5"),
                    ("intent", "send"),
                ],
            )
            .await;
        assert_eq!(unasked.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            unasked.html().contains("id=\"ask-error\""),
            "{}",
            unasked.html()
        );

        let ok = app
            .form(
                &action,
                &t.owner_browser,
                &[
                    ("title", "Budget"),
                    ("body", "Numbers attached"),
                    ("expect", "reply"),
                    ("within_hours", "5"),
                    ("ask", &t.ada.id),
                    ("intent", "send"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html());
        assert!(ok.location().starts_with("/threads/"), "{}", ok.location());

        let inbox = app.page("/inbox", Some(&t.ada_browser)).await.html();
        assert!(inbox.contains("Budget"), "{inbox}");
        assert!(inbox.contains("(in 5 working hours)"), "{inbox}");
        let thread = app.page(&ok.location(), Some(&t.ada_browser)).await.html();
        assert!(
            thread.contains("Asks ada to reply within 5 working hours."),
            "{thread}"
        );
    }
);

app_test!(
    forms_without_csrf_are_refused_and_write_nothing,
    |app: TestApp| async move {
        let t = team(&app).await;
        let (thread, _) = app.thread(&t.owner, &t.space, "Quiet").await;
        let reply = app
            .raw_form(
                &format!("/threads/{thread}/posts"),
                Some(&t.ada_browser.cookie),
                &[("body", "sneaky"), ("intent", "send")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(post_count(&app, &t.owner, &thread).await, 1);

        let space = app
            .raw_form(
                "/spaces",
                Some(&t.ada_browser.cookie),
                &[
                    ("csrf", "0000"),
                    ("name", "Sneaky"),
                    ("visibility", "public"),
                ],
            )
            .await;
        assert_eq!(space.status, StatusCode::FORBIDDEN);
        let list = app.get("/api/v1/spaces", &t.ada).await;
        assert!(!list.json.to_string().contains("Sneaky"));

        let join = app
            .raw_form(
                &format!("/spaces/{}/members", t.space),
                Some(&t.owner_browser.cookie),
                &[("member_id", &t.ada.id)],
            )
            .await;
        assert_eq!(join.status, StatusCode::FORBIDDEN);
    }
);

app_test!(
    adding_a_member_on_the_members_page_lets_them_see_the_space,
    |app: TestApp| async move {
        let t = team(&app).await;
        let hiring = app.space(&t.owner, "Hiring", "private").await;
        let space_page = format!("/spaces/{hiring}");
        let members_page = format!("/spaces/{hiring}/members");
        assert_eq!(
            app.page(&space_page, Some(&t.ada_browser)).await.status,
            StatusCode::NOT_FOUND
        );

        let page = app.page(&members_page, Some(&t.owner_browser)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains("Add member") && html.contains("Add to space"));
        assert!(
            html.contains(&format!("<option value=\"{}\"", t.ada.id)),
            "{html}"
        );

        let bad = app
            .form(&members_page, &t.owner_browser, &[("member_id", "nobody")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.html().contains("id=\"member_id-error\""),
            "{}",
            bad.html()
        );

        let added = app
            .form(&members_page, &t.owner_browser, &[("member_id", &t.ada.id)])
            .await;
        assert_eq!(
            (added.status, added.location()),
            (StatusCode::SEE_OTHER, members_page.clone())
        );
        assert_eq!(
            app.page(&space_page, Some(&t.ada_browser)).await.status,
            StatusCode::OK
        );
        assert!(
            app.page("/spaces", Some(&t.ada_browser))
                .await
                .html()
                .contains("Hiring")
        );
        let html = app.page(&members_page, Some(&t.owner_browser)).await.html();
        assert!(
            html.contains(&format!("/spaces/{hiring}/members/{}/remove", t.ada.id)),
            "{html}"
        );

        let removed = app
            .form(
                &format!("/spaces/{hiring}/members/{}/remove", t.ada.id),
                &t.owner_browser,
                &[],
            )
            .await;
        assert_eq!(
            (removed.status, removed.location()),
            (StatusCode::SEE_OTHER, members_page.clone())
        );
        assert_eq!(
            app.page(&space_page, Some(&t.ada_browser)).await.status,
            StatusCode::NOT_FOUND
        );
    }
);
