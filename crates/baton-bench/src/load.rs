//! The load phases and their statistics: a `/healthz` baseline (the HTTP and runtime floor),
//! the measured phase of posts, and the GETs of one web page, each driven by concurrent clients
//! on keep-alive connections.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use tokio::task::JoinSet;

use crate::client::{Api, Auth, Payload, excerpt};
use crate::setup::Writer;

/// The kind of request a client repeats.
#[derive(Debug, Clone)]
enum Kind {
    /// An anonymous `GET` answering 200: the `/healthz` baseline.
    Health,
    /// A `POST` of a new post with a member's API token, answering 201.
    Post { token: String },
    /// A signed-in `GET` of a page with a browser's cookies, answering 200.
    Page { cookies: String },
}

/// What one client does: the same kind of request `count` times, one after the other.
#[derive(Debug)]
struct Job {
    /// Which client this is; goes into post bodies.
    client: usize,
    path: String,
    kind: Kind,
    count: usize,
}

/// What one client saw.
#[derive(Debug, Default)]
struct Outcome {
    latencies: Vec<Duration>,
    max_bytes: usize,
    errors: u64,
    first_error: Option<String>,
}

/// The result of one phase across all clients.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Requests sent.
    pub requests: usize,
    /// Wall-clock time of the phase.
    pub elapsed: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 90th percentile latency.
    pub p90: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest request.
    pub max: Duration,
    /// The largest body of a successful answer, in bytes (a page's size varies with its data).
    pub max_bytes: usize,
    /// Requests that failed or answered an unexpected status.
    pub errors: u64,
    /// The first failure, described.
    pub first_error: Option<String>,
}

impl Summary {
    /// Requests per second of wall-clock time.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Baseline: `clients` concurrent clients sending `GET /healthz`, `total` requests in all.
pub async fn baseline(addr: SocketAddr, clients: usize, total: usize) -> anyhow::Result<Summary> {
    run(addr, repeated("/healthz", &Kind::Health, clients, total)).await
}

/// One page: `clients` concurrent clients sending `GET path` with the browser's `cookies`,
/// `total` requests in all.
pub async fn page(
    addr: SocketAddr,
    path: &str,
    cookies: &str,
    clients: usize,
    total: usize,
) -> anyhow::Result<Summary> {
    let kind = Kind::Page {
        cookies: cookies.to_owned(),
    };
    run(addr, repeated(path, &kind, clients, total)).await
}

/// The measured phase: each writer posts its share of `total` into its own thread.
pub async fn posts(addr: SocketAddr, writers: &[Writer], total: usize) -> anyhow::Result<Summary> {
    let jobs = writers
        .iter()
        .zip(split(total, writers.len()))
        .enumerate()
        .map(|(client, (writer, count))| Job {
            client,
            path: format!("/api/v1/threads/{}/posts", writer.thread_id),
            kind: Kind::Post {
                token: writer.token.clone(),
            },
            count,
        })
        .collect();
    run(addr, jobs).await
}

/// `clients` jobs sending the same request to `path`, `total` times in all.
fn repeated(path: &str, kind: &Kind, clients: usize, total: usize) -> Vec<Job> {
    split(total, clients)
        .into_iter()
        .enumerate()
        .map(|(client, count)| Job {
            client,
            path: path.to_owned(),
            kind: kind.clone(),
            count,
        })
        .collect()
}

/// Runs every job on its own task and connection, and summarises the latencies.
async fn run(addr: SocketAddr, jobs: Vec<Job>) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for job in jobs {
        tasks.spawn(drive(Api::new(addr), job));
    }
    let mut all = Outcome::default();
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.context("a load client panicked")??;
        all.latencies.extend(outcome.latencies);
        all.max_bytes = all.max_bytes.max(outcome.max_bytes);
        all.errors += outcome.errors;
        all.first_error = all.first_error.or(outcome.first_error);
    }
    let elapsed = started.elapsed();
    let mut summary = Summary::of(all.latencies, elapsed, all.errors, all.first_error);
    summary.max_bytes = all.max_bytes;
    Ok(summary)
}

impl Summary {
    /// The summary of a phase that took `elapsed` and saw these latencies and failures.
    pub fn of(
        mut latencies: Vec<Duration>,
        elapsed: Duration,
        errors: u64,
        first_error: Option<String>,
    ) -> Self {
        latencies.sort_unstable();
        Self {
            requests: latencies.len(),
            elapsed,
            p50: percentile(&latencies, 50),
            p90: percentile(&latencies, 90),
            p99: percentile(&latencies, 99),
            max: latencies.last().copied().unwrap_or_default(),
            max_bytes: 0,
            errors,
            first_error,
        }
    }
}

/// One client: sends its requests one after the other on one keep-alive connection.
async fn drive(api: Api, job: Job) -> anyhow::Result<Outcome> {
    let uri = api.uri(&job.path)?;
    let (method, expected) = match job.kind {
        Kind::Post { .. } => (Method::POST, StatusCode::CREATED),
        Kind::Health | Kind::Page { .. } => (Method::GET, StatusCode::OK),
    };
    let mut outcome = Outcome {
        latencies: Vec::with_capacity(job.count),
        ..Outcome::default()
    };
    for seq in 0..job.count {
        let (auth, payload) = match &job.kind {
            Kind::Health => (Auth::Anonymous, Payload::Empty),
            Kind::Post { token } => (
                Auth::Bearer(token),
                Payload::Json(post_body(job.client, seq)),
            ),
            Kind::Page { cookies } => (Auth::Cookie(cookies), Payload::Empty),
        };
        let sent = Instant::now();
        let reply = api.send(method.clone(), uri.clone(), auth, payload).await;
        outcome.latencies.push(sent.elapsed());
        let failure = match reply {
            Ok(reply) if reply.status == expected => {
                outcome.max_bytes = outcome.max_bytes.max(reply.body.len());
                continue;
            }
            Ok(reply) => format!(
                "{method} {} answered {}: {}",
                job.path,
                reply.status,
                excerpt(&reply.body)
            ),
            Err(e) => format!("{e:#}"),
        };
        outcome.errors += 1;
        outcome.first_error.get_or_insert(failure);
    }
    Ok(outcome)
}

/// A JSON post body with about 300 bytes of Markdown, different for every post.
fn post_body(client: usize, seq: usize) -> Bytes {
    let markdown = format!(
        "## Update {seq} from client {client}\n\n\
         Shipped the **retry logic** for the sync job; see `sync::retry` and the notes below.\n\n\
         - backoff is exponential, capped at *5 minutes*\n\
         - failures are logged with the request id\n\
         - [runbook](https://example.com/runbook) updated\n\n\
         > No action needed before your morning.\n"
    );
    Bytes::from(serde_json::json!({ "body": markdown }).to_string())
}

/// `total` split into `parts` shares differing by at most one.
fn split(total: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

/// The nearest-rank percentile of sorted latencies (zero when there are none).
fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_even_and_complete() {
        assert_eq!(split(10, 3), vec![4, 3, 3]);
        assert_eq!(split(2, 4), vec![1, 1, 0, 0]);
        assert_eq!(split(20_000, 16).iter().sum::<usize>(), 20_000);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted[..1], 99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }

    #[test]
    fn post_bodies_are_about_300_bytes_of_json() {
        let body = post_body(3, 12_345);
        let parsed: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        let markdown = parsed["body"].as_str().expect("a body string");
        assert!(
            (250..=350).contains(&markdown.len()),
            "{} bytes",
            markdown.len()
        );
    }
}
