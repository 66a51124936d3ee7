//! Issue #5, item 5: outgoing webhooks end to end, through the real `baton serve` with a clock
//! file and `--webhook-allow-host 127.0.0.1` (as `BATON_WEBHOOK_ALLOW_HOSTS`), posting to a
//! small HTTP receiver on loopback that this test runs and that records every request.
//!
//! What it shows: a URL that is not http(s) or leads to loopback, private or link-local
//! addresses is refused with 422 naming `url` and nothing is written; a member's webhook is
//! held for their delivery window like email, a space's goes out at once; every request is
//! signed (`X-Baton-Signature` checked here with the secret shown at registration); a receiver
//! that answers 500 gets the retry with the same `Idempotency-Key`, so counting distinct keys
//! counts effects, and they equal the deliveries sent; a webhook deleted before its window gets
//! nothing. On PostgreSQL (`BATON_TEST_PG_URL`) the same runs with two instances sharing the
//! database and the clock, and still every delivery has exactly one effect.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ClockFile, Deployment, PgDatabase, Server, Session};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Monday 1 June 2026, 08:00 UTC: an hour before the default 09:00 window.
const BEFORE_WINDOW: &str = "2026-06-01T08:00:00Z";
const AT_WINDOW: &str = "2026-06-01T09:00:00Z";
/// After the first retry is due (one minute after a failure at 09:00).
const AFTER_RETRY: &str = "2026-06-01T09:02:00Z";
const SECOND_WINDOW: &str = "2026-06-01T14:00:00Z";
const BASE_URL: &str = "http://baton.test";
/// Longest a worker may take to do something due: several of its five-second idle polls.
const PHASE_TIMEOUT: Duration = Duration::from_secs(60);

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    /// What the receiver answered.
    status: u16,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON webhook body")
    }
}

/// An HTTP/1.1 server on a free loopback port that records every request and answers 200,
/// or 500 while a path still has failures left to give.
struct Receiver {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(failures: &[(&str, usize)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the receiver");
        let addr = listener.local_addr().expect("the receiver's address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let failures: Arc<Mutex<HashMap<String, usize>>> = Arc::new(Mutex::new(
            failures
                .iter()
                .map(|(p, n)| ((*p).to_owned(), *n))
                .collect(),
        ));
        let task = tokio::spawn({
            let log = Arc::clone(&log);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (log, failures) = (Arc::clone(&log), Arc::clone(&failures));
                    tokio::spawn(async move { answer(stream, &log, &failures).await });
                }
            }
        });
        Self { addr, log, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn received(&self, path: &str) -> Vec<Received> {
        self.log
            .lock()
            .expect("the receiver's log")
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Polls until `path` got at least `n` requests; panics with `logs` after a while.
    async fn wait_for(&self, path: &str, n: usize, logs: &dyn Fn() -> String) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < PHASE_TIMEOUT,
                "{path} got {} of {n} requests within {PHASE_TIMEOUT:?}; server logs:\n{}",
                got.len(),
                logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request from `stream`, records it, and answers.
async fn answer(
    mut stream: TcpStream,
    log: &Mutex<Vec<Received>>,
    failures: &Mutex<HashMap<String, usize>>,
) {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or_default()
        .to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let status = {
        let mut failures = failures.lock().expect("the failure script");
        match failures.get_mut(&path) {
            Some(left) if *left > 0 => {
                *left -= 1;
                500
            }
            _ => 200,
        }
    };
    log.lock().expect("the receiver's log").push(Received {
        path,
        headers,
        body,
        status,
    });
    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Checks `X-Baton-Signature` of `r` against `secret`: HMAC-SHA256 of timestamp, dot, body.
fn assert_signed(r: &Received, secret: &str) {
    let timestamp = r.header("x-baton-timestamp");
    assert!(
        timestamp.parse::<i64>().is_ok(),
        "timestamp {timestamp:?} is unix seconds"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&r.body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(r.header("x-baton-signature"), format!("sha256={hex}"));
    assert_eq!(r.header("content-type"), "application/json");
}

/// Polls the backlog (as the owner) until `done` accepts it.
async fn backlog(owner: &Session, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    common::wait_for_backlog(owner, what, PHASE_TIMEOUT, done).await
}

/// Creates a member with a password and a token they sign in for; returns (id, token).
async fn member(owner: &Session, email: &str) -> (String, String) {
    let password = "kim's long passphrase";
    let created = owner
        .post(
            "/members",
            &json!({"email": email, "name": "Kim", "timezone": "UTC", "password": password}),
        )
        .await
        .expect(201, "POST /members");
    let id = created["id"].as_str().expect("member id").to_owned();
    let token = owner
        .post("/tokens", &json!({"email": email, "password": password}))
        .await
        .expect(201, "POST /tokens");
    (id, token["token"].as_str().expect("a token").to_owned())
}

/// The whole story on `deployment`, with `instances` servers sharing its database and clock.
async fn story(deployment: &Deployment, instances: usize) {
    let receiver = Receiver::start(&[("/kim", 1)]).await;
    let owner_ids = deployment.bootstrap("Acme", "owner@acme.test", "Olu Owner", "UTC");
    let clock = ClockFile::new(deployment.scratch(), BEFORE_WINDOW);
    let clock_path = clock.path.display().to_string();
    let env = [
        ("BATON_CLOCK_FILE", clock_path.as_str()),
        ("BATON_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"),
        ("BATON_BASE_URL", BASE_URL),
    ];
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(Server::start_with_env(deployment, &env).await);
    }
    let logs = || {
        servers
            .iter()
            .map(Server::log_text)
            .collect::<Vec<_>>()
            .join("\n----\n")
    };
    let base = servers[0].base();
    let owner = Session::new(&base, &owner_ids.token);
    let (kim_id, kim_token) = member(&owner, "kim@acme.test").await;
    let kim = Session::new(&base, &kim_token);

    // Bad targets: 422 naming `url`, as problem+json, and nothing stored.
    let port = receiver.addr.port();
    for bad in [
        format!("ftp://127.0.0.1:{port}/kim"),
        "http://10.0.0.1/hook".to_owned(),
        format!("http://localhost:{port}/kim"),
        "http://[::1]/".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        format!("http://user:pw@127.0.0.1:{port}/kim"),
        "not a url".to_owned(),
    ] {
        let reply = kim
            .post(&format!("/members/{kim_id}/webhooks"), &json!({"url": bad}))
            .await;
        let problem = reply.expect(422, &format!("registering {bad}"));
        assert_eq!(reply.content_type, "application/problem+json", "{bad}");
        assert_eq!(problem["field"], "url", "{bad}: {problem}");
        assert!(!problem["detail"].as_str().unwrap_or_default().is_empty());
    }
    let listed = kim
        .get(&format!("/members/{kim_id}/webhooks"))
        .await
        .expect(200, "GET webhooks");
    assert_eq!(
        listed["webhooks"],
        json!([]),
        "a refused URL writes nothing"
    );

    // Kim's webhook (held for her windows) and the space's (at once).
    let created = kim
        .post(
            &format!("/members/{kim_id}/webhooks"),
            &json!({"url": receiver.url("/kim")}),
        )
        .await
        .expect(201, "registering Kim's webhook");
    let kim_secret = created["secret"].as_str().expect("a secret").to_owned();
    let kim_hook = created["id"].as_str().expect("an id").to_owned();
    assert!(kim_secret.starts_with("whsec_"));
    let listed = kim
        .get(&format!("/members/{kim_id}/webhooks"))
        .await
        .expect(200, "GET webhooks");
    assert_eq!(listed["webhooks"][0]["id"], kim_hook.as_str());
    assert!(
        listed["webhooks"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let space = owner.create_space("general").await;
    let created = owner
        .post(
            &format!("/spaces/{space}/webhooks"),
            &json!({"url": receiver.url("/space")}),
        )
        .await
        .expect(201, "registering the space's webhook");
    let space_secret = created["secret"].as_str().expect("a secret").to_owned();

    let ask = |n: usize| {
        let owner = &owner;
        let (space, kim_id) = (&space, &kim_id);
        async move {
            owner
                .post(
                    "/threads",
                    &json!({
                        "space_id": space,
                        "title": format!("Launch plan {n}"),
                        "body": format!("Kim, please review section {n}."),
                        "expectation": {"kind": "reply", "within_minutes": 120, "of": [kim_id]},
                    }),
                )
                .await
                .expect(201, "POST /threads with an ask")
        }
    };
    let thread = ask(1).await["id"].as_str().expect("thread id").to_owned();

    // The space's webhook fires at once; Kim's email and webhook wait for 09:00.
    let space_hits = receiver.wait_for("/space", 1, &logs).await;
    backlog(&owner, "the space webhook sent, Kim's queued", |b| {
        b["unexpanded_events"] == 0 && b["sent"] == 1 && b["queued"] == 2
    })
    .await;
    assert!(
        receiver.received("/kim").is_empty(),
        "nothing before the window"
    );
    let body = space_hits[0].json();
    assert_signed(&space_hits[0], &space_secret);
    assert_eq!(body["webhook"]["scope"]["type"], "space");
    assert_eq!(body["thread"]["id"], thread.as_str());
    assert_eq!(body["thread"]["title"], "Launch plan 1");
    assert_eq!(
        body["thread"]["url"],
        format!("{BASE_URL}/threads/{thread}").as_str()
    );
    assert_eq!(body["asks"][0]["member_id"], kim_id.as_str());

    // 09:00: Kim's webhook is sent, the receiver answers 500; at 09:02 the retry succeeds.
    clock.set(AT_WINDOW);
    receiver.wait_for("/kim", 1, &logs).await;
    // The worker reads the clock for the retry time once the answer is in: move the clock only
    // after the failure is recorded (the send's lease given back), or the retry lands later.
    // Kim's email digest stays queued and due (no SMTP here), so `due_now` is not the signal.
    backlog(&owner, "Kim's failed send recorded for a retry", |b| {
        b["leased"] == 0
    })
    .await;
    clock.set(AFTER_RETRY);
    receiver.wait_for("/kim", 2, &logs).await;
    backlog(&owner, "Kim's webhook sent after one retry", |b| {
        b["sent"] == 2
    })
    .await;
    // Normally exactly [500, 200]; a send whose answer is lost (a timeout on a loaded machine)
    // may come once more, with the same key, which is what the key is for.
    let kim_hits = receiver.received("/kim");
    assert_eq!(kim_hits[0].status, 500);
    assert!(kim_hits.iter().any(|r| r.status == 200), "{kim_hits:?}");
    let key = kim_hits[0].header("idempotency-key");
    assert!(
        kim_hits.iter().all(|r| r.header("idempotency-key") == key),
        "a retry carries the same key"
    );
    assert_ne!(
        kim_hits[0].header("x-baton-timestamp"),
        kim_hits[1].header("x-baton-timestamp"),
        "each attempt is signed when it is made"
    );
    for hit in &kim_hits {
        assert_signed(hit, &kim_secret);
        let body = hit.json();
        assert_eq!(body["id"], hit.header("idempotency-key"));
        assert_eq!(body["webhook"]["scope"]["type"], "member");
        assert_eq!(body["recipient"]["id"], kim_id.as_str());
        assert_eq!(body["post"]["text"], "Kim, please review section 1.");
        assert!(
            body["post"]["url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&format!("{BASE_URL}/threads/{thread}#post-")))
        );
        assert!(body["recipient"]["reply_by"].is_string(), "{body}");
    }

    // A webhook deleted after its delivery was planned gets nothing at the next window.
    ask(2).await;
    receiver.wait_for("/space", 2, &logs).await;
    backlog(&owner, "the second ask expanded", |b| {
        b["unexpanded_events"] == 0 && b["sent"] == 3
    })
    .await;
    let deleted = common::Http::new()
        .send(
            "DELETE",
            &format!("{base}/api/v1/webhooks/{kim_hook}"),
            Some(&kim_token),
            &[],
            None,
        )
        .await
        .expect("DELETE /webhooks/{id}");
    assert_eq!(
        deleted.status, 204,
        "deleting Kim's webhook: {}",
        deleted.text
    );
    clock.set(SECOND_WINDOW);
    backlog(&owner, "the deleted webhook's delivery dropped", |b| {
        b["dropped"] == 1
    })
    .await;
    assert_eq!(
        receiver.received("/kim").len(),
        kim_hits.len(),
        "nothing for a deleted webhook"
    );

    // A plain reply, asking no one, reaches the space's webhook too, at once.
    owner
        .post(
            &format!("/threads/{thread}/posts"),
            &json!({"body": "Section 3 is done."}),
        )
        .await
        .expect(201, "POST /threads/{id}/posts without an ask");
    let space_hits = receiver.wait_for("/space", 3, &logs).await;
    let plain = space_hits
        .iter()
        .find(|r| r.json()["post"]["text"] == "Section 3 is done.")
        .expect("the plain reply reached the space's webhook");
    assert_eq!(plain.header("x-baton-event"), "post");
    assert_signed(plain, &space_secret);
    assert_eq!(plain.json()["asks"], json!([]));

    // Exactly one effect per delivery: a receiver that keeps what it accepted by key holds one
    // entry per delivery sent, whichever instance sent it and however often it was tried.
    let ok: Vec<Received> = ["/kim", "/space"]
        .iter()
        .flat_map(|p| receiver.received(p))
        .filter(|r| r.status == 200)
        .collect();
    let keys: HashSet<&str> = ok.iter().map(|r| r.header("idempotency-key")).collect();
    let sent = backlog(&owner, "the final counts", |_| true).await["sent"].clone();
    assert_eq!(keys.len(), 4, "Kim's one and the space's three");
    assert_eq!(json!(keys.len()), sent, "one effect per delivery sent");
    println!(
        "{instances} instance(s): {} webhook requests accepted, {} distinct keys",
        ok.len(),
        keys.len()
    );

    // An urgent post reaches the space's webhook at once, marked as urgent.
    let before = receiver.received("/space").len();
    owner
        .post(
            &format!("/threads/{thread}/posts"),
            &json!({"body": "Prod is down.", "expectation": {"kind": "urgent", "of": [kim_id]}}),
        )
        .await
        .expect(201, "an urgent post");
    let space_hits = receiver.wait_for("/space", before + 1, &logs).await;
    let urgent = space_hits
        .iter()
        .find(|r| r.json()["post"]["text"] == "Prod is down.")
        .expect("the urgent post reached the space's webhook");
    assert_eq!(urgent.header("x-baton-event"), "urgent");
    assert_signed(urgent, &space_secret);
}

/// Sends `method path` with a JSON body as `token`; returns the status.
async fn call(base: &str, token: &str, method: &str, path: &str, body: Option<&Value>) -> u16 {
    let reply = common::Http::new()
        .send(
            method,
            &format!("{base}/api/v1{path}"),
            Some(token),
            &[],
            body,
        )
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    reply.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn access_is_checked_when_a_webhook_is_sent_and_an_edit_goes_out_as_edited() {
    let deployment = Deployment::sqlite();
    let receiver = Receiver::start(&[]).await;
    let owner_ids = deployment.bootstrap("Acme", "owner@acme.test", "Olu Owner", "UTC");
    let clock = ClockFile::new(deployment.scratch(), BEFORE_WINDOW);
    let clock_path = clock.path.display().to_string();
    let server = Server::start_with_env(
        &deployment,
        &[
            ("BATON_CLOCK_FILE", clock_path.as_str()),
            ("BATON_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"),
        ],
    )
    .await;
    let logs = || server.log_text();
    let base = server.base();
    let owner = Session::new(&base, &owner_ids.token);
    let (kim_id, kim_token) = member(&owner, "kim@acme.test").await;
    let kim = Session::new(&base, &kim_token);
    kim.post(
        &format!("/members/{kim_id}/webhooks"),
        &json!({"url": receiver.url("/kim")}),
    )
    .await
    .expect(201, "registering Kim's webhook");

    // One ask in a private space Kim is then removed from, one in a public space whose post
    // is then edited; both before Kim's 09:00 window.
    let private = owner
        .post(
            "/spaces",
            &json!({"name": "board", "visibility": "private"}),
        )
        .await
        .expect(201, "POST /spaces")["id"]
        .as_str()
        .expect("space id")
        .to_owned();
    owner
        .post(
            &format!("/spaces/{private}/members"),
            &json!({"member_id": kim_id}),
        )
        .await;
    let public = owner.create_space("general").await;
    let mut posts = Vec::new();
    for (space, title) in [(&private, "Board pack"), (&public, "Launch plan")] {
        let created = owner
            .post(
                "/threads",
                &json!({
                    "space_id": space,
                    "title": title,
                    "body": "First draft.",
                    "expectation": {"kind": "reply", "within_minutes": 120, "of": [kim_id]},
                }),
            )
            .await
            .expect(201, "POST /threads with an ask");
        posts.push(created["post_id"].as_str().expect("post id").to_owned());
    }
    backlog(&owner, "both asks expanded", |b| {
        b["unexpanded_events"] == 0 && b["queued"] == 4
    })
    .await;
    let removed = call(
        &base,
        &owner_ids.token,
        "DELETE",
        &format!("/spaces/{private}/members/{kim_id}"),
        None,
    )
    .await;
    assert_eq!(removed, 204, "removing Kim from the private space");
    let edited = call(
        &base,
        &owner_ids.token,
        "PATCH",
        &format!("/posts/{}", posts[1]),
        Some(&json!({"body": "Second draft, with numbers."})),
    )
    .await;
    assert_eq!(edited, 200, "editing the public post");

    clock.set(AT_WINDOW);
    let hits = receiver.wait_for("/kim", 1, &logs).await;
    backlog(&owner, "one webhook sent, the private one dropped", |b| {
        b["sent"] == 1 && b["dropped"] == 1
    })
    .await;
    assert_eq!(receiver.received("/kim").len(), 1);
    let body = hits[0].json();
    assert_eq!(body["thread"]["title"], "Launch plan");
    assert_eq!(body["post"]["text"], "Second draft, with numbers.");
    assert!(
        !String::from_utf8_lossy(&hits[0].body).contains("Board pack"),
        "nothing of the private space reaches Kim's webhook"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_are_checked_signed_held_retried_with_one_key_and_dropped_when_deleted() {
    story(&Deployment::sqlite(), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_postgresql_give_each_webhook_delivery_one_effect() {
    let what = "webhooks from two instances on one PostgreSQL";
    let Some(admin_url) = common::pg_test_url(what) else {
        return;
    };
    let database = PgDatabase::create(&admin_url, "baton_webhooks");
    story(&Deployment::with_database_url(&database.url), 2).await;
}
