//! Issue #5, item 1: replies in threads a member follows reach them at their delivery window,
//! in their digest, as things are at send time. Posting follows a thread; following and
//! unfollowing go through `/api/v1/threads/{id}/following` (and the thread page's button);
//! a follower who read the thread before their window gets nothing; an unfollow lasts.
//!
//! Members are in Tokyo with the default windows (09:00 and 14:00 there, 00:00 and 05:00 UTC);
//! the clock starts on Monday 2026-03-02 12:00 UTC (21:00 in Tokyo).

use std::sync::Arc;

use axum::http::StatusCode;
use baton_server::delivery::tick;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, Browser, Reply, TestApp, assert_problem};
use crate::recorder::{Recorder, worker};

/// Tuesday 09:00 in Tokyo.
const TUESDAY_WINDOW: &str = "2026-03-03T00:00:00Z";
/// Tuesday 14:00 in Tokyo.
const TUESDAY_AFTERNOON: &str = "2026-03-03T05:00:00Z";

async fn reply(app: &TestApp, who: &Actor, thread: &str, body: &str) {
    let path = format!("/api/v1/threads/{thread}/posts");
    let r = app.post(&path, who, json!({"body": body})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
}

async fn follow(app: &TestApp, who: &Actor, thread: &str, following: bool) -> Value {
    let path = format!("/api/v1/threads/{thread}/following");
    let r = app
        .call(
            "PUT",
            &path,
            Some(&who.token),
            Some(json!({"following": following})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
}

async fn follows(app: &TestApp, who: &Actor, thread: &str) -> bool {
    let r = app
        .get(&format!("/api/v1/threads/{thread}/following"), who)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["following"].as_bool().expect("a boolean")
}

/// The emails `mailer` got that were sent to `who` (a member's handle, or "owner").
fn mails_to(mailer: &Recorder, who: &str) -> Vec<String> {
    mailer
        .to(who)
        .into_iter()
        .map(|(subject, text)| format!("Subject: {subject}\n{text}"))
        .collect()
}

app_test!(
    a_reply_reaches_the_threads_followers_at_their_window,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        let space = app.space(&owner, "launch", "public").await;
        let (thread, _) = app.thread(&kim, &space, "Launch plan").await;
        assert!(follows(&app, &kim, &thread).await, "the author follows");
        assert!(!follows(&app, &lee, &thread).await);

        reply(&app, &lee, &thread, "I will take the copy").await;
        assert!(follows(&app, &lee, &thread).await, "posting follows");
        reply(&app, &kim, &thread, "Great, the banner is yours too").await;
        reply(&app, &owner, &thread, "Ship it on Thursday").await;

        let mailer = Arc::new(Recorder::default());
        let report = tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        assert_eq!(report.digests, 0, "held for the window: {report:?}");

        app.clock.set(TUESDAY_WINDOW.parse().expect("an instant"));
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        let to_lee = mails_to(&mailer, "lee");
        assert_eq!(to_lee.len(), 1, "{:?}", mailer.mails());
        let text = &to_lee[0];
        assert!(
            text.starts_with("Subject: Baton: 2 new replies waiting for you in “Launch plan”"),
            "{text}"
        );
        assert!(text.contains("kim replied"), "{text}");
        assert!(text.contains("Ship it on Thursday"), "{text}");
        assert!(
            !text.contains("I will take the copy"),
            "not their own post: {text}"
        );
        let to_kim = mails_to(&mailer, "kim");
        assert_eq!(to_kim.len(), 1, "the owner's reply came after Kim's");
        assert!(to_kim[0].contains("Ship it on Thursday"), "{}", to_kim[0]);
        assert!(!to_kim[0].contains("the banner is yours"), "{}", to_kim[0]);
        assert!(
            mails_to(&mailer, "owner").is_empty(),
            "the owner reads as they write"
        );
    }
);

app_test!(
    an_unfollowed_or_already_read_thread_sends_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        let space = app.space(&owner, "launch", "public").await;
        let (thread, _) = app.thread(&kim, &space, "Launch plan").await;
        reply(&app, &lee, &thread, "Count me in").await;

        assert_eq!(
            follow(&app, &kim, &thread, false).await,
            json!({"following": false})
        );
        follow(&app, &owner, &thread, true).await;
        reply(&app, &lee, &thread, "Draft attached").await;
        reply(&app, &kim, &thread, "Thanks").await;
        assert!(
            !follows(&app, &kim, &thread).await,
            "an unfollow outlasts posting"
        );

        let mailer = Arc::new(Recorder::default());
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        // The owner reads the thread before their window.
        let r = app
            .post(&format!("/api/v1/threads/{thread}/read"), &owner, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);

        app.clock.set(TUESDAY_WINDOW.parse().expect("an instant"));
        let report = tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        let to_lee = mails_to(&mailer, "lee");
        assert_eq!(to_lee.len(), 1, "Lee follows: {:?}", mailer.mails());
        assert!(to_lee[0].contains("kim replied"), "{}", to_lee[0]);
        assert!(mails_to(&mailer, "kim").is_empty(), "Kim unfollowed");
        assert!(mails_to(&mailer, "owner").is_empty(), "the owner read it");
        assert!(report.dropped >= 1, "{report:?}");

        // Lee turns replies off: the next reply reaches nobody.
        let policy = json!({"windows": ["09:00", "14:00"], "email_digest": true,
                            "events": {"replies": false}});
        let r = app
            .call(
                "PUT",
                &format!("/api/v1/members/{}/policy", lee.id),
                Some(&lee.token),
                Some(policy),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        mailer.clear();
        reply(&app, &owner, &thread, "One more thing").await;
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        app.clock
            .set(TUESDAY_AFTERNOON.parse().expect("an instant"));
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        assert!(mails_to(&mailer, "lee").is_empty(), "{:?}", mailer.mails());
    }
);

app_test!(
    following_needs_a_visible_thread_and_a_boolean,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let space = app.space(&owner, "board", "private").await;
        let (thread, _) = app.thread(&owner, &space, "Budget").await;
        let path = format!("/api/v1/threads/{thread}/following");
        let hidden = app.get(&path, &kim).await;
        assert_problem(&hidden, StatusCode::NOT_FOUND, "a private thread");
        for body in [
            json!({"following": "yes"}),
            json!({}),
            json!({"following": true, "x": 1}),
        ] {
            let r = app
                .call("PUT", &path, Some(&owner.token), Some(body.clone()), &[])
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, &body.to_string());
        }
        assert!(follows(&app, &owner, &thread).await, "nothing changed");
    }
);

/// The thread page as `browser` sees it.
async fn thread_page(app: &TestApp, browser: &Browser, thread: &str) -> String {
    app.page(&format!("/threads/{thread}"), Some(browser))
        .await
        .html()
}

/// Sends the thread page's follow form with `following`.
async fn follow_form(app: &TestApp, browser: &Browser, thread: &str, following: &str) -> Reply {
    let path = format!("/threads/{thread}/following");
    app.form(&path, browser, &[("following", following)]).await
}

app_test!(
    the_thread_page_follows_and_unfollows,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let space = app.space(&owner, "launch", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Launch plan").await;
        let browser = app.browser(&kim).await;
        let page = thread_page(&app, &browser, &thread).await;
        assert!(page.contains("You do not follow this thread."), "{page}");

        let done = follow_form(&app, &browser, &thread, "true").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.location(), format!("/threads/{thread}"));
        assert!(follows(&app, &kim, &thread).await);
        let page = thread_page(&app, &browser, &thread).await;
        assert!(page.contains("You follow this thread"), "{page}");

        let bad = follow_form(&app, &browser, &thread, "maybe").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(follows(&app, &kim, &thread).await, "nothing changed");
    }
);

app_test!(
    a_mention_reaches_the_mentioned_at_their_window,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        app.member(&owner, "gus", "member").await;
        let space = app.space(&owner, "launch", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Launch plan").await;
        let lee_email = app
            .get(&format!("/api/v1/members/{}", lee.id), &owner)
            .await;
        let lee_handle = lee_email.str("/email");
        let lee_handle = lee_handle.split('@').next().expect("a handle");
        let body = format!(
            "@**kim** and @{lee_handle}: the banner copy is in. `@gus` is code, and gus@example.com a mail address."
        );
        reply(&app, &owner, &thread, &body).await;
        assert!(follows(&app, &kim, &thread).await, "a mention follows");

        let mailer = Arc::new(Recorder::default());
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        assert!(mailer.mails().is_empty(), "held for the window");
        app.clock.set(TUESDAY_WINDOW.parse().expect("an instant"));
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        for who in ["kim", "lee"] {
            let mails = mails_to(&mailer, who);
            assert_eq!(mails.len(), 1, "{who}: {:?}", mailer.mails());
            assert!(
                mails[0].starts_with("Subject: Baton: 1 mention waiting for you in “Launch plan”"),
                "{}",
                mails[0]
            );
            assert!(
                mails[0].contains("Acme Owner mentioned you"),
                "{}",
                mails[0]
            );
        }
        assert!(mails_to(&mailer, "gus").is_empty(), "{:?}", mailer.mails());
    }
);

app_test!(
    too_many_mentions_are_refused_and_nothing_is_written,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "launch", "public").await;
        let (thread, _) = app.thread(&owner, &space, "Launch plan").await;
        let body: String = (0..=baton_core::mention::MAX_MENTIONS)
            .map(|i| format!("@person{i} "))
            .collect();
        let path = format!("/api/v1/threads/{thread}/posts");
        let r = app.post(&path, &owner, json!({"body": body})).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "too many mentions");
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("at most 50 people")
        );
        let posts = app.get(&path, &owner).await;
        assert_eq!(
            posts.json["posts"].as_array().map(Vec::len),
            Some(1),
            "{:?}",
            posts.json
        );
    }
);

/// `(title, unread)` of the caller's followed threads with unread posts.
async fn followed_unread(app: &TestApp, who: &Actor) -> Vec<(String, i64)> {
    let r = app.get("/api/v1/following", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|t| {
            let title = t["title"].as_str().expect("a title").to_owned();
            (title, t["unread"].as_i64().expect("an unread count"))
        })
        .collect()
}

app_test!(
    the_inbox_lists_followed_threads_with_unread_posts_the_member_may_see,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let open = app.space(&owner, "launch", "public").await;
        let board = app.space(&owner, "board", "private").await;
        app.join(&owner, &board, &kim).await;
        let (plan, _) = app.thread(&kim, &open, "Launch plan").await;
        let (budget, _) = app.thread(&kim, &board, "Budget").await;
        assert!(
            followed_unread(&app, &kim).await.is_empty(),
            "only their own posts"
        );

        reply(&app, &owner, &plan, "Copy is done").await;
        reply(&app, &owner, &plan, "Banner too").await;
        reply(&app, &owner, &budget, "Numbers are in").await;
        assert_eq!(
            followed_unread(&app, &kim).await,
            [("Budget".to_owned(), 1), ("Launch plan".to_owned(), 2)]
        );
        let browser = app.browser(&kim).await;
        let inbox = app.page("/inbox", Some(&browser)).await.html();
        assert!(inbox.contains("New in threads you follow"), "{inbox}");
        assert!(inbox.contains("2 new posts"), "{inbox}");

        let r = app
            .post(&format!("/api/v1/threads/{plan}/read"), &kim, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/spaces/{board}/members/{}", kim.id),
                Some(&owner.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        assert!(
            followed_unread(&app, &kim).await.is_empty(),
            "read, and no longer visible"
        );
        let inbox = app.page("/inbox", Some(&browser)).await.html();
        assert!(
            inbox.contains("Nothing new in the threads you follow."),
            "{inbox}"
        );
    }
);
