//! The HTTP side of outgoing webhooks: checking a target, signing a body, and one POST to the
//! address that was checked.
//!
//! Owns: [`WebhookClient`] (the admin's allow-list, name resolution within
//! [`LOOKUP_TIMEOUT`], the SSRF check of `baton_core::delivery::webhook_target` on what the
//! name resolved to, the connection to that very address over http or https, and the
//! [`TIMEOUT`] that bounds a whole send), and [`signature`]. Does not own: what is sent or
//! when (see `webhook`), how many sends run at once (`webhook_loop`), or which ranges are
//! forbidden (baton-core).
//!
//! Why not a general HTTP client (reqwest, hyper-util's pooled client): they resolve the name
//! again when connecting, so a DNS answer that changes between the check and the connection
//! (DNS rebinding) would reach an address nobody checked. Here the name is resolved once, every
//! address is checked, and the TCP connection goes to a checked address; TLS still verifies the
//! certificate against the name. One connection per send is fine at webhook volumes.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{Context, anyhow};
use baton_core::delivery::webhook_target::{AllowedHosts, Scheme, WebhookUrl, check_addresses};
use baton_core::{CoreError, CoreResult};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// Longest one webhook send may take in all: resolving the name, connecting, the TLS
/// handshake, writing the request and reading the response's status line. A receiver that
/// takes longer counts as failed and the delivery is retried.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Longest a webhook host's name may take to resolve. A lookup that takes longer refuses the
/// target at registration (the request is not held up by a slow resolver) and fails the
/// attempt at send time.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The headers a webhook request carries besides `Content-Type` and `Host`.
#[derive(Debug, Clone)]
pub struct WebhookHeaders {
    /// `Idempotency-Key`: the delivery's id, the same on every retry.
    pub idempotency_key: String,
    /// `X-Baton-Timestamp`: unix seconds when this attempt was signed.
    pub timestamp: i64,
    /// `X-Baton-Signature`: see [`signature`].
    pub signature: String,
    /// `X-Baton-Event`: the event kind.
    pub event: &'static str,
}

/// `sha256=` and the lowercase hex HMAC-SHA256, keyed with `secret`, of `timestamp`, a dot and
/// `body`. Covering the timestamp lets a receiver refuse an old request replayed later.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // An HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(e) => unreachable!("HMAC accepts keys of any length: {e}"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "sha256={}",
        baton_core::token::hex(&mac.finalize().into_bytes())
    )
}

/// Resolves a host name and port to addresses: the system's resolver, or in tests one that
/// never answers.
type Lookup = fn(String, u16) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>>;

/// The system's resolver (`getaddrinfo` on a blocking thread).
fn system_lookup(host: String, port: u16) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> {
    Box::pin(async move {
        let addrs = tokio::net::lookup_host((host.as_str(), port)).await?;
        Ok(addrs.map(|a| a.ip()).collect())
    })
}

/// Checks webhook targets and sends webhook requests. One per process, on the `AppState`.
#[derive(Debug)]
pub struct WebhookClient {
    allowed: AllowedHosts,
    /// Built on the first https send.
    tls: OnceLock<Arc<ClientConfig>>,
    lookup: Lookup,
}

impl Default for WebhookClient {
    fn default() -> Self {
        Self::new(AllowedHosts::default())
    }
}

impl WebhookClient {
    /// A client that also lets webhooks reach the hosts on `allowed`.
    pub fn new(allowed: AllowedHosts) -> Self {
        Self {
            allowed,
            tls: OnceLock::new(),
            lookup: system_lookup,
        }
    }

    /// Parses `text` and checks where it leads: the rules of
    /// [`WebhookUrl::parse`], then every address its host resolves to (or its literal address)
    /// must be public unless the host is allowed. Returns the URL and the checked addresses.
    ///
    /// # Errors
    /// `url` when the URL is malformed, its host does not resolve (within
    /// [`LOOKUP_TIMEOUT`]), or it resolves into a forbidden range.
    pub async fn check(&self, text: &str) -> CoreResult<(WebhookUrl, Vec<SocketAddr>)> {
        let url = WebhookUrl::parse(text)?;
        let ips: Vec<IpAddr> = match url.literal_ip() {
            Some(ip) => vec![ip],
            None => {
                let host = url.host_text();
                // The blocking lookup may go on after the timeout; nothing waits for it.
                match tokio::time::timeout(LOOKUP_TIMEOUT, (self.lookup)(host.clone(), url.port))
                    .await
                {
                    Err(_) => {
                        return Err(CoreError::invalid(
                            "url",
                            format!(
                                "the host {host} did not resolve within {} s",
                                LOOKUP_TIMEOUT.as_secs()
                            ),
                        ));
                    }
                    // A name that fails to resolve is reported like one resolving to nothing.
                    Ok(found) => found.unwrap_or_default(),
                }
            }
        };
        check_addresses(&url, &self.allowed, &ips)?;
        let addrs = ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, url.port))
            .collect();
        Ok((url, addrs))
    }

    /// POSTs `body` to `url` with `headers`, all of it within [`TIMEOUT`]; returns the response
    /// status.
    /// The target is checked again first (a name may resolve elsewhere now than at
    /// registration), and the connection goes to an address that passed. Redirects are not
    /// followed: a 3xx is returned like any other status.
    ///
    /// # Errors
    /// When the target is refused, unreachable, or does not answer in time.
    pub async fn post(
        &self,
        url: &str,
        headers: &WebhookHeaders,
        body: Vec<u8>,
    ) -> anyhow::Result<u16> {
        tokio::time::timeout(TIMEOUT, self.post_unbounded(url, headers, body))
            .await
            .map_err(|_| anyhow!("no response within {} s", TIMEOUT.as_secs()))?
    }

    async fn post_unbounded(
        &self,
        url: &str,
        headers: &WebhookHeaders,
        body: Vec<u8>,
    ) -> anyhow::Result<u16> {
        let (url, io) = self.open(url).await?;
        exchange(io, request(&url, headers, body)?).await
    }

    /// GETs `url`, checked exactly like a webhook target and connected to the address that
    /// passed, all within [`TIMEOUT`]: the status and at most `limit` bytes of the body (a
    /// larger body fails). Used to fetch external calendars, which a member names as freely
    /// as a webhook.
    ///
    /// # Errors
    /// When the target is refused, unreachable, does not answer in time, or sends more than
    /// `limit` bytes.
    pub async fn get(&self, url: &str, limit: usize) -> anyhow::Result<(u16, Vec<u8>)> {
        tokio::time::timeout(TIMEOUT, async {
            let (url, io) = self.open(url).await?;
            let request = hyper::Request::get(url.path_and_query.as_str())
                .header("host", host_header(&url))
                .header("accept", "text/calendar")
                .header("user-agent", concat!("Baton/", env!("CARGO_PKG_VERSION")))
                .body(Full::new(Bytes::new()))
                .context("building the request")?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .context("HTTP handshake")?;
            let driver = tokio::spawn(conn);
            let read = async {
                let response = sender
                    .send_request(request)
                    .await
                    .context("sending the request")?;
                let status = response.status().as_u16();
                let body = http_body_util::Limited::new(response.into_body(), limit)
                    .collect()
                    .await
                    .map_err(|e| anyhow!("reading the body: {e}"))?;
                anyhow::Ok((status, body.to_bytes().to_vec()))
            }
            .await;
            driver.abort();
            read
        })
        .await
        .map_err(|_| anyhow!("no response within {} s", TIMEOUT.as_secs()))?
    }

    /// Checks `url` and opens a connection to an address that passed: plain for http, TLS
    /// (verifying the certificate against the host) for https.
    async fn open(&self, url: &str) -> anyhow::Result<(WebhookUrl, Box<dyn Io>)> {
        let (url, addrs) = self
            .check(url)
            .await
            .map_err(|e| anyhow!("refused: {}", e.message))?;
        let tcp = connect(&addrs).await?;
        let io: Box<dyn Io> = match url.scheme {
            Scheme::Http => Box::new(tcp),
            Scheme::Https => {
                let name = match url.literal_ip() {
                    Some(ip) => ServerName::IpAddress(ip.into()),
                    None => ServerName::try_from(url.host_text())
                        .context("the host is not a valid TLS server name")?,
                };
                let tls = TlsConnector::from(self.tls_config()?)
                    .connect(name, tcp)
                    .await
                    .context("TLS handshake")?;
                Box::new(tls)
            }
        };
        Ok((url, io))
    }

    /// The TLS settings: rustls with ring and the bundled Mozilla roots, like the SMTP client.
    fn tls_config(&self) -> anyhow::Result<Arc<ClientConfig>> {
        if let Some(config) = self.tls.get() {
            return Ok(Arc::clone(config));
        }
        let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .context("TLS protocol versions")?
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(Arc::clone(self.tls.get_or_init(|| Arc::new(config))))
    }
}

/// A connection, plain or TLS, as one type.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// A TCP connection to the first of `addrs` that accepts one.
async fn connect(addrs: &[SocketAddr]) -> anyhow::Result<TcpStream> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(anyhow!("connecting to {addr}: {e}")),
        }
    }
    Err(last.unwrap_or_else(|| anyhow!("no address to connect to")))
}

/// The `Host` header for `url`: its host, and its port unless it is the scheme's default.
fn host_header(url: &WebhookUrl) -> String {
    let default_port = match url.scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    };
    if url.port == default_port {
        url.host_text()
    } else {
        format!("{}:{}", url.host_text(), url.port)
    }
}

/// The POST request: path and query of `url`, its host (and non-default port) as `Host`.
fn request(
    url: &WebhookUrl,
    headers: &WebhookHeaders,
    body: Vec<u8>,
) -> anyhow::Result<hyper::Request<Full<Bytes>>> {
    hyper::Request::post(url.path_and_query.as_str())
        .header("host", host_header(url))
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("Baton-Webhooks/", env!("CARGO_PKG_VERSION")),
        )
        .header("idempotency-key", &headers.idempotency_key)
        .header("x-baton-timestamp", headers.timestamp.to_string())
        .header("x-baton-signature", &headers.signature)
        .header("x-baton-event", headers.event)
        .body(Full::new(Bytes::from(body)))
        .context("building the webhook request")
}

/// Sends `request` over `io` (HTTP/1.1) and returns the status; the body is not read.
async fn exchange<S>(io: S, request: hyper::Request<Full<Bytes>>) -> anyhow::Result<u16>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .context("HTTP handshake")?;
    let driver = tokio::spawn(conn);
    let status = sender
        .send_request(request)
        .await
        .context("sending the webhook request");
    // The status is all a webhook's outcome needs; the connection goes with the response.
    driver.abort();
    Ok(status?.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Python: hmac.new(b"Jefe", b"1700000000.{}", "sha256").hexdigest()
        let sig = signature("Jefe", 1_700_000_000, b"{}");
        assert_eq!(
            sig,
            "sha256=d3793e2b4103edfbd98cc19591832f5fad701d413db9fcae0ae7dab8184ed207"
        );
        assert_ne!(sig, signature("Jefe", 1_700_000_001, b"{}"));
        assert_ne!(sig, signature("Jeff", 1_700_000_000, b"{}"));
    }

    /// A one-connection server on loopback that reads a request head (when `read` is set),
    /// answers `reply`, and returns what it received.
    async fn one_shot(read: bool, reply: &'static [u8]) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let task = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("one connection");
            let (mut seen, mut chunk) = (Vec::new(), [0u8; 4096]);
            while read && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = stream.write_all(reply).await;
            let _ = stream.shutdown().await;
            seen
        });
        (port, task)
    }

    fn headers() -> WebhookHeaders {
        WebhookHeaders {
            idempotency_key: "delivery-1".to_owned(),
            timestamp: 1_700_000_000,
            signature: signature("whsec_test", 1_700_000_000, b"{}"),
            event: "ask",
        }
    }

    #[tokio::test]
    async fn a_redirect_is_an_answer_not_an_instruction_to_follow() {
        let (port, server) = one_shot(
            true,
            b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n",
        )
        .await;
        let client = WebhookClient::new(AllowedHosts::new(["127.0.0.1"]));
        let status = client
            .post(
                &format!("http://127.0.0.1:{port}/in?x=1"),
                &headers(),
                b"{}".to_vec(),
            )
            .await
            .expect("an answer");
        assert_eq!(status, 302);
        let request = String::from_utf8(server.await.expect("the server")).expect("text");
        assert!(
            request.starts_with("POST /in?x=1 HTTP/1.1\r\n"),
            "{request}"
        );
        for header in [
            "idempotency-key: delivery-1",
            "x-baton-timestamp: 1700000000",
            "content-type: application/json",
            &format!("host: 127.0.0.1:{port}"),
        ] {
            assert!(
                request.to_ascii_lowercase().contains(header),
                "{header} in {request}"
            );
        }
    }

    #[tokio::test]
    async fn https_is_tls_to_the_checked_address_and_a_plain_server_fails_the_handshake() {
        let (port, _server) =
            one_shot(false, b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
        let client = WebhookClient::new(AllowedHosts::new(["127.0.0.1"]));
        let err = client
            .post(
                &format!("https://127.0.0.1:{port}/"),
                &headers(),
                b"{}".to_vec(),
            )
            .await
            .expect_err("no TLS on the other side");
        assert!(format!("{err:#}").contains("TLS"), "{err:#}");
    }

    /// A resolver that never answers.
    fn silent_lookup(_: String, _: u16) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> {
        Box::pin(std::future::pending())
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_in_time_is_refused_and_fails_the_send() {
        let client = WebhookClient {
            lookup: silent_lookup,
            ..WebhookClient::default()
        };
        let started = std::time::Instant::now();
        let err = client
            .check("https://slow.example/hook")
            .await
            .expect_err("no answer in time");
        assert_eq!(err.field, "url");
        assert_eq!(
            err.message,
            "the host slow.example did not resolve within 3 s"
        );
        assert!(started.elapsed() < LOOKUP_TIMEOUT + Duration::from_secs(2));
        let err = client
            .post("https://slow.example/hook", &headers(), b"{}".to_vec())
            .await
            .expect_err("a failed attempt");
        assert!(
            format!("{err:#}").contains("did not resolve within 3 s"),
            "{err:#}"
        );
    }

    #[tokio::test]
    async fn a_send_given_up_on_closes_its_connection() {
        use tokio::io::AsyncReadExt as _;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        // Reads whatever comes and never answers; returns when the client hangs up.
        let silent = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("one connection");
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = stream.read(&mut chunk).await {
                let _ = n;
            }
        });
        let client = WebhookClient::new(AllowedHosts::new(["127.0.0.1"]));
        let (url, headers) = (format!("http://127.0.0.1:{port}/"), headers());
        let send = client.post(&url, &headers, b"{}".to_vec());
        let gave_up = tokio::time::timeout(Duration::from_millis(500), send).await;
        assert!(gave_up.is_err(), "the receiver never answers");
        tokio::time::timeout(Duration::from_secs(3), silent)
            .await
            .expect("the connection is closed once the send is given up")
            .expect("the receiver");
    }

    #[tokio::test]
    async fn loopback_private_and_metadata_targets_are_refused_unless_allowed() {
        let strict = WebhookClient::default();
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/",
            "ftp://example.com/",
        ] {
            let err = strict.check(url).await.expect_err(url);
            assert_eq!(err.field, "url", "{url}");
        }
        let allowed = WebhookClient::new(AllowedHosts::new(["127.0.0.1"]));
        let (url, addrs) = allowed
            .check("http://127.0.0.1:9/hook")
            .await
            .expect("allowed");
        assert_eq!(url.path_and_query, "/hook");
        assert_eq!(
            addrs,
            vec!["127.0.0.1:9".parse::<SocketAddr>().expect("addr")]
        );
    }
}
