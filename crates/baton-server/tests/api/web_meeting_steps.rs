//! The organizer's steps on the meeting page: a draft without a space cannot be invited (the
//! page says why, 409, nothing sent); an invited meeting shows its thread, video link and who
//! is optional; once held it is closed from the form (a bad form shown again at its field,
//! nothing written), the action reaching its owner as an ask; a participant sees no buttons.

use axum::http::StatusCode;
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::TestApp;
use crate::meetings::{decision, planned, team};

async fn meeting(app: &TestApp, who: &crate::common::Actor, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/meetings/{id}"), who).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
}

app_test!(
    the_organizer_invites_cancels_and_closes_from_the_meeting_page,
    |app: TestApp| async move {
        let (owner, yuki, _maya) = team(&app).await;
        let space = app.space(&owner, "general", "public").await;
        app.join(&owner, &space, &yuki).await;
        let organizer = app.browser(&owner).await;

        // A complete meeting without a space stays a draft; inviting it is refused and says why.
        let draft = app
            .post("/api/v1/meetings", &owner, decision(&[&yuki], &yuki))
            .await;
        assert_eq!(draft.json["status"], json!("draft"), "{:?}", draft.json);
        let draft_id = draft.str("/id");
        let page = app
            .page(&format!("/meetings/{draft_id}"), Some(&organizer))
            .await
            .html();
        assert!(!page.contains("Send the invitations"), "{page}");
        assert!(
            page.contains("Invitations go out only once the meeting has"),
            "the page says what the draft lacks: {page}"
        );
        let refused = app
            .form(&format!("/meetings/{draft_id}/invite"), &organizer, &[])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html());
        assert!(refused.html().contains("space"), "{}", refused.html());
        assert_eq!(
            meeting(&app, &owner, &draft_id).await["status"],
            json!("draft")
        );
        let cancelled = app
            .form(&format!("/meetings/{draft_id}/cancel"), &organizer, &[])
            .await;
        assert_eq!(
            cancelled.status,
            StatusCode::SEE_OTHER,
            "{}",
            cancelled.html()
        );
        assert_eq!(
            meeting(&app, &owner, &draft_id).await["status"],
            json!("cancelled")
        );

        // Over the load target it stays a draft; the organizer invites anyway from the page.
        let mut long = planned(&space, &[&yuki], &yuki);
        long["duration_minutes"] = json!(150);
        let long = app.post("/api/v1/meetings", &owner, long).await;
        assert_eq!(long.json["status"], json!("draft"), "{:?}", long.json);
        let long_id = long.str("/id");
        let page = app
            .page(
                &format!("/meetings/{long_id}?warned=load"),
                Some(&organizer),
            )
            .await
            .html();
        assert!(page.contains("meeting-load target"), "{page}");
        assert!(page.contains("Send the invitations"), "{page}");
        let sent = app
            .form(&format!("/meetings/{long_id}/invite"), &organizer, &[])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html());
        assert_eq!(
            meeting(&app, &owner, &long_id).await["status"],
            json!("invited")
        );
        app.form(&format!("/meetings/{long_id}/cancel"), &organizer, &[])
            .await;

        let mut body = planned(&space, &[&yuki], &yuki);
        body["video_url"] = json!("https://meet.example.com/vendor");
        let invited = app.post("/api/v1/meetings", &owner, body).await;
        assert_eq!(
            invited.json["status"],
            json!("invited"),
            "{:?}",
            invited.json
        );
        let id = invited.str("/id");
        let page = app
            .page(&format!("/meetings/{id}"), Some(&organizer))
            .await
            .html();
        assert!(page.contains("its thread"), "{page}");
        assert!(page.contains("https://meet.example.com/vendor"), "{page}");
        assert!(
            page.contains("optional: outside their working hours"),
            "{page}"
        );
        assert!(page.contains("Cancel the meeting"), "{page}");
        assert!(
            !page.contains("Close with these notes"),
            "not held yet: {page}"
        );
        let as_yuki = app
            .page(&format!("/meetings/{id}"), Some(&app.browser(&yuki).await))
            .await
            .html();
        assert!(!as_yuki.contains("Cancel the meeting"), "{as_yuki}");

        // Wednesday: it was held on Tuesday.
        app.clock.advance(SignedDuration::from_hours(48));
        let page = app
            .page(&format!("/meetings/{id}"), Some(&organizer))
            .await
            .html();
        assert!(page.contains("Close with these notes"), "{page}");
        let bad = app
            .form(
                &format!("/meetings/{id}/close"),
                &organizer,
                &[
                    ("notes", "We chose Hostco."),
                    ("decisions", "Hostco"),
                    ("action_owner", &yuki.id),
                    ("action_what", "Sign the contract"),
                    ("action_hours", "soon"),
                ],
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.html()
        );
        assert!(
            bad.html().contains("We chose Hostco."),
            "the form keeps what was typed"
        );
        assert_eq!(meeting(&app, &owner, &id).await["status"], json!("invited"));

        let closed = app
            .form(
                &format!("/meetings/{id}/close"),
                &organizer,
                &[
                    ("notes", "We chose Hostco."),
                    ("decisions", "Hostco for both regions\n\n"),
                    ("action_owner", &yuki.id),
                    ("action_what", "Sign the contract"),
                    ("action_hours", "8"),
                    ("action_owner", &owner.id),
                    ("action_what", ""),
                    ("action_hours", "8"),
                ],
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.html());
        assert_eq!(meeting(&app, &owner, &id).await["status"], json!("closed"));
        let asks = app.get("/api/v1/asks?direction=to_me", &yuki).await;
        let thread = meeting(&app, &owner, &id).await["thread_id"].clone();
        let from_close = asks.json["asks"]
            .as_array()
            .expect("asks")
            .iter()
            .filter(|a| a["thread_id"] == thread)
            .count();
        assert!(from_close >= 1, "the action reached Yuki: {:?}", asks.json);
        let page = app
            .page(&format!("/meetings/{id}"), Some(&organizer))
            .await
            .html();
        assert!(page.contains("Status: closed"), "{page}");
        assert!(!page.contains("Close with these notes"), "{page}");
    }
);
