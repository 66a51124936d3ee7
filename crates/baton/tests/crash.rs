//! Reliability test 26, kill -9 under load, scaled to a test run: eight clients post replies
//! with unique `Idempotency-Key`s while `baton serve` is SIGKILLed at a random moment three
//! times and restarted on the same data; clients retry every unacknowledged key (same key,
//! same body) until it is acknowledged. Afterwards no acknowledged post is lost, no key wrote
//! twice, replays return the first id, and (SQLite) `PRAGMA integrity_check` says ok.
//! Runs on SQLite always, and on PostgreSQL when `BATON_TEST_PG_URL` is set: once with one
//! instance and once with two instances on the same database, the clients spreading their
//! requests (and retries) over both while one of them is killed at a time.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use common::{Deployment, Http, PgDatabase, Server, Session};
use serde_json::json;

/// Concurrent posting clients.
const CLIENTS: usize = 8;
/// SIGKILL and restart cycles under load.
const KILLS: usize = 3;
/// A kill lands this long (at least) after the load (re)started…
const KILL_AFTER_MIN_MS: u64 = 300;
/// …and at most this long.
const KILL_AFTER_MAX_MS: u64 = 1_500;
/// Hard bound on the load phase, so a stuck server fails the test instead of hanging it.
const LOAD_DEADLINE: Duration = Duration::from_secs(25);
/// Pause before retrying after a failed attempt (the server may be down).
const RETRY_PAUSE: Duration = Duration::from_millis(10);
/// How many acknowledged keys are replayed at the end to check they return the first id.
const REPLAYS: usize = 64;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_posts_survive_kill_9_under_load_on_sqlite_without_duplicates() {
    let deployment = Deployment::sqlite();
    crash_under_load(&deployment, 1).await;

    let db = deployment.open_sqlite();
    let mut statement = db
        .prepare("PRAGMA integrity_check")
        .expect("preparing integrity_check");
    let rows: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .expect("running integrity_check")
        .map(|r| r.expect("a result row"))
        .collect();
    assert_eq!(
        rows,
        vec!["ok".to_owned()],
        "PRAGMA integrity_check after repeated kill -9"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_posts_survive_kill_9_under_load_on_postgresql_without_duplicates() {
    let Some(admin_url) = common::pg_test_url("crash test on PostgreSQL") else {
        return;
    };
    // Declared before the deployment so it is dropped after the server is gone.
    let database = PgDatabase::create(&admin_url, "baton_crash");
    let deployment = Deployment::with_database_url(&database.url);
    crash_under_load(&deployment, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_posts_survive_kill_9_of_either_of_two_instances_on_postgresql() {
    let Some(admin_url) = common::pg_test_url("two-instance crash test on PostgreSQL") else {
        return;
    };
    let database = PgDatabase::create(&admin_url, "baton_crash_two");
    let deployment = Deployment::with_database_url(&database.url);
    crash_under_load(&deployment, 2).await;
}

/// What the clients share.
struct Load {
    /// Where each instance currently listens (changes on every restart).
    bases: RwLock<Vec<String>>,
    token: String,
    thread_id: String,
    /// Every acknowledged key and the post id its 201 carried.
    acked: Mutex<HashMap<String, String>>,
    /// The body sent under each key (the same on every retry).
    bodies: Mutex<HashMap<String, String>>,
    /// Requests that failed without any HTTP response (the server was down or died mid-way).
    transport_errors: AtomicU64,
    /// Keys acknowledged only after an earlier attempt with the same key had failed.
    retried_then_acked: AtomicU64,
    /// Set when the clients should finish their current key and stop.
    stop: AtomicBool,
    deadline: Instant,
}

impl Load {
    fn acked_count(&self) -> usize {
        self.acked.lock().expect("acked lock").len()
    }
}

/// One client: posts key after key; retries each key until it is acknowledged.
async fn client(load: Arc<Load>, index: usize) -> Result<(), String> {
    let http = Http::new();
    for n in 0.. {
        if load.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let key = format!("crash-{index}-{n}");
        let body = format!("post {n} from client {index}");
        load.bodies
            .lock()
            .expect("bodies lock")
            .insert(key.clone(), body.clone());
        let request = json!({"body": body});
        let mut failed_before = false;
        for attempt in 0.. {
            if Instant::now() > load.deadline {
                return Err(format!(
                    "key {key} still unacknowledged after {LOAD_DEADLINE:?}"
                ));
            }
            // Requests, and the retries of one key, take turns over the instances.
            let base = {
                let bases = load.bases.read().expect("bases lock");
                bases[(index + n + attempt) % bases.len()].clone()
            };
            let url = format!("{base}/api/v1/threads/{}/posts", load.thread_id);
            match http
                .send(
                    "POST",
                    &url,
                    Some(&load.token),
                    &[("idempotency-key", key.as_str())],
                    Some(&request),
                )
                .await
            {
                Ok(reply) if reply.status == 201 => {
                    let id = reply.json()["id"]
                        .as_str()
                        .ok_or_else(|| format!("201 without an id: {}", reply.text))?
                        .to_owned();
                    if failed_before {
                        load.retried_then_acked.fetch_add(1, Ordering::Relaxed);
                    }
                    load.acked.lock().expect("acked lock").insert(key, id);
                    break;
                }
                // 409: the same key is still running in this process; 5xx: a transient failure.
                Ok(reply) if reply.status == 409 || reply.status >= 500 => failed_before = true,
                Ok(reply) => {
                    return Err(format!(
                        "key {key}: unexpected {}: {}",
                        reply.status, reply.text
                    ));
                }
                Err(_) => {
                    load.transport_errors.fetch_add(1, Ordering::Relaxed);
                    failed_before = true;
                }
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
    Ok(())
}

/// Polls until more than `before` keys are acknowledged (the load is running), bounded.
async fn wait_for_progress(load: &Load, before: usize, what: &str) {
    let started = Instant::now();
    while load.acked_count() <= before {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no post was acknowledged within 10 s {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn crash_under_load(deployment: &Deployment, instances: usize) {
    let started = Instant::now();
    let owner = deployment.bootstrap(
        "Crash Test",
        "owner@crash.example",
        "Olu Owner",
        "Africa/Lagos",
    );
    let mut servers = Vec::with_capacity(instances);
    for _ in 0..instances {
        servers.push(Server::start(deployment).await);
    }
    let session = Session::new(&servers[0].base(), &owner.token);
    let space_id = session.create_space("load").await;
    let (thread_id, opener_id) = session
        .create_thread(
            &space_id,
            "Under load",
            "Replies arrive while the server dies.",
        )
        .await;

    let load = Arc::new(Load {
        bases: RwLock::new(servers.iter().map(Server::base).collect()),
        token: owner.token.clone(),
        thread_id: thread_id.clone(),
        acked: Mutex::new(HashMap::new()),
        bodies: Mutex::new(HashMap::new()),
        transport_errors: AtomicU64::new(0),
        retried_then_acked: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        deadline: Instant::now() + LOAD_DEADLINE,
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(client(load.clone(), i)))
        .collect();

    let mut acked_at_kill = Vec::new();
    for cycle in 1..=KILLS {
        let load_started = Instant::now();
        let kill_after = Duration::from_millis(
            KILL_AFTER_MIN_MS + common::random_u64() % (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS + 1),
        );
        let before = acked_at_kill.last().copied().unwrap_or(0);
        wait_for_progress(&load, before, &format!("before kill {cycle}")).await;
        // The random kill moment: the point of the test, not a wait for something.
        tokio::time::sleep(kill_after.saturating_sub(load_started.elapsed())).await;
        let victim = cycle % instances;
        servers[victim].kill9();
        acked_at_kill.push(load.acked_count());
        println!(
            "kill {cycle}: SIGKILL of instance {victim} {kill_after:?} into the load, {} posts acknowledged so far",
            acked_at_kill[cycle - 1]
        );
        servers[victim] = Server::start(deployment).await;
        load.bases.write().expect("bases lock")[victim] = servers[victim].base();
    }
    wait_for_progress(
        &load,
        *acked_at_kill.last().expect("three kills"),
        "after the last restart",
    )
    .await;

    // Each client finishes (retrying if needed) the key it is on, then stops.
    load.stop.store(true, Ordering::SeqCst);
    for (i, handle) in clients.into_iter().enumerate() {
        handle
            .await
            .expect("client task panicked")
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
    }

    // One more crash of every instance with the load stopped, so the last acknowledged posts
    // face a kill too.
    for server in &mut servers {
        server.kill9();
    }
    drop(servers);
    let server = Server::start(deployment).await;
    let session = Session::new(&server.base(), &owner.token);

    let acked = load.acked.lock().expect("acked lock").clone();
    let bodies = load.bodies.lock().expect("bodies lock").clone();
    let transport_errors = load.transport_errors.load(Ordering::Relaxed);
    println!(
        "{} keys acknowledged, {} transport errors, {} keys acknowledged only on a retry, load phase {:?}",
        acked.len(),
        transport_errors,
        load.retried_then_acked.load(Ordering::Relaxed),
        started.elapsed()
    );
    assert!(
        transport_errors > 0,
        "the kills never interrupted a client, so nothing was tested"
    );
    assert_eq!(
        acked.len(),
        bodies.len(),
        "every key a client sent must end acknowledged"
    );
    let acked_ids: HashSet<&String> = acked.values().collect();
    assert_eq!(
        acked_ids.len(),
        acked.len(),
        "two different keys were acknowledged with the same post id"
    );

    let posts = session
        .get_all(&format!("/threads/{thread_id}/posts?limit=200"), "posts")
        .await;
    let by_id: HashMap<String, String> = posts
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("post id").to_owned(),
                p["body"].as_str().expect("post body").to_owned(),
            )
        })
        .collect();
    assert_eq!(by_id.len(), posts.len(), "the thread lists a post twice");
    assert!(
        by_id.contains_key(&opener_id),
        "the opening post is missing"
    );
    let lost: Vec<(&String, &String)> = acked
        .iter()
        .filter(|(_, id)| !by_id.contains_key(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged posts were lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert_eq!(
        posts.len() - 1,
        acked.len(),
        "the thread holds {} replies for {} distinct acknowledged keys (duplicates?)",
        posts.len() - 1,
        acked.len()
    );
    for (key, id) in &acked {
        assert_eq!(
            by_id[id], bodies[key],
            "post {id} (key {key}) has another body than was sent"
        );
    }

    // Replaying acknowledged keys (same key, same body) returns the first id and writes nothing.
    let mut keys: Vec<&String> = acked.keys().collect();
    keys.sort();
    let step = (keys.len() / REPLAYS).max(1);
    for key in keys.iter().step_by(step).take(REPLAYS) {
        let url = format!("{}/api/v1/threads/{thread_id}/posts", server.base());
        let reply = Http::new()
            .send(
                "POST",
                &url,
                Some(&owner.token),
                &[("idempotency-key", key.as_str())],
                Some(&json!({"body": bodies[*key]})),
            )
            .await
            .unwrap_or_else(|e| panic!("replaying {key}: {e}"));
        let replayed = reply.expect(201, &format!("replaying key {key}"));
        assert_eq!(
            replayed["id"].as_str(),
            Some(acked[*key].as_str()),
            "replaying key {key} returned another id"
        );
    }
    let after_replays = session
        .get_all(&format!("/threads/{thread_id}/posts?limit=200"), "posts")
        .await;
    assert_eq!(
        after_replays.len(),
        posts.len(),
        "replaying acknowledged keys wrote new posts"
    );

    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the crash test took {:?}, over its 30 s budget",
        started.elapsed()
    );
}
