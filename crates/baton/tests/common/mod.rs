//! Harness for black-box tests of the real `baton` binary: a temporary deployment (data
//! directory, optionally a PostgreSQL URL), running CLI commands with a bounded wait, starting
//! and SIGKILLing `baton serve` on a free loopback port, and a tiny JSON HTTP client
//! (hyper-util's legacy HTTP/1 client). Every wait here is a bounded poll, never a fixed sleep.
#![expect(
    dead_code,
    reason = "every test binary compiles this module and uses only the part it needs"
)]

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// The binary under test.
pub const BATON: &str = env!("CARGO_BIN_EXE_baton");
/// A password every validator accepts.
pub const PASSWORD: &str = "correct horse battery staple";
/// Longest a one-shot CLI command (migrate, bootstrap, demo) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest `baton serve` may take to answer `/healthz` after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between two polls.
const POLL: Duration = Duration::from_millis(20);
/// Most pages a paged list may have before the harness gives up.
const MAX_PAGES: usize = 1_000;

/// 64 random bits from the standard library's per-process random hash keys, mixed with the
/// clock: enough for unique names and random delays without a `rand` dependency.
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    hasher.write_u128(nanos);
    hasher.finish()
}

/// A loopback address nobody listens on right now.
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral loopback port");
    listener.local_addr().expect("reading the ephemeral port")
}

// ----------------------------------------------------------------------------------------
// Running commands
// ----------------------------------------------------------------------------------------

/// How a finished command went.
#[derive(Debug)]
pub struct Outcome {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
    /// Wall-clock time from spawn to exit.
    pub elapsed: Duration,
}

impl Outcome {
    /// Panics with the whole output unless the command exited 0.
    pub fn assert_success(&self, what: &str) -> &Self {
        assert!(
            self.status.success(),
            "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless the command failed with exactly one line on stderr; returns that line.
    pub fn assert_one_line_failure(&self, what: &str) -> &str {
        assert!(
            !self.status.success(),
            "{what} should have failed but exited 0:\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{what} should print exactly one line on stderr, got:\n{}",
            self.stderr
        );
        lines[0]
    }
}

/// Runs `command` to completion, feeding `stdin` and waiting at most `timeout` (then kills it
/// and panics).
pub fn run_command(command: Command, stdin: &str, timeout: Duration) -> Outcome {
    run_command_within(command, stdin, timeout).unwrap_or_else(|late| panic!("{late}"))
}

/// [`run_command`], answering `Err` (after killing it) when `command` takes longer than
/// `timeout`, for callers that may not panic (a `Drop`).
pub fn run_command_within(
    mut command: Command,
    stdin: &str,
    timeout: Duration,
) -> Result<Outcome, String> {
    let what = format!("{command:?}");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot spawn {what}: {e}"));
    {
        let mut input = child.stdin.take().expect("piped stdin");
        // A command may exit before reading stdin; a broken pipe is then expected.
        let _ = input.write_all(stdin.as_bytes());
    }
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("polling the child") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} did not finish within {timeout:?}"));
        }
        std::thread::sleep(POLL);
    };
    let elapsed = started.elapsed();
    Ok(Outcome {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed,
    })
}

fn drain(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// `baton ARGS…` with no `BATON_*` variables inherited from the environment.
pub fn baton_command(args: &[&str]) -> Command {
    let mut command = Command::new(BATON);
    command.args(args);
    for var in [
        "BATON_DATA_DIR",
        "BATON_DATABASE_URL",
        "BATON_LISTEN",
        "BATON_DEMO",
        "BATON_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// Runs `baton ARGS…` with `stdin` to completion.
pub fn baton(args: &[&str], stdin: &str) -> Outcome {
    run_command(baton_command(args), stdin, COMMAND_TIMEOUT)
}

// ----------------------------------------------------------------------------------------
// Deployments
// ----------------------------------------------------------------------------------------

/// Where one test's Baton keeps its data: a temporary directory, and PostgreSQL when a URL
/// is given. Removed when dropped.
pub struct Deployment {
    tmp: tempfile::TempDir,
    /// The `--data-dir`.
    pub data_dir: PathBuf,
    /// The `--database-url`, when not SQLite.
    pub database_url: Option<String>,
}

impl Deployment {
    /// A fresh SQLite deployment.
    pub fn sqlite() -> Self {
        let tmp = tempfile::tempdir().expect("creating a temporary directory");
        let data_dir = tmp.path().join("data");
        Self {
            tmp,
            data_dir,
            database_url: None,
        }
    }

    /// A deployment on the database at `url` (normally `postgres://…`).
    pub fn with_database_url(url: &str) -> Self {
        Self {
            database_url: Some(url.to_owned()),
            ..Self::sqlite()
        }
    }

    /// A scratch directory for logs and the like (not the data dir).
    pub fn scratch(&self) -> &Path {
        self.tmp.path()
    }

    /// The SQLite database file of this deployment.
    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir.join("baton.sqlite3")
    }

    /// `--data-dir DIR [--database-url URL]`.
    pub fn db_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }

    /// Runs `baton ARGS… --data-dir DIR [--database-url URL]`.
    pub fn baton(&self, args: &[&str], stdin: &str) -> Outcome {
        let db = self.db_args();
        let all: Vec<&str> = args
            .iter()
            .copied()
            .chain(db.iter().map(String::as_str))
            .collect();
        baton(&all, stdin)
    }

    /// `baton admin bootstrap` with [`PASSWORD`]; panics unless it succeeds.
    pub fn bootstrap(&self, workspace: &str, email: &str, name: &str, timezone: &str) -> Owner {
        let out = self.baton(
            &[
                "admin",
                "bootstrap",
                "--workspace",
                workspace,
                "--email",
                email,
                "--name",
                name,
                "--timezone",
                timezone,
            ],
            &format!("{PASSWORD}\n"),
        );
        out.assert_success("baton admin bootstrap");
        Owner::parse(&out.stdout)
    }

    /// Opens the SQLite file directly (for checks the API cannot make).
    pub fn open_sqlite(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.sqlite_file()).expect("opening the SQLite database")
    }
}

/// What `baton admin bootstrap` prints.
#[derive(Debug, Clone)]
pub struct Owner {
    /// The new workspace.
    pub workspace_id: String,
    /// Its owner.
    pub member_id: String,
    /// An API token of the owner.
    pub token: String,
}

impl Owner {
    /// Parses the one JSON line `baton admin bootstrap` prints.
    pub fn parse(stdout: &str) -> Self {
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "bootstrap should print exactly one line, got:\n{stdout}"
        );
        let value: Value = serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("bootstrap printed no JSON ({e}): {stdout}"));
        let field = |name: &str| {
            let text = value[name]
                .as_str()
                .unwrap_or_else(|| panic!("bootstrap output lacks string \"{name}\": {value}"));
            assert!(
                !text.is_empty(),
                "bootstrap output has an empty \"{name}\": {value}"
            );
            text.to_owned()
        };
        Self {
            workspace_id: field("workspace_id"),
            member_id: field("member_id"),
            token: field("token"),
        }
    }
}

// ----------------------------------------------------------------------------------------
// PostgreSQL
// ----------------------------------------------------------------------------------------

/// The admin URL of the PostgreSQL used by tests, from `BATON_TEST_PG_URL`. When unset, fails
/// the test under CI (`CI=true`) and otherwise prints that `what` was skipped.
pub fn pg_test_url(what: &str) -> Option<String> {
    match std::env::var("BATON_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("BATON_TEST_PG_URL is not set, but CI=true: {what} must run in CI")
        }
        _ => {
            println!("skipped: {what} (set BATON_TEST_PG_URL)");
            None
        }
    }
}

/// A fresh database on the test PostgreSQL server, dropped (forcibly) when this is dropped.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl PgDatabase {
    /// Creates `PREFIX_<random hex>` through `psql` at `admin_url`.
    pub fn create(admin_url: &str, prefix: &str) -> Self {
        let name = format!("{prefix}_{:016x}", random_u64());
        psql(admin_url, &format!("CREATE DATABASE {name}")).assert_success("psql CREATE DATABASE");
        Self {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }
}

impl Drop for PgDatabase {
    /// Drops the database, waiting longer than for other statements: `DROP DATABASE` waits for
    /// a checkpoint, which a machine busy writing can make slow. A database left behind is
    /// only noted, never a failure of the test that used it.
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let problem =
            match run_command_within(psql_command(&self.admin_url, &sql), "", DROP_TIMEOUT) {
                Ok(out) if out.status.success() => return,
                Ok(out) => out.stderr.trim().to_owned(),
                Err(late) => late,
            };
        eprintln!(
            "note: could not drop test database {}: {problem}",
            self.name
        );
    }
}

/// How long dropping a test database may take before it is left behind.
const DROP_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs one SQL statement with `psql` (never prompting for a password).
fn psql(url: &str, sql: &str) -> Outcome {
    run_command(psql_command(url, sql), "", Duration::from_secs(30))
}

/// The `psql` command running one SQL statement, never prompting for a password.
fn psql_command(url: &str, sql: &str) -> Command {
    let mut command = Command::new("psql");
    command.args([
        "-X",
        "-w",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        sql,
    ]);
    command
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..authority_end])
}

// ----------------------------------------------------------------------------------------
// The server
// ----------------------------------------------------------------------------------------

/// A running `baton serve`, killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl Server {
    /// Starts `baton serve` for `deployment` on a free loopback port and waits until
    /// `/healthz` answers 200. Tries another port when the chosen one was taken meanwhile.
    pub async fn start(deployment: &Deployment) -> Server {
        Self::start_with_env(deployment, &[]).await
    }

    /// Like [`Server::start`], with extra environment variables (e.g. `BATON_LOG`).
    pub async fn start_with_env(deployment: &Deployment, env: &[(&str, &str)]) -> Server {
        let http = Http::new();
        for _attempt in 0..3 {
            let addr = free_addr();
            let log = deployment.scratch().join(format!(
                "serve-{}-{:08x}.log",
                addr.port(),
                random_u64() as u32
            ));
            let out = File::create(&log).expect("creating the server log");
            let err = out.try_clone().expect("cloning the server log handle");
            let db = deployment.db_args();
            let listen = addr.to_string();
            let mut args = vec!["serve", "--listen", &listen];
            args.extend(db.iter().map(String::as_str));
            let child = baton_command(&args)
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::from(out))
                .stderr(Stdio::from(err))
                .spawn()
                .expect("spawning baton serve");
            let mut server = Server { child, addr, log };
            match server.wait_healthy(&http).await {
                Ok(()) => return server,
                Err(text) if text.contains("cannot listen") => continue,
                Err(text) => panic!("baton serve on {addr} did not become healthy:\n{text}"),
            }
        }
        panic!("baton serve could not bind a free port in three attempts")
    }

    /// Polls `/healthz` until 200; on exit or timeout returns the server's log.
    async fn wait_healthy(&mut self, http: &Http) -> Result<(), String> {
        let started = Instant::now();
        let url = format!("{}/healthz", self.base());
        while started.elapsed() < START_TIMEOUT {
            if let Some(status) = self.child.try_wait().expect("polling baton serve") {
                return Err(format!("exited with {status}:\n{}", self.log_text()));
            }
            if http
                .send("GET", &url, None, &[], None)
                .await
                .is_ok_and(|reply| reply.status == 200)
            {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
        self.kill9();
        Err(format!(
            "no 200 from /healthz within {START_TIMEOUT:?}:\n{}",
            self.log_text()
        ))
    }

    /// `http://ADDR`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server printed so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILLs the server (no chance to clean up) and reaps it.
    pub fn kill9(&mut self) {
        // `Child::kill` sends SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

// ----------------------------------------------------------------------------------------
// HTTP
// ----------------------------------------------------------------------------------------

/// A response, fully read.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, or "".
    pub content_type: String,
    /// The body as text.
    pub text: String,
}

impl Reply {
    /// The body as JSON; panics when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("response {} is not JSON ({e}): {}", self.status, self.text))
    }

    /// Panics unless the status is `status`; returns the JSON body.
    pub fn expect(&self, status: u16, what: &str) -> Value {
        assert_eq!(
            self.status, status,
            "{what}: unexpected status, body: {}",
            self.text
        );
        self.json()
    }
}

/// A small HTTP/1 JSON client.
#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    /// A client with its own connection pool.
    pub fn new() -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends one request; `Err` describes a transport failure or a timeout.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        let mut builder = hyper::Request::builder().method(method).uri(url);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let bytes = match body {
            Some(value) => {
                builder = builder.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(value).expect("serializing a request body"))
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(Full::new(bytes))
            .map_err(|e| format!("building the request: {e}"))?;
        self.exchange(request).await
    }
}

/// One member's view of one server: base URL plus bearer token.
#[derive(Clone)]
pub struct Session {
    http: Http,
    base: String,
    token: String,
}

impl Session {
    /// `token` against the server at `base` (`http://ADDR`).
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            http: Http::new(),
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    /// `GET /api/v1{path}`; panics on a transport failure.
    pub async fn get(&self, path: &str) -> Reply {
        let url = format!("{}/api/v1{path}", self.base);
        self.http
            .send("GET", &url, Some(&self.token), &[], None)
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// `POST /api/v1{path}` with a JSON body; panics on a transport failure.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        let url = format!("{}/api/v1{path}", self.base);
        self.http
            .send("POST", &url, Some(&self.token), &[], Some(body))
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    /// Every item of a cursor-paged list: follows `next_cursor` from `path` (which must already
    /// have a query string) and collects the array `field` of every page.
    pub async fn get_all(&self, path: &str, field: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page_path = match &cursor {
                Some(c) => format!("{path}&cursor={c}"),
                None => path.to_owned(),
            };
            let page = self
                .get(&page_path)
                .await
                .expect(200, &format!("GET {page_path}"));
            items.extend(
                page[field]
                    .as_array()
                    .unwrap_or_else(|| panic!("no array \"{field}\" in {page}"))
                    .iter()
                    .cloned(),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
        panic!("GET {path} returned more than {MAX_PAGES} pages")
    }

    /// Creates a public space; returns its id.
    pub async fn create_space(&self, name: &str) -> String {
        let created = self
            .post("/spaces", &json!({"name": name, "visibility": "public"}))
            .await
            .expect(201, "POST /spaces");
        created["id"].as_str().expect("space id").to_owned()
    }

    /// Creates a thread; returns `(thread id, opening post id)`.
    pub async fn create_thread(&self, space_id: &str, title: &str, body: &str) -> (String, String) {
        let created = self
            .post(
                "/threads",
                &json!({"space_id": space_id, "title": title, "body": body}),
            )
            .await
            .expect(201, "POST /threads");
        (
            created["id"].as_str().expect("thread id").to_owned(),
            created["post_id"].as_str().expect("post id").to_owned(),
        )
    }
}

/// The distinct string values of `field` over `items`.
pub fn distinct(items: &[Value], field: &str) -> HashSet<String> {
    items
        .iter()
        .filter_map(|item| item[field].as_str())
        .map(str::to_owned)
        .collect()
}

// ----------------------------------------------------------------------------------------
// Delivery: a real SMTP server on loopback and a clock the test moves
// ----------------------------------------------------------------------------------------

/// The `aiosmtpd` script [`MailSink`] runs: it saves each accepted message as `NNNNNN.eml`
/// (written to a temporary name, then renamed, so a reader never sees half a message).
const MAIL_SINK_SCRIPT: &str = r#"
import itertools, os, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
class Save:
    counter = itertools.count()
    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(sys.argv[2], "%06d.eml" % next(self.counter))
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK"
def login(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (sys.argv[4].encode(), sys.argv[5].encode())
    return AuthResult(success=ok, handled=False)
options = {}
if len(sys.argv) > 5:
    options = dict(authenticator=login, auth_required=True, auth_require_tls=False)
if os.environ.get("SINK_TLS_CERT"):
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.environ["SINK_TLS_CERT"], os.environ["SINK_TLS_KEY"])
    options.update(tls_context=context, require_starttls=True)
Controller(Save(), hostname="127.0.0.1", port=int(sys.argv[1]), **options).start()
open(sys.argv[3], "w").close()
threading.Event().wait()
"#;

/// A sink's TLS certificate and private key, as PEM.
struct Tls {
    certificate: String,
    key: String,
}

/// Ports tried before a sink gives up: another process may take a free port between the
/// moment it is picked and the moment the sink binds it.
const SINK_ATTEMPTS: usize = 5;

/// A real SMTP server (Python's `aiosmtpd`) on a free loopback port that keeps every message
/// it accepts; for tests of `baton serve --smtp-url`. Killed when dropped.
pub struct MailSink {
    child: Child,
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    /// With [`MailSink::start_with_starttls`]: the PEM of the sink's self-signed certificate.
    pub certificate: Option<String>,
    dir: tempfile::TempDir,
}

impl MailSink {
    /// Starts the sink. Without `aiosmtpd` it prints one `skipped: WHAT …` line and returns
    /// `None`, except under CI (`CI=true`), where it panics.
    pub fn start(what: &str) -> Option<Self> {
        Self::start_with(what, &[])
    }

    /// [`MailSink::start`] for a server that takes mail only after `AUTH PLAIN` or `AUTH LOGIN`
    /// as `user` with `password` (over plain TCP, as a test on loopback allows).
    pub fn start_with_login(what: &str, user: &str, password: &str) -> Option<Self> {
        Self::start_with(what, &[user, password])
    }

    /// [`MailSink::start`] for a server that requires STARTTLS before it takes mail, with a
    /// fresh self-signed certificate for 127.0.0.1 (in [`MailSink::certificate`]).
    pub fn start_with_starttls(what: &str) -> Option<Self> {
        let issued = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
        let pem = issued.cert.pem();
        let tls = Tls {
            certificate: pem.clone(),
            key: issued.key_pair.serialize_pem(),
        };
        let mut sink = Self::start_sink(what, &[], Some(&tls))?;
        sink.certificate = Some(pem);
        Some(sink)
    }

    fn start_with(what: &str, login: &[&str]) -> Option<Self> {
        Self::start_sink(what, login, None)
    }

    fn start_sink(what: &str, login: &[&str], tls: Option<&Tls>) -> Option<Self> {
        let found = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "aiosmtpd is missing, but CI=true: {what} must run in CI (pip install aiosmtpd)"
            );
            println!("skipped: {what} (pip install aiosmtpd)");
            return None;
        }
        let dir = tempfile::tempdir().expect("a directory for received mail");
        std::fs::create_dir(dir.path().join("mail")).expect("the mail directory");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        if let Some(tls) = tls {
            std::fs::write(&cert, &tls.certificate).expect("writing the certificate");
            std::fs::write(&key, &tls.key).expect("writing the key");
        }
        for _ in 0..SINK_ATTEMPTS {
            let addr = free_addr();
            let ready = dir.path().join("ready");
            let mut command = Command::new("python3");
            command
                .args(["-c", MAIL_SINK_SCRIPT, &addr.port().to_string()])
                .arg(dir.path().join("mail"))
                .arg(&ready)
                .args(login)
                .stdout(Stdio::null());
            if tls.is_some() {
                command
                    .env("SINK_TLS_CERT", &cert)
                    .env("SINK_TLS_KEY", &key);
            }
            let mut child = command.spawn().expect("starting aiosmtpd");
            let started = Instant::now();
            // Ready once the script says so: a port answering could be someone else's.
            while !ready.exists() {
                if child.try_wait().expect("checking on aiosmtpd").is_some() {
                    break;
                }
                assert!(started.elapsed() < START_TIMEOUT, "aiosmtpd did not start");
                std::thread::sleep(POLL);
            }
            if ready.exists() {
                return Some(Self {
                    child,
                    url: format!("smtp://{addr}"),
                    certificate: None,
                    dir,
                });
            }
            // It exited: the port was taken. Reap it and try another.
            let _ = child.wait();
        }
        panic!("aiosmtpd could not bind a free port in {SINK_ATTEMPTS} attempts");
    }

    fn paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("mail"))
            .expect("reading the mail directory")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        paths
    }

    /// How many messages arrived so far.
    pub fn count(&self) -> usize {
        self.paths().len()
    }

    /// Every message received so far, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        self.paths().iter().map(|p| Mail::read(p)).collect()
    }

    /// Time between the first and the last arrival (from the files' modification times), or
    /// `None` with fewer than two messages.
    pub fn arrival_span(&self) -> Option<Duration> {
        let times: Vec<std::time::SystemTime> = self
            .paths()
            .iter()
            .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .collect();
        let (first, last) = (times.iter().min()?, times.iter().max()?);
        (times.len() > 1).then(|| last.duration_since(*first).unwrap_or_default())
    }

    /// Polls until at least `n` messages arrived; panics with `server_logs` after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration, server_logs: &dyn Fn() -> String) {
        let started = Instant::now();
        while self.count() < n {
            assert!(
                started.elapsed() < timeout,
                "only {} of {n} messages arrived within {timeout:?}; server logs:\n{}",
                self.count(),
                server_logs()
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One received message, headers parsed and the plain-text part decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `Message-ID`.
    pub message_id: String,
    /// `From`.
    pub from: String,
    /// `To`.
    pub to: String,
    /// Everything before the HTML part, with quoted-printable undone: the headers and the
    /// plain-text part, so a token in a post body is counted once per message.
    pub text: String,
}

impl Mail {
    fn read(path: &Path) -> Self {
        let raw = std::fs::read(path).expect("reading a message");
        let raw = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        let header = |name: &str| raw_header(&raw, name);
        let decoded = decode_quoted_printable(&raw);
        let text = match decoded.find("Content-Type: text/html") {
            Some(at) => decoded[..at].to_owned(),
            None => decoded,
        };
        Self {
            message_id: header("Message-ID"),
            from: header("From"),
            to: header("To"),
            text,
        }
    }
}

/// `text` with quoted-printable soft line breaks joined and `=XX` escapes decoded (harmless on
/// parts that are not quoted-printable, as long as they hold no `=` followed by two hex digits).
pub fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) if bytes[i] == b'=' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file `baton serve --clock-file` reads "now" from. Each [`ClockFile::set`] replaces it
/// atomically (write, then rename), so the server never reads half an instant (which it would
/// take for the system time).
pub struct ClockFile {
    /// Where it is.
    pub path: PathBuf,
}

impl ClockFile {
    /// A clock file in `dir` showing `at` (RFC 3339).
    pub fn new(dir: &Path, at: &str) -> Self {
        let clock = Self {
            path: dir.join("clock.txt"),
        };
        clock.set(at);
        clock
    }

    /// Moves the clock to `at` (RFC 3339).
    pub fn set(&self, at: &str) {
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, at).expect("writing the clock file");
        std::fs::rename(&tmp, &self.path).expect("replacing the clock file");
    }

    /// The environment for `Server::start_with_env` that makes `baton serve` follow this clock
    /// and send digests to `smtp_url`.
    pub fn serve_env(&self, smtp_url: &str) -> Vec<(&'static str, String)> {
        vec![
            ("BATON_CLOCK_FILE", self.path.display().to_string()),
            ("BATON_SMTP_URL", smtp_url.to_owned()),
        ]
    }
}

/// Polls `GET /api/v1/deliveries/backlog` (as an admin) until `done` accepts it; returns it.
/// Panics after `timeout`, naming `what`.
pub async fn wait_for_backlog(
    session: &Session,
    what: &str,
    timeout: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let backlog = session
            .get("/deliveries/backlog")
            .await
            .expect(200, "GET /deliveries/backlog");
        if done(&backlog) {
            return backlog;
        }
        assert!(
            started.elapsed() < timeout,
            "{what}: not reached within {timeout:?}, backlog {backlog}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `task(i)` for every `i` in `0..n`, at most `concurrency` at a time, on the runtime's
/// threads; returns the results in index order. Panics when a task panics.
pub async fn run_bounded<T, F, Fut>(n: usize, concurrency: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut store = |joined: Result<(usize, T), tokio::task::JoinError>| {
        let (i, value) = joined.expect("a bounded task panicked");
        results[i] = Some(value);
    };
    for i in 0..n {
        if set.len() >= concurrency.max(1) {
            store(set.join_next().await.expect("a running task"));
        }
        let fut = task(i);
        set.spawn(async move { (i, fut.await) });
    }
    while let Some(joined) = set.join_next().await {
        store(joined);
    }
    results
        .into_iter()
        .map(|r| r.expect("every task ran"))
        .collect()
}

impl Session {
    /// `PUT /api/v1{path}` with a JSON body; panics on a transport failure.
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        let url = format!("{}/api/v1{path}", self.base);
        self.http
            .send("PUT", &url, Some(&self.token), &[], Some(body))
            .await
            .unwrap_or_else(|e| panic!("PUT {url}: {e}"))
    }
}

impl MailSink {
    /// Every message received so far, in arrival order, whole (headers and every part) with
    /// quoted-printable undone, so assertions read what a mail client would show.
    pub fn decoded(&self) -> Vec<String> {
        self.raw()
            .iter()
            .map(|raw| decode_quoted_printable(&raw.replace("\r\n", "\n")))
            .collect()
    }

    /// Every message received so far, in arrival order, as received (headers folded, parts
    /// encoded): for tests that read headers the parsed [`Mail`] does not keep.
    pub fn raw(&self) -> Vec<String> {
        self.paths()
            .iter()
            .map(|p| {
                String::from_utf8_lossy(&std::fs::read(p).expect("reading a message")).into_owned()
            })
            .collect()
    }
}

/// The value of header `name` in the raw message `raw`, or "". Continuation lines are
/// unfolded so a long header reads as one line.
pub fn raw_header(raw: &str, name: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let head = raw.split("\n\n").next().unwrap_or_default();
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
        .unwrap_or_default()
}

impl Http {
    /// Sends `body` as it is, with `headers` (a form, say); `Err` describes a transport failure
    /// or a timeout.
    pub async fn send_bytes(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Reply, String> {
        let mut builder = hyper::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| format!("building the request: {e}"))?;
        self.exchange(request).await
    }

    /// Sends `request` and reads the whole response, within [`REQUEST_TIMEOUT`].
    async fn exchange(&self, request: hyper::Request<Full<Bytes>>) -> Result<Reply, String> {
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the body: {e}"))?
                .to_bytes();
            Ok(Reply {
                status,
                content_type,
                text: String::from_utf8_lossy(&body).into_owned(),
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| format!("no response within {REQUEST_TIMEOUT:?}"))?
    }
}
