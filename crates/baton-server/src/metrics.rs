//! Request metrics in Prometheus text format: a counter per route and status, and a latency
//! histogram per route. Routes are the matched patterns (`/api/v1/threads/{id}`), never raw
//! paths, so the number of series stays fixed. Also an info gauge naming the time zone
//! database in use, so stale rules show on a dashboard.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default, Clone)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// Collected request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
}

impl Metrics {
    /// Records one finished request.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let stats = routes
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        *stats.by_status.entry(status).or_default() += 1;
        stats.count += 1;
        stats.sum_seconds += seconds;
        for (bucket, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The metrics as Prometheus text exposition format.
    pub fn render(&self) -> String {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut out = String::new();
        let tzdb = baton_core::tzdb::current();
        out.push_str("# HELP baton_tzdb_info The time zone database in use (release, source).\n");
        out.push_str("# TYPE baton_tzdb_info gauge\n");
        let _ = writeln!(
            out,
            "baton_tzdb_info{{release=\"{}\",source=\"{}\"}} 1",
            tzdb.release,
            tzdb.source.as_str()
        );
        out.push_str("# HELP baton_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE baton_http_requests_total counter\n");
        for ((method, route), stats) in &routes {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "baton_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP baton_http_request_duration_seconds HTTP request latency by route.\n");
        out.push_str("# TYPE baton_http_request_duration_seconds histogram\n");
        for ((method, route), stats) in &routes {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
                let _ = writeln!(
                    out,
                    "baton_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "baton_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "baton_http_request_duration_seconds_sum{{{labels}}} {}",
                stats.sum_seconds
            );
            let _ = writeln!(
                out,
                "baton_http_request_duration_seconds_count{{{labels}}} {}",
                stats.count
            );
        }
        out
    }
}

/// Middleware recording every request into [`Metrics`].
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_metrics_count_requests_and_fill_buckets() {
        let m = Metrics::default();
        m.record("GET", "/healthz", 200, 0.002);
        m.record("GET", "/healthz", 200, 0.2);
        m.record("GET", "/healthz", 503, 0.0005);
        let text = m.render();
        assert!(
            text.contains(
                "baton_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "baton_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("le=\"0.0025\"} 2"), "{text}");
        assert!(
            text.contains("_count{method=\"GET\",route=\"/healthz\"} 3"),
            "{text}"
        );
    }

    #[test]
    fn rendered_metrics_name_the_time_zone_database_in_use() {
        let tzdb = baton_core::tzdb::current();
        let line = format!(
            "baton_tzdb_info{{release=\"{}\",source=\"{}\"}} 1\n",
            tzdb.release,
            tzdb.source.as_str()
        );
        let text = Metrics::default().render();
        assert!(text.contains(&line), "{text}");
        assert!(text.contains("# TYPE baton_tzdb_info gauge\n"), "{text}");
    }
}
