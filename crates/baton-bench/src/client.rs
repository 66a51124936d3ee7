//! A tiny HTTP/1.1 client for one server (JSON with a bearer token for the API, forms and a
//! cookie for the pages), keeping its connection alive between requests.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// How long one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A status, the headers and the raw response body.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`Set-Cookie`, `Location`).
    pub headers: HeaderMap,
    /// The whole response body.
    pub body: Bytes,
}

/// Who a request is sent as.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// Nobody: health checks, the sign-in page.
    Anonymous,
    /// An API token, sent as `Authorization: Bearer`.
    Bearer(&'a str),
    /// A browser's cookies, sent as the `Cookie` header (`name=value; name=value`).
    Cookie(&'a str),
}

/// What a request carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// No body (GETs).
    Empty,
    /// A JSON document, for the API.
    Json(Bytes),
    /// An `application/x-www-form-urlencoded` form, as a browser posts it.
    Form(String),
}

/// An HTTP/1.1 client bound to one server; each instance has its own connection pool.
#[derive(Debug, Clone)]
pub struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    addr: SocketAddr,
}

impl Api {
    /// A client for the server at `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(1)
            .build_http();
        Self { client, addr }
    }

    /// The absolute URI of `path` on this server.
    pub fn uri(&self, path: &str) -> anyhow::Result<Uri> {
        format!("http://{}{path}", self.addr)
            .parse()
            .with_context(|| format!("building a URI for {path}"))
    }

    /// Sends one request and reads the whole response. Redirects are not followed.
    pub async fn send(
        &self,
        method: Method,
        uri: Uri,
        auth: Auth<'_>,
        payload: Payload,
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder().method(method.clone()).uri(uri.clone());
        request = match auth {
            Auth::Anonymous => request,
            Auth::Bearer(token) => request.header(header::AUTHORIZATION, format!("Bearer {token}")),
            Auth::Cookie(cookies) => request.header(header::COOKIE, cookies),
        };
        let body = match payload {
            Payload::Empty => Bytes::new(),
            Payload::Json(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                json
            }
            Payload::Form(form) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Bytes::from(form)
            }
        };
        let request = request
            .body(Full::new(body))
            .context("building the request")?;
        let exchange = async {
            let (parts, body) = self.client.request(request).await?.into_parts();
            let body = body.collect().await?.to_bytes();
            anyhow::Ok(Reply {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .with_context(|| format!("{method} {uri} took longer than {REQUEST_TIMEOUT:?}"))?
            .with_context(|| format!("{method} {uri}"))
    }

    /// POSTs `body` as JSON to `path`, requires the `expected` status and parses the answer
    /// (`Null` when it is empty).
    pub async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
        expected: StatusCode,
    ) -> anyhow::Result<serde_json::Value> {
        let bytes = Bytes::from(serde_json::to_vec(body).context("encoding the request body")?);
        let reply = self
            .send(
                Method::POST,
                self.uri(path)?,
                Auth::Bearer(token),
                Payload::Json(bytes),
            )
            .await?;
        if reply.status != expected {
            anyhow::bail!(
                "POST {path} answered {} (expected {expected}): {}",
                reply.status,
                excerpt(&reply.body)
            );
        }
        if reply.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&reply.body)
            .with_context(|| format!("POST {path} answered something other than JSON"))
    }

    /// GETs `path` with a bearer token, requires 200 and parses the JSON answer.
    pub async fn get_json(&self, path: &str, token: &str) -> anyhow::Result<serde_json::Value> {
        let reply = self
            .send(
                Method::GET,
                self.uri(path)?,
                Auth::Bearer(token),
                Payload::Empty,
            )
            .await?;
        if reply.status != StatusCode::OK {
            anyhow::bail!(
                "GET {path} answered {}: {}",
                reply.status,
                excerpt(&reply.body)
            );
        }
        serde_json::from_slice(&reply.body)
            .with_context(|| format!("GET {path} answered something other than JSON"))
    }
}

/// The start of a response body, as text, for error messages.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Reads a string field of a JSON object, with a clear error when it is missing.
pub fn field(value: &serde_json::Value, name: &str) -> anyhow::Result<String> {
    value
        .get(name)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("the answer has no string field {name:?}: {value}"))
}
