//! Running the `baton` executable: bootstrap a workspace (or let `--demo` seed one) in a
//! temporary data directory, serve it on a free loopback port, wait until it is healthy, and
//! stop it again.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use hyper::{Method, StatusCode};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use crate::client::{Api, Auth, Payload, field};

/// How long the server may take to answer `/healthz` after it was started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How often `/healthz` is polled while starting.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long the server may take to exit after SIGTERM before it is killed.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// The owner's password; the benchmark never logs in with it.
const OWNER_PASSWORD: &str = "baton-bench-owner-password";

/// A running `baton serve` in its own temporary data directory.
#[derive(Debug)]
pub struct Server {
    child: Child,
    dir: TempDir,
    /// The process id of the server.
    pub pid: u32,
    /// Where the server listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Bootstraps a workspace with `baton` and starts serving it, passing `serve_args` on to
    /// `baton serve` after the listen address and the storage flags (`--digests` adds its SMTP
    /// sink and clock file there); returns once `/healthz` is 200, with an API token of the
    /// workspace owner (an admin).
    pub async fn bootstrapped(
        baton: &Path,
        database_url: Option<&str>,
        serve_args: &[OsString],
    ) -> anyhow::Result<(Self, String)> {
        let (baton, dir) = prepare(baton)?;
        let owner_token = bootstrap(&baton, &dir.path().join("data"), database_url).await?;
        let server = Self::start(&baton, dir, database_url, serve_args).await?;
        Ok((server, owner_token))
    }

    /// Starts `baton serve --demo`, which seeds the demo workspace into the empty data
    /// directory before it answers; returns once `/healthz` is 200.
    pub async fn demo(baton: &Path, database_url: Option<&str>) -> anyhow::Result<Self> {
        let (baton, dir) = prepare(baton)?;
        Self::start(&baton, dir, database_url, &["--demo".into()]).await
    }

    /// Serves the data directory `dir/data` on a free port with `serve_args` added, logging to
    /// `dir/server.log`.
    async fn start(
        baton: &Path,
        dir: TempDir,
        database_url: Option<&str>,
        serve_args: &[OsString],
    ) -> anyhow::Result<Self> {
        let addr = free_port()?;
        let log = dir.path().join("server.log");
        let log_file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let log_err = log_file
            .try_clone()
            .context("duplicating the server log handle")?;
        let mut command = Command::new(baton);
        command
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        command.args(serve_args);
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} serve", baton.display()))?;
        let pid = child
            .id()
            .context("the server exited as soon as it started")?;
        let mut server = Self {
            child,
            dir,
            pid,
            addr,
        };
        server.wait_healthy().await?;
        Ok(server)
    }

    /// Polls `/healthz` until it answers 200, the server exits, or the startup timeout passes.
    async fn wait_healthy(&mut self) -> anyhow::Result<()> {
        let api = Api::new(self.addr);
        let uri = api.uri("/healthz")?;
        let deadline = tokio::time::Instant::now() + STARTUP_TIMEOUT;
        let mut last = String::from("no answer yet");
        while tokio::time::Instant::now() < deadline {
            if let Some(status) = self
                .child
                .try_wait()
                .context("checking on the server process")?
            {
                anyhow::bail!(
                    "the server exited during startup ({status}); its log ends with:\n{}",
                    self.log_tail()
                );
            }
            match api
                .send(Method::GET, uri.clone(), Auth::Anonymous, Payload::Empty)
                .await
            {
                Ok(reply) if reply.status == StatusCode::OK => return Ok(()),
                Ok(reply) => last = format!("status {}", reply.status),
                Err(e) => last = format!("{e:#}"),
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        anyhow::bail!(
            "the server was not healthy after {STARTUP_TIMEOUT:?} ({last}); its log ends with:\n{}",
            self.log_tail()
        )
    }

    /// The last lines of the server's output, for error messages.
    pub fn log_tail(&self) -> String {
        let log = self.dir.path().join("server.log");
        let text = std::fs::read_to_string(&log)
            .unwrap_or_else(|e| format!("(cannot read {}: {e})", log.display()));
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the server with SIGTERM (SIGKILL if it lingers) and removes the data directory.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let term = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        let exited = match term {
            Ok(status) if status.success() => {
                tokio::time::timeout(SHUTDOWN_TIMEOUT, self.child.wait())
                    .await
                    .is_ok()
            }
            _ => false,
        };
        if !exited {
            self.child.kill().await.context("killing the server")?;
        }
        let path = self.dir.path().to_owned();
        self.dir
            .close()
            .with_context(|| format!("removing {}", path.display()))
    }
}

/// The absolute path of the `baton` executable, checked to exist, and a new temporary directory
/// for the server's data and log.
fn prepare(baton: &Path) -> anyhow::Result<(PathBuf, TempDir)> {
    let baton =
        std::path::absolute(baton).with_context(|| format!("resolving {}", baton.display()))?;
    anyhow::ensure!(
        baton.is_file(),
        "{} does not exist (build it with `cargo build --release -p baton`)",
        baton.display()
    );
    let dir = tempfile::Builder::new()
        .prefix("baton-bench-")
        .tempdir()
        .context("creating a temporary data directory")?;
    Ok((baton, dir))
}

/// Runs `baton admin bootstrap` and returns the owner's token.
async fn bootstrap(
    baton: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<String> {
    let mut command = Command::new(baton);
    command.args([
        "admin",
        "bootstrap",
        "--workspace",
        "Bench",
        "--email",
        "owner@bench.example",
    ]);
    command
        .args([
            "--name",
            "Bench Owner",
            "--timezone",
            "Europe/Berlin",
            "--data-dir",
        ])
        .arg(data_dir);
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {} admin bootstrap", baton.display()))?;
    let mut stdin = child
        .stdin
        .take()
        .context("no stdin pipe to the bootstrap process")?;
    stdin
        .write_all(format!("{OWNER_PASSWORD}\n").as_bytes())
        .await
        .context("writing the owner's password")?;
    drop(stdin);
    let output = tokio::time::timeout(STARTUP_TIMEOUT, child.wait_with_output())
        .await
        .with_context(|| format!("bootstrap took longer than {STARTUP_TIMEOUT:?}"))?
        .context("waiting for bootstrap")?;
    anyhow::ensure!(
        output.status.success(),
        "bootstrap failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let line = String::from_utf8_lossy(&output.stdout);
    let created: serde_json::Value = serde_json::from_str(line.trim())
        .with_context(|| format!("bootstrap printed something other than JSON: {line}"))?;
    field(&created, "token")
}

/// A loopback address whose port was free a moment ago.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free loopback port")?;
    listener.local_addr().context("reading the free port")
}
