//! Calendars through the API: the secret feed (made, replaced, revoked, served as
//! `text/calendar`), external calendars by upload and by URL (over a loopback server, through
//! the webhook guard), bad input refused naming its field and line with nothing stored, and the
//! slot finder keeping off external busy times. Feeds, invitations and external calendars are
//! also read by an independent parser (Python's `icalendar` with `recurring-ical-events`,
//! `tests/ics/check.py`), never only by Baton's own code.

use std::path::PathBuf;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_core::Id;
use baton_core::delivery::webhook_target::AllowedHosts;
use baton_server::AppState;
use baton_server::calendar::write::{Method, invitation};
use baton_server::delivery::webhook_client::WebhookClient;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp, assert_problem, nine_to_five, send_to};

fn calendars(who: &Actor) -> String {
    format!("/api/v1/members/{}/calendars", who.id)
}

fn feed_path(who: &Actor) -> String {
    format!("/api/v1/members/{}/calendar-feed", who.id)
}

/// A weekly stand-up, Monday and Tuesday 09:00–16:00 in Berlin, from 2 March 2026, except on
/// Tuesday 10 March; a free event; a cancelled one; and a one-off moved occurrence.
const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Elsewhere//EN\r\n\
BEGIN:VEVENT\r\nUID:standup@elsewhere\r\nSUMMARY:Client work\r\n\
DTSTART;TZID=Europe/Berlin:20260302T090000\r\nDTEND;TZID=Europe/Berlin:20260302T160000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO,TU;UNTIL=20260501T000000Z\r\n\
EXDATE;TZID=Europe/Berlin:20260310T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:standup@elsewhere\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260317T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260317T130000\r\nDTEND;TZID=Europe/Berlin:20260317T140000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:lunch@elsewhere\r\nDTSTART:20260311T110000Z\r\nDTEND:20260311T120000Z\r\n\
TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:off@elsewhere\r\nDTSTART:20260312T110000Z\r\nDTEND:20260312T120000Z\r\n\
STATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// What the independent parser read from `text` between `from` and `to`, or `None` when its
/// packages are missing outside CI (with `CI=true` a missing prerequisite fails the test).
fn independent(text: &str, from: &str, to: &str) -> Option<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ics/check.py");
    let file = std::env::temp_dir().join(format!("baton-ics-{}.ics", Id::random()));
    std::fs::write(&file, text).expect("write the calendar");
    let ran = Command::new("python3")
        .arg(&script)
        .arg(&file)
        .args([from, to])
        .output();
    let _ = std::fs::remove_file(&file);
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let output = match ran {
        Ok(output) => output,
        Err(e) if !ci => {
            println!("skipped: python3 cannot run ({e})");
            return None;
        }
        Err(e) => panic!("python3 cannot run ({e}); CI must check calendars independently"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "check.py failed: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    if stdout.starts_with("skipped:") {
        assert!(
            !ci,
            "{stdout} (CI must install icalendar and recurring-ical-events)"
        );
        println!("{}", stdout.trim());
        return None;
    }
    Some(serde_json::from_str(&stdout).expect("check.py prints JSON"))
}

/// The id of the test's one workspace.
async fn workspace_of(app: &TestApp) -> Id {
    app.store.workspaces().await.expect("workspaces")[0].id
}

/// GETs a path without a token (as a calendar program does).
async fn fetch(app: &TestApp, path: &str) -> crate::common::Reply {
    app.call("GET", path, None, None, &[]).await
}

/// The path of a feed URL (`http://host/calendar/….ics`).
fn path_of(url: &str) -> String {
    url.find("/calendar/")
        .map(|at| url[at..].to_owned())
        .unwrap_or_default()
}

app_test!(
    a_feed_url_serves_the_members_meetings_and_focus_until_replaced_or_revoked,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bo = app.member(&owner, "bo", "member").await;
        app.set_schedule(
            &bo,
            json!({
                "timezone": "Europe/Berlin",
                "weekly": { "mon": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]] },
                "focus": [{ "days": ["wed"], "start": "09:00", "end": "11:00" }]
            }),
        )
        .await;
        let space = app.space(&owner, "general", "public").await;
        app.join(&owner, &space, &bo).await;
        let meeting = app
            .post(
                "/api/v1/meetings",
                &owner,
                json!({
                    "title": "Vendor decision", "purpose": "decision", "space_id": space,
                    "participants": [bo.id], "duration_minutes": 45,
                    "start": "2026-03-09T14:00:00Z",
                    "agenda": [{"item": "Options", "owner_id": owner.id, "minutes": 45}],
                    "prework": [{"what": "Read the comparison"}],
                }),
            )
            .await;
        assert_eq!(meeting.status, StatusCode::CREATED, "{:?}", meeting.json);
        let id = meeting.str("/id");

        let made = app
            .call("POST", &feed_path(&bo), Some(&bo.token), None, &[])
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.json);
        let url = made.str("/url");
        assert!(url.ends_with(".ics") && url.contains("/calendar/"), "{url}");
        let served = fetch(&app, &path_of(&url)).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(
            served.headers["content-type"],
            "text/calendar; charset=utf-8"
        );
        let text = String::from_utf8(served.bytes.clone()).expect("UTF-8");
        assert!(text.contains(&format!("UID:{id}@baton")), "{text}");

        if let Some(read) = independent(&text, "2026-03-09T00:00:00Z", "2026-03-12T00:00:00Z") {
            assert_eq!(read["errors"], json!([]), "{read}");
            assert_eq!(read["version"], json!("2.0"));
            let events = read["events"].as_array().cloned().unwrap_or_default();
            let summary = |e: &Value| e["summary"].as_str().unwrap_or_default().to_owned();
            let meeting = events
                .iter()
                .find(|e| e["uid"] == json!(format!("{id}@baton")))
                .expect("the meeting");
            assert_eq!(meeting["start"], json!("2026-03-09T14:00:00Z"));
            assert_eq!(meeting["end"], json!("2026-03-09T14:45:00Z"));
            assert_eq!(meeting["sequence"], json!(0));
            assert!(
                meeting["organizer"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("mailto:owner@")),
                "{meeting}"
            );
            assert!(
                meeting["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("Options") && d.contains("Read the comparison")),
                "{meeting}"
            );
            let focus: Vec<&Value> = events
                .iter()
                .filter(|e| summary(e) == "Focus time")
                .collect();
            assert_eq!(focus.len(), 1, "{events:?}");
            assert_eq!(focus[0]["start"], json!("2026-03-11T08:00:00Z"));
            assert_eq!(focus[0]["end"], json!("2026-03-11T10:00:00Z"));
            let prework: Vec<&Value> = events
                .iter()
                .filter(|e| summary(e).starts_with("Pre-work due"))
                .collect();
            assert_eq!(prework.len(), 1, "{events:?}");
            assert_eq!(prework[0]["transp"], json!("TRANSPARENT"));
        }

        // A new URL replaces the old one; revoking ends the new one too.
        let again = app
            .call("POST", &feed_path(&bo), Some(&bo.token), None, &[])
            .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_ne!(again.str("/url"), url);
        assert_eq!(
            fetch(&app, &path_of(&url)).await.status,
            StatusCode::NOT_FOUND
        );
        let newer = path_of(&again.str("/url"));
        assert_eq!(fetch(&app, &newer).await.status, StatusCode::OK);
        let revoked = app
            .call("DELETE", &feed_path(&bo), Some(&bo.token), None, &[])
            .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert_eq!(fetch(&app, &newer).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            fetch(&app, "/calendar/not-a-secret.ics").await.status,
            StatusCode::NOT_FOUND
        );
        // Nobody makes a feed of someone else's meetings.
        let theirs = app
            .call("POST", &feed_path(&bo), Some(&owner.token), None, &[])
            .await;
        assert_problem(&theirs, StatusCode::FORBIDDEN, "another member's feed");
    }
);

app_test!(
    an_invitation_and_its_cancellation_read_as_rfc_5545_elsewhere,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bo = app.member(&owner, "bo", "member").await;
        let made = app
            .post(
                "/api/v1/meetings",
                &owner,
                json!({
                    "title": "Launch, finally", "purpose": "celebration",
                    "participants": [bo.id], "duration_minutes": 30,
                    "start": "2026-03-10T15:00:00Z",
                }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.json);
        let owner_id: Id = owner.id.parse().expect("id");
        let workspace = workspace_of(&app).await;
        let meeting = app
            .store
            .meeting_for(workspace, made.str("/id").parse().expect("id"), owner_id)
            .await
            .expect("the meeting");
        let mut people = std::collections::HashMap::new();
        for id in &meeting.participants {
            people.insert(*id, app.store.member(workspace, *id).await.expect("member"));
        }
        let stamp = "2026-03-02T12:00:00Z".parse().expect("instant");
        let (from, to) = ("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z");
        for (method, status, sequence) in [
            (Method::Request, "CONFIRMED", 0),
            (Method::Cancel, "CANCELLED", 1),
        ] {
            let text = invitation(&meeting, &people, method, sequence, stamp);
            let Some(read) = independent(&text, from, to) else {
                return;
            };
            assert_eq!(read["errors"], json!([]), "{read}");
            let expected = if method == Method::Request {
                "REQUEST"
            } else {
                "CANCEL"
            };
            assert_eq!(read["method"], json!(expected));
            let event = &read["events"][0];
            assert_eq!(event["uid"], json!(format!("{}@baton", meeting.id)));
            assert_eq!(event["summary"], json!("Launch, finally"));
            assert_eq!(event["start"], json!("2026-03-10T15:00:00Z"));
            assert_eq!(event["end"], json!("2026-03-10T15:30:00Z"));
            assert_eq!(event["status"], json!(status));
            assert_eq!(event["sequence"], json!(sequence));
            let mut emails: Vec<String> = people
                .values()
                .map(|m| format!("mailto:{}", m.email))
                .collect();
            emails.sort();
            assert_eq!(event["attendees"], json!(emails));
        }
    }
);

app_test!(
    an_uploaded_calendar_keeps_slots_off_its_weekly_event_except_on_its_exdate,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let bo = app.member(&owner, "bo", "member").await;
        app.set_schedule(&bo, nine_to_five("Europe/Berlin")).await;
        let added = app
            .post(
                &calendars(&bo),
                &bo,
                json!({"ics": WEEKLY, "name": "Client"}),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.json);
        assert_eq!(added.json["name"], json!("Client"));
        assert_eq!(added.json["url"], Value::Null);
        assert_eq!(added.json["last_error"], Value::Null);
        // Mondays and Tuesdays from 2 March to 30 April, less the EXDATE: 17.
        assert_eq!(added.json["busy"], json!(17), "{:?}", added.json);

        // The busy times Baton stored are the ones the independent parser expands.
        let workspace = workspace_of(&app).await;
        let member: Id = bo.id.parse().expect("id");
        let (from, to) = ("2026-02-23T12:00:00Z", "2026-06-30T12:00:00Z");
        let stored = app
            .store
            .external_busy(
                workspace,
                &[member],
                from.parse().expect("t"),
                to.parse().expect("t"),
            )
            .await
            .expect("busy times");
        if let Some(read) = independent(WEEKLY, from, to) {
            let expanded: Vec<(String, String)> = read["events"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| {
                    e["transp"] != json!("TRANSPARENT") && e["status"] != json!("CANCELLED")
                })
                .map(|e| {
                    (
                        e["start"].as_str().unwrap_or_default().to_owned(),
                        e["end"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let ours: Vec<(String, String)> = stored
                .iter()
                .map(|(_, s, e)| (s.to_string(), e.to_string()))
                .collect();
            assert_eq!(ours, expanded);
        }

        // Monday 9 March is taken 09:00–16:00 Berlin; Tuesday 10 March is the EXDATE.
        let r = app
            .post(
                "/api/v1/meetings/slots",
                &bo,
                json!({"participants": [bo.id], "duration_minutes": 60,
                       "from": "2026-03-09T00:00:00Z", "to": "2026-03-11T00:00:00Z"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        let starts: Vec<String> = r.json["slots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["total_out_of_hours_minutes"] == json!(0))
            .map(|s| s["start"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(starts[0], "2026-03-09T15:00:00Z", "{starts:?}");
        assert!(
            starts.contains(&"2026-03-10T08:00:00Z".to_owned()),
            "{starts:?}"
        );
        assert!(
            !starts
                .iter()
                .any(|s| s.starts_with("2026-03-09T") && s.as_str() < "2026-03-09T15:00:00Z"),
            "{starts:?}"
        );

        // Listed, then removed with its busy times.
        let list = app.get(&calendars(&bo), &bo).await;
        assert_eq!(list.json["calendars"][0]["id"], added.json["id"]);
        let gone = app
            .call(
                "DELETE",
                &format!("{}/{}", calendars(&bo), added.str("/id")),
                Some(&bo.token),
                None,
                &[],
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert!(
            app.store
                .external_busy(
                    workspace,
                    &[member],
                    from.parse().expect("t"),
                    to.parse().expect("t")
                )
                .await
                .expect("busy")
                .is_empty()
        );
    }
);

app_test!(
    bad_calendars_are_refused_naming_the_field_and_line_and_nothing_is_stored,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let broken = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20260309T100000Z\r\nnot a content line\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let r = app
            .post(&calendars(&owner), &owner, json!({"ics": broken}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "malformed");
        assert_eq!(r.json["field"], json!("ics"), "{:?}", r.json);
        assert!(r.str("/detail").contains("line 5"), "{:?}", r.json);

        let minutely = WEEKLY.replace("FREQ=WEEKLY;BYDAY=MO,TU", "FREQ=MINUTELY");
        let r = app
            .post(&calendars(&owner), &owner, json!({"ics": minutely}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "minutely");
        assert!(r.str("/detail").contains("line 9"), "{:?}", r.json);

        let huge = format!("{WEEKLY}{}", " ".repeat(2 * 1024 * 1024));
        let r = app
            .post(&calendars(&owner), &owner, json!({"ics": huge}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "too large");
        assert_eq!(r.json["field"], json!("ics"));

        for (body, field) in [
            (json!({}), "url"),
            (
                json!({"url": "https://x.example/a.ics", "ics": WEEKLY}),
                "url",
            ),
            (json!({"url": "ftp://x.example/a.ics"}), "url"),
            (json!({"url": "http://127.0.0.1:9/a.ics"}), "url"),
            (json!({"ics": WEEKLY, "name": "n".repeat(101)}), "name"),
        ] {
            let r = app.post(&calendars(&owner), &owner, body.clone()).await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, &body.to_string());
            assert_eq!(r.json["field"], json!(field), "{body}: {:?}", r.json);
        }
        let list = app.get(&calendars(&owner), &owner).await;
        assert_eq!(list.json["calendars"], json!([]), "nothing was stored");

        for _ in 0..20 {
            let r = app
                .post(&calendars(&owner), &owner, json!({"ics": WEEKLY}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let r = app
            .post(&calendars(&owner), &owner, json!({"ics": WEEKLY}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "too many");
        assert_eq!(r.json["field"], json!("calendars"));
    }
);

/// Serves `body` with `status` to every request on a loopback port, until dropped.
async fn loopback(status: u16, body: &'static str) -> (u16, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut seen = Vec::new();
            let mut chunk = [0u8; 4096];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/calendar\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    (port, task)
}

app_test!(
    a_calendar_url_is_fetched_through_the_webhook_guard_and_a_failed_refresh_keeps_its_busy_times,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        // The same app, with its webhook client allowed to reach loopback as
        // `--webhook-allow-host 127.0.0.1` would.
        let state = AppState::builder(app.store.clone())
            .clock(app.clock.clone())
            .webhooks(WebhookClient::new(AllowedHosts::new(["127.0.0.1"])))
            .build();
        let router = baton_server::router(state.clone());
        let (port, server) = loopback(200, WEEKLY).await;
        let url = format!("http://127.0.0.1:{port}/work.ics");
        let add = |body: Value| {
            Request::post(calendars(&owner))
                .header("authorization", format!("Bearer {}", owner.token))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("request")
        };
        let r = send_to(&router, add(json!({"url": url}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        assert_eq!(r.json["url"], json!(url));
        assert_eq!(r.json["name"], json!("127.0.0.1"));
        assert_eq!(r.json["busy"], json!(17));
        server.abort();

        // An hour later the server is gone: the refresh records why and keeps the busy times.
        app.clock.advance(jiff::SignedDuration::from_mins(61));
        let refreshed = baton_server::calendar::refresh::refresh_due(&state)
            .await
            .expect("a pass");
        assert_eq!(refreshed, 1);
        let list = app.get(&calendars(&owner), &owner).await;
        let cal = &list.json["calendars"][0];
        assert_eq!(cal["busy"], json!(17), "{cal}");
        assert!(
            cal["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("could not be fetched")),
            "{cal}"
        );
        assert_eq!(
            baton_server::calendar::refresh::refresh_due(&state)
                .await
                .expect("a pass"),
            0,
            "not due again until another hour has passed"
        );

        // A server that answers an error, or something that is not a calendar, is refused.
        let (port, _server) = loopback(404, "nope").await;
        let r = send_to(
            &router,
            add(json!({"url": format!("http://127.0.0.1:{port}/x.ics")})),
        )
        .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "404");
        assert!(r.str("/detail").contains("404"), "{:?}", r.json);
        let (port, _server) = loopback(200, "<html>hello</html>").await;
        let r = send_to(
            &router,
            add(json!({"url": format!("http://127.0.0.1:{port}/x.ics")})),
        )
        .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "html");
        assert!(r.str("/detail").contains("line 1"), "{:?}", r.json);
        // The app without the allow-list refuses loopback outright.
        let r = app
            .post(&calendars(&owner), &owner, json!({"url": url}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "loopback");
    }
);
