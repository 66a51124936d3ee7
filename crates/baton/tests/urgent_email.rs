//! Issue #5, item 2 (urgent), end to end: a real `baton serve` on a driven clock sends urgent
//! posts to a real SMTP server on loopback (`aiosmtpd`). An urgent post to someone working
//! arrives at once, as an email of its own; one to someone off hours reaches a working
//! colleague at once ("Urgent for …", saying whom it is for) and the recipient when their
//! working day starts.
//!
//! Without `aiosmtpd` it prints one `skipped:` line and passes, except under CI (`CI=true`).

mod common;

use std::time::Duration;

use common::{ClockFile, Deployment, MailSink, Server, Session};
use serde_json::json;

/// Monday 1 June 2026, 12:00 UTC: Ana (UTC, Monday–Friday 09:00–17:00) works; Kenji
/// (Asia/Tokyo, same hours) does not (21:00 there).
const MONDAY_NOON: &str = "2026-06-01T12:00:00Z";
/// Tuesday 09:00 in Tokyo: Kenji's next working start.
const TOKYO_TUESDAY_9: &str = "2026-06-02T00:00:00Z";
/// Longest a message may take: the worker polls every five seconds when idle.
const ARRIVAL: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_posts_are_emailed_at_once_to_whoever_is_working() {
    let Some(sink) = MailSink::start("urgent email test") else {
        return;
    };
    let deployment = Deployment::sqlite();
    let owner = deployment.bootstrap("Acme", "owner@acme.test", "Olu Owner", "UTC");
    let clock = ClockFile::new(deployment.scratch(), MONDAY_NOON);
    let env = clock.serve_env(&sink.url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with_env(&deployment, &env).await;
    let logs = || server.log_text();
    let session = Session::new(&server.base(), &owner.token);

    let mut ids = Vec::new();
    for (name, zone) in [("Ana", "UTC"), ("Kenji", "Asia/Tokyo")] {
        let body = json!({"email": format!("{}@acme.test", name.to_lowercase()), "name": name, "timezone": zone});
        let created = session
            .post("/members", &body)
            .await
            .expect(201, "POST /members");
        ids.push(created["id"].as_str().expect("member id").to_owned());
    }
    let (ana, kenji) = (&ids[0], &ids[1]);
    let space = session.create_space("ops").await;
    for id in [ana, kenji] {
        let path = format!("/spaces/{space}/members");
        let joined = session.post(&path, &json!({"member_id": id})).await;
        assert_eq!(joined.status, 204, "joining the space: {}", joined.text);
    }
    let (thread, _) = session
        .create_thread(&space, "Incident", "Checkout fails.")
        .await;
    let urgent =
        |of: &str, body: &str| json!({"body": body, "expectation": {"kind": "urgent", "of": [of]}});
    let posts = format!("/threads/{thread}/posts");

    // Ana works: hers arrives at once, on its own.
    let sent = session
        .post(&posts, &urgent(ana, "Payments are down"))
        .await
        .expect(201, "urgent for Ana");
    assert_eq!(sent["urgent"]["granted"], json!(true));
    sink.wait_for(1, ARRIVAL, &logs).await;
    let first = &sink.mails()[0];
    assert!(first.to.contains("ana@acme.test"), "{first:?}");
    assert!(
        first.text.contains("Subject: Urgent: Incident"),
        "{}",
        first.text
    );
    assert!(first.text.contains("Payments are down"), "{}", first.text);

    // Kenji does not: Ana, who works, is told at once whom it is for; Kenji nothing yet.
    session
        .post(&posts, &urgent(kenji, "Kenji, your service is failing"))
        .await
        .expect(201, "urgent for Kenji");
    sink.wait_for(2, ARRIVAL, &logs).await;
    let cover = &sink.mails()[1];
    assert!(cover.to.contains("ana@acme.test"), "{cover:?}");
    assert!(
        cover.text.contains("Subject: Urgent for Kenji: Incident"),
        "{}",
        cover.text
    );
    assert!(
        cover
            .text
            .contains("It is for Kenji, who is not working now and will see it at Tue 09:00"),
        "{}",
        cover.text
    );

    // Kenji's working day starts: his arrives.
    clock.set(TOKYO_TUESDAY_9);
    sink.wait_for(3, ARRIVAL, &logs).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 3, "nothing else was sent");
    assert!(mails[2].to.contains("kenji@acme.test"), "{:?}", mails[2]);
    assert!(
        mails[2].text.contains("Kenji, your service is failing"),
        "{}",
        mails[2].text
    );
}
