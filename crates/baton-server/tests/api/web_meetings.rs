//! The meetings pages through HTTP as a signed-in member: the list with its empty state, the
//! request form and its purpose gate (the async alternatives first, nothing written), field
//! errors next to their field, a meeting in everyone's own time, a 404 for anyone outside it,
//! and a slot on "Find a time" that pre-fills the form.

use axum::http::StatusCode;
use serde_json::Value;

use crate::app_test;
use crate::common::{Actor, Browser, TestApp};
use crate::meetings::team;

/// A complete decision meeting with Yuki, Tuesday 16:00 in Berlin (the test clock is Monday
/// 2026-03-02 12:00 UTC), as the form posts it.
fn decision<'a>(yuki: &'a str, owner: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", "Pick the hosting vendor"),
        ("purpose", "decision"),
        ("justification", ""),
        ("participants", yuki),
        ("start", "2026-03-03T16:00"),
        ("duration_minutes", "45"),
        ("space_id", ""),
        ("agenda_item", "Objections to the proposal"),
        ("agenda_owner", yuki),
        ("agenda_minutes", "15"),
        ("agenda_item", "Decide"),
        ("agenda_owner", owner),
        ("agenda_minutes", "30"),
        ("agenda_item", ""),
        ("agenda_owner", owner),
        ("agenda_minutes", ""),
        ("prework_what", "Read the vendor comparison"),
        ("prework_before", "240"),
        ("prework_what", ""),
        ("prework_before", "240"),
    ]
}

/// The meetings `who` takes part in, through the API.
async fn listed(app: &TestApp, who: &Actor) -> Vec<Value> {
    let r = app.get("/api/v1/meetings", who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json["meetings"].as_array().cloned().unwrap_or_default()
}

/// `form` with `name` (its first occurrence) set to `value`.
fn with<'a>(form: &[(&'a str, &'a str)], name: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = form.to_vec();
    if let Some(field) = form.iter_mut().find(|(k, _)| *k == name) {
        field.1 = value;
    }
    form
}

async fn page_of(app: &TestApp, path: &str, browser: &Browser) -> String {
    let r = app.page(path, Some(browser)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.html());
    r.html()
}

app_test!(
    the_meetings_page_explains_the_approach_until_there_is_one,
    |app: TestApp| async move {
        let (owner, _, _) = team(&app).await;
        let browser = app.browser(&owner).await;
        let html = page_of(&app, "/meetings", &browser).await;
        assert!(html.contains("<h1>Meetings</h1>"), "{html}");
        assert!(html.contains("the exception"), "{html}");
        assert!(html.contains("href=\"/meetings/new\""), "{html}");
        assert!(
            html.contains("<a href=\"/meetings\" aria-current=\"page\">Meetings</a>"),
            "the rail lists Meetings: {html}"
        );
        let inbox = page_of(&app, "/inbox", &browser).await;
        assert!(inbox.contains("href=\"/meetings\""), "{inbox}");

        let form = page_of(&app, "/meetings/new", &browser).await;
        for needle in [
            "name=\"title\"",
            "value=\"decision\"",
            "value=\"other\"",
            "name=\"justification\"",
            "type=\"datetime-local\"",
            "name=\"agenda_item\"",
            "name=\"prework_before\" type=\"number\" min=\"0\" max=\"4800\" class=\"minutes\" value=\"240\"",
            "value=\"add_agenda\"",
            " yuki</label>",
        ] {
            assert!(form.contains(needle), "{needle}: {form}");
        }
    }
);

app_test!(
    the_form_requests_a_meeting_and_shows_it_in_everyones_time,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let space = app.space(&owner, "general", "public").await;
        app.join(&owner, &space, &yuki).await;
        let browser = app.browser(&owner).await;
        let form = with(&decision(&yuki.id, &owner.id), "space_id", &space);
        let r = app.form("/meetings", &browser, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html());
        let location = r.location();
        let id = location
            .strip_prefix("/meetings/")
            .expect("to the meeting's page");
        let read = app.get(&format!("/api/v1/meetings/{id}"), &owner).await;
        assert_eq!(read.status, StatusCode::OK, "{:?}", read.json);
        assert_eq!(read.json["status"], "invited");
        assert_eq!(read.json["start"], "2026-03-03T15:00:00Z");
        assert_eq!(read.json["agenda"].as_array().map(Vec::len), Some(2));

        let html = page_of(&app, &location, &browser).await;
        for needle in [
            "<h1>Pick the hosting vendor</h1>",
            "Decision: a final call",
            "Tue 3 Mar 16:00–16:45",
            // Yuki's own time: midnight in Tokyo.
            "Wed 4 Mar 00:00 Tokyo",
            "45 of 45 minutes planned",
            "due 4 working hours before the start",
            // Her pre-work is due 13:00 Tuesday in Tokyo, 05:00 in Berlin.
            "yuki: Tue 3 Mar 13:00 Tokyo · your Tue 3 Mar 05:00",
        ] {
            assert!(html.contains(needle), "{needle}: {html}");
        }
        let list = page_of(&app, "/meetings", &browser).await;
        let upcoming = list
            .split("id=\"drafts-heading\"")
            .next()
            .unwrap_or_default();
        assert!(upcoming.contains("Pick the hosting vendor"), "{list}");
        assert!(upcoming.contains("45 min · 2 people"), "{list}");

        // Someone outside the meeting gets the same 404 as for a meeting that does not exist.
        let outsider = app.browser(&maya).await;
        let hidden = app.page(&location, Some(&outsider)).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert!(!hidden.html().contains("Pick the hosting vendor"));
        let missing = app
            .page(
                "/meetings/00000000-0000-0000-0000-000000000000",
                Some(&outsider),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

app_test!(
    a_status_meeting_gets_the_async_alternatives_first_and_nothing_is_written,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let space = app.space(&owner, "Platform", "public").await;
        let browser = app.browser(&owner).await;
        let sent = with(
            &with(&decision(&yuki.id, &owner.id), "purpose", "other"),
            "space_id",
            &space,
        );
        let r = app.form("/meetings", &browser, &sent).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html());
        let html = r.html();
        assert!(html.contains("Could this be asynchronous?"), "{html}");
        assert!(html.contains("id=\"justification-error\""), "{html}");
        // Each alternative is a new thread in the meeting's space, pre-filled from the request.
        let thread_link = format!("/spaces/{space}/threads/new?title=Pick+the+hosting+vendor");
        assert!(html.contains(&thread_link), "{html}");
        assert!(
            html.contains("Decision%3A+Pick+the+hosting+vendor"),
            "{html}"
        );
        assert!(
            html.contains("Check-in%3A+Pick+the+hosting+vendor"),
            "{html}"
        );
        // Everything typed is still there.
        assert!(html.contains("value=\"Pick the hosting vendor\""), "{html}");
        assert!(
            html.contains("value=\"Objections to the proposal\""),
            "{html}"
        );
        assert!(html.contains("value=\"other\" selected"), "{html}");
        assert!(listed(&app, &owner).await.is_empty(), "nothing written");

        // The thread link opens the composer with the title and the ask filled in.
        let start = html.find(&thread_link).expect("the link");
        let end = start + html[start..].find('"').expect("the link's end");
        let link = html[start..end].replace("&amp;", "&").replace("&#38;", "&");
        let composer = page_of(&app, &link, &browser).await;
        assert!(
            composer.contains("value=\"Pick the hosting vendor\""),
            "{composer}"
        );
        assert!(
            composer.contains("- Objections to the proposal"),
            "{composer}"
        );

        let justified = with(
            &sent,
            "justification",
            "The vendor joins live and cannot use our threads.",
        );
        let ok = app.form("/meetings", &browser, &justified).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html());
        let html = page_of(&app, &ok.location(), &browser).await;
        assert!(
            html.contains("The vendor joins live and cannot use our threads."),
            "{html}"
        );
    }
);

app_test!(
    bad_fields_are_shown_next_to_their_field_and_nothing_is_written,
    |app: TestApp| async move {
        let (owner, yuki, maya) = team(&app).await;
        let browser = app.browser(&owner).await;
        let good = decision(&yuki.id, &owner.id);
        for (name, value, field) in [
            ("title", "  ", "title"),
            ("purpose", "standup", "purpose"),
            ("start", "2026-03-01T10:00", "start"),
            ("start", "next week", "start"),
            ("duration_minutes", "0", "duration_minutes"),
            ("participants", "nobody", "participants"),
            ("agenda_minutes", "forty", "agenda"),
            ("agenda_owner", maya.id.as_str(), "agenda"),
            ("prework_before", "4801", "prework"),
        ] {
            let r = app
                .form("/meetings", &browser, &with(&good, name, value))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name}={value}: {}",
                r.html()
            );
            let html = r.html();
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "{name}={value}: {html}"
            );
            assert!(!html.contains("Could this be asynchronous?"), "{html}");
        }
        assert!(listed(&app, &owner).await.is_empty(), "nothing written");

        // Adding a row keeps what was typed and writes nothing either.
        let mut more = good.clone();
        more.push(("intent", "add_agenda"));
        let r = app.form("/meetings", &browser, &more).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html());
        assert!(r.html().contains("id=\"agenda-item-4\""), "{}", r.html());
        assert!(r.html().contains("value=\"Decide\""));
        assert!(listed(&app, &owner).await.is_empty(), "nothing written");
    }
);

app_test!(
    a_slot_on_find_a_time_is_charted_and_prefills_the_request,
    |app: TestApp| async move {
        let (owner, yuki, _) = team(&app).await;
        let browser = app.browser(&owner).await;
        let query = format!(
            "/meetings/find-a-time?with={}&with={}&minutes=45&from=2026-03-03&days=2",
            owner.id, yuki.id
        );
        let html = page_of(&app, &query, &browser).await;
        assert!(html.contains("role=\"img\""), "{html}");
        assert!(html.contains("<title id=\"slot-chart-title\">"), "{html}");
        assert!(html.contains("The chart as a table"), "{html}");
        let start = html.find("/meetings/new?start=").expect("a request link");
        let end = start + html[start..].find('"').expect("the link's end");
        let link = html[start..end].replace("&amp;", "&").replace("&#38;", "&");
        assert!(link.contains("duration=45"), "{link}");
        let form = page_of(&app, &link, &browser).await;
        assert!(
            form.contains(
                "name=\"duration_minutes\" type=\"number\" min=\"1\" max=\"480\" value=\"45\""
            ),
            "{form}"
        );
        assert!(
            form.contains(&format!("value=\"{}\" checked", yuki.id)),
            "{form}"
        );
        assert!(
            form.contains("name=\"start\" type=\"datetime-local\" value=\"2026-03-0"),
            "{form}"
        );
    }
);
