//! The digests workspace, made through the API as the owner: recipients in UTC with the default
//! schedule and notification policy, one public space with one thread, and the posts asking the
//! recipients; then watching the delivery backlog until the server's worker has caught up.
//!
//! Owns: what is created and in which order, the setup's bounded concurrency, and reading the
//! backlog. Does not own: which post asks whom (`Shape`) or when the window opens (`mod`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use hyper::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::Shape;
use crate::client::{Api, field};

/// Requests in flight while setting up: enough to hide the round trips without making the
/// setup a benchmark of its own.
const SETUP_CONCURRENCY: usize = 16;
/// How often the backlog is read while waiting on the worker.
const BACKLOG_POLL: Duration = Duration::from_millis(200);

/// Creates `count` members in the UTC zone, who get the default schedule (Monday to Friday,
/// 09:00 to 17:00) and policy (digest windows at 09:00 and 14:00, email on); returns their ids
/// in order.
pub async fn create_recipients(
    addr: SocketAddr,
    owner_token: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let requests = (0..count)
        .map(|i| {
            let body = json!({
                "email": format!("recipient{i}@bench.example"),
                "name": format!("Recipient {i}"),
                "timezone": "UTC",
            });
            ("/api/v1/members".to_owned(), body)
        })
        .collect();
    let created = post_all(addr, owner_token, requests)
        .await
        .context("creating the recipients")?;
    created.iter().map(|member| field(member, "id")).collect()
}

/// Creates a public space (every member may read it, so the recipients need not join) and one
/// thread in it; returns the thread's id.
pub async fn create_thread(api: &Api, owner_token: &str) -> anyhow::Result<String> {
    let space = api
        .post_json(
            "/api/v1/spaces",
            owner_token,
            &json!({"name": "Digests", "visibility": "public"}),
            StatusCode::CREATED,
        )
        .await?;
    let body = json!({
        "space_id": field(&space, "id")?,
        "title": "Quarterly plan",
        "body": "Opening post, no asks.",
    });
    let thread = api
        .post_json("/api/v1/threads", owner_token, &body, StatusCode::CREATED)
        .await?;
    field(&thread, "id")
}

/// Posts into `thread_id` every post of `shape`, each asking its recipients for a reply within
/// two hours.
pub async fn post_asks(
    addr: SocketAddr,
    owner_token: &str,
    thread_id: &str,
    recipient_ids: &[String],
    shape: Shape,
) -> anyhow::Result<()> {
    let path = format!("/api/v1/threads/{thread_id}/posts");
    let requests = (0..shape.posts())
        .map(|p| {
            let of: Vec<&str> = shape
                .asked_by(p)
                .map(|i| recipient_ids[i].as_str())
                .collect();
            let body = json!({
                "body": format!("Please review section {p} of the plan and reply with your numbers."),
                "expectation": {"kind": "reply", "within_minutes": 120, "of": of},
            });
            (path.clone(), body)
        })
        .collect();
    post_all(addr, owner_token, requests)
        .await
        .context("posting the asks")?;
    Ok(())
}

/// Sends every `(path, body)` as a JSON POST answering 201, [`SETUP_CONCURRENCY`] at a time
/// each on its own connection; returns the answers in the order of `requests`.
async fn post_all(
    addr: SocketAddr,
    token: &str,
    requests: Vec<(String, Value)>,
) -> anyhow::Result<Vec<Value>> {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let token: Arc<str> = token.into();
    let mut clients = JoinSet::new();
    for _ in 0..SETUP_CONCURRENCY.min(requests.len()) {
        let (requests, next, token) = (requests.clone(), next.clone(), token.clone());
        clients.spawn(async move {
            let api = Api::new(addr);
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, body)) = requests.get(i) else {
                    return anyhow::Ok(answers);
                };
                let answer = api
                    .post_json(path, &token, body, StatusCode::CREATED)
                    .await?;
                answers.push((i, answer));
            }
        });
    }
    let mut answers = Vec::with_capacity(requests.len());
    while let Some(joined) = clients.join_next().await {
        answers.extend(joined.context("a setup client panicked")??);
    }
    answers.sort_unstable_by_key(|(i, _)| *i);
    Ok(answers.into_iter().map(|(_, answer)| answer).collect())
}

/// The counts of `GET /api/v1/deliveries/backlog` the benchmark waits on and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Events the worker has not yet turned into deliveries.
    pub unexpanded_events: u64,
    /// Deliveries waiting for their window, a retry, or a send in progress.
    pub queued: u64,
    /// Deliveries sent.
    pub sent: u64,
    /// Deliveries not sent on purpose (the recipient may no longer see the post).
    pub dropped: u64,
    /// Deliveries that failed too often.
    pub parked: u64,
}

impl Backlog {
    /// Reads the workspace's backlog (the owner is an admin).
    async fn read(api: &Api, owner_token: &str) -> anyhow::Result<Self> {
        let backlog = api
            .get_json("/api/v1/deliveries/backlog", owner_token)
            .await?;
        let count = |name: &str| {
            backlog
                .get(name)
                .and_then(Value::as_u64)
                .with_context(|| format!("the backlog has no count {name:?}: {backlog}"))
        };
        Ok(Self {
            unexpanded_events: count("unexpanded_events")?,
            queued: count("queued")?,
            sent: count("sent")?,
            dropped: count("dropped")?,
            parked: count("parked")?,
        })
    }
}

impl std::fmt::Display for Backlog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} events unexpanded, {} deliveries queued, {} sent, {} dropped, {} parked",
            self.unexpanded_events, self.queued, self.sent, self.dropped, self.parked
        )
    }
}

/// Reads the backlog until `done` accepts it, and returns it.
///
/// # Errors
/// When the backlog has not changed for `stall` (the worker polls every five seconds when idle,
/// so a longer standstill means it is stuck or has nothing more to do), naming `what` was
/// awaited.
pub async fn wait_for_backlog(
    api: &Api,
    owner_token: &str,
    what: &str,
    stall: Duration,
    done: impl Fn(&Backlog) -> bool,
) -> anyhow::Result<Backlog> {
    let mut last = Backlog::read(api, owner_token).await?;
    let mut changed_at = Instant::now();
    while !done(&last) {
        anyhow::ensure!(
            changed_at.elapsed() < stall,
            "waited for {what}, but the backlog has not changed for {stall:?}: {last}"
        );
        tokio::time::sleep(BACKLOG_POLL).await;
        let now = Backlog::read(api, owner_token).await?;
        if now != last {
            (last, changed_at) = (now, Instant::now());
        }
    }
    Ok(last)
}
