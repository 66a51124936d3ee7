//! The authorization matrix (reliability test 1) and the existence oracle (test 2): every
//! route, every kind of caller, against a checked-in table of expected statuses. The table's
//! routes must equal the OpenAPI document's, so a new route without a row fails the suite.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp};

/// The callers, in table column order.
const ACTORS: [&str; 11] = [
    "anon",
    "revoked",
    "deactivated",
    "owner",
    "admin",
    "author",
    "outsider",
    "guest_in",
    "guest_out",
    "other_ws",
    "bad_token",
];

struct World {
    actors: Vec<Option<Actor>>,
    owner: Actor,
    private_space: String,
    public_space: String,
    private_thread: String,
    private_post: String,
    outsider_id: String,
    /// Shares the private space with `guest_in`, not with `guest_out`.
    author_id: String,
    relay: String,
    /// Held by the author, no handoff yet.
    baton: String,
    /// Held by the author, never handed off: the one the done row marks done.
    to_finish: String,
    /// Handoffs from the author to the admin, pending: one to accept, one to bounce.
    to_accept: String,
    to_bounce: String,
    /// A webhook of the private space, registered by the author (its creator).
    space_webhook: String,
    meeting: String,
}

async fn world(app: &TestApp) -> World {
    let owner = app.workspace("Acme").await;
    let admin = app.member(&owner, "admin", "admin").await;
    let author = app.member(&owner, "author", "member").await;
    let outsider = app.member(&owner, "outsider", "member").await;
    let guest_in = app.member(&owner, "guest-in", "guest").await;
    let guest_out = app.member(&owner, "guest-out", "guest").await;
    let revoked = app.member(&owner, "revoked", "member").await;
    let deactivated = app.member(&owner, "deactivated", "member").await;
    let other_ws = app.workspace("Globex").await;

    let private_space = app.space(&author, "secret plans", "private").await;
    app.join(&author, &private_space, &guest_in).await;
    app.join(&author, &private_space, &deactivated).await;
    app.join(&author, &private_space, &revoked).await;
    let public_space = app.space(&owner, "general", "public").await;
    let (private_thread, private_post) = app.thread(&author, &private_space, "Q3 plan").await;

    let tokens = app
        .get(&format!("/api/v1/members/{}/tokens", revoked.id), &revoked)
        .await;
    let token_id = tokens.json["tokens"][0]["id"]
        .as_str()
        .expect("a token id")
        .to_owned();
    let r = app
        .call(
            "DELETE",
            &format!("/api/v1/members/{}/tokens/{token_id}", revoked.id),
            Some(&owner.token),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .post(
            &format!("/api/v1/members/{}/deactivate", deactivated.id),
            &owner,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);

    let relay = app
        .post(
            "/api/v1/relays",
            &owner,
            json!({"name": "sun", "legs": [owner.id, author.id]}),
        )
        .await
        .str("/id");
    let baton_for = |title: &'static str| {
        let (app, owner, author) = (&app, owner.clone(), author.clone());
        async move {
            app.post(
                "/api/v1/batons",
                &owner,
                json!({"title": title, "holder_id": author.id}),
            )
            .await
            .str("/id")
        }
    };
    let baton = baton_for("release").await;
    let to_finish = baton_for("finish me").await;
    let note = |to: &str| json!({"to_id": to, "state": "s", "next_step": "n", "blockers": "none", "links": "none"});
    let mut pending = Vec::new();
    for title in ["accept me", "bounce me"] {
        let b = baton_for(title).await;
        let h = app
            .post(
                &format!("/api/v1/batons/{b}/handoff"),
                &author,
                note(&admin.id),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.json);
        pending.push(h.str("/handoff_id"));
    }
    let space_webhook = app
        .post(
            &format!("/api/v1/spaces/{private_space}/webhooks"),
            &author,
            json!({"url": WEBHOOK_URL}),
        )
        .await
        .str("/id");
    let meeting = app
        .post(
            "/api/v1/meetings",
            &author,
            json!({"title": "Launch hype", "purpose": "hype", "participants": [guest_in.id],
                   "duration_minutes": 30, "start": "2026-03-04T15:00:00Z"}),
        )
        .await
        .str("/id");
    let bad = Actor {
        id: String::new(),
        token: "baton_0000000000000000000000000000000000000000000000000000000000000000".into(),
    };
    let actors = vec![
        None,
        Some(revoked),
        Some(deactivated),
        Some(owner.clone()),
        Some(admin),
        Some(author),
        Some(outsider.clone()),
        Some(guest_in),
        Some(guest_out),
        Some(other_ws),
        Some(bad),
    ];
    let (to_accept, to_bounce) = (pending[0].clone(), pending[1].clone());
    let author_id = actors[5].as_ref().map(|a| a.id.clone()).unwrap_or_default();
    World {
        actors,
        owner,
        private_space,
        public_space,
        private_thread,
        private_post,
        outsider_id: outsider.id,
        author_id: author_id.clone(),
        relay,
        baton,
        to_finish,
        to_accept,
        to_bounce,
        space_webhook,
        meeting,
    }
}

/// A webhook target every check accepts without a DNS lookup: a public address literal.
const WEBHOOK_URL: &str = "https://93.184.216.34/baton";

/// One row: a route, how to call it, and the expected status per actor (in [`ACTORS`] order).
struct Row {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<Value>,
    /// Whether each call needs a throwaway member (created by the owner, added to the public
    /// space, with a token) substituted for `{fresh}` / `{fresh_token}`.
    fresh: bool,
    expect: [u16; 11],
}

fn rows(w: &World) -> Vec<Row> {
    let (ps, qs, pt, pp, out) = (
        &w.private_space,
        &w.public_space,
        &w.private_thread,
        &w.private_post,
        &w.outsider_id,
    );
    let owner = &w.owner.id;
    let id_of = |column: usize| w.actors[column].as_ref().map_or("", |a| a.id.as_str());
    let (admin, guest_in) = (id_of(4), id_of(7));
    let author = &w.author_id;
    let row = |method, route, path: String, body: Option<Value>, expect| Row {
        method,
        route,
        path,
        body,
        fresh: false,
        expect,
    };
    let fresh = |method, route, path: &str, body: Option<Value>, expect| Row {
        method,
        route,
        path: path.to_owned(),
        body,
        fresh: true,
        expect,
    };
    // Columns: anon revoked deact owner admin author outsider guest_in guest_out other_ws bad_token
    // A guest knows only the people who share a space with them: acting on anyone else is
    // 404, as for a member of another workspace (issue 13 item 9).
    let private_read = [401, 401, 401, 404, 404, 200, 404, 200, 404, 404, 401];
    vec![
        row(
            "GET",
            "/api/v1/me",
            "/api/v1/me".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/members",
            "/api/v1/members".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "POST",
            "/api/v1/members",
            "/api/v1/members".into(),
            Some(json!({"email": "{uniq}@example.com", "name": "New", "timezone": "UTC"})),
            [401, 401, 401, 201, 201, 403, 403, 403, 403, 201, 401],
        ),
        // A guest knows only the people who share a space with them (issue 13 item 9).
        row(
            "GET",
            "/api/v1/members/{id}",
            format!("/api/v1/members/{owner}"),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}",
            format!("/api/v1/members/{author}"),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 404, 404, 401],
        ),
        fresh(
            "PATCH",
            "/api/v1/members/{id}",
            "/api/v1/members/{fresh}",
            Some(json!({"role": "guest"})),
            [401, 401, 401, 200, 200, 403, 403, 404, 404, 404, 401],
        ),
        fresh(
            "POST",
            "/api/v1/members/{id}/deactivate",
            "/api/v1/members/{fresh}/deactivate",
            Some(json!({})),
            [401, 401, 401, 200, 200, 403, 403, 404, 404, 404, 401],
        ),
        // Only a member mints their own tokens: not an admin for the owner, another admin, or
        // a member of a private space the admin is not in (the author's).
        row(
            "POST",
            "/api/v1/members/{id}/tokens",
            format!("/api/v1/members/{out}/tokens"),
            Some(json!({})),
            [401, 401, 401, 403, 403, 403, 201, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/members/{id}/tokens",
            format!("/api/v1/members/{owner}/tokens"),
            Some(json!({})),
            [401, 401, 401, 201, 403, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/members/{id}/tokens",
            format!("/api/v1/members/{admin}/tokens"),
            Some(json!({})),
            [401, 401, 401, 403, 201, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/members/{id}/tokens",
            format!("/api/v1/members/{author}/tokens"),
            Some(json!({})),
            [401, 401, 401, 403, 403, 201, 403, 403, 404, 404, 401],
        ),
        // A password login needs no token: every caller gets the same refusal for a wrong one.
        row(
            "POST",
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            Some(json!({"email": "{uniq}@example.com", "password": "not the password"})),
            [422; 11],
        ),
        // An admin acts on members and guests only, never on another admin or the owner.
        row(
            "PATCH",
            "/api/v1/members/{id}",
            format!("/api/v1/members/{admin}"),
            Some(json!({"role": "admin"})),
            [401, 401, 401, 200, 403, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "PUT",
            "/api/v1/members/{id}/schedule",
            format!("/api/v1/members/{owner}/schedule"),
            Some(json!({"timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "17:00"]]}})),
            [401, 401, 401, 200, 403, 403, 403, 404, 404, 404, 401],
        ),
        // Ownership goes to an active member or admin: the owner naming a guest is refused;
        // anyone else may not hand it over at all.
        row(
            "POST",
            "/api/v1/workspace/owner",
            "/api/v1/workspace/owner".into(),
            Some(json!({"member_id": guest_in})),
            [401, 401, 401, 422, 403, 403, 403, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/tokens",
            format!("/api/v1/members/{out}/tokens"),
            None,
            [401, 401, 401, 200, 200, 403, 200, 404, 404, 404, 401],
        ),
        fresh(
            "DELETE",
            "/api/v1/members/{id}/tokens/{token_id}",
            "/api/v1/members/{fresh}/tokens/{fresh_token}",
            None,
            [401, 401, 401, 204, 204, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/spaces",
            "/api/v1/spaces".into(),
            Some(json!({"name": "new", "visibility": "public"})),
            [401, 401, 401, 201, 201, 201, 201, 403, 403, 201, 401],
        ),
        row(
            "GET",
            "/api/v1/spaces",
            "/api/v1/spaces".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/spaces/{id}",
            format!("/api/v1/spaces/{ps}"),
            None,
            private_read,
        ),
        row(
            "PATCH",
            "/api/v1/spaces/{id}",
            format!("/api/v1/spaces/{qs}"),
            Some(json!({"visibility": "public"})),
            [401, 401, 401, 200, 200, 403, 403, 404, 404, 404, 401],
        ),
        fresh(
            "POST",
            "/api/v1/spaces/{id}/members",
            &format!("/api/v1/spaces/{ps}/members"),
            Some(json!({"member_id": "{fresh}"})),
            [401, 401, 401, 404, 404, 204, 404, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/spaces/{id}/members",
            format!("/api/v1/spaces/{ps}/members"),
            None,
            private_read,
        ),
        fresh(
            "DELETE",
            "/api/v1/spaces/{id}/members/{member_id}",
            &format!("/api/v1/spaces/{qs}/members/{{fresh}}"),
            None,
            [401, 401, 401, 204, 204, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/spaces/{id}/threads",
            format!("/api/v1/spaces/{ps}/threads"),
            None,
            private_read,
        ),
        row(
            "POST",
            "/api/v1/threads",
            "/api/v1/threads".into(),
            Some(json!({"space_id": ps, "title": "t", "body": "b"})),
            [401, 401, 401, 422, 422, 201, 422, 201, 422, 422, 401],
        ),
        row(
            "GET",
            "/api/v1/threads/{id}",
            format!("/api/v1/threads/{pt}"),
            None,
            private_read,
        ),
        row(
            "POST",
            "/api/v1/threads/{id}/posts",
            format!("/api/v1/threads/{pt}/posts"),
            Some(json!({"body": "reply"})),
            [401, 401, 401, 404, 404, 201, 404, 201, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/threads/{id}/posts",
            format!("/api/v1/threads/{pt}/posts"),
            None,
            private_read,
        ),
        row(
            "POST",
            "/api/v1/threads/{id}/read",
            format!("/api/v1/threads/{pt}/read"),
            Some(json!({})),
            [401, 401, 401, 404, 404, 204, 404, 204, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/threads/{id}/following",
            format!("/api/v1/threads/{pt}/following"),
            None,
            private_read,
        ),
        row(
            "PUT",
            "/api/v1/threads/{id}/following",
            format!("/api/v1/threads/{pt}/following"),
            Some(json!({"following": true})),
            [401, 401, 401, 404, 404, 200, 404, 200, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/posts/{id}",
            format!("/api/v1/posts/{pp}"),
            None,
            private_read,
        ),
        row(
            "PATCH",
            "/api/v1/posts/{id}",
            format!("/api/v1/posts/{pp}"),
            Some(json!({"body": "edited"})),
            [401, 401, 401, 404, 404, 200, 404, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/posts/{id}/revisions",
            format!("/api/v1/posts/{pp}/revisions"),
            None,
            private_read,
        ),
        fresh(
            "PUT",
            "/api/v1/members/{id}/schedule",
            "/api/v1/members/{fresh}/schedule",
            Some(json!({"timezone": "Asia/Tokyo", "weekly": {"mon": [["09:00", "17:00"]]}})),
            [401, 401, 401, 200, 200, 403, 403, 404, 404, 404, 401],
        ),
        // Of the people a guest knows, they see no schedule (403); the others do not exist
        // for them (404, or 422 for an id named in a query).
        row(
            "GET",
            "/api/v1/members/{id}/schedule",
            format!("/api/v1/members/{owner}/schedule"),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/schedule",
            format!("/api/v1/members/{author}/schedule"),
            None,
            [401, 401, 401, 200, 200, 200, 200, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/availability",
            format!(
                "/api/v1/members/{owner}/availability?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/availability",
            format!(
                "/api/v1/members/{author}/availability?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 403, 404, 404, 401],
        ),
        // Meeting load reads working hours, so it is shared exactly as availability is.
        row(
            "GET",
            "/api/v1/members/{id}/meeting-load",
            format!(
                "/api/v1/members/{owner}/meeting-load?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/meeting-load",
            format!(
                "/api/v1/members/{author}/meeting-load?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 403, 404, 404, 401],
        ),
        // A space's meeting load sums its members' working time: members only, guests 403.
        row(
            "GET",
            "/api/v1/spaces/{id}/meeting-load",
            format!(
                "/api/v1/spaces/{}/meeting-load?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z",
                w.public_space
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 403, 403, 404, 401],
        ),
        // Hangouts are never decided for someone else: only the member opts in.
        row(
            "PUT",
            "/api/v1/members/{id}/hangouts",
            format!("/api/v1/members/{owner}/hangouts"),
            Some(json!({"opted_in": true})),
            [401, 401, 401, 200, 403, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/hangouts",
            "/api/v1/hangouts".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/overlap",
            format!(
                "/api/v1/overlap?members={owner},{out}&from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 422, 422, 422, 401],
        ),
        row(
            "GET",
            "/api/v1/overlap",
            format!(
                "/api/v1/overlap?members={author}&from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 403, 422, 422, 401],
        ),
        row(
            "POST",
            "/api/v1/meetings/slots",
            "/api/v1/meetings/slots".into(),
            Some(
                json!({"participants": [owner, out], "duration_minutes": 30, "from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z"}),
            ),
            [401, 401, 401, 200, 200, 200, 200, 422, 422, 422, 401],
        ),
        row(
            "POST",
            "/api/v1/meetings/slots",
            "/api/v1/meetings/slots".into(),
            Some(
                json!({"participants": [author], "duration_minutes": 30, "from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z"}),
            ),
            [401, 401, 401, 200, 200, 200, 200, 403, 422, 422, 401],
        ),
        row(
            "GET",
            "/api/v1/asks",
            "/api/v1/asks?direction=to_me".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/inbox",
            "/api/v1/inbox".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/following",
            "/api/v1/following".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            crate::live::STREAM,
            crate::live::STREAM.into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "POST",
            "/api/v1/relays",
            "/api/v1/relays".into(),
            Some(json!({"name": "r", "legs": [owner]})),
            [401, 401, 401, 201, 201, 201, 201, 403, 403, 422, 401],
        ),
        row(
            "GET",
            "/api/v1/relays/{id}",
            format!("/api/v1/relays/{}", w.relay),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/relays/{id}/coverage",
            format!(
                "/api/v1/relays/{}/coverage?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z",
                w.relay
            ),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/batons",
            "/api/v1/batons".into(),
            Some(json!({"title": "t", "holder_id": owner})),
            [401, 401, 401, 201, 201, 201, 201, 403, 403, 422, 401],
        ),
        row(
            "GET",
            "/api/v1/batons",
            "/api/v1/batons".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/batons/{id}",
            format!("/api/v1/batons/{}", w.baton),
            None,
            [401, 401, 401, 200, 200, 200, 200, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/batons/{id}/handoff",
            format!("/api/v1/batons/{}/handoff", w.baton),
            Some(
                json!({"to_id": owner, "state": "s", "next_step": "n", "blockers": "none", "links": "none"}),
            ),
            [401, 401, 401, 403, 403, 201, 403, 404, 404, 404, 401],
        ),
        // The owner marks it done first; the next callers allowed to find it done already.
        row(
            "POST",
            "/api/v1/batons/{id}/done",
            format!("/api/v1/batons/{}/done", w.to_finish),
            Some(json!({})),
            [401, 401, 401, 200, 409, 409, 403, 404, 404, 404, 401],
        ),
        // The same baton, done by the row above: the owner reopens it, the next find it open.
        row(
            "POST",
            "/api/v1/batons/{id}/reopen",
            format!("/api/v1/batons/{}/reopen", w.to_finish),
            Some(json!({})),
            [401, 401, 401, 200, 409, 409, 403, 404, 404, 404, 401],
        ),
        // The private thread: its creator and the admin cannot see it (refused like a missing
        // thread), its holder, the author, links it; the next row unlinks it again.
        row(
            "POST",
            "/api/v1/batons/{id}/threads",
            format!("/api/v1/batons/{}/threads", w.baton),
            Some(json!({"thread_id": pt})),
            [401, 401, 401, 422, 422, 201, 403, 404, 404, 404, 401],
        ),
        row(
            "DELETE",
            "/api/v1/batons/{id}/threads/{thread_id}",
            format!("/api/v1/batons/{}/threads/{pt}", w.baton),
            None,
            [401, 401, 401, 404, 404, 204, 403, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/handoffs/{id}/accept",
            format!("/api/v1/handoffs/{}/accept", w.to_accept),
            Some(json!({})),
            [401, 401, 401, 403, 200, 403, 404, 404, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/handoffs/{id}/bounce",
            format!("/api/v1/handoffs/{}/bounce", w.to_bounce),
            Some(json!({"reason": "not mine"})),
            [401, 401, 401, 403, 200, 403, 404, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/policy",
            format!("/api/v1/members/{out}/policy"),
            None,
            [401, 401, 401, 200, 200, 403, 200, 404, 404, 404, 401],
        ),
        fresh(
            "PUT",
            "/api/v1/members/{id}/policy",
            "/api/v1/members/{fresh}/policy",
            Some(json!({"windows": ["10:00"], "email_digest": false})),
            [401, 401, 401, 200, 200, 403, 403, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/deliveries/backlog",
            "/api/v1/deliveries/backlog".into(),
            None,
            [401, 401, 401, 200, 200, 403, 403, 403, 403, 200, 401],
        ),
        // Workspace settings and the audit log: admins only.
        row(
            "GET",
            "/api/v1/workspace/settings",
            "/api/v1/workspace/settings".into(),
            None,
            [401, 401, 401, 200, 200, 403, 403, 403, 403, 200, 401],
        ),
        row(
            "PATCH",
            "/api/v1/workspace/settings",
            "/api/v1/workspace/settings".into(),
            Some(json!({"urgent_budget": 3})),
            [401, 401, 401, 200, 200, 403, 403, 403, 403, 200, 401],
        ),
        row(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit".into(),
            None,
            [401, 401, 401, 200, 200, 403, 403, 403, 403, 200, 401],
        ),
        // No delivery has this id: admins learn that (404), nobody else gets past the role.
        row(
            "POST",
            "/api/v1/deliveries/{id}/retry",
            "/api/v1/deliveries/6f1c1e0a-3b7d-4c55-9d0e-5a8f2b7c9e41/retry".into(),
            Some(json!({})),
            [401, 401, 401, 404, 404, 403, 403, 403, 403, 404, 401],
        ),
        // Only the member themself registers webhooks for their notifications; admins may
        // list them.
        row(
            "POST",
            "/api/v1/members/{id}/webhooks",
            format!("/api/v1/members/{out}/webhooks"),
            Some(json!({"url": WEBHOOK_URL})),
            [401, 401, 401, 403, 403, 403, 201, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/webhooks",
            format!("/api/v1/members/{out}/webhooks"),
            None,
            [401, 401, 401, 200, 200, 403, 200, 404, 404, 404, 401],
        ),
        // A space's webhooks: whoever cannot see the private space gets 404; its creator (the
        // author) manages them; a guest in it may see it but not manage it.
        row(
            "POST",
            "/api/v1/spaces/{id}/webhooks",
            format!("/api/v1/spaces/{ps}/webhooks"),
            Some(json!({"url": WEBHOOK_URL})),
            [401, 401, 401, 404, 404, 201, 404, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/spaces/{id}/webhooks",
            format!("/api/v1/spaces/{ps}/webhooks"),
            None,
            [401, 401, 401, 404, 404, 200, 404, 403, 404, 404, 401],
        ),
        // The author deletes it; after that it is gone for everyone.
        row(
            "DELETE",
            "/api/v1/webhooks/{id}",
            format!("/api/v1/webhooks/{}", w.space_webhook),
            None,
            [401, 401, 401, 404, 404, 204, 404, 404, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            None,
            [200; 11],
        ),
        row(
            "POST",
            "/api/v1/meetings",
            "/api/v1/meetings".into(),
            Some(
                json!({"title": "Celebrate", "purpose": "celebration", "participants": [],
                        "duration_minutes": 30, "start": "2026-03-04T15:00:00Z"}),
            ),
            [401, 401, 401, 201, 201, 201, 201, 201, 201, 201, 401],
        ),
        row(
            "GET",
            "/api/v1/meetings",
            "/api/v1/meetings".into(),
            None,
            [401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 401],
        ),
        // A meeting is its participants' only: the author called it with guest_in.
        row(
            "GET",
            "/api/v1/meetings/{id}",
            format!("/api/v1/meetings/{}", w.meeting),
            None,
            [401, 401, 401, 404, 404, 200, 404, 200, 404, 404, 401],
        ),
        // Calendars are each member's own: others who may know of the author are refused,
        // the rest do not learn the author exists.
        row(
            "POST",
            "/api/v1/members/{id}/calendar-feed",
            format!("/api/v1/members/{author}/calendar-feed"),
            None,
            [401, 401, 401, 403, 403, 201, 403, 403, 404, 404, 401],
        ),
        row(
            "DELETE",
            "/api/v1/members/{id}/calendar-feed",
            format!("/api/v1/members/{author}/calendar-feed"),
            None,
            [401, 401, 401, 403, 403, 204, 403, 403, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/members/{id}/calendars",
            format!("/api/v1/members/{author}/calendars"),
            Some(json!({"ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"})),
            [401, 401, 401, 403, 403, 201, 403, 403, 404, 404, 401],
        ),
        row(
            "GET",
            "/api/v1/members/{id}/calendars",
            format!("/api/v1/members/{author}/calendars"),
            None,
            [401, 401, 401, 403, 403, 200, 403, 403, 404, 404, 401],
        ),
        row(
            "DELETE",
            "/api/v1/members/{id}/calendars/{calendar_id}",
            format!(
                "/api/v1/members/{author}/calendars/{}",
                uuid::Uuid::new_v4()
            ),
            None,
            [401, 401, 401, 403, 403, 404, 403, 403, 404, 404, 401],
        ),
        // Only its organizer (the author) takes a step; the meeting is an incomplete draft, so
        // inviting or closing it is a conflict, and cancelling it (last) goes ahead.
        row(
            "POST",
            "/api/v1/meetings/{id}/invite",
            format!("/api/v1/meetings/{}/invite", w.meeting),
            Some(json!({})),
            [401, 401, 401, 404, 404, 409, 404, 403, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/meetings/{id}/close",
            format!("/api/v1/meetings/{}/close", w.meeting),
            Some(json!({"notes": "Done."})),
            [401, 401, 401, 404, 404, 409, 404, 403, 404, 404, 401],
        ),
        row(
            "POST",
            "/api/v1/meetings/{id}/cancel",
            format!("/api/v1/meetings/{}/cancel", w.meeting),
            Some(json!({})),
            [401, 401, 401, 404, 404, 200, 404, 403, 404, 404, 401],
        ),
    ]
}

/// A throwaway member in the owner's workspace and public space, with a token; returns (id, token id).
async fn throwaway(app: &TestApp, w: &World, n: usize) -> (String, String) {
    let fresh = app.member(&w.owner, &format!("fresh{n}"), "member").await;
    app.join(&w.owner, &w.public_space, &fresh).await;
    let tokens = app
        .get(&format!("/api/v1/members/{}/tokens", fresh.id), &w.owner)
        .await;
    (
        fresh.id,
        tokens.json["tokens"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

app_test!(
    every_route_answers_every_caller_as_the_table_says,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut failures = Vec::new();
        let mut n = 0;
        for row in rows(&w) {
            for (actor, (label, expected)) in w.actors.iter().zip(ACTORS.iter().zip(row.expect)) {
                n += 1;
                let (mut path, mut body) = (
                    row.path.clone(),
                    row.body.as_ref().map(Value::to_string).unwrap_or_default(),
                );
                if row.fresh {
                    let (id, token) = throwaway(&app, &w, n).await;
                    path = path
                        .replace("{fresh}", &id)
                        .replace("{fresh_token}", &token);
                    body = body.replace("{fresh}", &id);
                }
                let body = row.body.as_ref().map(|_| {
                    serde_json::from_str(&body.replace("{uniq}", &format!("u{n}")))
                        .unwrap_or(Value::Null)
                });
                let token = actor.as_ref().map(|a| a.token.as_str());
                // An open event stream never ends, so only its status is read.
                let r = if row.route == crate::live::STREAM {
                    crate::live::status_of(&app, token).await
                } else {
                    app.call(row.method, &path, token, body, &[]).await
                };
                if r.status.as_u16() != expected {
                    failures.push(format!(
                        "{} {} as {label}: expected {expected}, got {} {:?}",
                        row.method,
                        row.route,
                        r.status.as_u16(),
                        r.json
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} unexpected answers:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
);

app_test!(
    the_table_covers_every_route_in_the_openapi_document,
    |app: TestApp| async move {
        let w = world(&app).await;
        let spec = app
            .call("GET", "/api/v1/openapi.json", None, None, &[])
            .await;
        let mut documented = BTreeSet::new();
        for (path, item) in spec.json["paths"]
            .as_object()
            .expect("paths in the document")
        {
            for method in item.as_object().expect("a path item").keys() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        documented.insert("GET /api/v1/openapi.json".to_owned());
        let tabled: BTreeSet<String> = rows(&w)
            .iter()
            .map(|r| format!("{} {}", r.method, r.route))
            .collect();
        assert_eq!(
            documented, tabled,
            "routes in the OpenAPI document and in the authorization table differ"
        );
    }
);

app_test!(
    a_private_thread_is_indistinguishable_from_a_missing_one,
    |app: TestApp| async move {
        let w = world(&app).await;
        let outsider = w.actors[6].clone().expect("outsider");
        let missing = baton_core::Id::random().to_string();
        for (kind, private) in [
            ("threads", &w.private_thread),
            ("spaces", &w.private_space),
            ("posts", &w.private_post),
        ] {
            let hidden = app
                .get(&format!("/api/v1/{kind}/{private}"), &outsider)
                .await;
            let absent = app
                .get(&format!("/api/v1/{kind}/{missing}"), &outsider)
                .await;
            let malformed = app
                .get(&format!("/api/v1/{kind}/not-an-id"), &outsider)
                .await;
            assert_eq!(hidden.status, StatusCode::NOT_FOUND);
            assert_eq!(
                hidden.bytes, absent.bytes,
                "{kind}: hidden and missing differ"
            );
            assert_eq!(
                hidden.bytes, malformed.bytes,
                "{kind}: hidden and malformed differ"
            );
            let text = String::from_utf8_lossy(&hidden.bytes);
            assert!(
                !text.contains("secret plans") && !text.contains("Q3 plan"),
                "{text}"
            );
        }
        let listed = app.get("/api/v1/spaces", &outsider).await;
        assert!(
            !listed.json.to_string().contains("secret plans"),
            "a private space is listed to a non-member"
        );
    }
);

app_test!(
    writes_with_ids_from_another_workspace_change_nothing,
    |app: TestApp| async move {
        let w = world(&app).await;
        let intruder = w.actors[9].clone().expect("other workspace owner");
        let own_space = app.space(&intruder, "globex general", "public").await;
        let cases = [
            (
                "POST",
                format!("/api/v1/threads/{}/posts", w.private_thread),
                json!({"body": "hi"}),
            ),
            (
                "POST",
                "/api/v1/threads".to_owned(),
                json!({"space_id": w.public_space, "title": "t", "body": "b"}),
            ),
            (
                "POST",
                format!("/api/v1/spaces/{own_space}/members"),
                json!({"member_id": w.owner.id}),
            ),
            (
                "POST",
                format!("/api/v1/spaces/{}/members", w.public_space),
                json!({"member_id": intruder.id}),
            ),
            (
                "POST",
                format!("/api/v1/members/{}/tokens", w.owner.id),
                json!({}),
            ),
            (
                "PATCH",
                format!("/api/v1/members/{}", w.owner.id),
                json!({"role": "guest"}),
            ),
            (
                "POST",
                format!("/api/v1/members/{}/deactivate", w.outsider_id),
                json!({}),
            ),
            (
                "POST",
                "/api/v1/threads".to_owned(),
                json!({"space_id": own_space, "title": "t", "body": "b", "expectation": {"kind": "reply", "within_minutes": 60, "of": [w.owner.id]}}),
            ),
        ];
        for (method, path, body) in cases {
            let r = app
                .call(method, &path, Some(&intruder.token), Some(body), &[])
                .await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {path}: {} {:?}",
                r.status,
                r.json
            );
        }
        let author = w.actors[5].clone().expect("author");
        let thread = app
            .get(&format!("/api/v1/threads/{}", w.private_thread), &author)
            .await;
        assert_eq!(
            thread.json["posts"].as_array().map(Vec::len),
            Some(1),
            "no post was added"
        );
        let members = app
            .get(
                &format!("/api/v1/spaces/{}/members", w.public_space),
                &w.owner,
            )
            .await;
        assert!(!members.json.to_string().contains(&intruder.id));
        let threads = app
            .get(&format!("/api/v1/spaces/{own_space}/threads"), &intruder)
            .await;
        assert_eq!(threads.json["threads"].as_array().map(Vec::len), Some(0));
        let outsider = app
            .get(&format!("/api/v1/members/{}", w.outsider_id), &w.owner)
            .await;
        assert_eq!(outsider.json["active"], json!(true));
        let owner = app.get("/api/v1/me", &w.owner).await;
        assert_eq!(owner.json["role"], json!("owner"));
    }
);

app_test!(
    a_guest_sees_only_the_names_of_people_who_share_a_space_with_them,
    |app: TestApp| async move {
        let w = world(&app).await;
        let guest_in = w.actors[7].clone().expect("guest_in");
        let guest_out = w.actors[8].clone().expect("guest_out");
        let ids = |r: &crate::common::Reply| -> BTreeSet<String> {
            r.json["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };

        let listed = app.get("/api/v1/members", &guest_in).await;
        assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.json);
        let seen = ids(&listed);
        assert!(
            seen.contains(&guest_in.id) && seen.contains(&w.author_id),
            "{seen:?}"
        );
        assert!(
            !seen.contains(&w.owner.id) && !seen.contains(&w.outsider_id),
            "{seen:?}"
        );
        for m in listed.json["members"].as_array().expect("members") {
            let own = m["id"] == json!(guest_in.id);
            for field in ["email", "role", "timezone"] {
                assert_eq!(m.get(field).is_some(), own, "{field} of {m}");
            }
        }
        let alone = app.get("/api/v1/members", &guest_out).await;
        assert_eq!(ids(&alone), BTreeSet::from([guest_out.id.clone()]));

        let author = app
            .get(&format!("/api/v1/members/{}", w.author_id), &guest_in)
            .await;
        assert_eq!(author.status, StatusCode::OK, "{:?}", author.json);
        let keys: BTreeSet<&str> = author
            .json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["id", "name", "active", "local_time", "working_now"]),
            "{:?}",
            author.json
        );
        let in_space = app
            .get(
                &format!("/api/v1/spaces/{}/members", w.private_space),
                &guest_in,
            )
            .await;
        assert_eq!(in_space.status, StatusCode::OK);
        for m in in_space.json["members"].as_array().expect("members") {
            let own = m["id"] == json!(guest_in.id);
            assert_eq!(m.get("email").is_some(), own, "{m}");
        }

        // A member still sees everyone in full.
        let full = app
            .get(&format!("/api/v1/members/{}", w.author_id), &w.owner)
            .await;
        for field in ["email", "role", "timezone", "next_working_start"] {
            assert!(full.json.get(field).is_some(), "{field}: {:?}", full.json);
        }
    }
);
