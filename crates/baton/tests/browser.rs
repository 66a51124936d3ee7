//! The bridge that lets `cargo test` run the browser suite in `e2e/`: headless Chromium driving
//! the web app of this very `baton` binary (the one cargo built for this test), through
//! `node --test` and playwright-core. The suite starts its own servers on fresh data dirs.
//!
//! Without node, `e2e/node_modules` or Chromium it prints one `skipped: …` line and passes, so a
//! plain `cargo test` works on any machine; with `CI=true` the same gap fails the test.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest the whole suite may run before it is killed (with its servers and browsers).
const SUITE_TIMEOUT: Duration = Duration::from_secs(600);
/// Pause between two polls of the running suite.
const POLL: Duration = Duration::from_millis(100);

/// What the suite needs and was not found, and what provides it.
#[derive(Default)]
struct Missing {
    /// The missing things, for a person.
    needs: Vec<String>,
    /// Debian packages that provide them.
    packages: Vec<&'static str>,
    /// Whether `npm ci` in `e2e/` is needed.
    npm_ci: bool,
}

impl Missing {
    /// "browser suite (needs …; run: …)".
    fn describe(&self) -> String {
        let mut run = Vec::new();
        if !self.packages.is_empty() {
            run.push(format!("apt-get install -y {}", self.packages.join(" ")));
        }
        if self.npm_ci {
            run.push("(cd e2e && npm ci)".to_owned());
        }
        format!(
            "browser suite (needs {}; run: {})",
            self.needs.join(", "),
            run.join(" && ")
        )
    }
}

/// `name` found on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The suite's directory, `e2e/` at the top of the repository.
fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Node, Chromium and playwright-core, or what is missing of them.
fn prerequisites(e2e: &Path) -> Result<(PathBuf, PathBuf), Missing> {
    let mut missing = Missing::default();
    let node = on_path("node");
    if node.is_none() {
        missing.needs.push("node".into());
        missing.packages.extend(["nodejs", "npm"]);
    }
    let chromium = std::env::var_os("BATON_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.is_file() {
        missing
            .needs
            .push(format!("Chromium at {}", chromium.display()));
        missing.packages.push("chromium");
    }
    if !e2e
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.needs.push("e2e/node_modules".into());
        missing.npm_ci = true;
    }
    match node {
        Some(node) if missing.needs.is_empty() => Ok((node, chromium)),
        _ => Err(missing),
    }
}

#[test]
fn browser_suite() {
    let e2e = e2e_dir();
    let (node, chromium) = match prerequisites(&e2e) {
        Ok(found) => found,
        Err(missing) => {
            let what = missing.describe();
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true, so the browser suite must run, but it cannot: {what}"
            );
            println!("skipped: {what}");
            return;
        }
    };

    // Screenshots and server logs are this run's artifacts: start from none.
    let _ = std::fs::remove_dir_all(e2e.join("screenshots"));
    let log_dir = tempfile::tempdir().expect("creating a temporary directory");
    let log_path = log_dir.path().join("suite.log");
    let log = File::create(&log_path).expect("creating the suite log");
    let started = Instant::now();
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new(&node)
            .args(["--test", "--test-reporter=spec"])
            .current_dir(&e2e)
            .env("BATON_BIN", env!("CARGO_BIN_EXE_baton"))
            .env("BATON_CHROMIUM", &chromium)
            .stdin(Stdio::null())
            .stdout(Stdio::from(
                log.try_clone().expect("cloning the log handle"),
            ))
            .stderr(Stdio::from(log))
            // Its own process group, so a timeout can stop the servers and browsers it started.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", node.display()))
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("polling node") {
            break Some(status);
        }
        if started.elapsed() > SUITE_TIMEOUT {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(POLL);
    };
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    let elapsed = started.elapsed();
    match status {
        Some(status) if status.success() => {
            let summary: Vec<&str> = output
                .lines()
                .filter(|line| line.starts_with("ℹ "))
                .collect();
            println!(
                "browser suite passed in {elapsed:.1?} (screenshots in e2e/screenshots):\n{}",
                summary.join("\n")
            );
        }
        Some(status) => panic!(
            "the browser suite failed ({status}) after {elapsed:.1?}; screenshots and server logs are in e2e/screenshots:\n{output}"
        ),
        None => panic!(
            "the browser suite did not finish within {SUITE_TIMEOUT:?} and was killed:\n{output}"
        ),
    }
}
