//! Meetings as the exception: a decision meeting across Berlin, Tokyo and Los Angeles whose
//! pre-work is due in each participant's own working hours; the purpose gate answering a
//! status meeting with the async alternatives; every bad input refused with nothing written;
//! and a meeting shown to its participants only.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, Reply, TestApp, assert_problem, nine_to_five};

/// The owner (Berlin, the default 09:00–17:00), Yuki (Tokyo) and Maya (Los Angeles).
pub async fn team(app: &TestApp) -> (Actor, Actor, Actor) {
    let owner = app.workspace("Acme").await;
    let yuki = app.member(&owner, "yuki", "member").await;
    app.set_schedule(&yuki, nine_to_five("Asia/Tokyo")).await;
    let maya = app.member(&owner, "maya", "member").await;
    app.set_schedule(&maya, nine_to_five("America/Los_Angeles"))
        .await;
    (owner, yuki, maya)
}

/// A complete decision meeting with `participants`, Tuesday 2026-03-03 15:00 UTC (16:00 in
/// Berlin, midnight in Tokyo, 07:00 in Los Angeles), its agenda led by `lead`.
pub fn decision(participants: &[&Actor], lead: &Actor) -> Value {
    let ids: Vec<&str> = participants.iter().map(|a| a.id.as_str()).collect();
    json!({
        "title": "Pick the hosting vendor",
        "purpose": "decision",
        "participants": ids,
        "duration_minutes": 45,
        "start": "2026-03-03T15:00:00Z",
        "agenda": [
            {"item": "Objections to the proposal", "owner_id": lead.id, "minutes": 15},
            {"item": "Decide", "owner_id": lead.id, "minutes": 30}
        ],
        "prework": [{"what": "Read the vendor comparison"}]
    })
}

/// [`decision`] with its notes going to `space`: complete, so it is invited as it is created.
pub fn planned(space: &str, participants: &[&Actor], lead: &Actor) -> Value {
    let mut body = decision(participants, lead);
    body["space_id"] = json!(space);
    body
}

/// The [`team`], a public space and a [`planned`] meeting of the owner with Yuki and Maya
/// (Yuki leading), invited as it is created: where most lifecycle stories start. Returns the
/// team, the space and the creation's answer.
pub async fn invited(app: &TestApp) -> (Actor, Actor, Actor, String, Reply) {
    let (owner, yuki, maya) = team(app).await;
    let space = app.space(&owner, "general", "public").await;
    let r = app
        .post(
            "/api/v1/meetings",
            &owner,
            planned(&space, &[&yuki, &maya], &yuki),
        )
        .await;
    (owner, yuki, maya, space, r)
}

async fn listed(app: &TestApp, who: &Actor) -> Vec<Value> {
    let r = app.get("/api/v1/meetings", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["meetings"].as_array().cloned().unwrap_or_default()
}

app_test!(
    pre_work_is_due_in_each_participants_own_working_hours,
    |app: TestApp| async move {
        let (owner, yuki, maya, _, r) = invited(&app).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        assert_eq!(r.json["status"], json!("invited"));
        // 240 working minutes back from the start, in each one's own hours: Berlin 16:00 →
        // 12:00 the same day; Tokyo's Tuesday ended at 17:00 → 13:00 Tuesday; Los Angeles has
        // not started Tuesday yet → 13:00 on Monday.
        assert_eq!(
            r.json["prework_due"],
            json!([
                {"member_id": owner.id, "due_at": "2026-03-03T11:00:00Z"},
                {"member_id": yuki.id, "due_at": "2026-03-03T04:00:00Z"},
                {"member_id": maya.id, "due_at": "2026-03-02T21:00:00Z"}
            ])
        );
        let id = r.str("/id");
        let read = app.get(&format!("/api/v1/meetings/{id}"), &maya).await;
        assert_eq!(read.status, StatusCode::OK, "{:?}", read.json);
        assert_eq!(read.json, r.json);
        // 15:00 UTC is midnight in Tokyo and 07:00 in Los Angeles: both optional.
        assert_eq!(
            read.json["participants"],
            json!([
                {"member_id": owner.id, "optional": false, "prework_due_at": "2026-03-03T11:00:00Z"},
                {"member_id": yuki.id, "optional": true, "prework_due_at": "2026-03-03T04:00:00Z"},
                {"member_id": maya.id, "optional": true, "prework_due_at": "2026-03-02T21:00:00Z"}
            ])
        );
        assert_eq!(
            read.json["prework"],
            json!([{"what": "Read the vendor comparison", "due_minutes_before": 240}])
        );
        for who in [&owner, &yuki, &maya] {
            let mine = listed(&app, who).await;
            assert_eq!(mine.len(), 1);
            assert_eq!(mine[0]["id"], json!(id));
        }

        // Without an agenda (or pre-work) the meeting stays a draft and nothing is due.
        let mut draft = decision(&[&yuki], &yuki);
        draft["agenda"] = json!([]);
        let d = app.post("/api/v1/meetings", &owner, draft).await;
        assert_eq!(d.status, StatusCode::CREATED, "{:?}", d.json);
        assert_eq!(d.json["status"], json!("draft"));
        let mut bare = decision(&[&yuki], &yuki);
        bare["prework"] = json!([]);
        let b = app.post("/api/v1/meetings", &owner, bare).await;
        assert_eq!(b.json["status"], json!("draft"));
        assert_eq!(b.json["prework_due"], json!([]));
        // Nor is a meeting without a space for its thread invited.
        let homeless = app
            .post("/api/v1/meetings", &owner, decision(&[&yuki], &yuki))
            .await;
        assert_eq!(
            homeless.json["status"],
            json!("draft"),
            "{:?}",
            homeless.json
        );
        assert_eq!(homeless.json["thread_id"], Value::Null);
    }
);

app_test!(
    a_status_meeting_is_answered_with_the_async_alternatives_first,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let space = app.space(&owner, "Platform", "public").await;
        let mut status = decision(&[&yuki], &yuki);
        status["purpose"] = json!("other");
        status["space_id"] = json!(space);
        let r = app.post("/api/v1/meetings", &owner, status.clone()).await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "other without a reason",
        );
        assert_eq!(r.json["field"], json!("justification"));
        let kinds: Vec<&str> = r.json["async_alternatives"]
            .as_array()
            .expect("alternatives")
            .iter()
            .filter_map(|a| a["kind"].as_str())
            .collect();
        assert_eq!(kinds, ["thread", "decision_record", "check_in"]);
        assert_eq!(
            r.json["async_alternatives"][0]["link"],
            json!(format!("/spaces/{space}/threads/new"))
        );
        assert!(r.json["async_alternatives"][1].get("link").is_none());
        status["justification"] = json!("too short");
        let short = app.post("/api/v1/meetings", &owner, status.clone()).await;
        assert_problem(&short, StatusCode::UNPROCESSABLE_ENTITY, "a short reason");
        assert!(short.json["async_alternatives"].is_array());
        assert!(listed(&app, &owner).await.is_empty(), "nothing written");

        status["justification"] = json!("  The vendor joins live and cannot use our threads.  ");
        let ok = app.post("/api/v1/meetings", &owner, status).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.json);
        let read = app
            .get(&format!("/api/v1/meetings/{}", ok.str("/id")), &owner)
            .await;
        assert_eq!(
            read.json["justification"],
            json!("The vendor joins live and cannot use our threads.")
        );
        assert_eq!(read.json["space_id"], json!(space));

        // A named purpose needs no reason, but one given must be a reason.
        let mut hype = decision(&[&yuki], &yuki);
        hype["purpose"] = json!("hype");
        hype["justification"] = json!("why not");
        let r = app.post("/api/v1/meetings", &owner, hype).await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a short reason for hype",
        );
        assert_eq!(r.json["field"], json!("justification"));
        assert!(r.json.get("async_alternatives").is_none());

        // The named purposes pass without a word.
        for purpose in [
            "performance_review",
            "urgent",
            "hype",
            "hangout",
            "celebration",
        ] {
            let mut body = decision(&[&yuki], &yuki);
            body["purpose"] = json!(purpose);
            let r = app.post("/api/v1/meetings", &owner, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{purpose}: {:?}", r.json);
        }
    }
);

app_test!(
    each_bad_meeting_names_its_field_and_writes_nothing,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let stranger = app.workspace("Elsewhere").await;
        let guest = app.member(&owner, "gil", "guest").await;
        let private = app.space(&yuki, "Secret", "private").await;
        let many: Vec<String> = (0..201).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let base = decision(&[&yuki], &yuki);
        let with = |pointer: &str, value: Value| {
            let mut body = base.clone();
            *body.pointer_mut(pointer).expect("a field") = value;
            body
        };
        let mut with_space = base.clone();
        with_space["space_id"] = json!(private);
        let cases = [
            (
                "duration 0",
                with("/duration_minutes", json!(0)),
                "duration_minutes",
            ),
            (
                "over 8 hours",
                with("/duration_minutes", json!(481)),
                "duration_minutes",
            ),
            (
                "agenda too long",
                with("/duration_minutes", json!(44)),
                "agenda",
            ),
            (
                "outside the workspace",
                with("/participants", json!([yuki.id, stranger.id])),
                "participants",
            ),
            (
                "not an id",
                with("/participants", json!(["nobody"])),
                "participants",
            ),
            (
                "over 200",
                with("/participants", json!(many)),
                "participants",
            ),
            (
                "owner not attending",
                with("/agenda/0/owner_id", json!(maya.id)),
                "agenda.owner_id",
            ),
            (
                "no minutes",
                with("/agenda/0/minutes", json!(0)),
                "agenda.minutes",
            ),
            (
                "blank item",
                with("/agenda/1/item", json!("  ")),
                "agenda.item",
            ),
            (
                "blank pre-work",
                with("/prework/0/what", json!("")),
                "prework.what",
            ),
            (
                "due too early",
                with(
                    "/prework/0",
                    json!({"what": "Read", "due_minutes_before": 4801}),
                ),
                "prework.due_minutes_before",
            ),
            (
                "in the past",
                with("/start", json!("2026-03-02T11:00:00Z")),
                "start",
            ),
            ("not an instant", with("/start", json!("tuesday")), "start"),
            (
                "unknown purpose",
                with("/purpose", json!("standup")),
                "purpose",
            ),
            ("a blank title", with("/title", json!(" ")), "title"),
            ("a space out of sight", with_space, "space_id"),
        ];
        for (what, body, field) in cases {
            let r = app.post("/api/v1/meetings", &owner, body).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, what);
            assert_eq!(r.json["field"], json!(field), "{what}");
        }
        // A guest may name only the people they share a space with.
        let r = app
            .post("/api/v1/meetings", &guest, decision(&[&yuki], &yuki))
            .await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a guest naming a stranger",
        );
        assert_eq!(r.json["field"], json!("participants"));
        for who in [&owner, &yuki, &guest] {
            assert!(listed(&app, who).await.is_empty(), "nothing written");
        }
    }
);

app_test!(
    a_meeting_is_shown_to_its_participants_only,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let stranger = app.workspace("Elsewhere").await;
        let r = app
            .post("/api/v1/meetings", &yuki, decision(&[&owner], &owner))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let path = format!("/api/v1/meetings/{}", r.str("/id"));
        assert_eq!(app.get(&path, &owner).await.status, StatusCode::OK);
        for who in [&maya, &stranger] {
            assert_problem(
                &app.get(&path, who).await,
                StatusCode::NOT_FOUND,
                "not theirs",
            );
            assert!(listed(&app, who).await.is_empty());
        }
        assert_problem(
            &app.get("/api/v1/meetings/not-an-id", &owner).await,
            StatusCode::NOT_FOUND,
            "a bad id",
        );
        let paged = app.get("/api/v1/meetings?limit=0", &owner).await;
        assert_problem(&paged, StatusCode::UNPROCESSABLE_ENTITY, "a bad limit");
    }
);

/// `who`'s view of `of`'s meeting load in the week of Monday 2026-03-02.
async fn load(app: &TestApp, who: &Actor, of: &Actor) -> crate::common::Reply {
    let week = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";
    app.get(
        &format!("/api/v1/members/{}/meeting-load?{week}", of.id),
        who,
    )
    .await
}

app_test!(
    meeting_load_is_the_share_of_working_time_in_invited_meetings,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let empty = load(&app, &owner, &owner).await;
        assert_eq!(empty.status, StatusCode::OK, "{:?}", empty.json);
        assert_eq!(
            empty.json,
            json!({"meeting_minutes": 0, "working_minutes": 2400, "share": 0.0, "target": 0.05})
        );

        // A 45-minute invited meeting and a draft: only the invited one takes time.
        let space = app.space(&owner, "general", "public").await;
        let r = app
            .post("/api/v1/meetings", &owner, planned(&space, &[&yuki], &yuki))
            .await;
        assert_eq!(r.json["status"], json!("invited"), "{:?}", r.json);
        let mut draft = decision(&[&yuki], &yuki);
        draft["prework"] = json!([]);
        app.post("/api/v1/meetings", &owner, draft).await;
        let busy = load(&app, &owner, &owner).await;
        assert_eq!(busy.json["meeting_minutes"], json!(45));
        assert_eq!(busy.json["share"], json!(45.0 / 2400.0));
        assert_eq!(
            load(&app, &owner, &yuki).await.json["meeting_minutes"],
            json!(45)
        );

        let backwards = app
            .get(
                &format!(
                    "/api/v1/members/{}/meeting-load?from=2026-03-09T00:00:00Z&to=2026-03-02T00:00:00Z",
                    owner.id
                ),
                &owner,
            )
            .await;
        assert_problem(
            &backwards,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a backwards range",
        );
    }
);

app_test!(
    a_spaces_meeting_load_sums_its_members_time,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let space = app.space(&owner, "general", "private").await;
        app.join(&owner, &space, &yuki).await;
        let r = app
            .post("/api/v1/meetings", &owner, planned(&space, &[&yuki], &yuki))
            .await;
        assert_eq!(r.json["status"], json!("invited"), "{:?}", r.json);
        let week = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";
        let path = format!("/api/v1/spaces/{space}/meeting-load?{week}");
        let load = app.get(&path, &yuki).await;
        assert_eq!(load.status, StatusCode::OK, "{:?}", load.json);
        // The owner (Berlin) and Yuki (Tokyo), 2400 working minutes each, 45 in the meeting.
        assert_eq!(
            load.json,
            json!({"meeting_minutes": 90, "working_minutes": 4800, "share": 0.01875,
                   "target": 0.05, "members": 2})
        );
        // Maya is not in the private space: it does not exist for her.
        let r = app.get(&path, &maya).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "a private space out of sight");
        let guest = app.member(&owner, "gus", "guest").await;
        app.join(&owner, &space, &guest).await;
        let r = app.get(&path, &guest).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "a guest reading a team's load");
        let backwards = format!(
            "/api/v1/spaces/{space}/meeting-load?from=2026-03-09T00:00:00Z&to=2026-03-02T00:00:00Z"
        );
        let r = app.get(&backwards, &owner).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "a backwards range");
    }
);
