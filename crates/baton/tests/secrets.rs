//! Secrets stay secret (reliability tests 13 and 14): with tracing at its most verbose, no API
//! token or password appears in the server's log, and neither is stored in plain text in the
//! database file; a revoked token fails on the very next request.

mod common;

use common::{Deployment, Http, Server, Session};
use serde_json::json;

#[tokio::test]
async fn tokens_and_passwords_never_reach_the_log_or_the_database_in_plain_text() {
    let deployment = Deployment::sqlite();
    let owner = deployment.bootstrap("Acme", "ada@acme.example", "Ada Lovelace", "Europe/London");
    let server = Server::start_with_env(&deployment, &[("BATON_LOG", "trace")]).await;
    let admin = Session::new(&server.base(), &owner.token);

    let password = "pw-9f3c7e-correct-horse";
    let bob = admin
        .post("/members", &json!({"email": "bob@acme.example", "name": "Bob", "timezone": "UTC", "password": password}))
        .await
        .expect(201, "create bob");
    let bob_id = bob["id"].as_str().expect("bob's id").to_owned();
    let issued = admin
        .post(
            "/tokens",
            &json!({"email": "bob@acme.example", "password": password, "label": "cli"}),
        )
        .await
        .expect(201, "token");
    let token = issued["token"].as_str().expect("a token").to_owned();
    let token_id = issued["id"].as_str().expect("a token id").to_owned();

    let bob_session = Session::new(&server.base(), &token);
    bob_session
        .get("/me")
        .await
        .expect(200, "bob's token works");
    let url = format!(
        "{}/api/v1/members/{bob_id}/tokens/{token_id}",
        server.base()
    );
    let revoked = Http::new()
        .send("DELETE", &url, Some(&owner.token), &[], None)
        .await
        .expect("DELETE answers");
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(
        bob_session.get("/me").await.status,
        401,
        "a revoked token fails on the next request"
    );

    let log = server.log_text();
    assert!(
        log.lines().count() > 3,
        "trace logging produced too little to judge:\n{log}"
    );
    let secret_part = |t: &str| t.trim_start_matches("baton_").to_owned();
    for (what, secret) in [
        ("owner token", secret_part(&owner.token)),
        ("bob's token", secret_part(&token)),
        ("password", password.to_owned()),
    ] {
        assert!(
            !log.contains(&secret[..24.min(secret.len())]),
            "the {what} appears in the server log"
        );
    }

    let db = std::fs::read(deployment.sqlite_file()).expect("the database file");
    let wal =
        std::fs::read(deployment.sqlite_file().with_extension("sqlite3-wal")).unwrap_or_default();
    for (what, secret) in [
        ("token", secret_part(&token)),
        ("password", password.to_owned()),
    ] {
        let needle = secret.as_bytes();
        for bytes in [&db, &wal] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "the {what} is stored in plain text"
            );
        }
    }
}
