//! Web pages: first run, sign-in and sign-out, sessions, CSRF and the headers every page
//! carries.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, TestApp};

/// A member of `admin`'s workspace with a password; returns their email.
async fn member_with_password(app: &TestApp, admin: &Actor, handle: &str) -> String {
    let email = format!("{handle}@example.com");
    app.account(admin, &email, "correct horse battery", "member")
        .await;
    email
}

/// The pre-session CSRF cookie and token of the sign-in page.
async fn anon_form(app: &TestApp, path: &str) -> (String, String) {
    let page = app.page(path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html());
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("baton_csrf="))
        .expect("a csrf cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();
    let token = cookie.trim_start_matches("baton_csrf=").to_owned();
    assert!(page.html().contains(&token), "the form carries the token");
    (cookie, token)
}

/// Posts the sign-in form with the pre-session `(cookie, token)` pair.
async fn sign_in(
    app: &TestApp,
    (cookie, token): (&str, &str),
    email: &str,
    password: &str,
    next: Option<&str>,
) -> crate::common::Reply {
    let mut fields = vec![("csrf", token), ("email", email), ("password", password)];
    fields.extend(next.map(|n| ("next", n)));
    app.raw_form("/signin", Some(cookie), &fields).await
}

/// Posts the first-run form for workspace "Acme", owner Ada, working `days` 08:00–16:00, from
/// a browser on the server's machine (which needs no setup code).
async fn submit_setup(
    app: &TestApp,
    (cookie, token): (&str, &str),
    email: &str,
    timezone: &str,
    days: &[&str],
) -> crate::common::Reply {
    let mut fields = vec![
        ("csrf", token),
        ("workspace", "Acme"),
        ("name", "Ada"),
        ("email", email),
        ("password", "correct horse battery"),
        ("timezone", timezone),
        ("start", "08:00"),
        ("end", "16:00"),
    ];
    fields.extend(days.iter().map(|d| ("days", *d)));
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 50_000));
    app.raw_form_from(loopback, "/setup", Some(cookie), &fields)
        .await
}

fn session_cookie(r: &crate::common::Reply) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("baton_session="))
        .map(str::to_owned)
}

app_test!(
    an_empty_install_shows_first_run_and_creates_the_owner,
    |app: TestApp| async move {
        let home = app.page("/", None).await;
        assert_eq!(
            (home.status, home.location()),
            (StatusCode::SEE_OTHER, "/setup".to_owned())
        );
        let (cookie, token) = anon_form(&app, "/setup").await;
        let page = app.page("/setup", None).await.html();
        assert!(page.contains("Create your workspace") && page.contains("Europe/Berlin"));

        let bad = submit_setup(
            &app,
            (&cookie, &token),
            "not-an-email",
            "Europe/Berlin",
            &["mon"],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.html();
        assert!(
            html.contains("id=\"email-error\""),
            "message next to the field: {html}"
        );
        assert!(html.contains("value=\"Acme\""), "input kept");
        assert!(
            app.store.workspaces().await.expect("workspaces").is_empty(),
            "nothing written"
        );

        let ok = submit_setup(
            &app,
            (&cookie, &token),
            "ada@acme.test",
            "America/Sao_Paulo",
            &["mon", "tue"],
        )
        .await;
        assert_eq!(
            (ok.status, ok.location()),
            (StatusCode::SEE_OTHER, "/inbox".to_owned())
        );
        let set = session_cookie(&ok).expect("signed in");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let workspaces = app.store.workspaces().await.expect("workspaces");
        assert_eq!(workspaces.len(), 1);
        let owner = app
            .store
            .member_by_email(workspaces[0].id, "ada@acme.test")
            .await
            .expect("owner");
        let schedule = app
            .store
            .schedules(workspaces[0].id, &[owner.id])
            .await
            .expect("schedule");
        assert_eq!(
            schedule[0].1.weekly.tue,
            vec![["08:00".to_owned(), "16:00".to_owned()]]
        );
        assert!(schedule[0].1.weekly.wed.is_empty());

        let again = app.page("/setup", None).await;
        assert_eq!(
            (again.status, again.location()),
            (StatusCode::SEE_OTHER, "/signin".to_owned())
        );
    }
);

app_test!(
    sign_in_starts_a_fresh_session_and_sign_out_ends_it,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let email = member_with_password(&app, &owner, "ada").await;
        let (cookie, token) = anon_form(&app, "/signin").await;

        let wrong = sign_in(&app, (&cookie, &token), &email, "wrong password here", None).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.html().contains("do not match"), "{}", wrong.html());
        assert!(
            wrong.html().contains(&format!("value=\"{email}\"")),
            "email kept"
        );
        assert!(session_cookie(&wrong).is_none());

        let ok = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            Some("/people"),
        )
        .await;
        assert_eq!(
            (ok.status, ok.location()),
            (StatusCode::SEE_OTHER, "/people".to_owned())
        );
        let session = session_cookie(&ok).expect("a session cookie");
        let session = session.split(';').next().expect("name=value").to_owned();
        let browser = crate::common::Browser {
            csrf: baton_server::services::sessions::csrf_token(
                session.trim_start_matches("baton_session="),
            ),
            cookie: session.clone(),
        };
        let home = app.page("/", Some(&browser)).await;
        assert_eq!(home.location(), "/inbox", "signed in");

        let out = app.form("/signout", &browser, &[]).await;
        assert_eq!(
            (out.status, out.location()),
            (StatusCode::SEE_OTHER, "/signin".to_owned())
        );
        let after = app.page("/", Some(&browser)).await;
        assert_eq!(
            after.location(),
            "/signin",
            "the old cookie no longer works"
        );
    }
);

app_test!(an_offsite_next_is_ignored, |app: TestApp| async move {
    let owner = app.workspace("Acme").await;
    let email = member_with_password(&app, &owner, "ada").await;
    let (cookie, token) = anon_form(&app, "/signin").await;
    for next in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let ok = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            Some(next),
        )
        .await;
        assert_eq!(ok.location(), "/inbox", "{next}");
    }
});

app_test!(
    forms_without_the_csrf_token_are_refused_and_write_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;

        let missing = app.raw_form("/signout", Some(&browser.cookie), &[]).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        assert!(missing.html().contains("did not come from Baton"));
        let forged = app
            .raw_form("/signout", Some(&browser.cookie), &[("csrf", "0000")])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.page("/", Some(&browser)).await.location(),
            "/inbox",
            "still signed in"
        );

        let (_, token) = anon_form(&app, "/signin").await;
        let no_cookie = app
            .raw_form(
                "/signin",
                None,
                &[
                    ("csrf", &token),
                    ("email", "x@example.com"),
                    ("password", "whatever whatever"),
                ],
            )
            .await;
        assert_eq!(
            no_cookie.status,
            StatusCode::FORBIDDEN,
            "double submit needs the cookie"
        );
    }
);

app_test!(
    a_cross_site_post_is_refused_even_with_a_token,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/signout")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &browser.cookie)
            .header("origin", "https://evil.example")
            .header("host", "baton.example")
            .body(axum::body::Body::from(format!("csrf={}", browser.csrf)))
            .expect("request");
        assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    }
);

app_test!(
    repeated_failures_slow_sign_in_for_that_email_and_the_token_route_alike,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let email = member_with_password(&app, &owner, "ada").await;
        let (cookie, token) = anon_form(&app, "/signin").await;
        for _ in 0..6 {
            let r = sign_in(&app, (&cookie, &token), &email, "wrong password here", None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let slowed = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            None,
        )
        .await;
        assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            slowed
                .headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
        assert!(
            slowed.html().contains("Try again in 1 second."),
            "{}",
            slowed.html()
        );
        let api = app
            .call(
                "POST",
                "/api/v1/tokens",
                None,
                Some(json!({"email": email, "password": "correct horse battery"})),
                &[],
            )
            .await;
        crate::common::assert_problem(&api, StatusCode::TOO_MANY_REQUESTS, "one throttle");

        app.clock.advance(jiff::SignedDuration::from_secs(1));
        let ok = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            None,
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
    }
);

app_test!(
    a_next_that_a_browser_would_read_as_another_host_is_ignored,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let email = member_with_password(&app, &owner, "ada").await;
        let (cookie, token) = anon_form(&app, "/signin").await;
        for next in [
            "/%09/evil.example",
            "/\t/evil.example",
            "/%5C%5Cevil.example",
            "/%2F/evil.example",
            "/%0d%0aSet-Cookie:%20x=1",
            "/ok\nSet-Cookie: x=1",
            "/%zz",
        ] {
            let r = sign_in(
                &app,
                (&cookie, &token),
                &email,
                "correct horse battery",
                Some(next),
            )
            .await;
            assert_eq!(
                (r.status, r.location()),
                (StatusCode::SEE_OTHER, "/inbox".to_owned()),
                "{next:?}"
            );
        }
        let kept = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            Some("/threads/abc-1?tab=posts&x=%C3%A9"),
        )
        .await;
        assert_eq!(kept.location(), "/threads/abc-1?tab=posts&x=%C3%A9");

        let browser = app.browser(&owner).await;
        for query in ["next=/%09/evil.example", "next=/x%0Aevil", "next=%2F%0D%0A"] {
            let r = app.page(&format!("/signin?{query}"), Some(&browser)).await;
            assert_eq!(
                (r.status, r.location()),
                (StatusCode::SEE_OTHER, "/inbox".to_owned()),
                "{query}"
            );
        }
    }
);

app_test!(
    changing_the_password_ends_other_sessions_and_can_revoke_every_token,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let email = member_with_password(&app, &owner, "ada").await;
        let login = json!({"email": email, "password": "correct horse battery"});
        let issued = app
            .call("POST", "/api/v1/tokens", None, Some(login), &[])
            .await;
        assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.json);
        let ada = Actor {
            id: String::new(),
            token: issued.str("/token"),
        };
        let (here, elsewhere) = (app.browser(&ada).await, app.browser(&ada).await);
        let page = app.page("/settings", Some(&here)).await.html();
        assert!(
            page.contains("name=\"revoke_tokens\""),
            "the form offers it"
        );

        let kept = app
            .form(
                "/settings/password",
                &here,
                &[
                    ("current_password", "correct horse battery"),
                    ("new_password", "a new password"),
                ],
            )
            .await;
        assert_eq!(kept.location(), "/settings?saved=password");
        assert_eq!(
            app.page("/", Some(&elsewhere)).await.location(),
            "/signin",
            "other session ended"
        );
        assert_eq!(
            app.get("/api/v1/me", &ada).await.status,
            StatusCode::OK,
            "tokens kept"
        );

        let here = app.browser(&ada).await;
        let revoked = app
            .form(
                "/settings/password",
                &here,
                &[
                    ("current_password", "a new password"),
                    ("new_password", "a newer password"),
                    ("revoke_tokens", "on"),
                ],
            )
            .await;
        assert_eq!(revoked.location(), "/settings?saved=password_tokens");
        assert!(
            session_cookie(&revoked).is_some(),
            "this browser stays signed in"
        );
        assert_eq!(
            app.get("/api/v1/me", &ada).await.status,
            StatusCode::UNAUTHORIZED,
            "every token revoked"
        );

        let here = app.browser(&owner).await;
        let wrong = app
            .form(
                "/settings/password",
                &here,
                &[
                    ("current_password", "not it at all"),
                    ("new_password", "whatever else"),
                    ("revoke_tokens", "on"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.get("/api/v1/me", &owner).await.status,
            StatusCode::OK,
            "a refusal writes nothing"
        );
    }
);

app_test!(
    sign_in_asks_which_workspace_when_the_password_opens_several,
    |app: TestApp| async move {
        let acme = app.workspace("Acme").await;
        let beta = app.workspace("Beta").await;
        member_with_password(&app, &acme, "ada").await;
        let email = member_with_password(&app, &beta, "ada").await;
        let (cookie, token) = anon_form(&app, "/signin").await;
        let asked = sign_in(
            &app,
            (&cookie, &token),
            &email,
            "correct horse battery",
            Some("/people"),
        )
        .await;
        assert_eq!(asked.status, StatusCode::OK);
        let html = asked.html();
        assert!(html.contains("Acme") && html.contains("Beta"), "{html}");
        assert!(session_cookie(&asked).is_none(), "not signed in yet");
        let beta_id = html
            .split("name=\"workspace\" value=\"")
            .nth(2)
            .and_then(|rest| rest.split('"').next())
            .expect("a second choice")
            .to_owned();

        let fields = [
            ("csrf", token.as_str()),
            ("email", email.as_str()),
            ("password", "correct horse battery"),
            ("next", "/people"),
            ("workspace", beta_id.as_str()),
        ];
        let chosen = app.raw_form("/signin", Some(&cookie), &fields).await;
        assert_eq!(
            (chosen.status, chosen.location()),
            (StatusCode::SEE_OTHER, "/people".to_owned())
        );
        let secret = session_cookie(&chosen)
            .and_then(|c| {
                c.split(';')
                    .next()
                    .map(|kv| kv.trim_start_matches("baton_session=").to_owned())
            })
            .expect("a session");
        let (_, member) = app
            .store
            .session(
                &baton_core::token::hash_token(&secret),
                jiff::Timestamp::UNIX_EPOCH,
            )
            .await
            .expect("lookup")
            .expect("live");
        assert_eq!(
            member.workspace_id.to_string(),
            beta_id,
            "signed in to the chosen one"
        );
    }
);

app_test!(
    sessions_expire_when_idle_and_end_on_deactivation,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let idle = app.browser(&ada).await;
        app.clock.advance(jiff::SignedDuration::from_hours(73));
        assert_eq!(
            app.page("/", Some(&idle)).await.location(),
            "/signin",
            "idle for 73 hours"
        );

        let active = app.browser(&ada).await;
        assert_eq!(app.page("/", Some(&active)).await.location(), "/inbox");
        let r = app
            .post(
                &format!("/api/v1/members/{}/deactivate", ada.id),
                &owner,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            app.page("/", Some(&active)).await.location(),
            "/signin",
            "deactivated"
        );
    }
);

app_test!(
    pages_carry_the_security_headers,
    |app: TestApp| async move {
        for path in ["/signin", "/setup", "/no-such-page"] {
            let r = app.page(path, None).await;
            let h = |name: &str| {
                r.headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let csp = h("content-security-policy");
            for part in [
                "script-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
            ] {
                assert!(csp.contains(part), "{path}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline"), "{path}");
            assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(h("referrer-policy"), "same-origin", "{path}");
            assert!(!r.html().contains("<script>"), "{path}: no inline script");
        }
        let missing = app.page("/no-such-page", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            missing
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .starts_with("text/html")
        );
    }
);

app_test!(
    pages_need_a_session_and_return_after_sign_in,
    |app: TestApp| async move {
        app.workspace("Acme").await;
        let r = app.page("/signin?next=%2Fpeople", None).await;
        assert!(
            r.html().contains("value=\"/people\""),
            "next carried in the form"
        );
    }
);
