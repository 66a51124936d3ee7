//! Sampling the server's resident memory from `/proc/PID/status` while the load runs.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often the server's memory is read.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

/// A background task reading the server's VmRSS every 100 ms and keeping the largest value.
#[derive(Debug)]
pub struct Sampler {
    pid: u32,
    stop: oneshot::Sender<()>,
    task: JoinHandle<u64>,
}

impl Sampler {
    /// Starts sampling the process `pid`.
    pub fn start(pid: u32) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut peak = 0;
            let mut ticks = tokio::time::interval(SAMPLE_INTERVAL);
            loop {
                tokio::select! {
                    _ = &mut stopped => return peak,
                    _ = ticks.tick() => {
                        if let Ok(kib) = read_kib(pid, "VmRSS") {
                            peak = peak.max(kib);
                        }
                    }
                }
            }
        });
        Self { pid, stop, task }
    }

    /// Stops sampling; returns the peak resident set in KiB (the larger of the samples and
    /// the kernel's own high-water mark, VmHWM).
    pub async fn finish(self) -> anyhow::Result<u64> {
        // The task may already have ended; then there is nothing to tell it.
        let _ = self.stop.send(());
        let sampled = self.task.await.context("the memory sampler failed")?;
        let hwm = read_kib(self.pid, "VmHWM")?;
        Ok(sampled.max(hwm))
    }
}

/// The process's resident memory now, in KiB.
///
/// # Errors
/// When `/proc/PID/status` cannot be read.
pub fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    read_kib(pid, "VmRSS")
}

/// Reads one `Key:   123 kB` line of `/proc/PID/status`.
fn read_kib(pid: u32, key: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let value = status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .with_context(|| format!("{path} has no {key} line"))?;
    let number = value.trim().trim_end_matches("kB").trim();
    number
        .parse()
        .with_context(|| format!("{key} in {path} is not a number of kB: {value:?}"))
}
