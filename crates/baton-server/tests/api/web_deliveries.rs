//! Issue #5, items 3 and 9: with an unreachable mail server, deliveries stay queued and are
//! retried, then parked once the clock is driven past the last attempt; `/healthz` still
//! answers; admins see it all on `GET /api/v1/deliveries/backlog` and `/admin/deliveries`, and
//! a retry (from the page or the API) queues a parked delivery again with fresh attempts.
//!
//! The delivery worker runs in-process, one tick at a time, on the app's manual clock; its
//! mail goes to a closed loopback port (SMTP connection refused), then to a recording mailer.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::http::StatusCode;
use baton_core::delivery::outbox::MAX_ATTEMPTS;
use baton_server::clock::Clock as _;
use baton_server::delivery::{Mailer, SmtpMailer, TickReport, Worker, tick};
use jiff::ToSpan as _;
use serde_json::{Value, json};

use crate::app_test;
use crate::common::{Actor, TestApp};

/// A mailer that keeps what it is given, for the send after the mail server is back.
#[derive(Default)]
struct Kept(Mutex<Vec<lettre::Message>>);

#[async_trait]
impl Mailer for Kept {
    async fn send(&self, message: lettre::Message) -> anyhow::Result<()> {
        self.0.lock().expect("kept mail").push(message);
        Ok(())
    }
}

fn worker(mailer: Arc<dyn Mailer>) -> Worker {
    let from = "Baton <baton@baton.test>".parse().expect("a mailbox");
    Worker::new(Some(mailer), "http://baton.test", from)
}

/// `smtp://` to a loopback port nothing listens on.
fn unreachable_smtp() -> Arc<dyn Mailer> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port();
    Arc::new(SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).expect("an SMTP URL"))
}

async fn run(app: &TestApp, worker: &Worker) -> TickReport {
    tick(&app.state, worker).await.expect("a delivery tick")
}

async fn backlog(app: &TestApp, admin: &Actor) -> Value {
    let r = app.get("/api/v1/deliveries/backlog", admin).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    r.json
}

/// Moves the clock past any backoff (at most two hours) and ticks once.
async fn retry_later(app: &TestApp, worker: &Worker) -> TickReport {
    app.clock.set(app.clock.now() + 3.hours());
    run(app, worker).await
}

/// Fails every attempt of the one delivery until it is parked; returns the last backlog.
async fn fail_until_parked(app: &TestApp, owner: &Actor, broken: &Worker) -> Value {
    for attempt in 1..=MAX_ATTEMPTS {
        let report = retry_later(app, broken).await;
        assert_eq!((report.failed, report.digests), (1, 0), "attempt {attempt}");
        let b = backlog(app, owner).await;
        if attempt < MAX_ATTEMPTS {
            assert_eq!(
                (&b["queued"], &b["parked"], &b["due_now"], &b["leased"]),
                (&json!(1), &json!(0), &json!(0), &json!(0)),
                "queued for a retry after attempt {attempt}: {b}"
            );
        }
    }
    backlog(app, owner).await
}

app_test!(
    an_unreachable_mail_server_keeps_deliveries_queued_then_parks_them_for_an_admin,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let member = app.member(&owner, "kim", "member").await;
        let space = app.space(&owner, "general", "public").await;
        let asked = app
            .post(
                "/api/v1/threads",
                &owner,
                json!({"space_id": space, "title": "Launch", "body": "Ready?",
                       "expectation": {"kind": "reply", "within_minutes": 60, "of": [member.id]}}),
            )
            .await;
        assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.json);
        let thread = asked.str("/id");
        let broken = worker(unreachable_smtp());

        // Expanded now, due at the member's next window (Tuesday 09:00 Tokyo).
        assert_eq!(run(&app, &broken).await.expanded, 1);
        let waiting = backlog(&app, &owner).await;
        assert_eq!(
            (
                &waiting["queued"],
                &waiting["due_now"],
                &waiting["oldest_due_at"]
            ),
            (&json!(1), &json!(0), &Value::Null),
            "{waiting}"
        );

        // A day later the window has passed; every attempt fails.
        app.clock.set(app.clock.now() + 24.hours());
        let parked = fail_until_parked(&app, &owner, &broken).await;
        let health = app.page("/healthz", None).await;
        assert_eq!(
            health.status,
            StatusCode::OK,
            "the database is fine: {}",
            health.html()
        );
        assert_eq!(
            (&parked["queued"], &parked["parked"], &parked["sent"]),
            (&json!(0), &json!(1), &json!(0)),
            "{parked}"
        );
        let row = &parked["parked_deliveries"][0];
        assert_eq!(row["attempts"], json!(MAX_ATTEMPTS), "{row}");
        assert_eq!(row["recipient_id"], json!(member.id));
        assert_eq!(row["recipient_name"], json!("kim"));
        assert_eq!(row["thread_id"], json!(thread));
        assert_eq!(row["event_kind"], json!("ask"));
        assert!(
            row["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("SMTP")),
            "{row}"
        );
        let id = row["id"].as_str().expect("an id").to_owned();

        // The page shows it; a member gets the refusal, not the table.
        let admin_browser = app.browser(&owner).await;
        let page = app.page("/admin/deliveries", Some(&admin_browser)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        for expected in [
            "<h2>Parked</h2>",
            "kim",
            "Launch",
            &format!("/admin/deliveries/{id}/retry"),
        ] {
            assert!(html.contains(expected), "missing {expected:?} in:\n{html}");
        }
        let member_browser = app.browser(&member).await;
        let refused = app.page("/admin/deliveries", Some(&member_browser)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = app
            .post(
                &format!("/api/v1/deliveries/{id}/retry"),
                &member,
                json!({}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Retried from the page: queued again, due now, with a fresh set of attempts.
        let retried = app
            .form(
                &format!("/admin/deliveries/{id}/retry"),
                &admin_browser,
                &[],
            )
            .await;
        assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.html());
        assert_eq!(retried.location(), "/admin/deliveries?saved=retried");
        let requeued = backlog(&app, &owner).await;
        assert_eq!(
            (
                &requeued["queued"],
                &requeued["due_now"],
                &requeued["parked"]
            ),
            (&json!(1), &json!(1), &json!(0)),
            "{requeued}"
        );
        assert!(
            requeued["oldest_due_age_seconds"]
                .as_i64()
                .is_some_and(|s| s > 0)
        );
        let again = app
            .post(&format!("/api/v1/deliveries/{id}/retry"), &owner, json!({}))
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "only a parked one");

        // Still unreachable: it takes the whole backoff again before it parks.
        let parked = fail_until_parked(&app, &owner, &broken).await;
        assert_eq!(parked["parked"], json!(1), "{parked}");

        // Retried through the API, then the mail server is back: it goes out once.
        let retried = app
            .post(&format!("/api/v1/deliveries/{id}/retry"), &owner, json!({}))
            .await;
        assert_eq!(retried.status, StatusCode::NO_CONTENT);
        let kept = Arc::new(Kept::default());
        let working = worker(kept.clone());
        let sent = run(&app, &working).await;
        assert_eq!((sent.digests, sent.sent), (1, 1), "{sent:?}");
        assert!(run(&app, &working).await.is_idle());
        assert_eq!(kept.0.lock().expect("kept mail").len(), 1);
        let done = backlog(&app, &owner).await;
        assert_eq!(
            (
                &done["queued"],
                &done["parked"],
                &done["sent"],
                &done["sent_last_24h"]
            ),
            (&json!(0), &json!(0), &json!(1), &json!(1)),
            "{done}"
        );
        let missing = app
            .post(
                &format!("/api/v1/deliveries/{}/retry", baton_core::Id::random()),
                &owner,
                json!({}),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            missing.headers["content-type"], "application/problem+json",
            "{:?}",
            missing.json
        );
    }
);
