//! The command line of `baton-bench`, as clap types.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Boots a baton server on a free loopback port and measures how fast it takes posts, or, with
/// `--pages`, how fast it serves the web pages of the demo workspace.
#[derive(Debug, Parser)]
#[command(name = "baton-bench", version, about)]
pub struct Cli {
    /// The `baton` executable to benchmark.
    #[arg(long, default_value = "target/release/baton")]
    pub baton: PathBuf,
    /// Measure the web pages instead of posts: serve the demo workspace, sign in through the
    /// sign-in form, find the pages by following links and GET each one `--requests` times.
    #[arg(long, conflicts_with_all = ["posts", "members"])]
    pub pages: bool,
    /// With `--pages`: GETs of each page, and of the `/healthz` baseline (split across the
    /// clients).
    #[arg(long, default_value_t = 500, requires = "pages")]
    pub requests: usize,
    /// Total posts written in the measured phase (split across the clients).
    #[arg(long, default_value_t = 50_000)]
    pub posts: usize,
    /// Concurrent clients: each a different member posting into its own thread, or with
    /// `--pages` the same signed-in browser on its own connection.
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
        anyhow::ensure!(self.clients >= 1, "--clients must be at least 1");
        anyhow::ensure!(self.timeout_secs >= 1, "--timeout-secs must be at least 1");
        if self.pages {
            anyhow::ensure!(self.requests >= 1, "--requests must be at least 1");
            return Ok(());
        }
        anyhow::ensure!(self.posts >= 1, "--posts must be at least 1");
        anyhow::ensure!(
            self.clients <= self.members,
            "--clients ({}) must not exceed --members ({}): every client posts as a different member",
            self.clients,
            self.members
        );
        Ok(())
    }

    /// The hard limit on the whole run.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    #[test]
    fn the_cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pages_mode_takes_requests_and_refuses_post_flags() {
        let cli = Cli::try_parse_from(["baton-bench", "--pages", "--requests", "20"])
            .expect("pages flags parse");
        assert!(cli.pages);
        assert_eq!(cli.requests, 20);
        cli.validate().expect("valid");
        assert!(Cli::try_parse_from(["baton-bench", "--pages", "--posts", "5"]).is_err());
        assert!(Cli::try_parse_from(["baton-bench", "--requests", "5"]).is_err());
        let posts = Cli::try_parse_from(["baton-bench"]).expect("defaults parse");
        assert!(!posts.pages);
    }
}
