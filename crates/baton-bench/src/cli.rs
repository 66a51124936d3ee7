//! The command line of `baton-bench`, as clap types.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Boots a baton server on a free loopback port and measures how fast it takes posts.
#[derive(Debug, Parser)]
#[command(name = "baton-bench", version, about)]
pub struct Cli {
    /// The `baton` executable to benchmark.
    #[arg(long, default_value = "target/release/baton")]
    pub baton: PathBuf,
    /// Total posts written in the measured phase (split across the clients).
    #[arg(long, default_value_t = 50_000)]
    pub posts: usize,
    /// Concurrent clients, each a different member posting into its own thread.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Members created besides the owner; all join the benchmark space.
    #[arg(long, default_value_t = 50)]
    pub members: usize,
    /// `postgres://…` to benchmark PostgreSQL instead of the embedded SQLite.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Hard limit on the whole run, in seconds; the server is stopped when it passes.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

impl Cli {
    /// Rejects combinations the benchmark cannot run.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.posts >= 1, "--posts must be at least 1");
        anyhow::ensure!(self.clients >= 1, "--clients must be at least 1");
        anyhow::ensure!(
            self.clients <= self.members,
            "--clients ({}) must not exceed --members ({}): every client posts as a different member",
            self.clients,
            self.members
        );
        anyhow::ensure!(self.timeout_secs >= 1, "--timeout-secs must be at least 1");
        Ok(())
    }

    /// The hard limit on the whole run.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}
