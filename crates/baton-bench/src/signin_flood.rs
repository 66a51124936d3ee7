//! `--signin-flood N`: N concurrent bad sign-ins (`POST /api/v1/tokens` with random emails,
//! each on its own connection) while a few clients keep asking `GET /healthz`, against a
//! `/healthz` baseline measured without the flood in the same run; and the server's peak
//! resident memory. Each password check holds 19 MiB, so memory must stay bounded by the
//! server's password gate, and other requests must not starve behind the checks.
//!
//! Owns: the flood, the probe that runs beside it and their report. Does not own: starting
//! the server (`server`), the baseline's load (`load`) or reading memory (`memory`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::client::{Api, Auth, Payload};
use crate::load::{self, Summary};
use crate::memory::Sampler;
use crate::report::{Machine, Printed, aligned, mib, ms};

/// Clients probing `/healthz`, in the baseline and during the flood.
const PROBES: usize = 4;
/// `/healthz` requests of the baseline.
const BASELINE_REQUESTS: usize = 2_000;
/// The shortest time the probe runs during the flood, so a quick flood still gets a
/// meaningful sample.
const MIN_PROBE: Duration = Duration::from_secs(1);

/// What one flood run measured.
#[derive(Debug)]
pub struct FloodReport {
    machine: Machine,
    backend: String,
    attempts: usize,
    /// How the sign-ins were answered: status → count (0: no answer).
    statuses: BTreeMap<u16, usize>,
    /// From the first sign-in sent to the last answer.
    flood: Duration,
    baseline: Summary,
    during: Summary,
    /// Resident memory after the baseline, before the flood.
    rss_before_kib: u64,
    peak_rss_kib: u64,
}

/// Measures the baseline, then the flood of `attempts` sign-ins against the server at `addr`
/// (process `pid`).
pub async fn measure(
    addr: SocketAddr,
    pid: u32,
    attempts: usize,
    backend: String,
) -> anyhow::Result<FloodReport> {
    let baseline = load::baseline(addr, PROBES, BASELINE_REQUESTS)
        .await
        .context("baseline phase")?;
    let sampler = Sampler::start(pid);
    let rss_before_kib = crate::memory::resident_kib(pid)?;
    let (stop, stopped) = watch::channel(false);
    let probe = tokio::spawn(probe(addr, stopped));
    let started = Instant::now();
    let statuses = flood(addr, attempts).await?;
    let flood = started.elapsed();
    tokio::time::sleep(MIN_PROBE.saturating_sub(flood)).await;
    stop.send_replace(true);
    let during = probe.await.context("the probe panicked")??;
    let peak_rss_kib = sampler.finish().await?;
    Ok(FloodReport {
        machine: Machine::detect(),
        backend,
        attempts,
        statuses,
        flood,
        baseline,
        during,
        rss_before_kib,
        peak_rss_kib,
    })
}

/// Sends `attempts` bad sign-ins at once, each with a random email on its own connection,
/// and counts the answers by status.
async fn flood(addr: SocketAddr, attempts: usize) -> anyhow::Result<BTreeMap<u16, usize>> {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let mut tasks = JoinSet::new();
    for i in 0..attempts {
        let api = Api::new(addr);
        let body = json!({
            "email": format!("flood-{nonce:x}-{i}@example.invalid"),
            "password": format!("not the password {i}"),
        });
        tasks.spawn(async move {
            let uri = api.uri("/api/v1/tokens")?;
            let payload = Payload::Json(Bytes::from(body.to_string()));
            let reply = api.send(Method::POST, uri, Auth::Anonymous, payload).await;
            anyhow::Ok(reply.map_or(0, |r| r.status.as_u16()))
        });
    }
    let mut statuses = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let status = joined.context("a sign-in client panicked")??;
        *statuses.entry(status).or_default() += 1;
    }
    Ok(statuses)
}

/// `PROBES` clients sending `GET /healthz` one after the other until told to stop.
async fn probe(addr: SocketAddr, stopped: watch::Receiver<bool>) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..PROBES {
        let api = Api::new(addr);
        let stopped = stopped.clone();
        tasks.spawn(async move {
            let uri = api.uri("/healthz")?;
            let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
            while !*stopped.borrow() {
                let sent = Instant::now();
                let reply = api
                    .send(Method::GET, uri.clone(), Auth::Anonymous, Payload::Empty)
                    .await;
                latencies.push(sent.elapsed());
                match reply {
                    Ok(r) if r.status == StatusCode::OK => {}
                    other => {
                        errors += 1;
                        first_error.get_or_insert_with(|| match other {
                            Ok(r) => format!("GET /healthz answered {}", r.status),
                            Err(e) => format!("{e:#}"),
                        });
                    }
                }
            }
            anyhow::Ok((latencies, errors, first_error))
        });
    }
    let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
    while let Some(joined) = tasks.join_next().await {
        let (l, e, f) = joined.context("a probe client panicked")??;
        latencies.extend(l);
        errors += e;
        first_error = first_error.or(f);
    }
    Ok(Summary::of(
        latencies,
        started.elapsed(),
        errors,
        first_error,
    ))
}

impl FloodReport {
    /// Sign-ins answered with something other than the refusals a flood should get (422 no
    /// match, 429 throttled, 503 busy), or not answered at all.
    fn unexpected(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(status, _)| ![422, 429, 503].contains(*status))
            .map(|(_, n)| n)
            .sum()
    }
}

impl Printed for FloodReport {
    fn errors(&self) -> u64 {
        self.baseline.errors + self.during.errors + self.unexpected() as u64
    }

    fn to_json(&self) -> serde_json::Value {
        let phase = |s: &Summary| {
            json!({"requests": s.requests, "p50_ms": ms(s.p50), "p99_ms": ms(s.p99),
                   "max_ms": ms(s.max), "errors": s.errors})
        };
        json!({
            "mode": "signin-flood",
            "machine": {"cpus": self.machine.cpus, "model": self.machine.model},
            "backend": self.backend,
            "attempts": self.attempts,
            "statuses": self.statuses.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "flood_ms": ms(self.flood),
            "healthz_baseline": phase(&self.baseline),
            "healthz_during_flood": phase(&self.during),
            "rss_before_mib": mib(self.rss_before_kib),
            "peak_rss_mib": mib(self.peak_rss_kib),
        })
    }

    fn table(&self) -> String {
        let statuses = self
            .statuses
            .iter()
            .map(|(status, n)| format!("{status}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let phase = |s: &Summary| {
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} requests, {} failed)",
                ms(s.p50),
                ms(s.p99),
                ms(s.max),
                s.requests,
                s.errors
            )
        };
        let mut out = aligned(&[
            (
                "machine",
                format!("{} CPUs, {}", self.machine.cpus, self.machine.model),
            ),
            ("backend", self.backend.clone()),
            ("bad sign-ins at once", self.attempts.to_string()),
            ("answers", statuses),
            ("flood took", format!("{:.0} ms", ms(self.flood))),
            ("/healthz baseline", phase(&self.baseline)),
            ("/healthz during flood", phase(&self.during)),
            (
                "server RSS",
                format!(
                    "{:.1} MiB before, {:.1} MiB peak",
                    mib(self.rss_before_kib),
                    mib(self.peak_rss_kib)
                ),
            ),
        ]);
        for e in [&self.baseline.first_error, &self.during.first_error]
            .into_iter()
            .flatten()
        {
            out.push_str(&format!("first /healthz error: {e}\n"));
        }
        out
    }
}
