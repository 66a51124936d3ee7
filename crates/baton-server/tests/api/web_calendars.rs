//! Settings → Calendars: a feed URL made, shown once and served until turned off; a pasted
//! calendar added and listed with its busy times; a malformed one shown again with the line
//! at fault and nothing stored; removing one.

use axum::http::StatusCode;

use crate::app_test;
use crate::common::{Browser, TestApp};

/// A weekly hour on Mondays in Berlin, as calendar apps export it.
const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20260301T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20260302T100000\r\nDTEND;TZID=Europe/Berlin:20260302T110000\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// The feed URL the page shows after making one.
fn shown_feed_url(html: &str) -> String {
    let at = html.find("/calendar/").expect("a feed URL on the page");
    let end = html[at..].find(".ics").expect("the URL's end") + at + 4;
    html[at..end].to_owned()
}

async fn settings(app: &TestApp, browser: &Browser) -> String {
    let page = app.page("/settings/calendars", Some(browser)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html());
    page.html()
}

app_test!(
    the_calendars_page_makes_a_feed_and_adds_calendars,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        let html = settings(&app, &browser).await;
        assert!(html.contains("Make a new feed URL"), "{html}");
        assert!(!html.contains("/calendar/"), "no URL before one is made");

        let made = app.form("/settings/calendars/feed", &browser, &[]).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.html());
        let url = shown_feed_url(&made.html());
        let feed = app.page(&url, None).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&feed.bytes).starts_with("BEGIN:VCALENDAR"));
        assert!(
            !settings(&app, &browser).await.contains("/calendar/"),
            "the URL is shown once"
        );
        let off = app
            .form("/settings/calendars/feed/revoke", &browser, &[])
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        assert_eq!(app.page(&url, None).await.status, StatusCode::NOT_FOUND);

        let bad = WEEKLY.replace(
            "DTSTART;TZID=Europe/Berlin:20260302T100000",
            "DTSTART:tomorrow",
        );
        let refused = app
            .form(
                "/settings/calendars",
                &browser,
                &[("name", "Work"), ("url", ""), ("ics", &bad)],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.html()
        );
        assert!(refused.html().contains("line"), "{}", refused.html());
        assert!(settings(&app, &browser).await.contains("None yet."));

        let added = app
            .form(
                "/settings/calendars",
                &browser,
                &[("name", "Work"), ("url", ""), ("ics", WEEKLY)],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html());
        let html = app.page(&added.location(), Some(&browser)).await.html();
        assert!(
            html.contains("Work") && html.contains("Uploaded file"),
            "{html}"
        );
        assert!(html.contains("Calendar added"), "{html}");
        let listed = app
            .get(&format!("/api/v1/members/{}/calendars", owner.id), &owner)
            .await;
        let id = listed.json["calendars"][0]["id"]
            .as_str()
            .expect("a calendar id")
            .to_owned();
        let removed = app
            .form(&format!("/settings/calendars/{id}/delete"), &browser, &[])
            .await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        assert!(settings(&app, &browser).await.contains("None yet."));
    }
);
