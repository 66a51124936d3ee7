//! What the benchmark prints: the machine, the backend, both phases and the server's memory,
//! as a table or as one JSON object.

use std::time::Duration;

use serde_json::json;

use crate::load::Summary;

/// The machine the benchmark ran on.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPUs available to this process (what `nproc` prints).
    pub cpus: usize,
    /// The first `model name` of `/proc/cpuinfo`.
    pub model: String,
}

impl Machine {
    /// Reads the CPU count and model of this machine.
    pub fn detect() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines().find_map(|line| {
                    line.strip_prefix("model name")?
                        .split_once(':')
                        .map(|(_, v)| v.trim().to_owned())
                })
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Self { cpus, model }
    }
}

/// A finished run's report, whichever mode made it: printed as a table or as JSON, and
/// deciding the exit status.
pub trait Printed {
    /// Failed requests over the whole run.
    fn errors(&self) -> u64;
    /// The report as one JSON object.
    fn to_json(&self) -> serde_json::Value;
    /// The report as an aligned, human-readable table.
    fn table(&self) -> String;
}

/// Everything one posts run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where it ran.
    pub machine: Machine,
    /// `sqlite` or the PostgreSQL URL without its password.
    pub backend: String,
    /// Concurrent clients.
    pub clients: usize,
    /// Members besides the owner.
    pub members: usize,
    /// Whether every client wrote into one thread every member follows.
    pub one_thread: bool,
    /// The `/healthz` floor.
    pub baseline: Summary,
    /// The measured posts phase.
    pub posts: Summary,
    /// The server's peak resident set, in KiB.
    pub peak_rss_kib: u64,
    /// With `one_thread`: `GET /api/v1/deliveries/backlog` right after the posts phase.
    pub backlog: Option<serde_json::Value>,
}

impl Report {
    /// Where the clients write.
    fn threads(&self) -> &'static str {
        if self.one_thread {
            "one, followed by every member"
        } else {
            "one per client"
        }
    }

    /// Posts per second as a fraction of the baseline's requests per second.
    fn ratio(&self) -> f64 {
        self.posts.rate() / self.baseline.rate().max(f64::EPSILON)
    }
}

impl Printed for Report {
    /// Failed requests over both phases.
    fn errors(&self) -> u64 {
        self.baseline.errors + self.posts.errors
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "machine": {"nproc": self.machine.cpus, "cpu": self.machine.model},
            "backend": self.backend,
            "clients": self.clients,
            "members": self.members + 1,
            "threads": self.threads(),
            "baseline": {
                "requests": self.baseline.requests,
                "seconds": self.baseline.elapsed.as_secs_f64(),
                "requests_per_s": self.baseline.rate(),
                "p50_ms": ms(self.baseline.p50),
                "p99_ms": ms(self.baseline.p99),
                "errors": self.baseline.errors,
                "first_error": self.baseline.first_error,
            },
            "posts": {
                "requests": self.posts.requests,
                "seconds": self.posts.elapsed.as_secs_f64(),
                "posts_per_s": self.posts.rate(),
                "p50_ms": ms(self.posts.p50),
                "p90_ms": ms(self.posts.p90),
                "p99_ms": ms(self.posts.p99),
                "max_ms": ms(self.posts.max),
                "errors": self.posts.errors,
                "first_error": self.posts.first_error,
            },
            "ratio_posts_to_baseline": self.ratio(),
            "peak_server_rss_mib": mib(self.peak_rss_kib),
            "backlog_after": self.backlog,
        })
    }

    fn table(&self) -> String {
        let (b, p) = (&self.baseline, &self.posts);
        let rows = [
            (
                "machine",
                format!("{} CPUs, {}", self.machine.cpus, self.machine.model),
            ),
            ("backend", self.backend.clone()),
            (
                "clients / members",
                format!("{} / {} (incl. owner)", self.clients, self.members + 1),
            ),
            ("threads", self.threads().to_owned()),
            (
                "baseline GET /healthz",
                format!(
                    "{} requests in {:.2} s",
                    b.requests,
                    b.elapsed.as_secs_f64()
                ),
            ),
            ("  requests/s", format!("{:.0}", b.rate())),
            (
                "  p50 / p99 ms",
                format!("{:.3} / {:.3}", ms(b.p50), ms(b.p99)),
            ),
            ("  errors", b.errors.to_string()),
            (
                "posts POST …/posts",
                format!(
                    "{} requests in {:.2} s",
                    p.requests,
                    p.elapsed.as_secs_f64()
                ),
            ),
            ("  posts/s", format!("{:.0}", p.rate())),
            (
                "  p50 / p90 / p99 / max ms",
                format!(
                    "{:.3} / {:.3} / {:.3} / {:.3}",
                    ms(p.p50),
                    ms(p.p90),
                    ms(p.p99),
                    ms(p.max)
                ),
            ),
            ("  errors", p.errors.to_string()),
            ("posts/s ÷ baseline req/s", format!("{:.3}", self.ratio())),
            (
                "peak server RSS",
                format!("{:.1} MiB", mib(self.peak_rss_kib)),
            ),
        ];
        let mut out = aligned(&rows);
        if let Some(backlog) = &self.backlog {
            out.push_str(&aligned(&[
                ("deliveries queued after", backlog["queued"].to_string()),
                (
                    "events not yet expanded",
                    backlog["unexpanded_events"].to_string(),
                ),
            ]));
        }
        for (phase, summary) in [("baseline", b), ("posts", p)] {
            if let Some(e) = &summary.first_error {
                out.push_str(&format!("first {phase} error: {e}\n"));
            }
        }
        out
    }
}

/// `key  value` lines with the values lined up in one column.
pub fn aligned(rows: &[(&str, String)]) -> String {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(key, value)| format!("{key:<width$}  {value}\n"))
        .collect()
}

/// The backend's name for the report: `sqlite`, or the PostgreSQL URL with any password hidden.
pub fn backend_label(database_url: Option<&str>) -> String {
    let Some(url) = database_url else {
        return "sqlite".to_owned();
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return "postgresql".to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("postgresql ({scheme}://{user}:***@{host})")
        }
        _ => format!("postgresql ({url})"),
    }
}

/// A duration in milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// KiB in MiB, for printing.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(backend_label(None), "sqlite");
        assert_eq!(
            backend_label(Some("postgres://u:secret@h:5432/db")),
            "postgresql (postgres://u:***@h:5432/db)"
        );
        assert_eq!(
            backend_label(Some("postgres://u@h/db")),
            "postgresql (postgres://u@h/db)"
        );
    }
}
