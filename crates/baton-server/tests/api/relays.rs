//! Batons around the world: a relay of Los Angeles, Berlin and Tokyo, a baton passed at the end
//! of each day with a note, delivered at the receiver's next working start, accepted or bounced;
//! coverage with the real gap; done and reopened; linked to threads, each shown only to who may
//! see it; and bad input refused.

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

/// Maya (Los Angeles), Lukas (Berlin) and Yuki (Tokyo), each on 09:00–17:00 weekdays.
async fn team(app: &TestApp) -> (Actor, Actor, Actor, Actor) {
    let (owner, legs) = app
        .relay_team(&[
            ("maya", "America/Los_Angeles"),
            ("lukas", "Europe/Berlin"),
            ("yuki", "Asia/Tokyo"),
        ])
        .await;
    let [maya, lukas, yuki] = <[Actor; 3]>::try_from(legs).expect("three legs");
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
        let mut without_links = note(Some(&lukas.id));
        if let Some(fields) = without_links.as_object_mut() {
            fields.remove("links");
        }
        let refused = app.post(&path, &maya, without_links).await;
        assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "no links field");
        assert!(
            refused.str("/detail").contains("links"),
            "{:?}",
            refused.json
        );
        assert_problem(
            &app.get("/api/v1/batons?holder=nobody", &owner).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a holder that is not an id",
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

        // More to do after all: the holder reopens it from the same page.
        let page = app.page(&format!("/batons/{baton}"), Some(&as_lukas)).await;
        assert!(
            !page.html().contains(">Reopen</button>"),
            "not Lukas's baton"
        );
        assert!(html.contains(">Reopen</button>"), "{html}");
        let reopened = app
            .form(&format!("/batons/{baton}/reopen"), &as_maya, &[])
            .await;
        assert_eq!(
            (reopened.status, reopened.location()),
            (StatusCode::SEE_OTHER, format!("/batons/{baton}"))
        );
        let html = app
            .page(&format!("/batons/{baton}"), Some(&as_maya))
            .await
            .html();
        assert!(html.contains(">Hand off</button>") && html.contains("Mark done"));
        assert!(!html.contains("This baton is done.") && !html.contains(">Reopen</button>"));
        let board = app.page("/batons", Some(&as_maya)).await.html();
        assert!(!board.contains("<h2 id=\"done\">Done</h2>"), "{board}");
    }
);

app_test!(
    a_done_baton_is_reopened_by_its_holder_and_passes_on_again,
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
        let reopen = format!("/api/v1/batons/{baton}/reopen");
        assert_problem(
            &app.post(&reopen, &maya, json!({})).await,
            StatusCode::CONFLICT,
            "reopening an open baton",
        );
        let done = app
            .post(&format!("/api/v1/batons/{baton}/done"), &maya, json!({}))
            .await;
        assert_eq!(done.json["status"], json!("done"));
        assert_problem(
            &app.post(&reopen, &lukas, json!({})).await,
            StatusCode::FORBIDDEN,
            "neither holder nor admin",
        );
        let open = app.post(&reopen, &maya, json!({})).await;
        assert_eq!(open.status, StatusCode::OK, "{:?}", open.json);
        assert_eq!(open.json["status"], json!("open"));
        assert_eq!(open.json["holder_id"], json!(maya.id), "the same holder");
        let detail = app.get(&format!("/api/v1/batons/{baton}"), &owner).await;
        assert_eq!(detail.json["status"], json!("open"));
        let passed = app
            .post(
                &format!("/api/v1/batons/{baton}/handoff"),
                &maya,
                note(Some(&lukas.id)),
            )
            .await;
        assert_eq!(passed.status, StatusCode::CREATED, "{:?}", passed.json);
    }
);

/// A public thread, a thread in a space only Maya is in, and a baton Maya holds and created
/// that links both: (baton, public thread, private thread).
async fn linked_baton(app: &TestApp, owner: &Actor, maya: &Actor) -> (String, String, String) {
    let public = app.space(owner, "general", "public").await;
    let (runbook, _) = app.thread(owner, &public, "Release runbook").await;
    let private = app.space(maya, "salaries", "private").await;
    let (secret, _) = app.thread(maya, &private, "Secret pay review").await;
    let created = app
        .post(
            "/api/v1/batons",
            maya,
            json!({"title": "Release 2.4", "holder_id": maya.id, "thread_ids": [runbook, secret]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
    assert_eq!(
        created.json["threads"],
        json!([
            {"id": runbook, "title": "Release runbook", "link": format!("/threads/{runbook}")},
            {"id": secret, "title": "Secret pay review", "link": format!("/threads/{secret}")},
        ])
    );
    (created.str("/id"), runbook, secret)
}

app_test!(
    a_baton_shows_only_the_linked_threads_its_viewer_may_see,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        let (baton, runbook, secret) = linked_baton(&app, &owner, &maya).await;
        let api = format!("/api/v1/batons/{baton}");
        let as_maya = app.get(&api, &maya).await;
        assert_eq!(as_maya.json["threads"].as_array().map(Vec::len), Some(2));
        for who in [&lukas, &owner] {
            let seen = app.get(&api, who).await;
            assert_eq!(seen.status, StatusCode::OK);
            assert_eq!(seen.json["threads"][0]["id"], json!(runbook));
            assert_eq!(seen.json["threads"].as_array().map(Vec::len), Some(1));
            let text = String::from_utf8_lossy(&seen.bytes);
            assert!(
                !text.contains("Secret pay review") && !text.contains(&secret),
                "{text}"
            );
            let listed = app.get("/api/v1/batons", who).await;
            let entry = listed.json["batons"]
                .as_array()
                .and_then(|all| all.iter().find(|b| b["id"] == json!(baton)))
                .cloned()
                .expect("the baton on the board");
            assert_eq!(entry["threads"], seen.json["threads"], "the board agrees");
        }
        let thread_page = app
            .page(
                &format!("/threads/{runbook}"),
                Some(&app.browser(&lukas).await),
            )
            .await
            .html();
        assert!(
            thread_page.contains(&format!("<a href=\"/batons/{baton}\">")),
            "the thread names its baton: {thread_page}"
        );
        let page = app
            .page(
                &format!("/batons/{baton}"),
                Some(&app.browser(&lukas).await),
            )
            .await
            .html();
        assert!(page.contains(&format!(
            "<a href=\"/threads/{runbook}\">Release runbook</a>"
        )));
        assert!(
            !page.contains("Secret pay review") && !page.contains(&secret),
            "{page}"
        );
    }
);

app_test!(
    threads_are_linked_and_unlinked_by_holder_creator_or_admin_only,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        let (baton, runbook, secret) = linked_baton(&app, &owner, &maya).await;
        let general = app.space(&owner, "launch", "public").await;
        let (notes, _) = app.thread(&lukas, &general, "Launch notes").await;
        let links = format!("/api/v1/batons/{baton}/threads");
        assert_problem(
            &app.post(&links, &lukas, json!({"thread_id": notes})).await,
            StatusCode::FORBIDDEN,
            "neither holder, creator nor admin",
        );
        let linked = app.post(&links, &owner, json!({"thread_id": notes})).await;
        assert_eq!(linked.status, StatusCode::CREATED, "{:?}", linked.json);
        assert_eq!(
            linked.json,
            json!({"id": notes, "title": "Launch notes", "link": format!("/threads/{notes}")})
        );
        assert_problem(
            &app.post(&links, &maya, json!({"thread_id": notes})).await,
            StatusCode::CONFLICT,
            "linked twice",
        );
        // The owner cannot see Maya's private thread: unlinking it is like unlinking nothing.
        let unlink = |thread: &str| format!("/api/v1/batons/{baton}/threads/{thread}");
        let hidden = app
            .call("DELETE", &unlink(&secret), Some(&owner.token), None, &[])
            .await;
        assert_problem(
            &hidden,
            StatusCode::NOT_FOUND,
            "a thread the admin cannot see",
        );
        let gone = app
            .call("DELETE", &unlink(&runbook), Some(&owner.token), None, &[])
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = app
            .call("DELETE", &unlink(&runbook), Some(&owner.token), None, &[])
            .await;
        assert_problem(&again, StatusCode::NOT_FOUND, "unlinked twice");
        let detail = app.get(&format!("/api/v1/batons/{baton}"), &maya).await;
        let ids: Vec<&str> = detail.json["threads"]
            .as_array()
            .expect("threads")
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        assert_eq!(ids, [secret.as_str(), notes.as_str()], "in link order");
    }
);

app_test!(
    a_thread_the_caller_cannot_see_is_refused_like_a_missing_one,
    |app: TestApp| async move {
        let (owner, maya, lukas, _) = team(&app).await;
        let (baton, _, secret) = linked_baton(&app, &owner, &maya).await;
        let missing = baton_core::Id::random().to_string();
        let create =
            |threads: Value| json!({"title": "Leak", "holder_id": lukas.id, "thread_ids": threads});
        let hidden = app
            .post("/api/v1/batons", &lukas, create(json!([secret])))
            .await;
        let absent = app
            .post("/api/v1/batons", &lukas, create(json!([missing])))
            .await;
        assert_problem(
            &hidden,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a private thread",
        );
        assert_eq!(
            hidden.bytes, absent.bytes,
            "hidden and missing read the same"
        );
        for (threads, context) in [
            (json!(["not-an-id"]), "a malformed id"),
            (json!([secret, secret]), "a thread twice"),
        ] {
            let r = app.post("/api/v1/batons", &maya, create(threads)).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, context);
        }
        let board = app.get("/api/v1/batons", &owner).await;
        assert_eq!(
            board.json["batons"].as_array().map(Vec::len),
            Some(1),
            "nothing written"
        );

        // Linking to an existing baton: the owner (an admin) cannot see the private thread.
        let links = format!("/api/v1/batons/{baton}/threads");
        let plain = app
            .post(
                "/api/v1/batons",
                &owner,
                json!({"title": "Plain", "holder_id": owner.id}),
            )
            .await
            .str("/id");
        let plain_links = format!("/api/v1/batons/{plain}/threads");
        let hidden = app
            .post(&plain_links, &owner, json!({"thread_id": secret}))
            .await;
        let absent = app
            .post(&plain_links, &owner, json!({"thread_id": missing}))
            .await;
        assert_problem(
            &hidden,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a private thread",
        );
        assert_eq!(
            hidden.bytes, absent.bytes,
            "hidden and missing read the same"
        );
        for body in [
            json!({"thread_id": "nope"}),
            json!({"thread": secret}),
            json!({}),
        ] {
            let r = app.post(&links, &maya, body.clone()).await;
            assert!(r.status.is_client_error(), "{body}: {:?}", r.json);
        }
        let detail = app.get(&format!("/api/v1/batons/{plain}"), &owner).await;
        assert_eq!(detail.json["threads"], json!([]), "nothing written");
    }
);

app_test!(
    a_baton_links_at_most_twenty_threads,
    |app: TestApp| async move {
        let (owner, maya, _, _) = team(&app).await;
        let general = app.space(&owner, "general", "public").await;
        let mut threads = Vec::new();
        for n in 0..21 {
            threads.push(app.thread(&owner, &general, &format!("Topic {n}")).await.0);
        }
        let create = |ids: &[String]| json!({"title": "Release 2.4", "holder_id": maya.id, "thread_ids": ids});
        let refused = app.post("/api/v1/batons", &maya, create(&threads)).await;
        assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "21 threads");
        assert!(
            refused.str("/detail").contains("at most 20"),
            "{:?}",
            refused.json
        );
        let created = app
            .post("/api/v1/batons", &maya, create(&threads[..20]))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
        assert_eq!(created.json["threads"].as_array().map(Vec::len), Some(20));
        let links = format!("/api/v1/batons/{}/threads", created.str("/id"));
        let again = app
            .post(&links, &maya, json!({"thread_id": threads[3]}))
            .await;
        assert_problem(
            &again,
            StatusCode::CONFLICT,
            "linked already, also when full",
        );
        let full = app
            .post(&links, &maya, json!({"thread_id": threads[20]}))
            .await;
        assert_problem(&full, StatusCode::UNPROCESSABLE_ENTITY, "a 21st thread");
    }
);
