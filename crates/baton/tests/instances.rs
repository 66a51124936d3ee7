//! Two `baton serve` instances on one PostgreSQL (reliability tests 32 and 36): pairs of
//! duplicate POSTs carrying the same `Idempotency-Key`, one to each instance at the same time,
//! have exactly one effect, and both answers name the same post; a write through one instance
//! is read through the other.

mod common;

use std::collections::HashSet;

use common::{Deployment, Http, PgDatabase, Server, Session};
use serde_json::json;

/// Pairs of concurrent duplicates.
const PAIRS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicates_sent_to_two_instances_at_once_have_exactly_one_effect() {
    let Some(admin_url) = common::pg_test_url("two instances on PostgreSQL") else {
        return;
    };
    let database = PgDatabase::create(&admin_url, "baton_pair");
    let deployment = Deployment::with_database_url(&database.url);
    let owner = deployment.bootstrap("Acme", "ada@acme.example", "Ada Lovelace", "Europe/London");
    let (a, b) = (
        Server::start(&deployment).await,
        Server::start(&deployment).await,
    );
    let on_a = Session::new(&a.base(), &owner.token);
    let space = on_a.create_space("general").await;
    let (thread, _) = on_a.create_thread(&space, "Pairs", "Opening post").await;
    let on_b = Session::new(&b.base(), &owner.token);
    assert_eq!(
        on_b.get(&format!("/threads/{thread}")).await.status,
        200,
        "a write through A is read through B"
    );

    let http = Http::new();
    let mut ids = HashSet::new();
    for pair in 0..PAIRS {
        let key = format!("pair-{pair}");
        let body = json!({"body": format!("reply {pair}")});
        let send = |base: String| {
            let (http, key, body, token, thread) = (
                http.clone(),
                key.clone(),
                body.clone(),
                owner.token.clone(),
                thread.clone(),
            );
            async move {
                let url = format!("{base}/api/v1/threads/{thread}/posts");
                http.send(
                    "POST",
                    &url,
                    Some(&token),
                    &[("idempotency-key", &key)],
                    Some(&body),
                )
                .await
                .expect("an answer")
            }
        };
        let (ra, rb) = tokio::join!(send(a.base()), send(b.base()));
        assert_eq!(
            (ra.status, rb.status),
            (201, 201),
            "pair {pair}: {} / {}",
            ra.text,
            rb.text
        );
        let (ida, idb) = (ra.json()["id"].clone(), rb.json()["id"].clone());
        assert_eq!(
            ida, idb,
            "pair {pair}: both instances answer with the first post"
        );
        ids.insert(ida.to_string());
    }
    assert_eq!(ids.len(), PAIRS);
    let thread_now = on_b.get(&format!("/threads/{thread}")).await.json();
    assert_eq!(
        thread_now["post_count"],
        json!(PAIRS + 1),
        "one post per key, plus the opening post"
    );
    drop((a, b));
    drop(database);
}
