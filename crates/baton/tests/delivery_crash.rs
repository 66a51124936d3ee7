//! Issue #5, item 7: `kill -9` while posts with asks and email digests are flowing. Clients post
//! asks with unique `Idempotency-Key`s (retrying each key until it is acknowledged) while
//! `baton serve`, sending to `aiosmtpd` on loopback, is SIGKILLed at random moments and
//! restarted on the same data. Afterwards every acknowledged post is there, and every due
//! delivery reached the SMTP server exactly once, except that a digest the dead process had
//! sent but not yet marked sent is sent again, and then only with the same `Message-ID` (the
//! id is a hash of the digest's delivery ids; receivers drop the copy).
//!
//! The clock file stands at the recipients' one delivery window the whole time, so every ask
//! is due the moment it is expanded, and every phase between two kills asks the same
//! recipients. A lease (five minutes) taken by a process that is then killed holds until the
//! clock moves past it, so one recipient can hold the leases of several dead processes while
//! later processes send their newer deliveries. After the load the live process sends what it
//! may; then the clock moves past every lease, and one claim takes each recipient's expired
//! leases of every dead process together. They must still go out as the digests they were
//! first claimed as (the claim's digest key), so a digest a dead process had sent but not
//! marked is resent with its first `Message-ID` and content, never merged into a new one.
//! Why this matters: see `the_resend_matches_the_first_send`.
//!
//! Runs on SQLite, and on PostgreSQL when `BATON_TEST_PG_URL` is set. Without `aiosmtpd` it
//! prints one `skipped:` line and passes, except under CI (`CI=true`), where it fails.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use common::{ClockFile, Deployment, Http, MailSink, PgDatabase, Server, Session};
use serde_json::json;

/// SIGKILL and restart cycles under load.
const KILLS: usize = 3;
/// Recipients asked, the same in every phase: enough that one claim (up to 128
/// recipients) sends many digests at once, so a kill often lands between a send and its
/// `mark_sent`.
const GROUP: usize = 64;
/// Recipients one post asks.
const ASKED: usize = 2;
/// Concurrent posting clients.
const CLIENTS: usize = 4;
/// A kill lands this long (at least) after deliveries were seen flowing again…
const KILL_AFTER_MIN_MS: u64 = 200;
/// …and at most this long.
const KILL_AFTER_MAX_MS: u64 = 1_200;
/// Hard bound on the load phase, so a stuck server fails the test instead of hanging it.
const LOAD_DEADLINE: Duration = Duration::from_secs(60);
/// Longest the settling after the load may take (the worker polls every 5 s when idle).
const SETTLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the backlog must stay unchanged before the test calls the worker idle: longer
/// than the worker's idle poll.
const QUIET: Duration = Duration::from_secs(7);
/// Pause before retrying after a failed attempt (the server may be down).
const RETRY_PAUSE: Duration = Duration::from_millis(10);
/// Pause between two posts of one client: keeps expansion ahead of posting, so a worker's
/// ticks are mostly claiming and sending rather than expanding.
const POST_PAUSE: Duration = Duration::from_millis(10);
/// The recipients' one delivery window, and the clock during the load: Monday 1 June 2026 UTC.
const WINDOW: &str = "09:01";
const AT_WINDOW: &str = "2026-06-01T09:01:00Z";
/// Past every lease taken at any window (leases last five minutes).
const AFTER_LEASES: &str = "2026-06-01T09:10:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_due_delivery_is_sent_once_across_kill_9_on_sqlite() {
    let Some(sink) = MailSink::start("delivery crash test on SQLite") else {
        return;
    };
    crash_while_delivering(&Deployment::sqlite(), &sink).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_due_delivery_is_sent_once_across_kill_9_on_postgresql() {
    let what = "delivery crash test on PostgreSQL";
    let Some(admin_url) = common::pg_test_url(what) else {
        return;
    };
    let Some(sink) = MailSink::start(what) else {
        return;
    };
    // Declared before the deployment so it is dropped after the server is gone.
    let database = PgDatabase::create(&admin_url, "baton_dcrash");
    crash_while_delivering(&Deployment::with_database_url(&database.url), &sink).await;
}

/// Per key sent: its post's marker and the indexes of the recipients it asks.
type Asks = HashMap<String, (String, Vec<usize>)>;
/// Per (recipient address, post marker) received: the `Message-ID`s it arrived in.
type Pairs<'a> = HashMap<(String, String), BTreeSet<&'a str>>;

/// What the clients share.
struct Load {
    /// Where the server currently listens (changes on every restart).
    base: RwLock<String>,
    token: String,
    thread_id: String,
    /// Every recipient's id.
    recipients: Vec<String>,
    /// Every acknowledged key and the post id its 201 carried.
    acked: Mutex<HashMap<String, String>>,
    /// Every key sent: its post's marker and the indexes of the recipients it asks.
    asks: Mutex<Asks>,
    /// Requests that failed without any HTTP response.
    transport_errors: AtomicU64,
    stop: AtomicBool,
    deadline: Instant,
}

impl Load {
    fn acked_count(&self) -> usize {
        self.acked.lock().expect("acked lock").len()
    }
}

/// One client: posts ask after ask, each key retried until it is acknowledged.
async fn client(load: Arc<Load>, index: usize) -> Result<(), String> {
    let http = Http::new();
    for n in 0.. {
        if load.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let key = format!("ask-{index}-{n}");
        let marker = format!("tok-{}-end", index * 100_000 + n);
        let asked: Vec<usize> = (0..ASKED)
            .map(|j| (index * 7 + n * ASKED + j) % GROUP)
            .collect();
        let request = json!({
            "body": format!("Please answer {marker}"),
            "expectation": {
                "kind": "reply",
                "within_minutes": 120,
                "of": asked.iter().map(|&i| load.recipients[i].clone()).collect::<Vec<_>>(),
            },
        });
        load.asks
            .lock()
            .expect("asks lock")
            .insert(key.clone(), (marker, asked));
        loop {
            if Instant::now() > load.deadline {
                return Err(format!(
                    "key {key} still unacknowledged after {LOAD_DEADLINE:?}"
                ));
            }
            let url = format!(
                "{}/api/v1/threads/{}/posts",
                load.base.read().expect("base lock"),
                load.thread_id
            );
            let headers = [("idempotency-key", key.as_str())];
            match http
                .send("POST", &url, Some(&load.token), &headers, Some(&request))
                .await
            {
                Ok(reply) if reply.status == 201 => {
                    let id = reply.json()["id"]
                        .as_str()
                        .ok_or_else(|| format!("201 without an id: {}", reply.text))?
                        .to_owned();
                    load.acked.lock().expect("acked lock").insert(key, id);
                    tokio::time::sleep(POST_PAUSE).await;
                    break;
                }
                // 409: the same key is still running in this process; 5xx: a transient failure.
                Ok(reply) if reply.status == 409 || reply.status >= 500 => {}
                Ok(reply) => {
                    return Err(format!(
                        "key {key}: unexpected {}: {}",
                        reply.status, reply.text
                    ));
                }
                Err(_) => {
                    load.transport_errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
    Ok(())
}

/// Polls until more posts are acknowledged than `posts` and more digests arrived than
/// `digests`: posts and deliveries are both flowing. Bounded.
async fn wait_for_flow(load: &Load, sink: &MailSink, posts: usize, digests: usize, what: &str) {
    let started = Instant::now();
    while load.acked_count() <= posts || sink.count() <= digests {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "posts and digests did not flow within 20 s {what} ({} posts, {} digests)",
            load.acked_count(),
            sink.count()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn crash_while_delivering(deployment: &Deployment, sink: &MailSink) {
    let started = Instant::now();
    let owner = deployment.bootstrap("Crash", "owner@crash.test", "Olu Owner", "UTC");
    let clock = ClockFile::new(deployment.scratch(), AT_WINDOW);
    let env = clock.serve_env(&sink.url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut server = Server::start_with_env(deployment, &env).await;
    let session = Session::new(&server.base(), &owner.token);
    // Recipients in UTC with the default schedule (09:00-17:00 on weekdays) and one delivery
    // window, where the clock stands.
    let recipients = common::run_bounded(GROUP, 8, |i| {
        let session = session.clone();
        async move {
            let body = json!({"email": format!("r{i}@crash.test"), "name": format!("R {i}"), "timezone": "UTC"});
            let created = session
                .post("/members", &body)
                .await
                .expect(201, "POST /members");
            let id = created["id"].as_str().expect("member id").to_owned();
            let policy = json!({"windows": [WINDOW], "email_digest": true});
            session
                .put(&format!("/members/{id}/policy"), &policy)
                .await
                .expect(200, "PUT /members/{id}/policy");
            id
        }
    })
    .await;
    let space = session.create_space("load").await;
    let (thread_id, _) = session
        .create_thread(&space, "Under load", "Asks arrive while the server dies.")
        .await;

    let load = Arc::new(Load {
        base: RwLock::new(server.base()),
        token: owner.token.clone(),
        thread_id: thread_id.clone(),
        recipients,
        acked: Mutex::new(HashMap::new()),
        asks: Mutex::new(HashMap::new()),
        transport_errors: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        deadline: Instant::now() + LOAD_DEADLINE,
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(client(load.clone(), i)))
        .collect();

    for cycle in 1..=KILLS {
        let (posts, digests) = (load.acked_count(), sink.count());
        wait_for_flow(&load, sink, posts, digests, &format!("before kill {cycle}")).await;
        let kill_after = Duration::from_millis(
            KILL_AFTER_MIN_MS + common::random_u64() % (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS + 1),
        );
        // The random kill moment: the point of the test, not a wait for something.
        tokio::time::sleep(kill_after).await;
        server.kill9();
        println!(
            "kill {cycle}: SIGKILL {kill_after:?} into the flow, {} posts acknowledged, {} digests received",
            load.acked_count(),
            sink.count()
        );
        server = Server::start_with_env(deployment, &env).await;
        *load.base.write().expect("base lock") = server.base();
    }
    let (posts, digests) = (load.acked_count(), sink.count());
    wait_for_flow(&load, sink, posts, digests, "after the last restart").await;
    load.stop.store(true, Ordering::SeqCst);
    for (i, handle) in clients.into_iter().enumerate() {
        handle
            .await
            .expect("client task panicked")
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
    }

    let session = Session::new(&server.base(), &owner.token);
    let acked = load.acked.lock().expect("acked lock").clone();
    let asks = load.asks.lock().expect("asks lock").clone();
    assert_eq!(acked.len(), asks.len(), "every key must end acknowledged");
    let posts = session
        .get_all(&format!("/threads/{thread_id}/posts?limit=200"), "posts")
        .await;
    let stored: BTreeSet<&str> = posts.iter().filter_map(|p| p["id"].as_str()).collect();
    let lost = acked
        .values()
        .filter(|id| !stored.contains(id.as_str()))
        .count();
    assert_eq!(lost, 0, "acknowledged posts were lost");
    assert_eq!(
        posts.len(),
        acked.len() + 1,
        "one post per key plus the opener"
    );

    // What must arrive: every (recipient, post) an acknowledged ask named.
    let expected: BTreeSet<(String, String)> = asks
        .values()
        .flat_map(|(marker, asked)| {
            asked
                .iter()
                .map(move |&i| (format!("r{i}@crash.test"), marker.clone()))
        })
        .collect();
    let total = expected.len();

    // First everything the live process may send, then the dead processes' leases.
    clock.set(AT_WINDOW);
    settle_quietly(&session, "the live process sent what it could").await;
    clock.set(AFTER_LEASES);
    common::wait_for_backlog(
        &session,
        "every delivery settled once the leases ran out",
        SETTLE_TIMEOUT,
        |b| b["queued"] == 0 && b["unexpanded_events"] == 0 && b["sent"] == json!(total),
    )
    .await;

    let report = check_mail(sink, &expected);
    let backend = if deployment.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "{backend}: {} posts with asks ({} deliveries) across {KILLS} kills, {} transport errors: \
         {} digests received, {} of them a resend after a crash with the same Message-ID; {:?} in all",
        acked.len(),
        total,
        load.transport_errors.load(Ordering::Relaxed),
        report.digests,
        report.resent,
        started.elapsed()
    );
    assert!(
        load.transport_errors.load(Ordering::Relaxed) > 0,
        "the kills never interrupted a client, so nothing was tested"
    );
    drop(server);
}

/// Waits until the backlog has no unexpanded events and has not changed for [`QUIET`]: the
/// worker has nothing left it may claim.
async fn settle_quietly(session: &Session, what: &str) {
    let started = Instant::now();
    let mut last = serde_json::Value::Null;
    let mut since = Instant::now();
    loop {
        let backlog = session
            .get("/deliveries/backlog")
            .await
            .expect(200, "GET /deliveries/backlog");
        if backlog != last || backlog["unexpanded_events"] != 0 {
            last = backlog;
            since = Instant::now();
        } else if since.elapsed() >= QUIET {
            return;
        }
        assert!(
            started.elapsed() < SETTLE_TIMEOUT,
            "{what}: the backlog kept changing, last {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the SMTP server received.
struct MailReport {
    digests: usize,
    /// Messages that repeat an earlier `Message-ID`.
    resent: usize,
}

/// Checks the received digests against `expected` (recipient, post marker) pairs: each pair
/// arrived, nothing else did, and a pair that arrived twice did so only in copies of one
/// digest (same `Message-ID`, same content).
fn check_mail(sink: &MailSink, expected: &BTreeSet<(String, String)>) -> MailReport {
    let mails = sink.mails();
    let mut by_id: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut pairs: Pairs<'_> = HashMap::new();
    let mut resent = 0;
    for mail in &mails {
        let markers: BTreeSet<String> = markers_in(&mail.text).into_iter().collect();
        assert!(!markers.is_empty(), "a digest without asks:\n{}", mail.text);
        match by_id.get(mail.message_id.as_str()) {
            Some(first) => {
                assert_eq!(
                    first, &markers,
                    "two digests share Message-ID {} but differ",
                    mail.message_id
                );
                resent += 1;
            }
            None => {
                by_id.insert(&mail.message_id, markers.clone());
            }
        }
        for marker in markers {
            pairs
                .entry((mail.to.clone(), marker))
                .or_default()
                .insert(&mail.message_id);
        }
    }
    the_resend_matches_the_first_send(&pairs);
    let received: BTreeSet<(String, String)> = pairs.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&received).take(5).collect();
    assert!(
        missing.is_empty(),
        "due deliveries never arrived: {missing:?}"
    );
    let unexpected: Vec<_> = received.difference(expected).take(5).collect();
    assert!(
        unexpected.is_empty(),
        "deliveries nobody asked for: {unexpected:?}"
    );
    MailReport {
        digests: mails.len(),
        resent,
    }
}

/// A delivery that arrived in two different digests was sent twice with two Message-IDs,
/// which receivers cannot deduplicate. A resend after a crash keeps the first id because the
/// `Message-ID` derives from the digest key the first claim gave those deliveries, not from
/// whatever a later claim gathers: here a recipient holding leases of two dead processes (or a
/// dead one's and newer deliveries) would otherwise get them merged into one digest with a new
/// id.
fn the_resend_matches_the_first_send(pairs: &Pairs<'_>) {
    let twice: Vec<_> = pairs
        .iter()
        .filter(|(_, ids)| ids.len() > 1)
        .take(5)
        .collect();
    assert!(
        twice.is_empty(),
        "deliveries sent in digests with different Message-IDs: {twice:?}"
    );
}

/// The post markers (`tok-N-end`) in a digest's plain-text part.
fn markers_in(text: &str) -> Vec<String> {
    text.match_indices("tok-")
        .filter_map(|(at, _)| {
            let rest = &text[at + 4..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0 && rest[digits..].starts_with("-end"))
                .then(|| text[at..at + 4 + digits + 4].to_owned())
        })
        .collect()
}
