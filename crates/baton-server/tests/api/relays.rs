//! Batons around the world: a relay of Los Angeles, Berlin and Tokyo, a baton passed at the end
//! of each day with a note, delivered at the receiver's next working start, accepted or bounced;
//! coverage with the real gap; and bad input refused.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem};

fn note(to: Option<&str>) -> Value {
    let mut n = json!({"state": "Build green, notes drafted", "next_step": "Run the smoke tests", "blockers": "none", "links": "none"});
    if let Some(to) = to {
        n["to_id"] = json!(to);
    }
    n
}

async fn team(app: &TestApp) -> (Actor, Actor, Actor, Actor) {
    let owner = app.workspace("Acme").await;
    let mut legs = Vec::new();
    for (name, zone) in [
        ("maya", "America/Los_Angeles"),
        ("lukas", "Europe/Berlin"),
        ("yuki", "Asia/Tokyo"),
    ] {
        let m = app.member(&owner, name, "member").await;
        let spec = json!({"timezone": zone, "weekly": {"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]]}});
        let r = app
            .call(
                "PUT",
                &format!("/api/v1/members/{}/schedule", m.id),
                Some(&m.token),
                Some(spec),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        legs.push(m);
    }
    let yuki = legs.pop().expect("yuki");
    let lukas = legs.pop().expect("lukas");
    let maya = legs.pop().expect("maya");
    (owner, maya, lukas, yuki)
}

app_test!(
    a_baton_goes_around_the_world_in_one_day,
    |app: TestApp| async move {
        let (owner, maya, lukas, yuki) = team(&app).await;
        let relay = app
            .post(
                "/api/v1/relays",
                &owner,
                json!({"name": "Release train", "legs": [lukas.id, yuki.id, maya.id]}),
            )
            .await;
        assert_eq!(relay.status, StatusCode::CREATED, "{:?}", relay.json);
        let baton = app.post("/api/v1/batons", &owner, json!({"title": "Release 2.4", "relay_id": relay.str("/id"), "holder_id": lukas.id})).await;
        let baton_id = baton.str("/id");

        // Monday 2026-03-02 12:00 UTC is 13:00 in Berlin. Lukas passes to the next leg, Yuki, whose
        // Monday ended at 08:00 UTC: it reaches her at Tuesday 09:00 Tokyo = Tuesday 00:00 UTC.
        let h = app
            .post(
                &format!("/api/v1/batons/{baton_id}/handoff"),
                &lukas,
                note(None),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.json);
        assert_eq!(h.json["to_id"], json!(yuki.id));
        assert_eq!(h.json["delivers_at"], json!("2026-03-03T00:00:00Z"));
        let again = app
            .post(
                &format!("/api/v1/batons/{baton_id}/handoff"),
                &lukas,
                note(None),
            )
            .await;
        assert_problem(
            &again,
            StatusCode::CONFLICT,
            "one pending handoff at a time",
        );

        app.clock
            .set("2026-03-03T00:30:00Z".parse().expect("instant"));
        let accepted = app
            .post(
                &format!("/api/v1/handoffs/{}/accept", h.str("/handoff_id")),
                &yuki,
                json!({}),
            )
            .await;
        assert_eq!(accepted.json["status"], json!("accepted"));
        assert_problem(
            &app.post(
                &format!("/api/v1/handoffs/{}/accept", h.str("/handoff_id")),
                &yuki,
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
            "accept twice",
        );
        let board = app
            .get(&format!("/api/v1/batons?holder={}", yuki.id), &owner)
            .await;
        assert_eq!(
            board.json["batons"][0]["holder_working_now"],
            json!(true),
            "09:30 in Tokyo"
        );

        // Tokyo's day ends at 08:00 UTC; Maya in Los Angeles (UTC-8) starts at 17:00 UTC: a gap.
        app.clock
            .set("2026-03-03T07:30:00Z".parse().expect("instant"));
        let h2 = app
            .post(
                &format!("/api/v1/batons/{baton_id}/handoff"),
                &yuki,
                note(None),
            )
            .await;
        assert_eq!(
            (h2.json["to_id"].clone(), h2.json["delivers_at"].clone()),
            (json!(maya.id), json!("2026-03-03T17:00:00Z"))
        );
        app.clock
            .set("2026-03-03T17:05:00Z".parse().expect("instant"));
        let bounced = app
            .post(
                &format!("/api/v1/handoffs/{}/bounce", h2.str("/handoff_id")),
                &maya,
                json!({"reason": "Blocked on the signing key"}),
            )
            .await;
        assert_eq!(bounced.json["status"], json!("bounced"));
        let detail = app.get(&format!("/api/v1/batons/{baton_id}"), &owner).await;
        assert_eq!(
            detail.json["holder_id"],
            json!(yuki.id),
            "a bounced baton stays with its holder"
        );
        let log: Vec<_> = detail.json["handoffs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["status"].clone())
            .collect();
        assert_eq!(log, vec![json!("accepted"), json!("bounced")]);
        assert_eq!(
            detail.json["handoffs"][1]["bounce_reason"],
            json!("Blocked on the signing key")
        );

        let cov = app
            .get(
                &format!(
                    "/api/v1/relays/{}/coverage?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z",
                    relay.str("/id")
                ),
                &owner,
            )
            .await;
        assert_eq!(cov.status, StatusCode::OK, "{:?}", cov.json);
        // Tuesday in UTC: Tokyo 00–08, Berlin 08–16, Los Angeles 17–24 (and Monday's LA shift ends 01:00).
        assert_eq!(
            cov.json["gaps"],
            json!([{"start": "2026-03-03T16:00:00Z", "end": "2026-03-03T17:00:00Z"}])
        );
    }
);

app_test!(
    bad_relays_batons_and_handoffs_are_refused,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        assert_problem(
            &app.post(
                "/api/v1/relays",
                &owner,
                json!({"name": "r", "legs": [maya.id, maya.id]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "duplicate legs",
        );
        assert_problem(
            &app.post("/api/v1/relays", &owner, json!({"name": "r", "legs": []}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no legs",
        );
        let stranger = app.workspace("Globex").await;
        assert_problem(
            &app.post(
                "/api/v1/relays",
                &owner,
                json!({"name": "r", "legs": [stranger.id]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "leg from another workspace",
        );
        let baton = app
            .post(
                "/api/v1/batons",
                &owner,
                json!({"title": "b", "holder_id": maya.id}),
            )
            .await
            .str("/id");
        let path = format!("/api/v1/batons/{baton}/handoff");
        let mut missing = note(Some(&lukas.id));
        missing["next_step"] = json!("  ");
        assert_problem(
            &app.post(&path, &maya, missing).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty next step",
        );
        assert_problem(
            &app.post(&path, &maya, note(None)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no relay and no receiver",
        );
        assert_problem(
            &app.post(&path, &maya, note(Some(&stranger.id))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "receiver outside the workspace",
        );
        assert_problem(
            &app.post(&path, &lukas, note(Some(&maya.id))).await,
            StatusCode::FORBIDDEN,
            "not the holder",
        );
        let idle = app.member(&owner, "idle", "member").await;
        app.call(
            "PUT",
            &format!("/api/v1/members/{}/schedule", idle.id),
            Some(&idle.token),
            Some(json!({"timezone": "UTC", "weekly": {}})),
            &[],
        )
        .await;
        assert_problem(
            &app.post(&path, &maya, note(Some(&idle.id))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "receiver with no working time",
        );
        let detail = app.get(&format!("/api/v1/batons/{baton}"), &owner).await;
        assert_eq!(detail.json["handoffs"], json!([]), "nothing was written");
        let h = app.post(&path, &maya, note(Some(&lukas.id))).await;
        assert_problem(
            &app.post(
                &format!("/api/v1/handoffs/{}/bounce", h.str("/handoff_id")),
                &lukas,
                json!({"reason": " "}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bounce without a reason",
        );
    }
);

app_test!(
    a_finished_baton_is_marked_done_and_passes_no_further,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        let baton_for = |holder: &Actor| {
            app.post(
                "/api/v1/batons",
                &owner,
                json!({"title": "Release 2.4", "holder_id": holder.id}),
            )
        };
        let baton = baton_for(&maya).await.str("/id");
        let done_path = format!("/api/v1/batons/{baton}/done");
        assert_problem(
            &app.post(&done_path, &lukas, json!({})).await,
            StatusCode::FORBIDDEN,
            "neither holder nor admin",
        );
        let done = app.post(&done_path, &maya, json!({})).await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.json);
        assert_eq!(done.json["status"], json!("done"));
        assert_eq!(
            app.get(&format!("/api/v1/batons/{baton}"), &owner)
                .await
                .json["status"],
            json!("done")
        );
        assert_problem(
            &app.post(&done_path, &maya, json!({})).await,
            StatusCode::CONFLICT,
            "done twice",
        );
        let refused = app
            .post(
                &format!("/api/v1/batons/{baton}/handoff"),
                &maya,
                note(Some(&lukas.id)),
            )
            .await;
        assert_problem(&refused, StatusCode::CONFLICT, "handing off a done baton");
        assert!(
            refused.str("/detail").contains("done"),
            "{:?}",
            refused.json
        );

        // An admin may finish someone else's baton, but not while a handoff waits.
        let passed = baton_for(&lukas).await.str("/id");
        let h = app
            .post(
                &format!("/api/v1/batons/{passed}/handoff"),
                &lukas,
                note(Some(&maya.id)),
            )
            .await;
        assert_eq!(h.status, StatusCode::CREATED, "{:?}", h.json);
        let waiting = format!("/api/v1/batons/{passed}/done");
        assert_problem(
            &app.post(&waiting, &owner, json!({})).await,
            StatusCode::CONFLICT,
            "a handoff is pending",
        );
        app.post(
            &format!("/api/v1/handoffs/{}/accept", h.str("/handoff_id")),
            &maya,
            json!({}),
        )
        .await;
        let by_admin = app.post(&waiting, &owner, json!({})).await;
        assert_eq!(by_admin.status, StatusCode::OK, "{:?}", by_admin.json);
    }
);

app_test!(
    the_holder_marks_a_baton_done_from_its_page_and_the_board_lists_it_apart,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        let baton = app
            .post(
                "/api/v1/batons",
                &owner,
                json!({"title": "Release 2.4", "holder_id": maya.id}),
            )
            .await
            .str("/id");
        let (as_maya, as_lukas) = (app.browser(&maya).await, app.browser(&lukas).await);
        let page = app.page(&format!("/batons/{baton}"), Some(&as_lukas)).await;
        assert!(!page.html().contains("Mark done"), "not Lukas's baton");
        let page = app.page(&format!("/batons/{baton}"), Some(&as_maya)).await;
        assert!(page.html().contains("Mark done"));

        let done = app
            .form(&format!("/batons/{baton}/done"), &as_maya, &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.location(), format!("/batons/{baton}"));
        let html = app
            .page(&format!("/batons/{baton}"), Some(&as_maya))
            .await
            .html();
        assert!(html.contains("This baton is done."));
        assert!(!html.contains("Mark done") && !html.contains(">Hand off</button>"));

        let board = app.page("/batons", Some(&as_maya)).await.html();
        let (open, done_list) = board
            .split_once("<h2 id=\"done\">Done</h2>")
            .expect("a done list");
        assert!(!open.contains("Release 2.4"), "not among the open batons");
        assert!(done_list.contains("Release 2.4"));
        assert!(open.contains("No open batons"));
    }
);
