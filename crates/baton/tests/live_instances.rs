//! Issue #5, item 6 (live counters): two `baton serve` processes on one PostgreSQL database. A
//! member's inbox stream (`GET /api/v1/inbox/stream`, server-sent events read over real HTTP)
//! on instance B shows the ask another member posted through instance A, and so does their
//! stream on A: the change crossed processes through `NOTIFY`/`LISTEN`. Then the instances'
//! `LISTEN` connections are cut with `pg_terminate_backend`; they reconnect, and the next ask
//! still reaches the stream on B.
//!
//! Without PostgreSQL (`BATON_TEST_PG_URL`) it prints one `skipped:` line and passes, except
//! under CI (`CI=true`), where it fails.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Deployment, PgDatabase, Server, Session};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// How long a test waits for an event before failing instead of hanging. Not a measurement:
/// events arrive in milliseconds, a reconnection in well under a second.
const EVENT_WITHIN: Duration = Duration::from_secs(30);

/// A member's open inbox stream on one instance, read as an `EventSource` would.
struct EventStream {
    body: Incoming,
    pending: String,
}

impl EventStream {
    /// Opens `GET {base}/api/v1/inbox/stream` with `token`.
    async fn open(base: &str, token: &str) -> Self {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let request = hyper::Request::get(format!("{base}/api/v1/inbox/stream"))
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::new()))
            .expect("a valid request");
        let response = tokio::time::timeout(EVENT_WITHIN, client.request(request))
            .await
            .expect("an answer in time")
            .expect("an answer");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            body: response.into_body(),
            pending: String::new(),
        }
    }

    /// The data of the next event, as JSON; keep-alive comments are skipped.
    async fn next(&mut self) -> Value {
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..end + 2).collect();
                let data: Vec<&str> = block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data.join("\n")).expect("JSON event data");
                }
                continue;
            }
            let frame = tokio::time::timeout(EVENT_WITHIN, self.body.frame())
                .await
                .expect("an event in time")
                .expect("the stream stays open")
                .expect("a readable frame");
            if let Ok(bytes) = frame.into_data() {
                self.pending.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

fn open_asks(n: u64) -> Value {
    json!({"open_asks": n, "overdue": 0, "waiting_on_others": 0})
}

/// `session` starts a thread in `space` asking `member` for a reply.
async fn ask(session: &Session, space: &str, member: &str, title: &str) {
    session
        .post(
            "/threads",
            &json!({"space_id": space, "title": title, "body": "Please look.",
                    "expectation": {"kind": "reply", "within_minutes": 480, "of": [member]}}),
        )
        .await
        .expect(201, "POST /threads with an ask");
}

/// Ends every `LISTEN` connection on the database at `url`; returns how many it ended.
fn cut_listeners(url: &str) -> usize {
    let mut psql = Command::new("psql");
    psql.args([
        "-X",
        "-w",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
    ]);
    psql.arg(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN %') AS cut",
    );
    let out = common::run_command(psql, "", Duration::from_secs(30));
    out.assert_success("psql pg_terminate_backend");
    out.stdout.trim().parse().expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_ask_posted_through_one_instance_updates_inbox_streams_on_both() {
    let Some(admin_url) = common::pg_test_url("live counters across two instances") else {
        return;
    };
    let database = PgDatabase::create(&admin_url, "baton_live2");
    let deployment = Deployment::with_database_url(&database.url);
    let owner = deployment.bootstrap("Acme", "olu@acme.test", "Olu Owner", "UTC");
    let (a, b) = (
        Server::start(&deployment).await,
        Server::start(&deployment).await,
    );
    let on_a = Session::new(&a.base(), &owner.token);
    let ana = on_a
        .post(
            "/members",
            &json!({"email": "ana@acme.test", "name": "Ana", "timezone": "UTC", "password": "ana's long passphrase"}),
        )
        .await
        .expect(201, "POST /members")["id"]
        .as_str()
        .expect("member id")
        .to_owned();
    let ana_token = on_a
        .post(
            "/tokens",
            &json!({"email": "ana@acme.test", "password": "ana's long passphrase"}),
        )
        .await
        .expect(201, "POST /tokens")["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let space = on_a.create_space("general").await;

    let mut on_b = EventStream::open(&b.base(), &ana_token).await;
    let mut also_on_a = EventStream::open(&a.base(), &ana_token).await;
    assert_eq!(on_b.next().await, open_asks(0));
    assert_eq!(also_on_a.next().await, open_asks(0));

    ask(&on_a, &space, &ana, "Review the plan").await;
    assert_eq!(
        on_b.next().await,
        open_asks(1),
        "B shows the ask posted through A\nA:\n{}\nB:\n{}",
        a.log_text(),
        b.log_text()
    );
    assert_eq!(also_on_a.next().await, open_asks(1), "and so does A");

    let cut = cut_listeners(&database.url);
    assert_eq!(cut, 2, "one LISTEN connection per instance");
    ask(&on_a, &space, &ana, "Review the budget").await;
    assert_eq!(
        on_b.next().await,
        open_asks(2),
        "B hears again after its LISTEN connection came back\nB:\n{}",
        b.log_text()
    );
    assert_eq!(also_on_a.next().await, open_asks(2));
}
