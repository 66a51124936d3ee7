//! Urgent posts over HTTP: routed to a working recipient at once, or to a working colleague
//! now and the recipient at their next working start; the weekly budget (the fourth send goes
//! out as ordinary and the sender is told); the audit log (admins only); the budget setting
//! and its validation.
//!
//! The clock reads Monday 2026-03-02 12:00 UTC. Members created by the harness default to
//! Monday–Friday 09:00–17:00 in Asia/Tokyo (21:00 there: not working); `working` puts a member
//! on 09:00–17:00 UTC (working now).

use axum::http::StatusCode;
use baton_core::delivery::outbox::{ClaimedDelivery, EventKind, Settled};
use baton_server::delivery::{Worker, tick};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem, nine_to_five};

const NOW: &str = "2026-03-02T12:00:00Z";
/// Tuesday 09:00 in Tokyo: the off-hours recipient's next working start.
const TOKYO_TUESDAY_9: &str = "2026-03-03T00:00:00Z";

fn instant(text: &str) -> Timestamp {
    text.parse().expect("an instant")
}

/// Puts `who` on 09:00–17:00 UTC, Monday to Friday: working at the test's now.
async fn working(app: &TestApp, who: &Actor) {
    app.set_schedule(who, nine_to_five("UTC")).await;
}

/// An urgent reply by `who` in `thread` for `of`.
async fn urgent(app: &TestApp, who: &Actor, thread: &str, of: &[&Actor]) -> Value {
    let of: Vec<&str> = of.iter().map(|a| a.id.as_str()).collect();
    let r = app
        .post(
            &format!("/api/v1/threads/{thread}/posts"),
            who,
            json!({"body": "Prod is down", "expectation": {"kind": "urgent", "of": of}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    r.json
}

/// Expands every event (no mailer: nothing is sent), then takes the deliveries due at `at`
/// and settles them as sent, so a later call sees only what came due since.
async fn due_at(app: &TestApp, at: &str) -> Vec<ClaimedDelivery> {
    let from = "baton@baton.test".parse().expect("from");
    let worker = Worker::new(None, "http://baton.test", from);
    tick(&app.state, &worker).await.expect("a tick");
    let lease = SignedDuration::from_secs(60);
    let claimed = app
        .store
        .claim_due(&worker.owner, instant(at), lease, 100)
        .await
        .expect("claim");
    for d in &claimed {
        let (ws, ids) = (d.workspace_id, [d.id]);
        app.store
            .mark_sent(ws, &worker.owner, &ids, Settled::Sent, instant(at))
            .await
            .expect("settle");
    }
    claimed
}

fn recipients(claimed: &[ClaimedDelivery]) -> Vec<String> {
    let mut ids: Vec<String> = claimed.iter().map(|d| d.recipient_id.to_string()).collect();
    ids.sort();
    ids
}

/// A workspace with an owner (Berlin, working), a space and a thread, and `names` as members
/// of the space, in that order.
async fn team(app: &TestApp, names: &[&str]) -> (Actor, Vec<Actor>, String) {
    let owner = app.workspace("Acme").await;
    let space = app.space(&owner, "ops", "private").await;
    let mut members = Vec::new();
    for name in names {
        let m = app.member(&owner, name, "member").await;
        app.join(&owner, &space, &m).await;
        members.push(m);
    }
    let (thread, _) = app.thread(&owner, &space, "Incident").await;
    (owner, members, thread)
}

app_test!(
    an_urgent_post_to_a_working_recipient_is_due_now,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["ana"]).await;
        let ana = &people[0];
        working(&app, ana).await;
        let r = urgent(&app, &owner, &thread, &[ana]).await;
        assert_eq!(r["urgent"]["granted"], json!(true));
        assert_eq!(r["urgent"]["left"], json!(2));
        let now = due_at(&app, NOW).await;
        assert_eq!(recipients(&now), vec![ana.id.clone()]);
        assert_eq!(now[0].kind, EventKind::Urgent);
        assert_eq!(now[0].due_at, instant(NOW));
    }
);

app_test!(
    an_urgent_post_to_someone_off_hours_reaches_a_working_colleague_now_and_them_at_their_next_start,
    |app: TestApp| async move {
        // Kenji keeps the default Tokyo schedule (off now); Ana works now.
        let (owner, people, thread) = team(&app, &["kenji", "ana"]).await;
        let (kenji, ana) = (&people[0], &people[1]);
        working(&app, ana).await;
        let r = urgent(&app, &owner, &thread, &[kenji]).await;
        assert_eq!(r["urgent"]["granted"], json!(true));
        assert_eq!(recipients(&due_at(&app, NOW).await), vec![ana.id.clone()]);
        let later = due_at(&app, TOKYO_TUESDAY_9).await;
        assert_eq!(recipients(&later), vec![kenji.id.clone()]);
        assert_eq!(later[0].due_at, instant(TOKYO_TUESDAY_9));

        let log = app.get("/api/v1/audit", &owner).await;
        assert_eq!(log.status, StatusCode::OK, "{:?}", log.json);
        let entry = &log.json["entries"][0];
        assert_eq!(entry["action"], json!("urgent.sent"));
        assert_eq!(entry["actor_id"], json!(owner.id));
        assert_eq!(entry["thread_id"], json!(thread));
        assert_eq!(
            entry["recipients"],
            json!([{"recipient_id": kenji.id, "routed_to": ana.id, "recipient_at": TOKYO_TUESDAY_9}])
        );
    }
);

app_test!(
    the_fourth_urgent_post_in_a_week_is_delivered_as_ordinary_and_the_sender_is_told,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["ana"]).await;
        let ana = &people[0];
        working(&app, ana).await;
        for left in [2, 1, 0] {
            let r = urgent(&app, &owner, &thread, &[ana]).await;
            assert_eq!(r["urgent"]["granted"], json!(true));
            assert_eq!(r["urgent"]["left"], json!(left));
        }
        assert_eq!(due_at(&app, NOW).await.len(), 3);
        let fourth = urgent(&app, &owner, &thread, &[ana]).await;
        assert_eq!(fourth["urgent"]["granted"], json!(false));
        let detail = fourth["urgent"]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("used your 3 urgent interrupts this week"),
            "{detail}"
        );
        // Held for Ana's next delivery window, not due now.
        assert!(due_at(&app, NOW).await.is_empty());
        let log = app.get("/api/v1/audit?limit=2", &owner).await;
        let actions: Vec<&Value> = log.json["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| &e["action"])
            .collect();
        assert_eq!(
            actions,
            [&json!("urgent.over_budget"), &json!("urgent.sent")]
        );
        assert!(log.json["next_cursor"].is_string());
        // A week after the first, one send is free again.
        app.clock.advance(SignedDuration::from_hours(7 * 24));
        let again = urgent(&app, &owner, &thread, &[ana]).await;
        assert_eq!(again["urgent"]["granted"], json!(true));
    }
);

app_test!(
    only_admins_read_the_audit_log_and_the_settings,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["ana"]).await;
        urgent(&app, &owner, &thread, &[&people[0]]).await;
        let r = app.get("/api/v1/audit", &people[0]).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "member reads the audit log");
        let r = app.get("/api/v1/workspace/settings", &people[0]).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "member reads the settings");
        let body = json!({"urgent_budget": 10});
        let r = app
            .call(
                "PATCH",
                "/api/v1/workspace/settings",
                Some(&people[0].token),
                Some(body),
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "member sets the budget");
        let r = app.get("/api/v1/workspace/settings", &owner).await;
        assert_eq!(
            r.json,
            json!({"urgent_budget": 3, "meeting_load_target": 0.05})
        );
    }
);

app_test!(
    bad_urgent_budgets_are_refused_and_nothing_is_written,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        for bad in [
            json!(-1),
            json!(51),
            json!("three"),
            json!(2.5),
            json!(null),
        ] {
            let body = json!({"urgent_budget": bad});
            let r = app
                .call(
                    "PATCH",
                    "/api/v1/workspace/settings",
                    Some(&owner.token),
                    Some(body),
                    &[],
                )
                .await;
            if bad.is_null() {
                // Left out: nothing changes.
                assert_eq!(
                    r.json,
                    json!({"urgent_budget": 3, "meeting_load_target": 0.05})
                );
            } else {
                assert_problem(
                    &r,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("budget {bad}"),
                );
            }
        }
        let r = app
            .call(
                "PATCH",
                "/api/v1/workspace/settings",
                Some(&owner.token),
                Some(json!({"budget": 4})),
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
        assert_eq!(
            app.get("/api/v1/workspace/settings", &owner).await.json,
            json!({"urgent_budget": 3, "meeting_load_target": 0.05})
        );
        let body = json!({"urgent_budget": 1});
        let r = app
            .call(
                "PATCH",
                "/api/v1/workspace/settings",
                Some(&owner.token),
                Some(body),
                &[],
            )
            .await;
        assert_eq!(
            r.json,
            json!({"urgent_budget": 1, "meeting_load_target": 0.05})
        );
    }
);

app_test!(
    an_urgent_post_must_name_whom_it_interrupts,
    |app: TestApp| async move {
        let (owner, _, thread) = team(&app, &["ana"]).await;
        let r = app
            .post(
                &format!("/api/v1/threads/{thread}/posts"),
                &owner,
                json!({"body": "Help", "expectation": {"kind": "urgent"}}),
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "urgent without of");
        assert_eq!(urgent_entries(&app, &owner).await, Vec::<Value>::new());
    }
);

app_test!(
    a_reply_s_preview_names_the_relay_leg_that_stands_in_as_a_sent_post_would,
    |app: TestApp| async move {
        // Kenji is off hours; Ana and Lin both work now. Ana joined the space first, so she
        // stands in, until the thread belongs to a baton on Lin's relay.
        let (owner, people, thread) = team(&app, &["kenji", "ana", "lin"]).await;
        let (kenji, ana, lin) = (&people[0], &people[1], &people[2]);
        working(&app, ana).await;
        working(&app, lin).await;
        let browser = app.browser(&owner).await;
        let path = format!("/threads/{thread}/preview");
        let fields = [
            ("body", "Prod is down"),
            ("expect", "urgent"),
            ("ask", kenji.id.as_str()),
        ];
        let before = app.form(&path, &browser, &fields).await.html();
        assert!(before.contains("ana is told now instead"), "{before}");

        let relay = app
            .post(
                "/api/v1/relays",
                &owner,
                json!({"name": "Ops", "legs": [lin.id]}),
            )
            .await;
        assert_eq!(relay.status, StatusCode::CREATED, "{:?}", relay.json);
        let baton = app
            .post(
                "/api/v1/batons",
                &owner,
                json!({"title": "Incident", "relay_id": relay.str("/id"), "holder_id": lin.id,
                       "thread_ids": [thread]}),
            )
            .await;
        assert_eq!(baton.status, StatusCode::CREATED, "{:?}", baton.json);
        let after = app.form(&path, &browser, &fields).await.html();
        assert!(after.contains("lin is told now instead"), "{after}");

        // And the post itself goes the same way.
        urgent(&app, &owner, &thread, &[kenji]).await;
        assert_eq!(recipients(&due_at(&app, NOW).await), vec![lin.id.clone()]);
    }
);

app_test!(
    the_composer_offers_urgent_with_the_budget_left_and_previews_who_is_told_when,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["kenji", "ana"]).await;
        let (kenji, ana) = (&people[0], &people[1]);
        working(&app, ana).await;
        let browser = app.browser(&owner).await;
        let page = app
            .page(&format!("/threads/{thread}"), Some(&browser))
            .await
            .html();
        assert!(page.contains(r#"value="urgent""#), "{page}");
        assert!(
            page.contains("3 of 3 urgent interrupts left this week"),
            "{page}"
        );

        let path = format!("/threads/{thread}/preview");
        let fields = [
            ("body", "Prod is down"),
            ("expect", "urgent"),
            ("ask", kenji.id.as_str()),
            ("ask", ana.id.as_str()),
        ];
        let preview = app.form(&path, &browser, &fields).await.html();
        assert!(preview.contains("ana: now (working)."), "{preview}");
        assert!(
            preview.contains("kenji: at their next working start, Tue 09:00"),
            "{preview}"
        );
        assert!(preview.contains("ana is told now instead"), "{preview}");
        // Previewing writes nothing.
        assert_eq!(urgent_entries(&app, &owner).await, Vec::<Value>::new());

        let send = [
            ("body", "Prod is down"),
            ("expect", "urgent"),
            ("ask", ana.id.as_str()),
        ];
        let posts = format!("/threads/{thread}/posts");
        for _ in 0..3 {
            let sent = app.form(&posts, &browser, &send).await;
            assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html());
            assert!(
                !sent.location().contains("urgent=held"),
                "{}",
                sent.location()
            );
        }
        let page = app
            .page(&format!("/threads/{thread}"), Some(&browser))
            .await
            .html();
        assert!(
            page.contains("0 of 3 urgent interrupts left this week"),
            "{page}"
        );
        let fourth = app.form(&posts, &browser, &send).await;
        assert!(
            fourth.location().contains("?urgent=held"),
            "{}",
            fourth.location()
        );
        let landed = app.page(&fourth.location(), Some(&browser)).await.html();
        assert!(
            landed.contains("went out as an ordinary notification"),
            "{landed}"
        );
        let log = app.get("/api/v1/audit?limit=1", &owner).await;
        assert_eq!(
            log.json["entries"][0]["action"],
            json!("urgent.over_budget")
        );
    }
);

app_test!(
    the_admin_urgent_page_lists_the_audit_log_and_sets_the_budget,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["kenji", "ana"]).await;
        let (kenji, ana) = (&people[0], &people[1]);
        working(&app, ana).await;
        urgent(&app, &owner, &thread, &[kenji]).await;
        let admin = app.browser(&owner).await;
        let page = app.page("/admin/urgent", Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains("Sent as urgent"), "{html}");
        assert!(
            html.contains("kenji: routed to ana now, kenji at"),
            "{html}"
        );
        assert!(
            html.contains(&format!(r#"href="/threads/{thread}""#)),
            "{html}"
        );

        let member = app.browser(ana).await;
        let denied = app.page("/admin/urgent", Some(&member)).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let denied = app
            .form("/admin/urgent/budget", &member, &[("urgent_budget", "9")])
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);

        for bad in ["abc", "-2", "51", ""] {
            let refused = app
                .form("/admin/urgent/budget", &admin, &[("urgent_budget", bad)])
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(
                refused.html().contains(r#"id="urgent_budget-error""#),
                "{bad}"
            );
        }
        let r = app.get("/api/v1/workspace/settings", &owner).await;
        assert_eq!(
            r.json,
            json!({"urgent_budget": 3, "meeting_load_target": 0.05})
        );
        let saved = app
            .form("/admin/urgent/budget", &admin, &[("urgent_budget", "5")])
            .await;
        assert_eq!(saved.location(), "/admin/urgent?saved=budget");
        let r = app.get("/api/v1/workspace/settings", &owner).await;
        assert_eq!(
            r.json,
            json!({"urgent_budget": 5, "meeting_load_target": 0.05})
        );
    }
);

app_test!(
    urgent_posts_fired_at_once_never_overshoot_the_budget,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["ana"]).await;
        let ana = &people[0];
        let path = format!("/api/v1/threads/{thread}/posts");
        let body =
            json!({"body": "Prod is down", "expectation": {"kind": "urgent", "of": [ana.id]}});
        let replies =
            futures_util::future::join_all((0..8).map(|_| app.post(&path, &owner, body.clone())))
                .await;
        let granted = replies
            .iter()
            .inspect(|r| assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json))
            .filter(|r| r.json["urgent"]["granted"] == json!(true))
            .count();
        assert_eq!(granted, 3);
        let entries = urgent_entries(&app, &owner).await;
        assert_eq!(entries.len(), 8);
        let sent = entries
            .iter()
            .filter(|e| e["action"] == json!("urgent.sent"))
            .count();
        assert_eq!(sent, 3);
    }
);

app_test!(
    a_retried_urgent_post_answers_its_first_outcome_and_is_audited_once,
    |app: TestApp| async move {
        let (owner, people, thread) = team(&app, &["ana"]).await;
        let path = format!("/api/v1/threads/{thread}/posts");
        let body = json!({"body": "Prod is down", "expectation": {"kind": "urgent", "of": [people[0].id]}});
        let key = [("idempotency-key", "urgent-1")];
        let first = app
            .call("POST", &path, Some(&owner.token), Some(body.clone()), &key)
            .await;
        let again = app
            .call("POST", &path, Some(&owner.token), Some(body), &key)
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json);
        assert_eq!(again.json, first.json);
        assert_eq!(first.json["urgent"]["left"], json!(2));
        assert_eq!(urgent_entries(&app, &owner).await.len(), 1);
    }
);

/// The audit log's urgent entries (the log also records acts on accounts, such as the tokens
/// the test's members were given).
async fn urgent_entries(app: &TestApp, who: &Actor) -> Vec<Value> {
    let log = app.get("/api/v1/audit", who).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.json);
    log.json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("urgent."))
        })
        .cloned()
        .collect()
}
