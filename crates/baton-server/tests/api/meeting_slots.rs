//! The fair slot finder through the API: ranking across time zones, the weekly rotation, every
//! bad input refused naming its field, and guests kept to their own schedule.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{TestApp, assert_problem, nine_to_five};

const PATH: &str = "/api/v1/meetings/slots";

/// A search over the week of Monday 2026-01-12 (no daylight saving time change anywhere).
fn search(participants: &[&str]) -> Value {
    json!({
        "participants": participants,
        "duration_minutes": 60,
        "from": "2026-01-12T00:00:00Z",
        "to": "2026-01-19T00:00:00Z",
    })
}

app_test!(
    slots_are_ranked_across_zones_with_a_rotation_for_a_weekly_meeting,
    |app: TestApp| async move {
        // The owner works 09:00–17:00 in Berlin (the default in their zone), Tokyo likewise.
        let owner = app.workspace("Acme").await;
        let tokyo = app.member(&owner, "tokyo", "member").await;
        let la = app.member(&owner, "la", "member").await;
        app.set_schedule(&la, nine_to_five("America/Los_Angeles"))
            .await;
        let lisbon = app.member(&owner, "lisbon", "member").await;
        app.set_schedule(&lisbon, nine_to_five("Europe/Lisbon"))
            .await;

        // Berlin and Lisbon share 09:00–16:00 UTC: clean slots, earliest first, no rotation.
        let r = app
            .post(PATH, &owner, search(&[&owner.id, &lisbon.id]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        let slots = r.json["slots"].as_array().cloned().unwrap_or_default();
        assert_eq!(slots.len(), 20);
        assert_eq!(
            slots[0],
            json!({
                "start": "2026-01-12T09:00:00Z",
                "end": "2026-01-12T10:00:00Z",
                "out_of_hours_minutes": {owner.id.clone(): 0, lisbon.id.clone(): 0},
                "total_out_of_hours_minutes": 0,
                "local_start": {
                    owner.id.clone(): "2026-01-12T10:00:00+01:00",
                    lisbon.id.clone(): "2026-01-12T09:00:00+00:00",
                },
            })
        );
        assert_eq!(slots[1]["start"], json!("2026-01-12T09:15:00Z"));
        assert!(r.json.get("rotation").is_none(), "{:?}", r.json);

        // Berlin, Tokyo and Los Angeles share no hour: the least bad slot puts Berlin out of
        // hours for one hour (Tuesday 01:00 in Berlin, 09:00 in Tokyo, Monday 16:00 in LA).
        let mut body = search(&[&owner.id, &tokyo.id, &la.id]);
        body["recurrence"] = json!("weekly");
        let r = app.post(PATH, &owner, body).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        assert_eq!(
            r.json["slots"][0],
            json!({
                "start": "2026-01-13T00:00:00Z",
                "end": "2026-01-13T01:00:00Z",
                "out_of_hours_minutes": {owner.id.clone(): 60, tokyo.id.clone(): 0, la.id.clone(): 0},
                "total_out_of_hours_minutes": 60,
                "local_start": {
                    owner.id.clone(): "2026-01-13T01:00:00+01:00",
                    tokyo.id.clone(): "2026-01-13T09:00:00+09:00",
                    la.id.clone(): "2026-01-12T16:00:00-08:00",
                },
            })
        );
        let totals: Vec<u64> = r.json["slots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["total_out_of_hours_minutes"].as_u64())
            .collect();
        assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");

        // The rotation moves the burden: the second weekly time spares Berlin.
        let rotation = &r.json["rotation"];
        assert_eq!(rotation["slots"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            rotation["slots"][1]["out_of_hours_minutes"][&owner.id],
            json!(0)
        );
        let share = |id: &str| rotation["shares"][id].as_f64().unwrap_or(-1.0);
        assert!((share(&owner.id) - 2.0 / 3.0).abs() < 1e-9, "{rotation:?}");
        assert!((share(&tokyo.id) - 1.0 / 3.0).abs() < 1e-9, "{rotation:?}");
        assert!((share(&la.id) - 1.0 / 3.0).abs() < 1e-9, "{rotation:?}");
    }
);

app_test!(
    every_bad_search_is_refused_naming_its_field,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bob = app.member(&owner, "bob", "member").await;
        let stranger = app.workspace("Elsewhere").await;
        let many: Vec<String> = (0..201)
            .map(|_| baton_core::Id::random().to_string())
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let unknown = baton_core::Id::random().to_string();
        let with = |field: &str, value: Value| {
            let mut body = search(&[&owner.id, &bob.id]);
            body[field] = value;
            body
        };
        let cases = [
            (search(&[]), "participants", "nobody"),
            (search(&many), "participants", "more than 200"),
            (
                search(&[&owner.id, &bob.id, &owner.id]),
                "participants",
                "a repeat",
            ),
            (
                search(&[&owner.id, &unknown]),
                "participants",
                "no such member",
            ),
            (
                search(&[&owner.id, &stranger.id]),
                "participants",
                "another workspace",
            ),
            (search(&[&owner.id, "bob"]), "participants", "not an id"),
            (
                with("duration_minutes", json!(0)),
                "duration_minutes",
                "zero minutes",
            ),
            (
                with("duration_minutes", json!(481)),
                "duration_minutes",
                "over 8 hours",
            ),
            (
                with("duration_minutes", json!(-30)),
                "duration_minutes",
                "negative",
            ),
            (
                with("duration_minutes", Value::Null),
                "duration_minutes",
                "missing",
            ),
            (
                with("from", json!("2026-01-19T00:00:00Z")),
                "from",
                "empty range",
            ),
            (with("from", json!("monday")), "from", "not an instant"),
            (
                with("to", json!("2026-03-14T00:00:00Z")),
                "to",
                "over 60 days",
            ),
            (
                with("to", json!("2026-01-12T00:30:00Z")),
                "to",
                "shorter than the meeting",
            ),
            (with("recurrence", json!("daily")), "recurrence", "daily"),
        ];
        for (body, field, label) in cases {
            let r = app.post(PATH, &owner, body).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, label);
            assert_eq!(r.json["field"], json!(field), "{label}: {:?}", r.json);
        }
        // Sixty days exactly and eight hours are still fine.
        let mut longest = with("to", json!("2026-03-13T00:00:00Z"));
        longest["duration_minutes"] = json!(480);
        assert_eq!(app.post(PATH, &owner, longest).await.status, StatusCode::OK);
    }
);

app_test!(
    a_guest_may_search_only_for_themself,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let guest = app.member(&owner, "gus", "guest").await;
        let space = app.space(&owner, "client", "private").await;
        app.join(&owner, &space, &guest).await;
        let r = app
            .post(PATH, &guest, search(&[&guest.id, &owner.id]))
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "a guest reading a schedule");
        let r = app.post(PATH, &guest, search(&[&guest.id])).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        // Someone who shares no space with the guest is not even known to them.
        let hidden = app.member(&owner, "hidden", "member").await;
        let r = app
            .post(PATH, &guest, search(&[&guest.id, &hidden.id]))
            .await;
        assert_problem(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a member out of sight",
        );
    }
);

app_test!(
    an_invited_meeting_keeps_new_slots_off_its_participants,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let lisbon = app.member(&owner, "lisbon", "member").await;
        app.set_schedule(&lisbon, nine_to_five("Europe/Lisbon"))
            .await;
        let day = json!({
            "participants": [owner.id, lisbon.id],
            "duration_minutes": 60,
            "from": "2026-03-03T00:00:00Z",
            "to": "2026-03-04T00:00:00Z",
        });
        let before = app.post(PATH, &owner, day.clone()).await;
        assert_eq!(
            before.json["slots"][0]["start"],
            json!("2026-03-03T09:00:00Z")
        );

        // Both are in an invited meeting at 09:00–10:00 UTC, the first hour they share.
        let space = app.space(&owner, "general", "public").await;
        let booked = json!({
            "space_id": space,
            "title": "Pick the hosting vendor",
            "purpose": "decision",
            "participants": [lisbon.id],
            "duration_minutes": 60,
            "start": "2026-03-03T09:00:00Z",
            "agenda": [{"item": "Decide", "owner_id": lisbon.id, "minutes": 60}],
            "prework": [{"what": "Read the vendor comparison"}]
        });
        let r = app.post("/api/v1/meetings", &owner, booked).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        assert_eq!(r.json["status"], json!("invited"));

        let after = app.post(PATH, &owner, day).await;
        assert_eq!(after.status, StatusCode::OK, "{:?}", after.json);
        let slots = after.json["slots"].as_array().cloned().unwrap_or_default();
        assert_eq!(slots[0]["start"], json!("2026-03-03T10:00:00Z"));
        for slot in &slots {
            let start = slot["start"].as_str().unwrap_or_default();
            assert!(
                !("2026-03-03T08:15:00Z"..="2026-03-03T09:45:00Z").contains(&start),
                "{start} overlaps the meeting"
            );
        }
    }
);
