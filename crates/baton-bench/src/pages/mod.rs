//! `--pages`: signs in to the demo workspace through the real sign-in form, finds the web pages
//! by following links the way a person would, then GETs each page from concurrent clients and
//! reports its size and latency next to a `/healthz` baseline and the server's own per-route
//! timings from `/metrics`.
//!
//! Owns: the sign-in, the list of pages and how each is found, and the order of the run. Does
//! not own: the load loop and statistics (`load`), the parsing (`html`, `metrics`) or printing
//! (`report`).

mod html;
mod metrics;
mod report;

use std::net::SocketAddr;

use anyhow::Context;
use hyper::{Method, StatusCode, header};

use crate::cli::Cli;
use crate::client::{Api, Auth, Payload, Reply, excerpt};
use crate::load;
use crate::report::{Machine, backend_label};
use report::PageRun;
pub use report::PagesReport;

/// The demo owner `baton serve --demo` creates; keep in step with `crates/baton/src/demo.rs`.
const DEMO_EMAIL: &str = "maya@relaylabs.example";
/// Every demo person's password (`DEMO_PASSWORD` in `crates/baton/src/demo.rs`).
const DEMO_PASSWORD: &str = "relay-the-baton";

/// The pages measured, in the order they are looked for and reported. A route with `{id}` is
/// the first link to such a page in the page of route `from` (listed before it), or else in
/// any page fetched before it; the owner sees every page, so the admin pages are included.
const TARGETS: [(&str, Option<&str>); 16] = [
    ("/inbox", None),
    ("/spaces", None),
    ("/spaces/{id}", Some("/spaces")),
    ("/spaces/{id}/members", Some("/spaces/{id}")),
    ("/spaces/{id}/threads/new", Some("/spaces/{id}")),
    ("/threads/{id}", Some("/spaces/{id}")),
    ("/people", None),
    ("/people/{id}", Some("/people")),
    ("/settings", None),
    ("/settings/schedule", None),
    ("/settings/notifications", None),
    ("/batons", None),
    ("/batons/{id}", Some("/batons")),
    ("/relays/{id}", None),
    ("/admin/members", None),
    ("/admin/spaces", None),
];

/// A page that answered 200 when it was found, to be measured.
#[derive(Debug, Clone)]
struct Found {
    route: &'static str,
    path: String,
    status: StatusCode,
}

/// A page that was not measured, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The route looked for.
    pub route: &'static str,
    /// The path tried, when a link to one was found.
    pub path: Option<String>,
    /// Why it was skipped, for a person.
    pub reason: String,
    /// Whether the answer was wrong rather than merely missing (a 500, a redirect to sign-in):
    /// those fail the run.
    pub failed: bool,
}

/// Signs in, finds the pages, measures the baseline and every page, and reads `/metrics`.
pub async fn measure(cli: &Cli, addr: SocketAddr) -> anyhow::Result<PagesReport> {
    let api = Api::new(addr);
    let cookies = sign_in(&api).await.context("signing in through /signin")?;
    let (found, skipped) = discover(&api, &cookies)
        .await
        .context("finding the pages")?;
    let baseline = load::baseline(addr, cli.clients, cli.requests)
        .await
        .context("baseline phase")?;
    let mut pages = Vec::with_capacity(found.len());
    for page in found {
        let summary = load::page(addr, &page.path, &cookies, cli.clients, cli.requests)
            .await
            .with_context(|| format!("measuring GET {}", page.path))?;
        pages.push(PageRun {
            route: page.route,
            path: page.path,
            status: page.status,
            summary,
        });
    }
    let metrics = get(&api, "/metrics", Auth::Anonymous).await?;
    anyhow::ensure!(
        metrics.status == StatusCode::OK,
        "GET /metrics answered {}",
        metrics.status
    );
    let server = metrics::route_times(&String::from_utf8_lossy(&metrics.body))
        .context("reading the request histograms of /metrics")?;
    Ok(PagesReport {
        machine: Machine::detect(),
        backend: backend_label(cli.database_url.as_deref()),
        signed_in_as: DEMO_EMAIL,
        clients: cli.clients,
        requests: cli.requests,
        baseline,
        pages,
        skipped,
        server,
    })
}

/// Signs in as the demo owner the way a browser does: the sign-in page sets the `baton_csrf`
/// cookie and carries the same token in a hidden field; the form post answers with the
/// `baton_session` cookie. Returns the `Cookie` header a browser would send afterwards.
async fn sign_in(api: &Api) -> anyhow::Result<String> {
    let page = get(api, "/signin", Auth::Anonymous).await?;
    anyhow::ensure!(
        page.status == StatusCode::OK,
        "GET /signin answered {} (is the demo workspace seeded?): {}",
        page.status,
        excerpt(&page.body)
    );
    let csrf_cookie = html::set_cookie(set_cookies(&page), "baton_csrf")
        .context("GET /signin set no baton_csrf cookie")?
        .to_owned();
    let csrf = html::input_value(&String::from_utf8_lossy(&page.body), "csrf")
        .context("the sign-in page has no hidden csrf field")?;
    let form = html::form(&[
        ("email", DEMO_EMAIL),
        ("password", DEMO_PASSWORD),
        ("csrf", &csrf),
    ]);
    let csrf_pair = format!("baton_csrf={csrf_cookie}");
    let reply = api
        .send(
            Method::POST,
            api.uri("/signin")?,
            Auth::Cookie(&csrf_pair),
            Payload::Form(form),
        )
        .await?;
    anyhow::ensure!(
        reply.status == StatusCode::SEE_OTHER,
        "POST /signin answered {} (expected 303): {}",
        reply.status,
        excerpt(&reply.body)
    );
    let session = html::set_cookie(set_cookies(&reply), "baton_session")
        .context("POST /signin set no baton_session cookie")?;
    Ok(format!("{csrf_pair}; baton_session={session}"))
}

/// Fetches every page of [`TARGETS`] once, following links for the `{id}` ones: those
/// answering 200 are to be measured, the rest are skipped with the reason.
async fn discover(api: &Api, cookies: &str) -> anyhow::Result<(Vec<Found>, Vec<Skipped>)> {
    let mut fetched: Vec<(&str, Vec<String>)> = Vec::new();
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    for (route, from) in TARGETS {
        let path = match route.split_once("{id}") {
            None => route.to_owned(),
            Some(around) => match find_link(&fetched, around, from) {
                Some(path) => path,
                None => {
                    skipped.push(Skipped {
                        route,
                        path: None,
                        reason: "no link to one in the pages found".to_owned(),
                        failed: false,
                    });
                    continue;
                }
            },
        };
        let reply = get(api, &path, Auth::Cookie(cookies)).await?;
        let (reason, failed) = match reply.status {
            StatusCode::OK => {
                fetched.push((route, html::links(&String::from_utf8_lossy(&reply.body))));
                found.push(Found {
                    route,
                    path,
                    status: reply.status,
                });
                continue;
            }
            StatusCode::NOT_FOUND => ("404, not built yet".to_owned(), false),
            status => {
                let location = reply
                    .headers
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .map(|l| format!(" to {l}"))
                    .unwrap_or_default();
                (format!("answered {status}{location}"), true)
            }
        };
        skipped.push(Skipped {
            route,
            path: Some(path),
            reason,
            failed,
        });
    }
    Ok((found, skipped))
}

/// The first link of the form `prefix{id}suffix` (`around`), looking in the page of route
/// `from` first and then in every page in the order fetched.
fn find_link(
    fetched: &[(&str, Vec<String>)],
    (prefix, suffix): (&str, &str),
    from: Option<&str>,
) -> Option<String> {
    let preferred = fetched.iter().filter(|(route, _)| Some(*route) == from);
    let others = fetched.iter().filter(|(route, _)| Some(*route) != from);
    preferred
        .chain(others)
        .flat_map(|(_, links)| links)
        .find(|link| {
            link.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .is_some_and(is_id)
        })
        .cloned()
}

/// Whether a path segment is one of Baton's ids (a hyphenated UUID), so that a link to
/// `/spaces/new` is not taken for a space.
fn is_id(segment: &str) -> bool {
    segment.len() == 36
        && segment.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// One GET of `path`.
async fn get(api: &Api, path: &str, auth: Auth<'_>) -> anyhow::Result<Reply> {
    api.send(Method::GET, api.uri(path)?, auth, Payload::Empty)
        .await
}

/// The `Set-Cookie` values of a reply.
fn set_cookies(reply: &Reply) -> impl Iterator<Item = &str> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACE: &str = "/spaces/0195b4c2-7e1a-7c3d-9f00-aa11bb22cc33";
    const THREAD_A: &str = "/threads/0195b4c2-7e1a-7c3d-9f00-000000000001";
    const THREAD_B: &str = "/threads/0195b4c2-7e1a-7c3d-9f00-000000000002";

    #[test]
    fn ids_are_hyphenated_uuids() {
        assert!(is_id("0195b4c2-7e1a-7c3d-9f00-aa11bb22cc33"));
        assert!(!is_id("new"));
        assert!(!is_id("0195b4c2x7e1a-7c3d-9f00-aa11bb22cc33"));
        assert!(!is_id("0195b4c2-7e1a-7c3d-9f00-aa11bb22cc3g"));
    }

    #[test]
    fn links_are_taken_from_the_named_page_first() {
        let fetched = vec![
            ("/inbox", vec![THREAD_B.to_owned()]),
            ("/spaces", vec!["/spaces/new".to_owned(), SPACE.to_owned()]),
            ("/spaces/{id}", vec![THREAD_A.to_owned()]),
        ];
        let space = ("/spaces/", "");
        let thread = ("/threads/", "");
        assert_eq!(
            find_link(&fetched, space, Some("/spaces")).as_deref(),
            Some(SPACE)
        );
        assert_eq!(
            find_link(&fetched, thread, Some("/spaces/{id}")).as_deref(),
            Some(THREAD_A)
        );
        // Without a named page, or when it has none, the first link anywhere.
        assert_eq!(find_link(&fetched, thread, None).as_deref(), Some(THREAD_B));
        assert_eq!(
            find_link(&fetched[..2], thread, Some("/spaces/{id}")).as_deref(),
            Some(THREAD_B)
        );
        assert_eq!(find_link(&fetched, ("/relays/", ""), None), None);
        // A suffix after the id.
        let members = format!("{SPACE}/members");
        let fetched = vec![("/spaces/{id}", vec![members.clone(), SPACE.to_owned()])];
        assert_eq!(
            find_link(&fetched, ("/spaces/", "/members"), Some("/spaces/{id}")),
            Some(members)
        );
        assert_eq!(
            find_link(&fetched, ("/spaces/", ""), None).as_deref(),
            Some(SPACE)
        );
    }

    /// A stand-in for `baton serve`: answers one request per connection from `answer`.
    async fn fake_server(answer: fn(&str, &str, &str) -> String) -> SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        request.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&request).into_owned();
                        let Some((head, body)) = text.split_once("\r\n\r\n") else {
                            if n == 0 {
                                return;
                            }
                            continue;
                        };
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .map_or(0, |v| v.parse().unwrap_or(0));
                        if body.len() < length && n > 0 {
                            continue;
                        }
                        let reply = answer(head.lines().next().unwrap_or(""), head, body);
                        let _ = socket.write_all(reply.as_bytes()).await;
                        return;
                    }
                });
            }
        });
        addr
    }

    /// A response closing its connection.
    fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    /// A tiny Baton: sign-in with the double-submit token, some pages built, some not, one
    /// failing, one sending the browser back to sign-in.
    fn fake_baton(line: &str, head: &str, body: &str) -> String {
        let signed_in = head.contains("baton_session=s3ss");
        match line.split(' ').take(2).collect::<Vec<_>>()[..] {
            ["GET", "/signin"] => answer(
                "200 OK",
                "set-cookie: baton_csrf=t0k; Path=/; HttpOnly\r\n",
                r#"<form><input type="hidden" name="csrf" value="t0k"><input name="email"></form>"#,
            ),
            ["POST", "/signin"]
                if head.contains("baton_csrf=t0k")
                    && body.contains("csrf=t0k")
                    && body.contains("email=maya%40relaylabs.example") =>
            {
                answer(
                    "303 See Other",
                    "location: /inbox\r\nset-cookie: baton_session=s3ss; Path=/; HttpOnly\r\n",
                    "",
                )
            }
            ["GET", "/inbox"] if signed_in => {
                answer("200 OK", "", &format!(r#"<a href="{THREAD_B}">b</a>"#))
            }
            ["GET", "/spaces"] if signed_in => answer(
                "200 OK",
                "",
                &format!(r#"<a href="/spaces/new">new</a> <a href="{SPACE}">s</a>"#),
            ),
            ["GET", THREAD_B] if signed_in => answer("200 OK", "", "<h1>thread</h1>"),
            ["GET", "/people"] if signed_in => answer("500 Internal Server Error", "", "oops"),
            ["GET", "/settings"] => answer("303 See Other", "location: /signin\r\n", ""),
            _ => answer("404 Not Found", "", "nothing here"),
        }
    }

    #[tokio::test]
    async fn sign_in_and_discovery_walk_the_links_and_skip_what_is_missing() {
        let api = Api::new(fake_server(fake_baton).await);
        let cookies = sign_in(&api).await.expect("signs in");
        assert_eq!(cookies, "baton_csrf=t0k; baton_session=s3ss");
        let (found, skipped) = discover(&api, &cookies).await.expect("discovers");
        let found: Vec<_> = found.iter().map(|f| (f.route, f.path.as_str())).collect();
        assert_eq!(
            found,
            [
                ("/inbox", "/inbox"),
                ("/spaces", "/spaces"),
                ("/threads/{id}", THREAD_B)
            ]
        );
        let skipped: Vec<_> = skipped
            .iter()
            .map(|s| (s.route, s.reason.as_str(), s.failed))
            .collect();
        let missing = "no link to one in the pages found";
        assert_eq!(
            skipped,
            [
                ("/spaces/{id}", "404, not built yet", false),
                ("/spaces/{id}/members", missing, false),
                ("/spaces/{id}/threads/new", missing, false),
                ("/people", "answered 500 Internal Server Error", true),
                ("/people/{id}", missing, false),
                ("/settings", "answered 303 See Other to /signin", true),
                ("/settings/schedule", "404, not built yet", false),
                ("/settings/notifications", "404, not built yet", false),
                ("/batons", "404, not built yet", false),
                ("/batons/{id}", missing, false),
                ("/relays/{id}", missing, false),
                ("/admin/members", "404, not built yet", false),
                ("/admin/spaces", "404, not built yet", false),
            ]
        );
    }

    #[tokio::test]
    async fn a_refused_sign_in_is_an_error() {
        fn refuses(line: &str, head: &str, body: &str) -> String {
            if line.starts_with("POST") {
                return answer("422 Unprocessable Entity", "", "wrong password");
            }
            fake_baton(line, head, body)
        }
        let api = Api::new(fake_server(refuses).await);
        let error = sign_in(&api).await.expect_err("refused");
        assert!(format!("{error:#}").contains("422"), "{error:#}");
    }

    #[test]
    fn every_linked_target_names_a_page_listed_before_it() {
        for (i, (route, from)) in TARGETS.iter().enumerate() {
            if let Some(from) = from {
                assert!(route.contains("{id}"), "{route} is fixed but names {from}");
                assert!(
                    TARGETS[..i].iter().any(|(r, _)| r == from),
                    "{route} looks in {from}, which comes later"
                );
            }
        }
    }
}
