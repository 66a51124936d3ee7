//! Snapshots of the key pages (inbox, space, thread, batons, relay, settings, admin), rendered
//! through the real router with fixed data and the test clock (Monday 2026-03-02 12:00 UTC),
//! so every change to what people see shows in review as a diff of `snapshots/*.snap`.
//!
//! SQLite only: a page is the same on both backends, and the two-backend tests in the other
//! `web_*` files already check that. What changes from run to run (ids, the CSRF token) is
//! replaced by stable names before comparing ([`normalise`]).
//!
//! After a deliberate change, review the new page and accept it with
//! `INSTA_UPDATE=always cargo nextest run -p baton-server --all-features --test api snapshot_`
//! (or rename the `.snap.new` files). With `CI=true` nothing is written and a change fails.

use axum::http::StatusCode;
use baton_server::state::WebSettings;
use serde_json::{Value, json};

use crate::common::{Actor, Browser, TestApp};

/// One workspace, as every snapshot sees it: the owner (Berlin) reads the pages; a relay
/// Berlin → Tokyo → Los Angeles works Monday to Friday 09:00–17:00 in each zone; a space
/// with a thread in which Yuki asks the owner to reply; a baton on the relay, linked to the
/// thread, that Lukas has handed to Yuki.
struct World {
    app: TestApp,
    browser: Browser,
    space: String,
    thread: String,
    baton: String,
    relay: String,
    /// The owner's API token, for fixtures some snapshots add.
    owner_token: String,
    /// (value, name) for every id and secret a page may show.
    known: Vec<(String, String)>,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::with_web(
            baton_store::conformance::sqlite_store().await,
            WebSettings::default(),
        );
        let owner = app.workspace("Acme").await;
        let mut known = vec![(owner.id.clone(), "[member owner]".to_owned())];

        let mut legs = Vec::new();
        for (name, zone) in [
            ("Lukas", "Europe/Berlin"),
            ("Yuki", "Asia/Tokyo"),
            ("Maya", "America/Los_Angeles"),
        ] {
            let leg = member(&app, &owner, name, zone).await;
            known.push((leg.id.clone(), format!("[member {name}]")));
            legs.push(leg);
        }
        let (lukas, yuki) = (&legs[0], &legs[1]);

        let space = created(
            &app,
            &owner,
            "/api/v1/spaces",
            json!({"name": "Launch", "visibility": "public"}),
        )
        .await;
        known.push((space.clone(), "[space Launch]".to_owned()));
        for leg in [lukas, yuki] {
            let r = app
                .post(
                    &format!("/api/v1/spaces/{space}/members"),
                    &owner,
                    json!({"member_id": leg.id}),
                )
                .await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.json);
        }
        let thread = created(
            &app,
            &owner,
            "/api/v1/threads",
            json!({"space_id": space, "title": "Release plan", "body": "We ship **2.4** on Thursday.\n\n- notes drafted\n- smoke tests next"}),
        )
        .await;
        known.push((thread.clone(), "[thread Release plan]".to_owned()));
        created(
            &app,
            yuki,
            &format!("/api/v1/threads/{thread}/posts"),
            json!({"body": "Can we move it to Friday? @lukas knows the billing side.",
                   "expectation": {"kind": "reply", "within_minutes": 240, "of": [owner.id]}}),
        )
        .await;

        let ids: Vec<&str> = legs.iter().map(|m| m.id.as_str()).collect();
        let relay = created(
            &app,
            &owner,
            "/api/v1/relays",
            json!({"name": "Release train", "legs": ids}),
        )
        .await;
        known.push((relay.clone(), "[relay Release train]".to_owned()));
        let baton = created(
            &app,
            &owner,
            "/api/v1/batons",
            json!({"title": "Release 2.4", "relay_id": relay, "holder_id": lukas.id}),
        )
        .await;
        known.push((baton.clone(), "[baton Release 2.4]".to_owned()));
        let r = app
            .post(
                &format!("/api/v1/batons/{baton}/threads"),
                lukas,
                json!({"thread_id": thread}),
            )
            .await;
        assert!(r.status.is_success(), "{:?}", r.json);
        created(
            &app,
            lukas,
            &format!("/api/v1/batons/{baton}/handoff"),
            json!({"to_id": yuki.id, "state": "Build green, notes drafted",
                   "next_step": "Run the smoke tests", "blockers": "none", "links": "none"}),
        )
        .await;

        let browser = app.browser(&owner).await;
        known.push((browser.csrf.clone(), "[csrf]".to_owned()));
        Self {
            app,
            browser,
            space,
            thread,
            baton,
            relay,
            owner_token: owner.token.clone(),
            known,
        }
    }

    /// The page at `path` as the owner sees it, normalised.
    async fn page(&self, path: &str) -> String {
        let r = self.app.page(path, Some(&self.browser)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.html());
        normalise(&r.html(), &self.known)
    }
}

/// A member of `owner`'s workspace working Monday to Friday 09:00–17:00 in `zone`, with a
/// token. Made here rather than with `TestApp::member`, whose email carries part of a random
/// id, so the admin page lists the same addresses every run.
async fn member(app: &TestApp, owner: &Actor, name: &str, zone: &str) -> Actor {
    let email = format!("{}@acme.example", name.to_lowercase());
    let id = created(
        app,
        owner,
        "/api/v1/members",
        json!({"email": email, "name": name, "timezone": zone, "role": "member"}),
    )
    .await;
    let who = Actor {
        token: app.token_for(owner, &id).await,
        id,
    };
    let week = json!([["09:00", "17:00"]]);
    let spec = json!({"timezone": zone, "weekly": {"mon": week, "tue": week, "wed": week, "thu": week, "fri": week}});
    let path = format!("/api/v1/members/{}/schedule", who.id);
    let r = app
        .call("PUT", &path, Some(&who.token), Some(spec), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    who
}

/// POSTs `body` to `path` as `who`, expects 201 and returns the new object's id.
async fn created(app: &TestApp, who: &Actor, path: &str, body: Value) -> String {
    let r = app.post(path, who, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {:?}", r.json);
    r.str("/id")
}

/// `text` with what differs between runs replaced: each `known` value by its name, then any
/// other id (a UUID the fixture did not keep, such as a post's) by `[id N]`, numbered in
/// order of first appearance so that two mentions of one id still read as the same id.
fn normalise(text: &str, known: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for (value, name) in known {
        text = text.replace(value.as_str(), name);
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        match rest.get(..36).filter(|s| is_uuid(s)) {
            Some(id) => {
                let n = match seen.iter().position(|s| *s == id) {
                    Some(i) => i + 1,
                    None => {
                        seen.push(id);
                        seen.len()
                    }
                };
                out.push_str(&format!("[id {n}]"));
                rest = &rest[36..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Whether `s` is a UUID written out (`8-4-4-4-12` hex digits).
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[test]
fn normalise_names_known_values_and_numbers_other_ids() {
    let a = "0b7e5c1a-8f3d-4e2b-9c6a-1d2e3f4a5b6c";
    let b = "7d9f1c84-3b1e-4d3c-9a55-2f6a0c1e9b00";
    let known = [(b.to_owned(), "[space Launch]".to_owned())];
    let text = format!("<a href=\"/posts/{a}\">é {b}</a> {a}-x");
    assert_eq!(
        normalise(&text, &known),
        "<a href=\"/posts/[id 1]\">é [space Launch]</a> [id 1]-x"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_page_matches_its_snapshot() {
    let world = World::new().await;
    insta::assert_snapshot!("inbox", world.page("/inbox").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_space_page_matches_its_snapshot() {
    let world = World::new().await;
    let path = format!("/spaces/{}", world.space);
    insta::assert_snapshot!("space", world.page(&path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thread_page_matches_its_snapshot() {
    let world = World::new().await;
    let path = format!("/threads/{}", world.thread);
    insta::assert_snapshot!("thread", world.page(&path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_batons_board_matches_its_snapshot() {
    let world = World::new().await;
    insta::assert_snapshot!("batons", world.page("/batons").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_baton_page_matches_its_snapshot() {
    let world = World::new().await;
    let path = format!("/batons/{}", world.baton);
    insta::assert_snapshot!("baton", world.page(&path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_page_matches_its_snapshot() {
    let world = World::new().await;
    let path = format!("/relays/{}", world.relay);
    insta::assert_snapshot!("relay", world.page(&path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_matches_its_snapshot() {
    let world = World::new().await;
    insta::assert_snapshot!("settings", world.page("/settings").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_members_page_matches_its_snapshot() {
    let world = World::new().await;
    insta::assert_snapshot!("admin_members", world.page("/admin/members").await);
}

impl World {
    /// A decision meeting the owner calls with Lukas (Berlin) and Yuki (Tokyo) on Tuesday at
    /// 08:00 UTC, with an agenda and pre-work, and a draft without either; returns the first.
    async fn meetings(&mut self) -> String {
        let ids: Vec<String> = self
            .known
            .iter()
            .filter(|(_, name)| name == "[member Lukas]" || name == "[member Yuki]")
            .map(|(id, _)| id.clone())
            .collect();
        let owner = self.known[0].0.clone();
        let who = Actor {
            id: owner.clone(),
            token: self.owner_token.clone(),
        };
        let body = json!({
            "title": "Pick the hosting vendor", "purpose": "decision", "participants": ids,
            "duration_minutes": 45, "start": "2026-03-03T08:00:00Z", "space_id": self.space,
            "agenda": [{"item": "Objections", "owner_id": ids[0], "minutes": 15},
                       {"item": "Decide", "owner_id": owner, "minutes": 25}],
            "prework": [{"what": "Read the vendor comparison"}]
        });
        let id = created(&self.app, &who, "/api/v1/meetings", body).await;
        self.known.push((id.clone(), "[meeting vendor]".to_owned()));
        let draft = json!({
            "title": "Launch party", "purpose": "celebration", "participants": ids,
            "duration_minutes": 30, "start": "2026-03-06T15:00:00Z"
        });
        let draft = created(&self.app, &who, "/api/v1/meetings", draft).await;
        self.known.push((draft, "[meeting party]".to_owned()));
        id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meetings_page_matches_its_snapshot() {
    let mut world = World::new().await;
    world.meetings().await;
    insta::assert_snapshot!("meetings", world.page("/meetings").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_page_matches_its_snapshot() {
    let mut world = World::new().await;
    let id = world.meetings().await;
    let path = format!("/meetings/{id}");
    insta::assert_snapshot!("meeting", world.page(&path).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_request_form_matches_its_snapshot() {
    let world = World::new().await;
    insta::assert_snapshot!("meetings_new", world.page("/meetings/new").await);
}
