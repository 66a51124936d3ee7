//! A meeting's life through the API: a complete meeting over the load target stays a draft
//! until its organizer invites it; the invitation's thread asks each participant for their
//! pre-work at their own deadline; a held meeting is closed with notes and an ask per action
//! owner in their own working time; a cancelled one frees everyone's time. Only the organizer
//! takes a step (403 for the other participants, 404 for anyone else), a step from the wrong
//! state is a 409, and a refused step writes nothing.

use axum::http::StatusCode;
use baton_server::delivery::tick;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem};
use crate::meetings::{decision, invited, planned, team};
use crate::recorder::{Recorder, worker};

/// The asks to `who` (open and answered), soonest due first.
async fn asks_to(app: &TestApp, who: &Actor) -> Vec<Value> {
    let r = app.get("/api/v1/asks?direction=to_me&state=all", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["asks"].as_array().cloned().unwrap_or_default()
}

async fn status(app: &TestApp, who: &Actor, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/meetings/{id}"), who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["status"].clone()
}

async fn step(
    app: &TestApp,
    who: &Actor,
    id: &str,
    what: &str,
    body: Value,
) -> crate::common::Reply {
    app.post(&format!("/api/v1/meetings/{id}/{what}"), who, body)
        .await
}

app_test!(
    a_meeting_over_the_load_target_stays_a_draft_until_its_organizer_invites_it,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let stranger = app.workspace("Elsewhere").await;
        let space = app.space(&owner, "general", "public").await;
        // 150 minutes of a 2400-minute week is 6.25%, over the 5% target for all three.
        let mut long = planned(&space, &[&yuki, &maya], &yuki);
        long["duration_minutes"] = json!(150);
        long["video_url"] = json!("https://meet.example.com/vendor");
        let r = app.post("/api/v1/meetings", &owner, long).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        assert_eq!(r.json["status"], json!("draft"));
        assert_eq!(r.json["thread_id"], Value::Null);
        assert_eq!(
            r.json["video_url"],
            json!("https://meet.example.com/vendor")
        );
        let warned: Vec<Value> = [&owner, &yuki, &maya]
            .iter()
            .map(|who| json!({"member_id": who.id, "share": 0.0625, "target": 0.05}))
            .collect();
        assert_eq!(r.json["load_warnings"], json!(warned));
        let id = r.str("/id");
        assert!(
            asks_to(&app, &yuki).await.is_empty(),
            "no pre-work asked yet"
        );

        // Only the organizer invites: 403 for a participant, 404 for anyone else.
        assert_problem(
            &step(&app, &yuki, &id, "invite", json!({})).await,
            StatusCode::FORBIDDEN,
            "a participant",
        );
        assert_problem(
            &step(&app, &stranger, &id, "invite", json!({})).await,
            StatusCode::NOT_FOUND,
            "a stranger",
        );
        assert_eq!(status(&app, &owner, &id).await, json!("draft"));

        let invited = step(&app, &owner, &id, "invite", json!({})).await;
        assert_eq!(invited.status, StatusCode::OK, "{:?}", invited.json);
        assert_eq!(invited.json["status"], json!("invited"));
        assert_eq!(invited.json["sequence"], json!(0));
        let thread = invited.str("/thread_id");
        assert!(!thread.is_empty());
        assert_eq!(
            app.get(&format!("/api/v1/meetings/{id}"), &maya).await.json,
            invited.json
        );

        // Each participant but the organizer is asked for their pre-work, due at their own
        // deadline, in the meeting's thread; everyone follows the thread.
        for (who, due) in [
            (&yuki, "2026-03-03T04:00:00Z"),
            (&maya, "2026-03-02T21:00:00Z"),
        ] {
            let asks = asks_to(&app, who).await;
            assert_eq!(asks.len(), 1, "{asks:?}");
            assert_eq!(asks[0]["due_at"], json!(due));
            assert_eq!(asks[0]["thread_id"], json!(thread));
            assert_eq!(asks[0]["from_id"], json!(owner.id));
            let inbox = app.get("/api/v1/inbox", who).await;
            assert_eq!(
                inbox.json["items"][0]["thread_title"],
                json!("Meeting: Pick the hosting vendor")
            );
        }
        assert!(asks_to(&app, &owner).await.is_empty());
        for who in [&owner, &yuki, &maya] {
            let f = app
                .get(&format!("/api/v1/threads/{thread}/following"), who)
                .await;
            assert_eq!(f.json["following"], json!(true), "{:?}", f.json);
        }
        let posts = app
            .get(&format!("/api/v1/threads/{thread}/posts"), &yuki)
            .await;
        let body = posts.json["posts"][0]["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for part in [
            "2026-03-03 15:00 UTC",
            "<https://meet.example.com/vendor>",
            "1. Objections to the proposal — yuki",
            "- Read the vendor comparison",
            "(optional: outside their working hours)",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }

        // Invited once: again is a conflict, and nothing more is asked.
        assert_problem(
            &step(&app, &owner, &id, "invite", json!({})).await,
            StatusCode::CONFLICT,
            "twice",
        );
        assert_eq!(asks_to(&app, &yuki).await.len(), 1);
        assert_problem(
            &step(&app, &owner, "not-an-id", "invite", json!({})).await,
            StatusCode::NOT_FOUND,
            "a bad id",
        );
    }
);

app_test!(
    a_participant_who_cannot_see_the_space_stops_the_invitation,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let private = app.space(&owner, "leads", "private").await;
        let r = app
            .post(
                "/api/v1/meetings",
                &owner,
                planned(&private, &[&yuki], &yuki),
            )
            .await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "yuki cannot see the space",
        );
        assert_eq!(r.json["field"], json!("participants"));
        assert!(r.str("/detail").contains("yuki"), "{:?}", r.json);
        let mine = app.get("/api/v1/meetings", &owner).await;
        assert_eq!(mine.json["meetings"], json!([]), "nothing written");

        let mut bad_link = planned(&private, &[], &owner);
        bad_link["agenda"] = json!([{"item": "Decide", "owner_id": owner.id, "minutes": 30}]);
        bad_link["video_url"] = json!("javascript:alert(1)");
        let r = app.post("/api/v1/meetings", &owner, bad_link).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "a bad video link");
        assert_eq!(r.json["field"], json!("video_url"));
        let mine = app.get("/api/v1/meetings", &owner).await;
        assert_eq!(mine.json["meetings"], json!([]), "nothing written");
    }
);

app_test!(
    a_held_meeting_is_closed_with_its_notes_and_an_ask_per_action_owner,
    |app: TestApp| async move {
        let (owner, yuki, maya, _, r) = invited(&app).await;
        assert_eq!(r.json["status"], json!("invited"), "{:?}", r.json);
        let (id, thread) = (r.str("/id"), r.str("/thread_id"));
        let minutes = json!({
            "notes": "We compared the three vendors.",
            "decisions": ["Hostco for the EU region"],
            "actions": [
                {"owner_id": yuki.id, "what": "Sign the contract", "within_minutes": 480},
                {"owner_id": yuki.id, "what": "Tell the team", "within_minutes": 60},
                {"owner_id": maya.id, "what": "Plan the move", "within_minutes": 120},
                {"owner_id": owner.id, "what": "Update the roadmap", "within_minutes": 60}
            ]
        });
        // Before its end a meeting is not closed.
        let early = step(&app, &owner, &id, "close", minutes.clone()).await;
        assert_problem(&early, StatusCode::CONFLICT, "not over yet");
        assert!(
            early.str("/detail").contains("not ended"),
            "{:?}",
            early.json
        );

        // Tuesday 16:00 UTC: over. Only the organizer closes, and bad input writes nothing.
        app.clock
            .set("2026-03-03T16:00:00Z".parse().expect("an instant"));
        assert_problem(
            &step(&app, &yuki, &id, "close", minutes.clone()).await,
            StatusCode::FORBIDDEN,
            "a participant",
        );
        let stranger = app.member(&owner, "zoe", "member").await;
        assert_problem(
            &step(&app, &stranger, &id, "close", minutes.clone()).await,
            StatusCode::NOT_FOUND,
            "not in it",
        );
        for (pointer, value, field) in [
            ("/notes", json!("  "), "notes"),
            (
                "/actions/0/owner_id",
                json!(stranger.id),
                "actions.owner_id",
            ),
            ("/actions/0/owner_id", json!("nobody"), "actions.owner_id"),
            (
                "/actions/0/within_minutes",
                json!(0),
                "actions.within_minutes",
            ),
            ("/decisions/0", json!(""), "decisions"),
        ] {
            let mut bad = minutes.clone();
            *bad.pointer_mut(pointer).expect("a field") = value;
            let r = step(&app, &owner, &id, "close", bad).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, field);
            assert_eq!(r.json["field"], json!(field));
        }
        assert_eq!(status(&app, &owner, &id).await, json!("invited"));
        let posts = app
            .get(&format!("/api/v1/threads/{thread}/posts"), &owner)
            .await;
        assert_eq!(
            posts.json["posts"].as_array().map(Vec::len),
            Some(1),
            "nothing posted"
        );

        let closed = step(&app, &owner, &id, "close", minutes.clone()).await;
        assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.json);
        assert_eq!(closed.json["status"], json!("closed"));
        assert_eq!(closed.json["closed_at"], json!("2026-03-03T16:00:00Z"));

        // One ask per owner but the organizer, due at their earliest action in their own
        // working time: Yuki's Wednesday starts 09:00 in Tokyo (00:00 UTC), an hour in;
        // Maya's Tuesday starts 09:00 in Los Angeles (17:00 UTC), two hours in.
        let action_asks = |asks: Vec<Value>| -> Vec<Value> {
            asks.into_iter()
                .filter(|a| a["due_at"].as_str() > Some("2026-03-03T16:00:00Z"))
                .map(|a| a["due_at"].clone())
                .collect()
        };
        assert_eq!(
            action_asks(asks_to(&app, &yuki).await),
            vec![json!("2026-03-04T01:00:00Z")]
        );
        assert_eq!(
            action_asks(asks_to(&app, &maya).await),
            vec![json!("2026-03-03T19:00:00Z")]
        );
        assert!(asks_to(&app, &owner).await.is_empty());
        let posts = app
            .get(&format!("/api/v1/threads/{thread}/posts"), &maya)
            .await;
        let notes = posts.json["posts"][1]["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for part in [
            "We compared the three vendors.",
            "- Hostco for the EU region",
            "- Plan the move — maya (within 120 working minutes)",
        ] {
            assert!(notes.contains(part), "{part} in {notes}");
        }

        // Closed once: neither closed again nor cancelled.
        assert_problem(
            &step(&app, &owner, &id, "close", minutes).await,
            StatusCode::CONFLICT,
            "closed already",
        );
        assert_problem(
            &step(&app, &owner, &id, "cancel", json!({})).await,
            StatusCode::CONFLICT,
            "closed, not cancelled",
        );
        assert_eq!(status(&app, &yuki, &id).await, json!("closed"));
    }
);

app_test!(
    a_cancelled_meeting_frees_everyones_time_and_raises_its_sequence,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let space = app.space(&owner, "general", "public").await;
        let r = app
            .post("/api/v1/meetings", &owner, planned(&space, &[&yuki], &yuki))
            .await;
        let (id, thread) = (r.str("/id"), r.str("/thread_id"));
        let week = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";
        let load = |who: &Actor| format!("/api/v1/members/{}/meeting-load?{week}", who.id);
        assert_eq!(
            app.get(&load(&yuki), &yuki).await.json["meeting_minutes"],
            json!(45)
        );

        assert_problem(
            &step(&app, &yuki, &id, "cancel", json!({})).await,
            StatusCode::FORBIDDEN,
            "a participant",
        );
        assert_eq!(status(&app, &owner, &id).await, json!("invited"));
        let cancelled = step(&app, &owner, &id, "cancel", json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.json);
        assert_eq!(cancelled.json["status"], json!("cancelled"));
        assert_eq!(cancelled.json["sequence"], json!(1));
        assert_eq!(
            app.get(&load(&yuki), &yuki).await.json["meeting_minutes"],
            json!(0)
        );
        let posts = app
            .get(&format!("/api/v1/threads/{thread}/posts"), &yuki)
            .await;
        let notice = posts.json["posts"][1]["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(notice.contains("Cancelled"), "{notice}");
        for what in ["cancel", "invite"] {
            assert_problem(
                &step(&app, &owner, &id, what, json!({})).await,
                StatusCode::CONFLICT,
                what,
            );
        }
        app.clock.advance(SignedDuration::from_hours(48));
        assert_problem(
            &step(&app, &owner, &id, "close", json!({"notes": "x"})).await,
            StatusCode::CONFLICT,
            "close",
        );

        // A draft (no space for a thread) is cancelled too, without a thread.
        let mut future = decision(&[&yuki], &yuki);
        future["start"] = json!("2026-03-10T15:00:00Z");
        let draft = app.post("/api/v1/meetings", &owner, future).await;
        assert_eq!(draft.json["status"], json!("draft"), "{:?}", draft.json);
        let gone = step(&app, &owner, &draft.str("/id"), "cancel", json!({})).await;
        assert_eq!(gone.json["status"], json!("cancelled"), "{:?}", gone.json);
        assert_eq!(gone.json["thread_id"], Value::Null);
    }
);

app_test!(
    the_workspace_sets_the_meeting_load_target_that_warnings_and_loads_use,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let space = app.space(&owner, "general", "public").await;
        let patch = |body: Value, who: &Actor| {
            let token = who.token.clone();
            let app = &app;
            async move {
                app.call(
                    "PATCH",
                    "/api/v1/workspace/settings",
                    Some(&token),
                    Some(body),
                    &[],
                )
                .await
            }
        };
        for bad in [json!(0), json!(1.5), json!(-0.1), json!("much")] {
            let r = patch(
                json!({"meeting_load_target": bad, "urgent_budget": 9}),
                &owner,
            )
            .await;
            assert_problem(
                &r,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("target {bad}"),
            );
        }
        let settings = app.get("/api/v1/workspace/settings", &owner).await;
        assert_eq!(
            settings.json,
            json!({"urgent_budget": 3, "meeting_load_target": 0.05}),
            "nothing written"
        );
        assert_problem(
            &patch(json!({"meeting_load_target": 0.5}), &yuki).await,
            StatusCode::FORBIDDEN,
            "a member",
        );

        let r = patch(json!({"meeting_load_target": 0.1}), &owner).await;
        assert_eq!(
            r.json,
            json!({"urgent_budget": 3, "meeting_load_target": 0.1}),
            "{:?}",
            r.json
        );
        // 150 of 2400 minutes (6.25%) is under a 10% target: invited at once.
        let mut long = planned(&space, &[&yuki], &yuki);
        long["duration_minutes"] = json!(150);
        let created = app.post("/api/v1/meetings", &owner, long).await;
        assert_eq!(
            created.json["status"],
            json!("invited"),
            "{:?}",
            created.json
        );
        assert_eq!(created.json.get("load_warnings"), None);
        let load = app
            .get(
                &format!(
                    "/api/v1/members/{}/meeting-load?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z",
                    yuki.id
                ),
                &yuki,
            )
            .await;
        assert_eq!(load.json["target"], json!(0.1));
        assert_eq!(load.json["meeting_minutes"], json!(150));
    }
);

app_test!(
    a_meeting_left_open_a_working_day_reminds_its_organizer_once_at_their_window,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let space = app.space(&owner, "general", "public").await;
        let r = app
            .post("/api/v1/meetings", &owner, planned(&space, &[&yuki], &yuki))
            .await;
        assert_eq!(r.json["status"], json!("invited"), "{:?}", r.json);
        let mailer = std::sync::Arc::new(Recorder::default());
        let reminders = |mailer: &Recorder| -> Vec<String> {
            mailer
                .to("owner")
                .into_iter()
                .filter(|(_, text)| text.contains("close it"))
                .map(|(subject, _)| subject)
                .collect()
        };
        // The meeting ends Tuesday 15:45 UTC (16:45 in Berlin); a working day of the
        // organizer's later is Wednesday 16:45 Berlin. Just before, nothing is recorded.
        app.clock
            .set("2026-03-04T15:44:00Z".parse().expect("an instant"));
        tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        assert!(reminders(&mailer).is_empty(), "{:?}", mailer.mails());
        app.clock
            .set("2026-03-04T15:46:00Z".parse().expect("an instant"));
        let report = tick(&app.state, &worker(mailer.clone()))
            .await
            .expect("a tick");
        assert_eq!(report.reminded, 1, "{report:?}");
        // Delivered at the organizer's next window, once, however many ticks follow.
        app.clock
            .set("2026-03-06T12:00:00Z".parse().expect("an instant"));
        for _ in 0..3 {
            let report = tick(&app.state, &worker(mailer.clone()))
                .await
                .expect("a tick");
            assert_eq!(report.reminded, 0, "{report:?}");
        }
        assert_eq!(reminders(&mailer).len(), 1, "{:?}", mailer.mails());
        assert!(
            reminders(&mailer)[0].contains("meeting to close"),
            "{:?}",
            reminders(&mailer)
        );
    }
);

app_test!(
    the_notes_reach_every_participant_at_their_window,
    |app: TestApp| async move {
        let (owner, _, _, _, r) = invited(&app).await;
        let id = r.str("/id");
        app.clock
            .set("2026-03-03T16:00:00Z".parse().expect("an instant"));
        let notes =
            json!({"notes": "Hostco won on support hours.", "decisions": [], "actions": []});
        let closed = step(&app, &owner, &id, "close", notes).await;
        assert_eq!(closed.json["status"], json!("closed"), "{:?}", closed.json);
        let mailer = std::sync::Arc::new(Recorder::default());
        // A day on, everyone has had a delivery window: each participant but the author (who
        // wrote it) hears of the notes, attended or not.
        for hours in [0, 12, 24, 36] {
            app.clock.set(
                "2026-03-03T16:00:00Z"
                    .parse::<jiff::Timestamp>()
                    .expect("an instant")
                    + SignedDuration::from_hours(hours),
            );
            tick(&app.state, &worker(mailer.clone()))
                .await
                .expect("a tick");
        }
        for who in ["yuki", "maya"] {
            let got = mailer.to(who);
            assert!(
                got.iter()
                    .any(|(_, text)| text.contains("Hostco won on support hours.")),
                "{who}: {got:?}"
            );
        }
    }
);
