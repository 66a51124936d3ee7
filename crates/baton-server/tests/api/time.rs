//! Working time through the API: schedules, member presence, availability, overlap, and asks
//! due in each recipient's own working hours, answered by their reply, listed in the inbox.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

const BERLIN_9_TO_5: &str = r#"{"timezone": "Europe/Berlin", "weekly": {"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]]}}"#;

app_test!(
    a_reply_ask_is_due_in_each_recipients_own_working_time,
    |app: TestApp| async move {
        // The clock reads Monday 2026-03-02 12:00 UTC.
        let owner = app.workspace("Acme").await;
        let ana = app.member(&owner, "ana", "member").await;
        let yuki = app.member(&owner, "yuki", "member").await;
        let sp = json!({"timezone": "America/Sao_Paulo", "weekly": {"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]]}});
        assert_eq!(
            app.call(
                "PUT",
                &format!("/api/v1/members/{}/schedule", ana.id),
                Some(&ana.token),
                Some(sp),
                &[]
            )
            .await
            .status,
            StatusCode::OK
        );
        // Yuki has no schedule: the default Monday–Friday 09:00–17:00 in Asia/Tokyo.
        let space = app.space(&owner, "general", "public").await;
        let r = app
            .post(
                "/api/v1/threads",
                &owner,
                json!({"space_id": space, "title": "Review", "body": "Please review",
        "expectation": {"kind": "reply", "within_minutes": 240, "of": [ana.id, yuki.id]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let due = |who: &str| {
            r.json["asks"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["member_id"] == json!(who))
                .map(|a| a["due_at"].clone())
        };
        // São Paulo is UTC-3: 12:00 UTC is 09:00 local, so 4 working hours end 13:00 local = 16:00 UTC.
        assert_eq!(due(&ana.id), Some(json!("2026-03-02T16:00:00Z")));
        // Tokyo is UTC+9: 12:00 UTC is 21:00 local, after hours; Tuesday 09:00 + 4h = 13:00 JST = 04:00 UTC.
        assert_eq!(due(&yuki.id), Some(json!("2026-03-03T04:00:00Z")));

        let inbox = app.get("/api/v1/inbox", &ana).await;
        assert_eq!(inbox.json["items"][0]["thread_title"], json!("Review"));
        assert_eq!(inbox.json["items"][0]["working_minutes_left"], json!(240));
        let waiting = app.get("/api/v1/asks?direction=from_me", &owner).await;
        assert_eq!(waiting.json["asks"].as_array().map(Vec::len), Some(2));

        app.post(
            &format!("/api/v1/threads/{}/posts", r.str("/id")),
            &ana,
            json!({"body": "Done, looks good"}),
        )
        .await;
        assert_eq!(
            app.get("/api/v1/inbox", &ana).await.json["items"]
                .as_array()
                .map(Vec::len),
            Some(0),
            "the reply answered the ask"
        );
        let all = app
            .get("/api/v1/asks?direction=to_me&state=all", &ana)
            .await;
        assert!(all.json["asks"][0]["answered_at"].is_string());
        app.clock.advance(jiff::SignedDuration::from_hours(20));
        let yukis = app.get("/api/v1/asks?direction=to_me", &yuki).await;
        assert_eq!(yukis.json["asks"][0]["overdue"], json!(true));
    }
);

app_test!(
    member_presence_and_availability_follow_the_schedule,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let spec: serde_json::Value = serde_json::from_str(BERLIN_9_TO_5).expect("json");
        let put = app
            .call(
                "PUT",
                &format!("/api/v1/members/{}/schedule", owner.id),
                Some(&owner.token),
                Some(spec),
                &[],
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{:?}", put.json);
        let me = app
            .get(&format!("/api/v1/members/{}", owner.id), &owner)
            .await;
        assert_eq!(me.json["local_time"], json!("13:00"));
        assert_eq!(me.json["working_now"], json!(true));
        let week = app.get(&format!("/api/v1/members/{}/availability?from=2026-03-28T00:00:00Z&to=2026-04-04T00:00:00Z", owner.id), &owner).await;
        let intervals = week.json["intervals"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(intervals.len(), 5);
        // Monday after the spring change: 09:00 CEST is 07:00 UTC.
        assert_eq!(
            intervals[0],
            json!({"start": "2026-03-30T07:00:00Z", "end": "2026-03-30T15:00:00Z"})
        );
        let bob = app.member(&owner, "bob", "member").await;
        let both = app.get(&format!("/api/v1/overlap?members={},{}&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z", owner.id, bob.id), &owner).await;
        assert_eq!(
            both.json["intervals"],
            json!([]),
            "Berlin and Tokyo office hours do not overlap"
        );
    }
);

app_test!(
    bad_schedules_and_ranges_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let path = format!("/api/v1/members/{}/schedule", owner.id);
        let cases = [
            (
                json!({"timezone": "Mars/Olympus", "weekly": {"mon": [["09:00","17:00"]]}}),
                "unknown zone",
            ),
            (
                json!({"timezone": "UTC", "weekly": {"mon": [["09:00","09:00"]]}}),
                "empty interval",
            ),
            (
                json!({"timezone": "UTC", "weekly": {"mon": [["9am","17:00"]]}}),
                "bad time",
            ),
            (
                json!({"timezone": "UTC", "weekly": {}, "time_off": [{"start": "2026-05-02", "end": "2026-05-01"}]}),
                "time off backwards",
            ),
            (
                json!({"timezone": "UTC", "weekly": {"funday": []}}),
                "unknown day",
            ),
        ];
        for (body, label) in cases {
            let r = app
                .call("PUT", &path, Some(&owner.token), Some(body), &[])
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, label);
        }
        let stored = app.get(&path, &owner).await;
        assert_eq!(
            stored.json["timezone"],
            json!("Europe/Berlin"),
            "still the default schedule in the member's zone"
        );
        let avail = format!("/api/v1/members/{}/availability", owner.id);
        assert_problem(
            &app.get(
                &format!("{avail}?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z"),
                &owner,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "from after to",
        );
        assert_problem(
            &app.get(
                &format!("{avail}?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z"),
                &owner,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "over 366 days",
        );
        assert_problem(
            &app.get(
                &format!("{avail}?from=yesterday&to=2027-06-01T00:00:00Z"),
                &owner,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad instant",
        );

        // A member with no working time cannot be asked to reply.
        let idle = app.member(&owner, "idle", "member").await;
        let none = json!({"timezone": "UTC", "weekly": {}});
        assert_eq!(
            app.call(
                "PUT",
                &format!("/api/v1/members/{}/schedule", idle.id),
                Some(&idle.token),
                Some(none),
                &[]
            )
            .await
            .status,
            StatusCode::OK
        );
        let space = app.space(&owner, "general", "public").await;
        let r = app.post("/api/v1/threads", &owner, json!({"space_id": space, "title": "T", "body": "b", "expectation": {"kind": "reply", "within_minutes": 60, "of": [idle.id]}})).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "no working time");
        assert_eq!(
            app.get(&format!("/api/v1/spaces/{space}/threads"), &owner)
                .await
                .json["threads"],
            json!([]),
            "nothing written"
        );
    }
);

app_test!(
    a_notification_policy_round_trips_and_flags_windows_outside_working_hours,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let path = format!("/api/v1/members/{}/policy", owner.id);
        let default = app.get(&path, &owner).await;
        assert_eq!(
            default.json["windows"],
            json!(["09:00", "14:00"]),
            "the default holds notifications for two windows"
        );
        assert_eq!(default.json["outside_working_hours"], json!([]));
        let put = app
            .call(
                "PUT",
                &path,
                Some(&owner.token),
                Some(json!({"windows": ["14:00", "07:00", "start"], "email_digest": false})),
                &[],
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{:?}", put.json);
        assert_eq!(put.json["windows"], json!(["start", "07:00", "14:00"]));
        assert_eq!(put.json["outside_working_hours"], json!(["07:00"]));
        assert!(put.str("/warning").contains("outside your working hours"));
        assert_eq!(
            app.get(&path, &owner).await.json["email_digest"],
            json!(false)
        );
        for (body, label) in [
            (json!({"windows": []}), "no window"),
            (json!({"windows": ["25:00"]}), "bad time"),
            (json!({"windows": ["09:00", "09:00"]}), "duplicate"),
            (json!({"windows": ["09:00"], "sms": true}), "unknown field"),
        ] {
            assert_problem(
                &app.call("PUT", &path, Some(&owner.token), Some(body), &[])
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                label,
            );
        }
        assert_eq!(
            app.get(&path, &owner).await.json["windows"],
            json!(["start", "07:00", "14:00"]),
            "refused policies change nothing"
        );
    }
);
