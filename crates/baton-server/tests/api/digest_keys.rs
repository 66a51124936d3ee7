//! Issue #5, items 3 and 7: a digest resent after a crash carries its first `Message-ID` and
//! content even when the claim that resends it also takes newer deliveries of the same
//! recipient. A worker whose process dies right after the mail server accepted a digest (its
//! mailer panics after recording the message, so nothing is marked sent) leaves the deliveries
//! leased; once the lease runs out, the next claim takes them together with a newer ask, and
//! they must go out as two digests: the first again, unchanged, and the newer one on its own.

use std::sync::Arc;

use axum::http::StatusCode;
use baton_server::clock::Clock as _;
use baton_server::delivery::tick;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, TestApp};
use crate::recorder::{Recorder, worker};

async fn ask(app: &TestApp, owner: &Actor, space: &str, member: &Actor, marker: &str) {
    let r = app
        .post(
            "/api/v1/threads",
            owner,
            json!({"space_id": space, "title": marker, "body": format!("Please answer {marker}"),
                   "expectation": {"kind": "reply", "within_minutes": 60, "of": [member.id]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
}

app_test!(
    a_digest_resent_after_a_crash_keeps_its_message_id_beside_newer_asks,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        // In Tokyo: the default windows are 09:00 (00:00 UTC) and 14:00 (05:00 UTC).
        let kim = app.member(&owner, "kim", "member").await;
        let space = app.space(&owner, "general", "public").await;
        ask(&app, &owner, &space, &kim, "firstmarker").await;

        app.clock
            .set("2026-03-03T00:00:00Z".parse().expect("09:00 in Tokyo"));
        let dying = Arc::new(Recorder::dying());
        let crashed = tokio::spawn({
            let (state, worker) = (app.state.clone(), worker(dying.clone()));
            async move { tick(&state, &worker).await }
        })
        .await;
        assert!(crashed.is_err(), "the worker died mid-send");
        let first = dying.mails();
        assert_eq!(first.len(), 1, "the mail server got the digest");

        // A newer ask, due at the 14:00 window, long after the dead worker's lease ran out.
        ask(&app, &owner, &space, &kim, "secondmarker").await;
        app.clock
            .set("2026-03-03T05:00:00Z".parse().expect("14:00 in Tokyo"));
        let live = Arc::new(Recorder::default());
        let report = tick(&app.state, &worker(live.clone()))
            .await
            .expect("a tick");
        assert_eq!((report.digests, report.sent), (2, 2), "{report:?}");
        let mails = live.mails();
        let resent = mails
            .iter()
            .find(|(_, text)| text.contains("firstmarker"))
            .expect("the first digest again");
        assert_eq!(resent.0, first[0].0, "resent with its first Message-ID");
        assert!(
            !resent.1.contains("secondmarker"),
            "nothing newer merged into it"
        );
        let newer = mails
            .iter()
            .find(|(_, text)| text.contains("secondmarker"))
            .expect("the newer digest");
        assert_ne!(newer.0, first[0].0);
        assert!(!newer.1.contains("firstmarker"));
        assert!(
            tick(&app.state, &worker(live.clone()))
                .await
                .expect("a tick")
                .is_idle()
        );
        let backlog = app.get("/api/v1/deliveries/backlog", &owner).await.json;
        assert_eq!(
            (&backlog["sent"], &backlog["queued"]),
            (&json!(2), &json!(0))
        );
        assert!(app.clock.now() > "2026-03-03T00:05:00Z".parse().expect("an instant"));
    }
);
