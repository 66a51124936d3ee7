//! Hangouts: two members in Berlin and two in Tokyo opt in; the round pairs each with someone
//! in the other city and offers a 20-minute slot ahead, in both local times; the next round
//! keeps the last round's pairs apart; a late opt-in waits for the next round; nobody opts
//! anyone else in, guests are not paired, and bad input writes nothing.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem, nine_to_five};

async fn opt(app: &TestApp, who: &Actor, member: &Actor, body: Value) -> crate::common::Reply {
    let path = format!("/api/v1/members/{}/hangouts", member.id);
    app.call("PUT", &path, Some(&who.token), Some(body), &[])
        .await
}

async fn hangouts(app: &TestApp, who: &Actor) -> Value {
    let r = app.get("/api/v1/hangouts", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
}

/// Each member's partner this round, by id.
async fn partners(app: &TestApp, people: &[&Actor]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for who in people {
        let view = hangouts(app, who).await;
        let partner = view["pair"]["partner_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{} has no pair: {view}", who.id))
            .to_owned();
        found.insert(who.id.clone(), partner);
    }
    found
}

app_test!(
    members_who_opted_in_are_paired_across_zones_each_round,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        app.set_schedule(&owner, nine_to_five("Europe/Berlin"))
            .await;
        let sam = app.member(&owner, "sam", "member").await;
        app.set_schedule(&sam, nine_to_five("Europe/Berlin")).await;
        let yuki = app.member(&owner, "yuki", "member").await;
        app.set_schedule(&yuki, nine_to_five("Asia/Tokyo")).await;
        let kai = app.member(&owner, "kai", "member").await;
        app.set_schedule(&kai, nine_to_five("Asia/Tokyo")).await;
        let team = [&owner, &sam, &yuki, &kai];

        let before = hangouts(&app, &owner).await;
        assert_eq!(before["opted_in"], json!(false));
        assert_eq!(before["pair"], Value::Null);
        for who in team {
            let r = opt(&app, who, who, json!({"opted_in": true})).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
            assert_eq!(r.json, json!({"opted_in": true}));
        }

        // Monday 2 March 2026, 12:00 UTC: the round of 23 February to 9 March.
        let view = hangouts(&app, &owner).await;
        assert_eq!(view["opted_in"], json!(true));
        assert_eq!(
            view["round"],
            json!({"start": "2026-02-23T00:00:00Z", "end": "2026-03-09T00:00:00Z"})
        );
        let first = partners(&app, &team).await;
        let berlin = [owner.id.clone(), sam.id.clone()];
        for (who, partner) in &first {
            assert_eq!(first[partner], *who, "pairs are mutual: {first:?}");
            assert_ne!(
                berlin.contains(who),
                berlin.contains(partner),
                "paired across the two cities: {first:?}"
            );
        }
        let slot = &view["pair"]["slot"];
        let start: jiff::Timestamp = slot["start"]
            .as_str()
            .expect("a start")
            .parse()
            .expect("RFC 3339");
        assert!(
            start >= baton_server::clock::Clock::now(&*app.clock),
            "offered ahead: {slot}"
        );
        assert!(start < "2026-03-09T00:00:00Z".parse().expect("an instant"));
        assert!(
            slot["your_local_start"]
                .as_str()
                .expect("local")
                .ends_with("+01:00")
        );
        assert!(
            slot["partner_local_start"]
                .as_str()
                .expect("local")
                .ends_with("+09:00")
        );
        assert_eq!(view["pair"]["shared_minutes_per_week"], json!(0));
        // Berlin and Tokyo share no working time: the slot costs the pair as little as it can.
        let out = slot["your_out_of_hours_minutes"].as_u64().expect("minutes")
            + slot["partner_out_of_hours_minutes"]
                .as_u64()
                .expect("minutes");
        assert!(out <= 20, "{slot}");

        // Whoever opts in after the round was paired waits for the next one.
        let lee = app.member(&owner, "lee", "member").await;
        assert_eq!(
            opt(&app, &lee, &lee, json!({"opted_in": true}))
                .await
                .status,
            StatusCode::OK
        );
        let late = hangouts(&app, &lee).await;
        assert_eq!(late["opted_in"], json!(true));
        assert_eq!(late["pair"], Value::Null);
        let r = opt(&app, &lee, &lee, json!({"opted_in": false})).await;
        assert_eq!(r.json, json!({"opted_in": false}));
        assert_eq!(partners(&app, &team).await, first, "a round is paired once");

        // Two weeks later: a new round, and nobody meets the same person again.
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 14));
        let second = partners(&app, &team).await;
        for (who, partner) in &second {
            assert_ne!(
                first[who], *partner,
                "last round's pair kept apart: {second:?}"
            );
            assert_ne!(berlin.contains(who), berlin.contains(partner));
        }
    }
);

app_test!(
    nobody_is_opted_in_by_someone_else_and_bad_input_writes_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let sam = app.member(&owner, "sam", "member").await;
        let guest = app.member(&owner, "gus", "guest").await;

        let r = opt(&app, &owner, &sam, json!({"opted_in": true})).await;
        assert_problem(
            &r,
            StatusCode::FORBIDDEN,
            "the owner opting someone else in",
        );
        let r = opt(&app, &guest, &guest, json!({"opted_in": true})).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "a guest opting in");
        for (body, what) in [
            (json!({"opted_in": "yes"}), "a string for a boolean"),
            (json!({}), "no opted_in"),
            (json!({"opted_in": true, "weekly": 3}), "an unknown field"),
        ] {
            let r = opt(&app, &sam, &sam, body).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, what);
        }
        let r = app
            .call(
                "PUT",
                "/api/v1/members/not-an-id/hangouts",
                Some(&sam.token),
                Some(json!({"opted_in": true})),
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "a malformed member id");
        for who in [&sam, &guest] {
            assert_eq!(hangouts(&app, who).await["opted_in"], json!(false));
        }
    }
);
