//! Issue #13, item 7: delivery isolation. Webhooks go out from a loop of their own, at most
//! `PER_HOST` at once to one host, each send bounded by one deadline, so receivers that never
//! answer hold up no email digest and no other host's webhook.
//!
//! End to end: a real `baton serve` on a driven clock, sending to a real SMTP server on
//! loopback (`aiosmtpd`), with five space webhooks on 127.0.0.1 whose receivers accept the
//! connection and then say nothing. The digests due at the window still arrive within one
//! tick of the email loop, as they do once the silent receivers are gone, while the webhooks
//! are still pending; another host's webhook goes out at once. In process, on both backends:
//! a webhook delivery that waited for its host's slot until its lease ran short is released
//! as a failed attempt, never sent late. Without `aiosmtpd` the end-to-end test prints one
//! `skipped:` line and passes, except under CI (`CI=true`).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use baton_core::Id;
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope, WebhookSecret};
use baton_core::delivery::webhook_target::AllowedHosts;
use baton_core::visibility::Visibility;
use baton_server::AppState;
use baton_server::clock::{Clock, ManualClock};
use baton_server::delivery::webhook_client::{TIMEOUT, WebhookClient};
use baton_server::delivery::{PER_HOST, START_WITHIN, Worker, run_webhooks, tick};
use baton_server::services::threads::create_thread;
use baton_store::Store;
use baton_store::conformance::StoreGuard;
use baton_store::conformance::fixtures::{space, tenant};
use common::{ClockFile, Deployment, MailSink, Server, Session};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Monday 1 June 2026, 08:00 UTC: an hour before the default 09:00 window.
const BEFORE_WINDOW: &str = "2026-06-01T08:00:00Z";
const AT_WINDOW: &str = "2026-06-01T09:00:00Z";
/// Just after it: what is asked now waits for the next window.
const AFTER_WINDOW: &str = "2026-06-01T09:05:00Z";
/// The default second window that day.
const SECOND_WINDOW: &str = "2026-06-01T14:00:00Z";
/// The email loop's pause when idle: a digest due at a window goes out within one.
const TICK: Duration = Duration::from_secs(5);
/// What a loaded machine may add to a tick (a send, the SMTP exchange, the test's polling).
const SLACK: Duration = Duration::from_secs(3);
/// Longest a setup step may take.
const PHASE_TIMEOUT: Duration = Duration::from_secs(60);
/// Asks per window: each makes one email delivery per member and one webhook delivery per
/// silent receiver, enough to keep the silent host's slots busy for a while.
const ASKS: usize = 30;

/// Connections to the silent receivers: open now, the most open at once, and accepted.
#[derive(Default)]
struct Connections {
    open: AtomicUsize,
    most: AtomicUsize,
    accepted: AtomicUsize,
}

/// A TCP listener on 127.0.0.1 that accepts connections, reads what comes, and never answers;
/// it counts in `connections` (shared by several) until the client hangs up.
struct Silent {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Silent {
    async fn start(connections: &Arc<Connections>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a silent receiver");
        let port = listener.local_addr().expect("its address").port();
        let connections = Arc::clone(connections);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let connections = Arc::clone(&connections);
                tokio::spawn(async move {
                    connections.accepted.fetch_add(1, Ordering::SeqCst);
                    let open = connections.open.fetch_add(1, Ordering::SeqCst) + 1;
                    connections.most.fetch_max(open, Ordering::SeqCst);
                    let mut chunk = [0u8; 4096];
                    while matches!(stream.read(&mut chunk).await, Ok(1..)) {}
                    connections.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { port, task }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A receiver on `ip` that answers every request 200 and counts them.
struct Answering {
    url: String,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Answering {
    async fn start(ip: &str) -> Self {
        let listener = TcpListener::bind((ip, 0))
            .await
            .expect("binding the answering receiver");
        let url = format!(
            "http://{}/hook",
            listener.local_addr().expect("its address")
        );
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    // The request head is enough to answer; the count is what the test reads.
                    let (mut seen, mut chunk) = (Vec::new(), [0u8; 4096]);
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&chunk[..n]),
                        }
                    }
                    counted.fetch_add(1, Ordering::SeqCst);
                    let reply =
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                    let _ = stream.write_all(reply).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            url,
            requests,
            task,
        }
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `done` every 20 ms until it holds; panics naming `what` after `timeout`. Returns how
/// long it took.
async fn within(
    what: &str,
    timeout: Duration,
    logs: &dyn Fn() -> String,
    done: impl Fn() -> bool,
) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < timeout,
            "{what}: not within {timeout:?}; server logs:\n{}",
            logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

/// Creates the members who receive the digests; returns their ids.
async fn members(owner: &Session, space: &str, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        let body = json!({"email": format!("{name}@acme.test"), "name": name, "timezone": "UTC"});
        let created = owner
            .post("/members", &body)
            .await
            .expect(201, "POST /members");
        let id = created["id"].as_str().expect("member id").to_owned();
        let joined = owner
            .post(
                &format!("/spaces/{space}/members"),
                &json!({"member_id": id}),
            )
            .await;
        assert_eq!(joined.status, 204, "joining the space: {}", joined.text);
        ids.push(id);
    }
    ids
}

/// Starts `ASKS` threads in `space`, each asking all of `of` for a reply.
async fn ask_all(owner: &Session, space: &str, of: &[String], round: &str) {
    for n in 0..ASKS {
        owner
            .post(
                "/threads",
                &json!({
                    "space_id": space,
                    "title": format!("{round} review {n}"),
                    "body": format!("Please review part {n}."),
                    "expectation": {"kind": "reply", "within_minutes": 120, "of": of},
                }),
            )
            .await
            .expect(201, "POST /threads with an ask");
    }
}

/// Registers a webhook for `space` at `url`; returns its id.
async fn space_webhook(owner: &Session, space: &str, url: &str) -> String {
    let created = owner
        .post(&format!("/spaces/{space}/webhooks"), &json!({"url": url}))
        .await
        .expect(201, "registering a space webhook");
    created["id"].as_str().expect("a webhook id").to_owned()
}

async fn backlog(owner: &Session, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    common::wait_for_backlog(owner, what, PHASE_TIMEOUT, done).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_webhook_receivers_that_never_answer_delay_no_email_digest_past_its_tick() {
    let Some(sink) = MailSink::start("delivery isolation test") else {
        return;
    };
    let deployment = Deployment::sqlite();
    let owner_ids = deployment.bootstrap("Acme", "owner@acme.test", "Olu Owner", "UTC");
    let clock = ClockFile::new(deployment.scratch(), BEFORE_WINDOW);
    let mut env = clock.serve_env(&sink.url);
    env.push((
        "BATON_WEBHOOK_ALLOW_HOSTS",
        "127.0.0.1,127.0.0.2".to_owned(),
    ));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with_env(&deployment, &env).await;
    let logs = || server.log_text();
    let owner = Session::new(&server.base(), &owner_ids.token);

    let ops = owner.create_space("ops").await;
    let people = members(&owner, &ops, &["ana", "ben", "cleo"]).await;
    let connections = Arc::new(Connections::default());
    let mut silent = Vec::new();
    let mut hooks = Vec::new();
    for _ in 0..5 {
        let receiver = Silent::start(&connections).await;
        hooks.push(space_webhook(&owner, &ops, &receiver.url()).await);
        silent.push(receiver);
    }
    let status = owner.create_space("status").await;
    let answering = Answering::start("127.0.0.2").await;
    space_webhook(&owner, &status, &answering.url).await;

    // Before the window: every ask goes to the five silent receivers at once, and waits for
    // the members' 09:00 window by email.
    ask_all(&owner, &ops, &people, "First").await;
    within(
        "the silent host's slots taken",
        PHASE_TIMEOUT,
        &logs,
        || connections.open.load(Ordering::SeqCst) >= PER_HOST,
    )
    .await;

    // Another host's webhook goes out at once, next to the silent host's full slots.
    owner
        .create_thread(&status, "All clear", "Nothing to report.")
        .await;
    let other_host = within("another host's webhook", TICK + SLACK, &logs, || {
        answering.requests.load(Ordering::SeqCst) >= 1
    })
    .await;

    // The window: each member's digest arrives within one tick of the email loop.
    clock.set(AT_WINDOW);
    let started = Instant::now();
    sink.wait_for(people.len(), TICK + SLACK, &logs).await;
    let with_silent = started.elapsed();
    let b = backlog(&owner, "the digests settled", |b| {
        b["sent"] == json!(3 * ASKS + 1)
    })
    .await;
    assert_eq!(
        b["queued"],
        json!(5 * ASKS),
        "every webhook to the silent receivers is still pending: {b}"
    );
    assert!(connections.accepted.load(Ordering::SeqCst) >= PER_HOST);
    let most = connections.most.load(Ordering::SeqCst);
    assert!(
        most <= PER_HOST,
        "{most} sends to the silent host at once, more than its {PER_HOST} slots"
    );

    // The next window without the silent receivers: their webhooks deleted, their sockets
    // closed. Asked after 09:00, the next asks wait for the 14:00 window.
    for id in &hooks {
        let deleted = common::Http::new()
            .send(
                "DELETE",
                &format!("{}/api/v1/webhooks/{id}", server.base()),
                Some(&owner_ids.token),
                &[],
                None,
            )
            .await
            .expect("DELETE /webhooks/{id}");
        assert_eq!(deleted.status, 204, "deleting a webhook: {}", deleted.text);
    }
    drop(silent);
    clock.set(AFTER_WINDOW);
    ask_all(&owner, &ops, &people, "Second").await;
    backlog(&owner, "the second asks expanded", |b| {
        b["unexpanded_events"] == 0
    })
    .await;
    clock.set(SECOND_WINDOW);
    let started = Instant::now();
    sink.wait_for(2 * people.len(), TICK + SLACK, &logs).await;
    let without_silent = started.elapsed();
    println!(
        "digests after the window: {with_silent:?} with five silent webhook receivers, \
         {without_silent:?} without; another host's webhook in {other_host:?}; \
         at most {most} connections to the silent host at once"
    );
}

/// Runs `body` on a fresh SQLite store and, when `BATON_TEST_PG_URL` is set, on a fresh
/// PostgreSQL schema.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(baton_store::conformance::sqlite_store().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(opened) = baton_store::conformance::postgres_store().await {
                    super::$name(opened).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    a_webhook_that_waited_for_its_host_until_its_lease_ran_short_is_released_not_sent_late,
);

async fn a_webhook_that_waited_for_its_host_until_its_lease_ran_short_is_released_not_sent_late(
    (store, _guard): (Arc<dyn Store>, StoreGuard),
) {
    let claimed_at: Timestamp = BEFORE_WINDOW.parse().expect("an instant");
    let clock = Arc::new(ManualClock::new(claimed_at));
    let state = AppState::builder(Arc::clone(&store))
        .clock(clock.clone())
        .webhooks(WebhookClient::new(AllowedHosts::new(["127.0.0.1"])))
        .build();
    let acme = tenant(&*store, "acme").await;
    let ws = acme.workspace.id;
    let ops = space(&*store, ws, acme.owner.id, "ops", Visibility::Public).await;
    let connections = Arc::new(Connections::default());
    let receiver = Silent::start(&connections).await;
    let hook = SignedWebhook {
        webhook: Webhook {
            workspace_id: ws,
            id: Id::random(),
            scope: WebhookScope::Space(ops.id),
            url: receiver.url(),
            created_by: acme.owner.id,
            created_at: claimed_at,
        },
        secret: WebhookSecret::from_random(&[7; 32]),
    };
    store.create_webhook(ws, hook, 5).await.expect("a webhook");
    // One more post than the host has slots: the last waits for one.
    let posts = PER_HOST + 1;
    for n in 0..posts {
        create_thread(
            &state,
            &acme.owner,
            ops.id,
            &format!("Note {n}"),
            "For the record.",
            None,
            None,
        )
        .await
        .expect("a thread");
    }
    let from = "Baton <baton@baton.test>".parse().expect("a mailbox");
    let worker = Arc::new(Worker::new(None, "http://baton.test", from));
    let expanded = tick(&state, &worker).await.expect("a tick").expanded;
    assert_eq!(expanded, posts);
    let sends = tokio::spawn(run_webhooks(state.clone(), Arc::clone(&worker)));
    let no_logs = String::new;
    within("the host's slots taken", PHASE_TIMEOUT, &no_logs, || {
        connections.accepted.load(Ordering::SeqCst) >= PER_HOST
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        connections.accepted.load(Ordering::SeqCst),
        PER_HOST,
        "the last waits for a slot of its host"
    );

    // Time passes past the moment the waiting one could still start and finish within its
    // lease; the sends in flight still hold theirs, so no other claim can take any of them.
    clock.set(claimed_at + START_WITHIN + SignedDuration::from_secs(1));
    let other = store
        .claim_due_webhooks(
            "another-worker",
            clock.now(),
            SignedDuration::from_secs(60),
            10,
        )
        .await
        .expect("a claim");
    assert!(
        other.is_empty(),
        "a leased delivery was claimed again: {other:?}"
    );

    // The sends in flight give up after their deadline; the waiting one then gets a slot,
    // finds its time gone, and is released as a failed attempt without being sent.
    let settled = Instant::now();
    loop {
        let b = store.backlog(ws, clock.now()).await.expect("the backlog");
        if b.leased == 0 && b.queued == posts as u64 {
            break;
        }
        assert!(
            settled.elapsed() < TIMEOUT + PHASE_TIMEOUT,
            "the sends did not settle: {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        connections.accepted.load(Ordering::SeqCst),
        PER_HOST,
        "the delivery that could not start in time was never sent"
    );
    sends.abort();
}
