//! The test harness: a fresh app per test on a fresh database, actors with tokens, and a JSON
//! request helper. `app_test!` runs one body on both backends.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use baton_server::AppState;
use baton_server::clock::ManualClock;
use baton_server::state::WebSettings;
use baton_store::Store;
use baton_store::conformance::StoreGuard;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// A running app on its own database.
pub struct TestApp {
    router: Router,
    /// The app's clock, for tests that move time.
    pub clock: Arc<ManualClock>,
    /// The store behind the app, for checks the API cannot make.
    pub store: Arc<dyn Store>,
    /// The app's state, for starting browser sessions directly.
    pub state: AppState,
    _guard: StoreGuard,
}

/// Someone who can call the API.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Member id.
    pub id: String,
    /// API token.
    pub token: String,
}

/// A response: status, JSON (or the text as a JSON string), headers.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The value at a JSON pointer as text ("" when absent).
    pub fn str(&self, pointer: &str) -> String {
        self.json
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

impl TestApp {
    /// Wraps an opened store, serving with these web settings (base URL, proxy).
    pub fn with_web((store, guard): (Arc<dyn Store>, StoreGuard), web: WebSettings) -> Self {
        let clock = Arc::new(ManualClock::new(
            "2026-03-02T12:00:00Z".parse().expect("a valid instant"),
        ));
        let state = AppState::builder(store.clone())
            .clock(clock.clone())
            .web(web)
            .build();
        Self {
            router: baton_server::router(state.clone()),
            clock,
            store,
            state,
            _guard: guard,
        }
    }

    /// Sends a request; `body` is sent as JSON.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&b).expect("serializable body"))
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("a valid request")).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        send_to(&self.router, request).await
    }

    /// A second instance of the app over the same store and clock, as another `baton serve`
    /// on the same database would be.
    pub fn sibling(&self) -> Router {
        let state = AppState::builder(self.store.clone())
            .clock(self.clock.clone())
            .build();
        baton_server::router(state)
    }
}

/// Sends a prepared request to `router` and reads the whole answer.
pub async fn send_to(router: &Router, request: Request<Body>) -> Reply {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a readable body")
        .to_bytes()
        .to_vec();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        json,
        headers,
        bytes,
    }
}

impl TestApp {
    /// GET with a token.
    pub async fn get(&self, path: &str, who: &Actor) -> Reply {
        self.call("GET", path, Some(&who.token), None, &[]).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, who: &Actor, body: Value) -> Reply {
        self.call("POST", path, Some(&who.token), Some(body), &[])
            .await
    }

    /// A new workspace with its owner, created as `baton admin bootstrap` does.
    pub async fn workspace(&self, name: &str) -> Actor {
        let now = jiff::Timestamp::from_second(1_780_000_000).expect("a valid instant");
        let input = baton_server::services::members::MemberInput {
            email: format!("owner@{}.example", name.to_lowercase()),
            name: format!("{name} Owner"),
            timezone: "Europe/Berlin".into(),
            password: None,
            role: None,
        };
        let owner = baton_server::services::members::prepare_member(
            &input,
            baton_core::role::Role::Owner,
            now,
        )
        .expect("valid owner");
        let (token, secret) =
            baton_server::services::members::new_token(owner.id, None, now).expect("a token");
        let ws = baton_core::model::Workspace {
            id: baton_core::Id::random(),
            name: name.into(),
            created_at: now,
        };
        let id = owner.id.to_string();
        self.store
            .bootstrap(ws, owner, token)
            .await
            .expect("bootstrap");
        Actor { id, token: secret }
    }

    /// A new member of `admin`'s workspace with a token. The member is created through the
    /// API; the token is stored directly, as the member would create it themself (only they
    /// may, and signing in through `POST /api/v1/tokens` would cost an argon2 hash per member).
    pub async fn member(&self, admin: &Actor, handle: &str, role: &str) -> Actor {
        let r = self
            .post("/api/v1/members", admin, json!({"email": format!("{handle}-{}@example.com", &admin.id[..8]), "name": handle, "timezone": "Asia/Tokyo", "role": role}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create member {handle}: {:?}",
            r.json
        );
        let id = r.str("/id");
        let token = self.token_for(admin, &id).await;
        Actor { id, token }
    }

    /// A fresh API token of the member `id` in `colleague`'s workspace, stored as the
    /// member's own `POST /api/v1/tokens` would store it.
    pub async fn token_for(&self, colleague: &Actor, id: &str) -> String {
        let ws = self
            .store
            .authenticate(&baton_core::token::hash_token(&colleague.token))
            .await
            .expect("authenticate")
            .expect("a live token")
            .workspace_id;
        let member: baton_core::Id = id.parse().expect("a member id");
        let (token, secret) = baton_server::services::members::new_token(
            member,
            None,
            baton_server::clock::Clock::now(&*self.clock),
        )
        .expect("a token");
        self.store
            .create_token(ws, token, None)
            .await
            .expect("create_token");
        secret
    }

    /// A space created by `who`; returns its id.
    pub async fn space(&self, who: &Actor, name: &str, visibility: &str) -> String {
        let r = self
            .post(
                "/api/v1/spaces",
                who,
                json!({"name": name, "visibility": visibility}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        r.str("/id")
    }

    /// Adds `member` to `space` as `by`.
    pub async fn join(&self, by: &Actor, space: &str, member: &Actor) {
        let r = self
            .post(
                &format!("/api/v1/spaces/{space}/members"),
                by,
                json!({"member_id": member.id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
    }

    /// A thread started by `who`; returns (thread id, first post id).
    pub async fn thread(&self, who: &Actor, space: &str, title: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/threads",
                who,
                json!({"space_id": space, "title": title, "body": "First post"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        (r.str("/id"), r.str("/post_id"))
    }
}

/// Builders of the people, schedules, relays and batons the tests share.
impl TestApp {
    /// A member of `admin`'s workspace with `email`, `password` and `role`, and an API token
    /// they minted by signing in with them (`POST /api/v1/tokens`, one argon2 hash).
    pub async fn member_with_password(
        &self,
        admin: &Actor,
        email: &str,
        password: &str,
        role: &str,
    ) -> Actor {
        let id = self.account(admin, email, password, role).await;
        let t = self
            .call(
                "POST",
                "/api/v1/tokens",
                None,
                Some(json!({"email": email, "password": password})),
                &[],
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.json);
        Actor {
            id,
            token: t.str("/token"),
        }
    }

    /// A member of `admin`'s workspace with `email`, `password` and `role`, who has not signed
    /// in yet (so no throttle counter has seen them); returns their id.
    pub async fn account(&self, admin: &Actor, email: &str, password: &str, role: &str) -> String {
        let handle = email.split('@').next().unwrap_or(email);
        let r = self
            .post(
                "/api/v1/members",
                admin,
                json!({"email": email, "name": handle, "timezone": "Asia/Tokyo", "password": password, "role": role}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        r.str("/id")
    }

    /// Sets `who`'s working hours (as they would themself).
    pub async fn set_schedule(&self, who: &Actor, spec: Value) {
        let path = format!("/api/v1/members/{}/schedule", who.id);
        let r = self
            .call("PUT", &path, Some(&who.token), Some(spec), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    }

    /// A workspace whose owner adds one member per `(handle, zone)`, each working 09:00–17:00
    /// on weekdays in their zone: the people a relay passes work between.
    pub async fn relay_team(&self, legs: &[(&str, &str)]) -> (Actor, Vec<Actor>) {
        let owner = self.workspace("Acme").await;
        let mut members = Vec::with_capacity(legs.len());
        for (handle, zone) in legs {
            let m = self.member(&owner, handle, "member").await;
            self.set_schedule(&m, nine_to_five(zone)).await;
            members.push(m);
        }
        (owner, members)
    }

    /// A relay named `name` over `legs`, created by `who`; returns its id.
    pub async fn relay(&self, who: &Actor, name: &str, legs: &[&Actor]) -> String {
        let ids: Vec<&str> = legs.iter().map(|m| m.id.as_str()).collect();
        let r = self
            .post("/api/v1/relays", who, json!({"name": name, "legs": ids}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        r.str("/id")
    }

    /// A baton created by `who`, held by `holder`, on `relay` when given; returns its id.
    pub async fn baton(
        &self,
        who: &Actor,
        title: &str,
        holder: &Actor,
        relay: Option<&str>,
    ) -> String {
        let mut body = json!({"title": title, "holder_id": holder.id});
        if let Some(relay) = relay {
            body["relay_id"] = json!(relay);
        }
        let r = self.post("/api/v1/batons", who, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        r.str("/id")
    }
}

/// A schedule of 09:00–17:00, Monday to Friday, in `zone`.
pub fn nine_to_five(zone: &str) -> Value {
    let day = json!([["09:00", "17:00"]]);
    json!({"timezone": zone, "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}})
}

/// A signed-in browser: its session cookie and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Browser {
    /// `baton_session=…`.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Reply {
    /// The body as text (pages are HTML).
    pub fn html(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The `Location` of a redirect ("" when absent).
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

impl TestApp {
    /// A browser signed in as `who` (a session started directly, as sign-in would).
    pub async fn browser(&self, who: &Actor) -> Browser {
        let ws = self
            .store
            .authenticate(&baton_core::token::hash_token(&who.token))
            .await
            .expect("authenticate")
            .expect("an active actor");
        let signed_in = baton_server::services::sessions::start(&self.state, &ws)
            .await
            .expect("a session");
        Browser {
            cookie: format!("baton_session={}", signed_in.secret),
            csrf: signed_in.csrf_token(),
        }
    }

    /// GET a page as `browser` (or signed out with `None`).
    pub async fn page(&self, path: &str, browser: Option<&Browser>) -> Reply {
        let mut req = Request::builder().method("GET").uri(path);
        if let Some(b) = browser {
            req = req.header("cookie", &b.cookie);
        }
        self.send(req.body(Body::empty()).expect("a valid request"))
            .await
    }

    /// POST a form as `browser`, with its CSRF token added, from the same origin.
    pub async fn form(&self, path: &str, browser: &Browser, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", browser.csrf.as_str())];
        all.extend_from_slice(fields);
        self.raw_form(path, Some(&browser.cookie), &all).await
    }

    /// POST exactly these form fields with an optional `Cookie` header.
    pub async fn raw_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Reply {
        self.send(form_request(path, cookie, fields)).await
    }

    /// [`TestApp::raw_form`] from a client at `peer` (as `serve_with` tells handlers; without
    /// it a request comes from nowhere known, as in every other in-process test).
    pub async fn raw_form_from(
        &self,
        peer: std::net::SocketAddr,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Reply {
        let mut request = form_request(path, cookie, fields);
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.send(request).await
    }
}

/// A urlencoded POST of `fields` to `path` with an optional `Cookie` header.
pub fn form_request(path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    let body = serde_urlencoded::to_string(fields).expect("encodable form");
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.body(Body::from(body)).expect("a valid request")
}

/// Defines one API test run on both backends: `app_test!(name, |app| async move { … })`, or
/// `app_test!(name, web = WebSettings { … }, |app| …)` to serve with other web settings.
#[macro_export]
macro_rules! app_test {
    ($name:ident, web = $web:expr, $body:expr $(,)?) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::with_web(
                    baton_store::conformance::sqlite_store().await,
                    $web,
                );
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(opened) = baton_store::conformance::postgres_store().await {
                    ($body)($crate::common::TestApp::with_web(opened, $web)).await;
                }
            }
        }
    };
    ($name:ident, $body:expr $(,)?) => {
        $crate::app_test!(
            $name,
            web = baton_server::state::WebSettings::default(),
            $body
        );
    };
}

/// Asserts a response is problem+json with a non-empty human detail.
pub fn assert_problem(r: &Reply, status: StatusCode, context: &str) {
    assert_eq!(r.status, status, "{context}: {:?}", r.json);
    let ctype = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(ctype, "application/problem+json", "{context}");
    assert!(
        !r.str("/detail").is_empty(),
        "{context}: no detail in {:?}",
        r.json
    );
    assert_eq!(r.json["status"], json!(status.as_u16()), "{context}");
}
