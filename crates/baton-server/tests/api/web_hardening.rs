//! Deployment hardening: the host check under a base URL, first run from another machine
//! with the setup code, `__Host-` Secure cookies and HSTS over https, proxy headers only from
//! a trusted proxy, and the absolute session lifetime.

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_server::state::WebSettings;
use baton_server::web::base_url::BaseUrl;
use jiff::SignedDuration;

use crate::app_test;
use crate::common::{Reply, TestApp, assert_problem, form_request};

/// The host every request of a base-URL test is sent to.
const HOST: &str = "baton.example.com";
/// A browser on the server's own machine.
const LOOPBACK: ([u8; 4], u16) = ([127, 0, 0, 1], 50_000);
/// A browser somewhere else.
const REMOTE: ([u8; 4], u16) = ([203, 0, 113, 7], 50_000);
/// A pre-session CSRF token; the double-submit check only needs cookie and field to agree.
const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn base(url: &str) -> WebSettings {
    WebSettings {
        base_url: Some(BaseUrl::parse(url).expect("a valid base URL")),
        ..WebSettings::default()
    }
}

fn https() -> WebSettings {
    base("https://baton.example.com")
}

fn behind_proxy() -> WebSettings {
    WebSettings {
        trust_proxy: true,
        ..WebSettings::default()
    }
}

/// Sends `request` with extra headers, from `peer` when given.
async fn send(
    app: &TestApp,
    mut request: Request<Body>,
    headers: &[(&'static str, &str)],
    peer: Option<([u8; 4], u16)>,
) -> Reply {
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, value.parse().expect("a header value"));
    }
    if let Some(peer) = peer {
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(SocketAddr::from(peer)));
    }
    app.send(request).await
}

async fn get(app: &TestApp, path: &str, headers: &[(&'static str, &str)]) -> Reply {
    let request = Request::get(path).body(Body::empty()).expect("a request");
    send(app, request, headers, None).await
}

/// Posts the first-run form for workspace "Acme" from `peer`, with the pre-session CSRF pair
/// under `csrf_cookie` and, when given, a setup code.
async fn setup_from(
    app: &TestApp,
    peer: ([u8; 4], u16),
    headers: &[(&'static str, &str)],
    csrf_cookie: &str,
    code: Option<&str>,
) -> Reply {
    let mut fields = vec![
        ("csrf", CSRF),
        ("workspace", "Acme"),
        ("name", "Ada"),
        ("email", "ada@acme.test"),
        ("password", "correct horse battery"),
        ("timezone", "Europe/Berlin"),
        ("days", "mon"),
    ];
    fields.extend(code.map(|c| ("setup_code", c)));
    let cookie = format!("{csrf_cookie}={CSRF}");
    let request = form_request("/setup", Some(&cookie), &fields);
    send(app, request, headers, Some(peer)).await
}

async fn workspaces(app: &TestApp) -> usize {
    app.store.workspaces().await.expect("workspaces").len()
}

fn header(r: &Reply, name: &str) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `Set-Cookie` line for cookie `name`.
fn set_cookie(r: &Reply, name: &str) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", r.headers))
        .to_owned()
}

app_test!(
    with_a_base_url_a_request_for_another_host_is_refused_but_health_checks_answer,
    web = https(),
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bearer = format!("Bearer {}", owner.token);
        let auth = bearer.as_str();

        let api = get(
            &app,
            "/api/v1/me",
            &[("host", "evil.example"), ("authorization", auth)],
        )
        .await;
        assert_problem(
            &api,
            StatusCode::MISDIRECTED_REQUEST,
            "API for another host",
        );
        let page = get(&app, "/signin", &[("host", "evil.example:8080")]).await;
        assert_eq!(page.status, StatusCode::MISDIRECTED_REQUEST);
        assert!(header(&page, "content-type").starts_with("text/html"));
        assert!(page.html().contains("does not answer for the host name"));
        let none = get(&app, "/api/v1/me", &[("authorization", auth)]).await;
        assert_problem(&none, StatusCode::BAD_REQUEST, "no Host at all");

        for host in [
            HOST,
            "Baton.Example.com:443",
            "127.0.0.1:8080",
            "[::1]:8080",
        ] {
            let r = get(
                &app,
                "/api/v1/me",
                &[("host", host), ("authorization", auth)],
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{host}: {:?}", r.json);
        }
        let health = get(&app, "/healthz", &[("host", "10.0.0.5:8080")]).await;
        assert_eq!(
            health.status,
            StatusCode::OK,
            "load balancers probe by address"
        );
    }
);

app_test!(
    without_a_base_url_every_host_is_answered,
    |app: TestApp| async move {
        app.workspace("Acme").await;
        let r = get(&app, "/signin", &[("host", "evil.example")]).await;
        assert_eq!(r.status, StatusCode::OK);
    }
);

app_test!(
    first_run_from_another_machine_needs_the_setup_code_and_writes_nothing_without_it,
    |app: TestApp| async move {
        let page = send(
            &app,
            Request::get("/setup")
                .body(Body::empty())
                .expect("a request"),
            &[],
            Some(REMOTE),
        )
        .await;
        assert!(
            page.html().contains("name=\"setup_code\""),
            "asked for the code"
        );
        let local = send(
            &app,
            Request::get("/setup")
                .body(Body::empty())
                .expect("a request"),
            &[],
            Some(LOOPBACK),
        )
        .await;
        assert!(
            !local.html().contains("name=\"setup_code\""),
            "not asked on this machine"
        );

        let no_code_yet = setup_from(&app, REMOTE, &[], "baton_csrf", Some("")).await;
        assert_eq!(no_code_yet.status, StatusCode::FORBIDDEN);
        let code = app.state.setup_code.issue().expect("a code");
        let missing = setup_from(&app, REMOTE, &[], "baton_csrf", None).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        let html = missing.html();
        assert!(html.contains("id=\"setup_code-error\""), "{html}");
        assert!(
            html.contains("value=\"Acme\""),
            "the rest of the form is kept"
        );
        let wrong = setup_from(&app, REMOTE, &[], "baton_csrf", Some("ABCD-EFGH-JKMN-PQRS")).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        assert!(wrong.html().contains("This is not the setup code"));
        assert_eq!(workspaces(&app).await, 0, "a refusal writes nothing");

        let typed = code.to_lowercase().replace('-', " ");
        let ok = setup_from(&app, REMOTE, &[], "baton_csrf", Some(&typed)).await;
        assert_eq!(
            (ok.status, ok.location()),
            (StatusCode::SEE_OTHER, "/inbox".into())
        );
        assert_eq!(workspaces(&app).await, 1);
        assert!(
            !app.state.setup_code.matches(&code),
            "the code dies with first run"
        );
    }
);

app_test!(
    first_run_from_this_machine_needs_no_code_unless_a_proxy_relays_it,
    |app: TestApp| async move {
        app.state.setup_code.issue().expect("a code");
        let relayed = setup_from(
            &app,
            LOOPBACK,
            &[("x-forwarded-for", "127.0.0.1")],
            "baton_csrf",
            None,
        )
        .await;
        assert_eq!(
            relayed.status,
            StatusCode::FORBIDDEN,
            "a proxy on this machine"
        );
        let forged = setup_from(
            &app,
            REMOTE,
            &[("x-forwarded-for", "127.0.0.1")],
            "baton_csrf",
            None,
        )
        .await;
        assert_eq!(
            forged.status,
            StatusCode::FORBIDDEN,
            "X-Forwarded-For is not trusted"
        );
        assert_eq!(workspaces(&app).await, 0);
        let local = setup_from(&app, LOOPBACK, &[], "baton_csrf", None).await;
        assert_eq!(local.status, StatusCode::SEE_OTHER, "{}", local.html());
    }
);

app_test!(
    under_a_public_base_url_a_loopback_peer_still_needs_the_code,
    web = base("http://baton.example.com"),
    |app: TestApp| async move {
        app.state.setup_code.issue().expect("a code");
        let r = setup_from(&app, LOOPBACK, &[("host", HOST)], "baton_csrf", None).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a proxy without forwarding headers"
        );
        assert_eq!(workspaces(&app).await, 0);
    }
);

app_test!(
    behind_a_trusted_proxy_the_forwarded_address_decides_first_run,
    web = behind_proxy(),
    |app: TestApp| async move {
        app.state.setup_code.issue().expect("a code");
        let remote = setup_from(
            &app,
            LOOPBACK,
            &[("x-forwarded-for", "127.0.0.1, 203.0.113.7")],
            "baton_csrf",
            None,
        )
        .await;
        assert_eq!(
            remote.status,
            StatusCode::FORBIDDEN,
            "the proxy's client is remote"
        );
        assert_eq!(workspaces(&app).await, 0);
        let local = setup_from(
            &app,
            LOOPBACK,
            &[("x-forwarded-for", "203.0.113.7, 127.0.0.1")],
            "baton_csrf",
            None,
        )
        .await;
        assert_eq!(local.status, StatusCode::SEE_OTHER, "{}", local.html());
    }
);

app_test!(
    an_https_base_url_gives_host_only_secure_cookies_that_outlive_no_session,
    web = https(),
    |app: TestApp| async move {
        let host = [("host", HOST)];
        let page = get(&app, "/setup", &host).await;
        let csrf = set_cookie(&page, "__Host-baton_csrf");
        assert!(
            csrf.contains("; Secure") && csrf.contains("; Path=/;"),
            "{csrf}"
        );
        assert!(!csrf.to_lowercase().contains("domain="), "{csrf}");

        let code = app.state.setup_code.issue().expect("a code");
        let plain = setup_from(&app, REMOTE, &host, "baton_csrf", Some(&code)).await;
        assert_eq!(
            plain.status,
            StatusCode::FORBIDDEN,
            "a plain-name cookie is not read"
        );
        assert_eq!(workspaces(&app).await, 0);
        let ok = setup_from(&app, REMOTE, &host, "__Host-baton_csrf", Some(&code)).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html());
        let session = set_cookie(&ok, "__Host-baton_session");
        let max_age = 30 * 24 * 3600;
        for part in ["; Secure", "; HttpOnly", "; SameSite=Lax", "; Path=/;"] {
            assert!(session.contains(part), "{part} in {session}");
        }
        assert!(
            session.contains(&format!("Max-Age={max_age};")),
            "{session}"
        );

        let secret = session
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map(|(_, v)| v.to_owned())
            .expect("a value");
        let signed_in = get(
            &app,
            "/inbox",
            &[
                ("host", HOST),
                ("cookie", &format!("__Host-baton_session={secret}")),
            ],
        )
        .await;
        assert_eq!(signed_in.status, StatusCode::OK);
        let plain_name = get(
            &app,
            "/inbox",
            &[
                ("host", HOST),
                ("cookie", &format!("baton_session={secret}")),
            ],
        )
        .await;
        assert_eq!(plain_name.status, StatusCode::SEE_OTHER, "to sign-in");
    }
);

app_test!(
    an_http_base_url_keeps_plain_cookies,
    web = base("http://baton.example.com:8080"),
    |app: TestApp| async move {
        let page = get(&app, "/setup", &[("host", "baton.example.com:8080")]).await;
        let csrf = set_cookie(&page, "baton_csrf");
        assert!(!csrf.contains("Secure"), "{csrf}");
        assert!(header(&page, "strict-transport-security").is_empty());
    }
);

app_test!(
    every_response_carries_hsts_under_an_https_base_url,
    web = https(),
    |app: TestApp| async move {
        for (path, host) in [
            ("/healthz", HOST),
            ("/api/v1/openapi.json", HOST),
            ("/signin", HOST),
            ("/no-such-page", HOST),
            ("/signin", "evil.example"),
        ] {
            let r = get(&app, path, &[("host", host)]).await;
            assert_eq!(
                header(&r, "strict-transport-security"),
                "max-age=31536000",
                "{path} for {host}: {}",
                r.status
            );
        }
    }
);

app_test!(
    x_forwarded_proto_counts_only_behind_a_trusted_proxy,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let headers = [
            ("host", HOST),
            ("origin", "http://baton.example.com"),
            ("x-forwarded-proto", "https"),
        ];
        let r = get(&app, "/healthz", &headers).await;
        assert!(
            header(&r, "strict-transport-security").is_empty(),
            "untrusted"
        );
        let sign_out = form_request(
            "/signout",
            Some(&browser.cookie),
            &[("csrf", browser.csrf.as_str())],
        );
        let r = send(&app, sign_out, &headers, None).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "the scheme is unknown: host only"
        );
    }
);

app_test!(
    behind_a_trusted_proxy_x_forwarded_proto_adds_hsts_and_guards_the_origin,
    web = behind_proxy(),
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let from = |origin| {
            [
                ("host", HOST),
                ("origin", origin),
                ("x-forwarded-proto", "https"),
            ]
        };
        let r = get(&app, "/healthz", &from("https://baton.example.com")).await;
        assert_eq!(header(&r, "strict-transport-security"), "max-age=31536000");
        let sign_out = || {
            form_request(
                "/signout",
                Some(&browser.cookie),
                &[("csrf", browser.csrf.as_str())],
            )
        };
        let http_page = send(&app, sign_out(), &from("http://baton.example.com"), None).await;
        assert_eq!(
            http_page.status,
            StatusCode::FORBIDDEN,
            "an http page posting to https"
        );
        let https_page = send(&app, sign_out(), &from("https://baton.example.com"), None).await;
        assert_eq!(https_page.status, StatusCode::SEE_OTHER);
    }
);

app_test!(
    a_session_used_every_day_ends_thirty_days_after_it_started,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        for day in 1..30 {
            app.clock.advance(SignedDuration::from_hours(24));
            let r = app.page("/", Some(&browser)).await;
            assert_eq!(r.location(), "/inbox", "day {day}: still signed in");
        }
        app.clock.advance(SignedDuration::from_hours(24));
        let r = app.page("/", Some(&browser)).await;
        assert_eq!(r.location(), "/signin", "day 30: the session has ended");
    }
);
