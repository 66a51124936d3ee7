//! What `--pages` prints: one row per page (status, size, client-side latency, rate, the ratio
//! to the `/healthz` baseline, the server-side mean), the skipped pages, the server's timing of
//! every route, and flags for pages over the budget of issue #3: one round trip of HTML under
//! 100 KiB, rendered in under 20 ms server-side.

use std::time::Duration;

use hyper::StatusCode;
use serde_json::json;

use super::Skipped;
use super::metrics::{RouteTime, route_for};
use crate::load::Summary;
use crate::report::{Machine, Printed, aligned, ms};

/// The largest page, in bytes of HTML.
const MAX_PAGE_BYTES: usize = 100 * 1024;
/// The longest mean server-side time of a page.
const MAX_SERVER_MEAN: Duration = Duration::from_millis(20);

/// One measured page.
#[derive(Debug, Clone)]
pub struct PageRun {
    /// The route, such as `/threads/{id}`.
    pub route: &'static str,
    /// The path measured.
    pub path: String,
    /// What it answered when it was found.
    pub status: StatusCode,
    /// Its GETs.
    pub summary: Summary,
}

/// Everything one `--pages` run measured.
#[derive(Debug, Clone)]
pub struct PagesReport {
    /// Where it ran.
    pub machine: Machine,
    /// `sqlite` or the PostgreSQL URL without its password.
    pub backend: String,
    /// The demo person the pages were seen as.
    pub signed_in_as: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// GETs per page and of the baseline.
    pub requests: usize,
    /// The `/healthz` floor.
    pub baseline: Summary,
    /// The pages, in the order measured.
    pub pages: Vec<PageRun>,
    /// The pages not measured.
    pub skipped: Vec<Skipped>,
    /// The server's own timing of every route, read from `/metrics` after the run.
    pub server: Vec<RouteTime>,
}

impl PagesReport {
    /// The server's timing of `GET path`, if `/metrics` has a histogram for its route.
    fn server_time(&self, path: &str) -> Option<&RouteTime> {
        route_for(&self.server, "GET", path)
    }

    /// A p50 as a multiple of the baseline's p50.
    fn ratio(&self, summary: &Summary) -> f64 {
        ms(summary.p50) / ms(self.baseline.p50).max(f64::EPSILON)
    }

    /// What is wrong with a page, if anything.
    fn flags(&self, page: &PageRun) -> Vec<String> {
        let mut flags = Vec::new();
        if page.summary.max_bytes > MAX_PAGE_BYTES {
            flags.push(format!(
                "over 100 KiB ({:.1} KiB)",
                page.summary.max_bytes as f64 / 1024.0
            ));
        }
        match self.server_time(&page.path) {
            Some(time) if time.mean() > MAX_SERVER_MEAN => flags.push(format!(
                "server mean over 20 ms ({:.1} ms)",
                ms(time.mean())
            )),
            Some(_) => {}
            None => flags.push("no server-side histogram for its route".to_owned()),
        }
        if page.summary.errors > 0 {
            flags.push(format!("{} requests failed", page.summary.errors));
        }
        flags
    }

    /// The server-side mean of `path`, in ms, for printing.
    fn server_ms(&self, path: &str) -> Option<f64> {
        self.server_time(path).map(|t| ms(t.mean()))
    }

    /// Pages with at least one flag.
    fn flagged(&self) -> usize {
        self.pages
            .iter()
            .filter(|p| !self.flags(p).is_empty())
            .count()
    }
}

impl Printed for PagesReport {
    /// Failed GETs of the baseline and the pages, and pages that answered wrongly when found.
    fn errors(&self) -> u64 {
        self.baseline.errors
            + self.pages.iter().map(|p| p.summary.errors).sum::<u64>()
            + self.skipped.iter().filter(|s| s.failed).count() as u64
    }

    fn to_json(&self) -> serde_json::Value {
        let b = &self.baseline;
        let pages: Vec<_> = self
            .pages
            .iter()
            .map(|p| {
                let s = &p.summary;
                let server = self.server_time(&p.path);
                json!({
                    "route": p.route,
                    "path": p.path,
                    "status": p.status.as_u16(),
                    "html_bytes_max": s.max_bytes,
                    "requests": s.requests,
                    "requests_per_s": s.rate(),
                    "p50_ms": ms(s.p50),
                    "p99_ms": ms(s.p99),
                    "max_ms": ms(s.max),
                    "p50_to_baseline_p50": self.ratio(s),
                    "server_route": server.map(|t| &t.route),
                    "server_mean_ms": server.map(|t| ms(t.mean())),
                    "errors": s.errors,
                    "first_error": s.first_error,
                    "flags": self.flags(p),
                })
            })
            .collect();
        let skipped: Vec<_> = self
            .skipped
            .iter()
            .map(|s| json!({"route": s.route, "path": s.path, "reason": s.reason, "failed": s.failed}))
            .collect();
        let server: Vec<_> = self
            .server
            .iter()
            .map(|t| json!({"method": t.method, "route": t.route, "count": t.count, "mean_ms": ms(t.mean())}))
            .collect();
        json!({
            "machine": {"nproc": self.machine.cpus, "cpu": self.machine.model},
            "backend": self.backend,
            "workspace": "demo",
            "signed_in_as": self.signed_in_as,
            "clients": self.clients,
            "requests_per_page": self.requests,
            "limits": {"html_bytes": MAX_PAGE_BYTES, "server_mean_ms": ms(MAX_SERVER_MEAN)},
            "baseline": {
                "path": "/healthz",
                "requests": b.requests,
                "requests_per_s": b.rate(),
                "p50_ms": ms(b.p50),
                "p99_ms": ms(b.p99),
                "max_ms": ms(b.max),
                "server_mean_ms": self.server_ms("/healthz"),
                "errors": b.errors,
                "first_error": b.first_error,
            },
            "pages": pages,
            "skipped": skipped,
            "server_side": server,
            "flagged_pages": self.flagged(),
        })
    }

    fn table(&self) -> String {
        let mut out = aligned(&[
            (
                "machine",
                format!("{} CPUs, {}", self.machine.cpus, self.machine.model),
            ),
            ("backend", self.backend.clone()),
            (
                "workspace",
                format!("demo, signed in as {}", self.signed_in_as),
            ),
            (
                "clients / requests",
                format!("{} / {} per page", self.clients, self.requests),
            ),
        ]);
        out.push('\n');
        let mut rows = vec![
            [
                "page",
                "status",
                "bytes",
                "p50 ms",
                "p99 ms",
                "max ms",
                "req/s",
                "p50/base",
                "server ms",
                "flags",
            ]
            .map(str::to_owned),
        ];
        let b = &self.baseline;
        rows.push(row(
            "/healthz (baseline)",
            "200",
            b,
            1.0,
            self.server_ms("/healthz"),
            "",
        ));
        for page in &self.pages {
            let flags = self.flags(page).join("; ");
            rows.push(row(
                page.route,
                page.status.as_str(),
                &page.summary,
                self.ratio(&page.summary),
                self.server_ms(&page.path),
                &flags,
            ));
        }
        out.push_str(&columns(&rows, &[0, 9]));
        for s in &self.skipped {
            let path = s
                .path
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            out.push_str(&format!("skipped {}{path}: {}\n", s.route, s.reason));
        }
        out.push_str(
            "\nserver-side mean per route (sum ÷ count of baton_http_request_duration_seconds, every request of the run):\n",
        );
        let mut server = vec![["", "method", "route", "count", "mean ms"].map(str::to_owned)];
        server.extend(self.server.iter().map(|t| {
            [
                String::new(),
                t.method.clone(),
                t.route.clone(),
                t.count.to_string(),
                format!("{:.3}", ms(t.mean())),
            ]
        }));
        out.push_str(&columns(&server, &[1, 2]));
        out.push_str(&format!(
            "\nbudget: HTML ≤ 100 KiB, server mean ≤ 20 ms; pages flagged: {} of {}\n",
            self.flagged(),
            self.pages.len()
        ));
        let errors = std::iter::once(("/healthz", b))
            .chain(self.pages.iter().map(|p| (p.route, &p.summary)));
        for (route, summary) in errors {
            if let Some(e) = &summary.first_error {
                out.push_str(&format!("first error on {route}: {e}\n"));
            }
        }
        out
    }
}

/// One row of the page table.
fn row(
    page: &str,
    status: &str,
    s: &Summary,
    ratio: f64,
    server_ms: Option<f64>,
    flags: &str,
) -> [String; 10] {
    [
        page.to_owned(),
        status.to_owned(),
        s.max_bytes.to_string(),
        format!("{:.3}", ms(s.p50)),
        format!("{:.3}", ms(s.p99)),
        format!("{:.3}", ms(s.max)),
        format!("{:.0}", s.rate()),
        format!("{ratio:.1}"),
        server_ms.map_or_else(|| "missing".to_owned(), |m| format!("{m:.3}")),
        flags.to_owned(),
    ]
}

/// Rows as aligned columns: the columns numbered in `left` (text) left-aligned, the others
/// (numbers) right-aligned.
fn columns<const N: usize>(rows: &[[String; N]], left: &[usize]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &width))| {
                if left.contains(&c) {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(p50_ms: u64, max_bytes: usize) -> Summary {
        let p50 = Duration::from_millis(p50_ms);
        Summary {
            requests: 10,
            elapsed: Duration::from_millis(100),
            p50,
            p90: p50,
            p99: p50,
            max: p50,
            max_bytes,
            errors: 0,
            first_error: None,
        }
    }

    fn page(route: &'static str, path: &str, p50_ms: u64, max_bytes: usize) -> PageRun {
        PageRun {
            route,
            path: path.to_owned(),
            status: StatusCode::OK,
            summary: summary(p50_ms, max_bytes),
        }
    }

    fn time(route: &str, count: u64, sum_seconds: f64) -> RouteTime {
        RouteTime {
            method: "GET".into(),
            route: route.into(),
            count,
            sum_seconds,
        }
    }

    fn report() -> PagesReport {
        PagesReport {
            machine: Machine {
                cpus: 2,
                model: "test".into(),
            },
            backend: "sqlite".into(),
            signed_in_as: "maya@relaylabs.example",
            clients: 2,
            requests: 10,
            baseline: summary(1, 3),
            pages: vec![
                page("/inbox", "/inbox", 2, 2_000),
                page("/threads/{id}", "/threads/abc", 40, 200 * 1024),
                page("/people", "/people", 3, 5_000),
            ],
            skipped: vec![Skipped {
                route: "/batons",
                path: Some("/batons".into()),
                reason: "404, not built yet".into(),
                failed: false,
            }],
            server: vec![
                time("/healthz", 10, 0.0001),
                time("/inbox", 10, 0.01),
                time("/threads/{id}", 10, 0.3),
            ],
        }
    }

    #[test]
    fn pages_over_budget_or_without_a_histogram_are_flagged() {
        let report = report();
        assert!(report.flags(&report.pages[0]).is_empty());
        assert_eq!(
            report.flags(&report.pages[1]),
            [
                "over 100 KiB (200.0 KiB)",
                "server mean over 20 ms (30.0 ms)"
            ]
        );
        assert_eq!(
            report.flags(&report.pages[2]),
            ["no server-side histogram for its route"]
        );
        assert_eq!(report.flagged(), 2);
        assert_eq!(report.errors(), 0);
        assert_eq!(report.ratio(&report.pages[1].summary), 40.0);
    }

    #[test]
    fn the_table_and_json_carry_every_page_and_the_skipped_ones() {
        let report = report();
        let table = report.table();
        for needle in [
            "/healthz (baseline)",
            "/threads/{id}",
            "30.000",
            "missing",
            "skipped /batons (/batons): 404, not built yet",
            "pages flagged: 2 of 3",
        ] {
            assert!(table.contains(needle), "{needle:?} missing from\n{table}");
        }
        let json = report.to_json();
        assert_eq!(json["pages"][1]["html_bytes_max"], 200 * 1024);
        assert_eq!(json["pages"][1]["server_route"], "/threads/{id}");
        assert_eq!(json["pages"][2]["server_mean_ms"], serde_json::Value::Null);
        assert_eq!(json["skipped"][0]["route"], "/batons");
        assert_eq!(json["flagged_pages"], 2);
    }
}
