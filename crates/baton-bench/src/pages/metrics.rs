//! The server's own timings, read from its `/metrics` text: the sum and count of the
//! `baton_http_request_duration_seconds` histogram per method and matched route. They measure
//! from routing to the handler's response (session check, queries, template), without the
//! network and the load generator, so they are the "server-side render time" of a page.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;

/// The histogram the server records every request into.
const HISTOGRAM: &str = "baton_http_request_duration_seconds";

/// The server-side time of one route, over every request it served.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTime {
    /// The HTTP method.
    pub method: String,
    /// The matched route pattern, such as `/threads/{id}`.
    pub route: String,
    /// Requests served.
    pub count: u64,
    /// Their total time, in seconds.
    pub sum_seconds: f64,
}

impl RouteTime {
    /// The mean time per request (sum ÷ count).
    pub fn mean(&self) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.sum_seconds / self.count as f64)
    }
}

/// Every route with both a `_sum` and a `_count` sample in the Prometheus `text`, ordered by
/// method and route.
pub fn route_times(text: &str) -> anyhow::Result<Vec<RouteTime>> {
    let mut found: BTreeMap<(String, String), (Option<f64>, Option<u64>)> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(HISTOGRAM) else {
            continue;
        };
        let (is_sum, rest) = if let Some(rest) = rest.strip_prefix("_sum{") {
            (true, rest)
        } else if let Some(rest) = rest.strip_prefix("_count{") {
            (false, rest)
        } else {
            continue;
        };
        let (labels, value) = labels(rest).with_context(|| format!("reading {line:?}"))?;
        let label = |name: &str| {
            labels
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .with_context(|| format!("{line:?} has no {name} label"))
        };
        let entry = found
            .entry((label("method")?, label("route")?))
            .or_default();
        let value = value.trim();
        if is_sum {
            entry.0 = Some(
                value
                    .parse()
                    .with_context(|| format!("the sum in {line:?}"))?,
            );
        } else {
            entry.1 = Some(
                value
                    .parse()
                    .with_context(|| format!("the count in {line:?}"))?,
            );
        }
    }
    Ok(found
        .into_iter()
        .filter_map(|((method, route), (sum, count))| {
            Some(RouteTime {
                method,
                route,
                count: count?,
                sum_seconds: sum?,
            })
        })
        .collect())
}

/// The timing of the route that served `method path`: the route equal to the path, else the
/// first pattern matching it.
pub fn route_for<'a>(times: &'a [RouteTime], method: &str, path: &str) -> Option<&'a RouteTime> {
    let of_method = || times.iter().filter(move |t| t.method == method);
    of_method()
        .find(|t| t.route == path)
        .or_else(|| of_method().find(|t| matches(&t.route, path)))
}

/// Whether an axum route pattern (`/threads/{id}`) matches a concrete path.
fn matches(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('/'), path.split('/'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if p.starts_with('{') && p.ends_with('}') && !s.is_empty() => {}
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}

/// Parses `key="value",key="value"}` (what follows the `{`), with Prometheus escapes
/// (`\"`, `\\`, `\n`); returns the labels and the rest of the line after the `}`. Route
/// patterns contain braces themselves, so the end is found by parsing, not by searching.
fn labels(mut rest: &str) -> anyhow::Result<(Vec<(String, String)>, &str)> {
    let mut labels = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (key, after) = rest.split_once("=\"").context("a label without =\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().context("an unterminated label value")? {
                (i, '"') => break i,
                (_, '\\') => match chars.next().context("a dangling escape")?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (_, c) => value.push(c),
            }
        };
        labels.push((key.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `baton_server::metrics::Metrics::render` writes, trimmed to what matters here.
    const SAMPLE: &str = r#"# HELP baton_http_requests_total HTTP requests by route and status.
# TYPE baton_http_requests_total counter
baton_http_requests_total{method="GET",route="/healthz",status="200"} 501
baton_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.001"} 501
baton_http_request_duration_seconds_sum{method="GET",route="/healthz"} 0.0501
baton_http_request_duration_seconds_count{method="GET",route="/healthz"} 501
baton_http_request_duration_seconds_bucket{method="GET",route="/threads/{id}",le="+Inf"} 4
baton_http_request_duration_seconds_sum{method="GET",route="/threads/{id}"} 0.02
baton_http_request_duration_seconds_count{method="GET",route="/threads/{id}"} 4
baton_http_request_duration_seconds_sum{method="POST",route="/say \"hi\"\\"} 1
baton_http_request_duration_seconds_count{method="POST",route="/say \"hi\"\\"} 1
baton_http_request_duration_seconds_sum{method="GET",route="/half"} 1
"#;

    #[test]
    fn sums_and_counts_become_means_per_route() {
        let times = route_times(SAMPLE).expect("parses");
        let routes: Vec<(&str, &str)> = times
            .iter()
            .map(|t| (t.method.as_str(), t.route.as_str()))
            .collect();
        assert_eq!(
            routes,
            [
                ("GET", "/healthz"),
                ("GET", "/threads/{id}"),
                ("POST", "/say \"hi\"\\")
            ]
        );
        assert_eq!(times[0].count, 501);
        assert_eq!(times[0].mean(), Duration::from_micros(100));
        assert_eq!(times[1].mean(), Duration::from_millis(5));
    }

    #[test]
    fn malformed_samples_are_errors_not_silence() {
        let broken = "baton_http_request_duration_seconds_sum{method=\"GET\",route=\"/x} 1\n";
        assert!(route_times(broken).is_err());
        let bad_value =
            "baton_http_request_duration_seconds_count{method=\"GET\",route=\"/x\"} many\n";
        assert!(route_times(bad_value).is_err());
        assert_eq!(route_times("").expect("empty is fine"), []);
    }

    #[test]
    fn paths_find_their_route_exact_first() {
        let time = |route: &str| RouteTime {
            method: "GET".into(),
            route: route.into(),
            count: 1,
            sum_seconds: 0.0,
        };
        let times = [time("/spaces/{id}"), time("/spaces/new"), time("/spaces")];
        let route = |path| route_for(&times, "GET", path).map(|t| t.route.as_str());
        assert_eq!(route("/spaces/new"), Some("/spaces/new"));
        assert_eq!(route("/spaces/0c5e"), Some("/spaces/{id}"));
        assert_eq!(route("/spaces"), Some("/spaces"));
        assert_eq!(route("/spaces/"), None);
        assert_eq!(route("/spaces/0c5e/threads"), None);
        assert_eq!(route_for(&times, "POST", "/spaces"), None);
    }
}
