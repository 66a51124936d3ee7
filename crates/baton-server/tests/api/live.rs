//! Live inbox counters (`GET /api/v1/inbox/stream`, issue 5 item 6): the stream is read as a
//! client would, frame by frame, parsing `data:` lines. A stream starts with the caller's
//! counters and sends new ones when another member's post moves them; posts the caller cannot
//! see never move them. On PostgreSQL every change travels through `NOTIFY`/`LISTEN`, so this
//! also exercises the feed in one process; two processes are tested in
//! `crates/baton/tests/live_instances.rs`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::app_test;
use crate::common::{Actor, Browser, Reply, TestApp, assert_problem};

/// The route, as the authorization table names it.
pub const STREAM: &str = "/api/v1/inbox/stream";

/// How long a test waits for an event before failing instead of hanging. Not a measurement:
/// events arrive in milliseconds.
const EVENT_WITHIN: Duration = Duration::from_secs(30);

/// An open event stream.
pub struct EventStream {
    body: Body,
    /// Text received and not parsed yet.
    pending: String,
}

impl EventStream {
    /// The data of the next event, as JSON (comment lines, the keep-alives, are skipped).
    pub async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let data: Vec<&str> = block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if data.is_empty() {
                    continue;
                }
                return serde_json::from_str(&data.join("\n")).expect("JSON event data");
            }
            let frame = tokio::time::timeout(EVENT_WITHIN, self.body.frame())
                .await
                .expect("an event in time")
                .expect("the stream stays open")
                .expect("a readable frame");
            if let Ok(bytes) = frame.into_data() {
                self.pending.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// Waits for the server to end the stream, failing on any event sent before it ends.
    pub async fn ends(&mut self) {
        loop {
            let frame = tokio::time::timeout(EVENT_WITHIN, self.body.frame())
                .await
                .expect("the stream ends in time");
            let Some(frame) = frame else { return };
            if let Ok(bytes) = frame.expect("a readable frame").into_data() {
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains("data:"), "an event before the end: {text}");
            }
        }
    }
}

/// Opens the stream with `headers`; the response, its body not read.
async fn open(app: &TestApp, headers: &[(&str, &str)]) -> axum::response::Response {
    let mut request = Request::builder().uri(STREAM);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    baton_server::router(app.state.clone())
        .oneshot(request.body(Body::empty()).expect("a valid request"))
        .await
        .expect("the router answers")
}

/// Opens `who`'s stream with their token and checks it is an event stream.
pub async fn subscribe(app: &TestApp, who: &Actor) -> EventStream {
    let auth = format!("Bearer {}", who.token);
    let response = open(app, &[("authorization", &auth)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ctype = response.headers()["content-type"]
        .to_str()
        .unwrap_or_default();
    assert_eq!(ctype, "text/event-stream");
    EventStream {
        body: response.into_body(),
        pending: String::new(),
    }
}

/// Opens the stream as a signed-in browser does, with its session cookie.
async fn subscribe_browser(app: &TestApp, browser: &Browser) -> EventStream {
    let response = open(app, &[("cookie", &browser.cookie)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    EventStream {
        body: response.into_body(),
        pending: String::new(),
    }
}

/// The stream route's answer to `token` (or none) without reading an open stream's body (it
/// never ends): a 200's body is left empty, an error's is read. For the authorization table.
pub async fn status_of(app: &TestApp, token: Option<&str>) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    let response = open(app, &headers).await;
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = if status == StatusCode::OK {
        Vec::new()
    } else {
        response
            .into_body()
            .collect()
            .await
            .expect("a readable error")
            .to_bytes()
            .to_vec()
    };
    Reply {
        status,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        headers,
        bytes,
    }
}

fn counters(open_asks: u64, overdue: u64, waiting_on_others: u64) -> Value {
    json!({"open_asks": open_asks, "overdue": overdue, "waiting_on_others": waiting_on_others})
}

/// `who` starts a thread in `space` asking `of` to reply within a working day.
async fn ask(app: &TestApp, who: &Actor, space: &str, of: &Actor) -> String {
    let r = app
        .post(
            "/api/v1/threads",
            who,
            json!({"space_id": space, "title": "Review the plan", "body": "Please look.",
                   "expectation": {"kind": "reply", "within_minutes": 480, "of": [of.id]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.str("/id")
}

app_test!(
    a_stream_starts_with_the_counters_and_follows_asks_and_answers,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let bo = app.member(&owner, "bo", "member").await;
        let space = app.space(&owner, "general", "public").await;
        let mut anas = subscribe(&app, &ana).await;
        let mut bos = subscribe(&app, &bo).await;
        assert_eq!(anas.next().await, counters(0, 0, 0));
        assert_eq!(bos.next().await, counters(0, 0, 0));

        let thread = ask(&app, &bo, &space, &ana).await;
        assert_eq!(anas.next().await, counters(1, 0, 0), "Ana is asked");
        assert_eq!(bos.next().await, counters(0, 0, 1), "Bo waits on Ana");

        let reply = app
            .post(
                &format!("/api/v1/threads/{thread}/posts"),
                &ana,
                json!({"body": "Looks good."}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.json);
        assert_eq!(anas.next().await, counters(0, 0, 0), "Ana answered");
        assert_eq!(bos.next().await, counters(0, 0, 0), "Bo was answered");
    }
);

app_test!(
    posts_in_a_space_the_member_cannot_see_never_move_their_counters,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let bo = app.member(&owner, "bo", "member").await;
        let cy = app.member(&owner, "cy", "member").await;
        let general = app.space(&owner, "general", "public").await;
        let private = app.space(&bo, "board", "private").await;
        app.join(&bo, &private, &cy).await;
        app.join(&bo, &private, &ana).await;
        ask(&app, &bo, &private, &ana).await;
        // Ana leaves the private space.
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/spaces/{private}/members/{}", ana.id),
                Some(&ana.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);

        let mut anas = subscribe(&app, &ana).await;
        assert_eq!(
            anas.next().await,
            counters(0, 0, 0),
            "an ask in a space Ana was removed from is not counted"
        );
        // Asks in the private space, to someone else and back: Ana hears nothing of them.
        let hidden = ask(&app, &bo, &private, &cy).await;
        let r = app
            .post(
                &format!("/api/v1/threads/{hidden}/posts"),
                &cy,
                json!({"body": "Done."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        // The next event Ana gets is the ask she can see: nothing came before it.
        ask(&app, &cy, &general, &ana).await;
        assert_eq!(anas.next().await, counters(1, 0, 0));
    }
);

app_test!(
    leaving_a_space_moves_the_counters_at_once,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let private = app.space(&owner, "board", "private").await;
        app.join(&owner, &private, &ana).await;
        ask(&app, &owner, &private, &ana).await;
        let mut anas = subscribe(&app, &ana).await;
        assert_eq!(anas.next().await, counters(1, 0, 0));

        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/spaces/{private}/members/{}", ana.id),
                Some(&owner.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        assert_eq!(
            anas.next().await,
            counters(0, 0, 0),
            "the ask went out of sight with the space"
        );

        app.join(&owner, &private, &ana).await;
        assert_eq!(anas.next().await, counters(1, 0, 0), "and back with it");
    }
);

app_test!(
    a_space_turning_private_moves_outsiders_counters,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let space = app.space(&owner, "general", "public").await;
        ask(&app, &owner, &space, &ana).await;
        let mut anas = subscribe(&app, &ana).await;
        assert_eq!(anas.next().await, counters(1, 0, 0));

        let r = app
            .call(
                "PATCH",
                &format!("/api/v1/spaces/{space}"),
                Some(&owner.token),
                Some(json!({"visibility": "private"})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        assert_eq!(anas.next().await, counters(0, 0, 0));
    }
);

app_test!(
    revoking_the_token_or_deactivating_the_member_ends_their_streams,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let bo = app.member(&owner, "bo", "member").await;
        let mut anas = subscribe(&app, &ana).await;
        assert_eq!(anas.next().await, counters(0, 0, 0));
        let mut bos = subscribe(&app, &bo).await;
        assert_eq!(bos.next().await, counters(0, 0, 0));

        let listed = app
            .get(&format!("/api/v1/members/{}/tokens", ana.id), &ana)
            .await;
        let token = listed.str("/tokens/0/id");
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/members/{}/tokens/{token}", ana.id),
                Some(&ana.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        anas.ends().await;

        let r = app
            .post(
                &format!("/api/v1/members/{}/deactivate", bo.id),
                &owner,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        bos.ends().await;
    }
);

app_test!(
    signing_out_ends_the_browser_s_stream,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let browser = app.browser(&ana).await;
        let mut events = subscribe_browser(&app, &browser).await;
        assert_eq!(events.next().await, counters(0, 0, 0));
        let r = app.form("/signout", &browser, &[]).await;
        assert!(r.status.is_redirection(), "{:?}", r.status);
        events.ends().await;
    }
);

app_test!(
    a_stream_needs_a_token_or_a_signed_in_browser,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        assert_problem(
            &status_of(&app, None).await,
            StatusCode::UNAUTHORIZED,
            "anonymous",
        );
        assert_problem(
            &status_of(&app, Some("baton_not-a-token")).await,
            StatusCode::UNAUTHORIZED,
            "a bad token",
        );
        let r = open(&app, &[("cookie", "baton_session=0123")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a stale cookie");

        let browser = app.browser(&ana).await;
        let mut events = subscribe_browser(&app, &browser).await;
        assert_eq!(events.next().await, counters(0, 0, 0));
        ask(
            &app,
            &owner,
            &app.space(&owner, "general", "public").await,
            &ana,
        )
        .await;
        assert_eq!(events.next().await, counters(1, 0, 0));
    }
);

app_test!(
    the_rail_count_says_where_its_live_updates_come_from,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let page = app.page("/inbox", Some(&browser)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(
            html.contains(r#"data-live-inbox="/api/v1/inbox/stream""#),
            "{html}"
        );
        let csp = page.headers["content-security-policy"]
            .to_str()
            .unwrap_or_default();
        assert!(csp.contains("connect-src 'self'"), "{csp}");
    }
);

app_test!(
    an_ask_past_due_counts_as_overdue,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let space = app.space(&owner, "general", "public").await;
        ask(&app, &owner, &space, &ana).await;
        // Eight working hours later in anyone's schedule: well past due.
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 7));
        let mut anas = subscribe(&app, &ana).await;
        assert_eq!(anas.next().await, counters(1, 1, 0));
    }
);

app_test!(
    stopping_the_server_ends_open_streams_so_it_can_stop,
    |app: TestApp| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let owner = app.workspace("Acme").await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(baton_server::serve_with(
            listener,
            app.state.clone(),
            async move {
                let _ = stopped.await;
            },
        ));
        let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!(
            "GET {STREAM} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\r\n",
            owner.token
        );
        socket
            .write_all(request.as_bytes())
            .await
            .expect("send the request");
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        while !String::from_utf8_lossy(&received).contains("data:") {
            let n = tokio::time::timeout(EVENT_WITHIN, socket.read(&mut buffer))
                .await
                .expect("the first event in time")
                .expect("a readable socket");
            assert!(n > 0, "the stream ended before its first event");
            received.extend_from_slice(&buffer[..n]);
        }

        stop.send(()).expect("the server is running");
        let served = tokio::time::timeout(EVENT_WITHIN, server)
            .await
            .expect("the server stops although a stream was open")
            .expect("the server task");
        assert!(served.is_ok(), "{served:?}");
        let rest = tokio::time::timeout(EVENT_WITHIN, socket.read_to_end(&mut received))
            .await
            .expect("the stream ends");
        assert!(rest.is_ok(), "{rest:?}");
    }
);

app_test!(
    a_member_holds_at_most_five_streams_and_a_sixth_is_refused_until_one_closes,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let mut streams = Vec::new();
        for _ in 0..5 {
            let mut stream = subscribe(&app, &ana).await;
            assert_eq!(stream.next().await, counters(0, 0, 0));
            streams.push(stream);
        }
        let refused = status_of(&app, Some(&ana.token)).await;
        assert_problem(&refused, StatusCode::TOO_MANY_REQUESTS, "a sixth stream");
        assert!(
            refused.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("5 live streams"),
            "{:?}",
            refused.json
        );
        assert_eq!(
            status_of(&app, Some(&owner.token)).await.status,
            StatusCode::OK,
            "another member is not affected"
        );
        // A client going away gives its place back.
        drop(streams.pop());
        let mut again = subscribe(&app, &ana).await;
        assert_eq!(again.next().await, counters(0, 0, 0));
    }
);
