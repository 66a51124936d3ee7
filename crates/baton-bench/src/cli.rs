//! The command line of `baton-bench`, as clap types.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

/// Boots a baton server on a free loopback port and measures how fast it takes posts, or, with
/// `--pages`, how fast it serves the web pages of the demo workspace, or, with `--digests`, how
/// fast its delivery worker builds and sends email digests.
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
    /// Measure email digests instead of posts: create this many recipients, ask each of them
    /// `--items` times in posts made before their 09:00 window, then move the server's clock to
    /// 09:00 and time the digests its delivery worker sends to a local SMTP sink, against the
    /// sink's own ceiling with lettre. Without a number: 1000 recipients.
    #[arg(
        long,
        value_name = "RECIPIENTS",
        num_args = 0..=1,
        default_missing_value = "1000",
        conflicts_with_all = ["pages", "posts", "clients", "members"]
    )]
    pub digests: Option<usize>,
    /// With `--digests`: recipients asked by one post.
    #[arg(long, default_value_t = 30, requires = "digests")]
    pub asked: usize,
    /// With `--digests`: asks each recipient receives, so there are
    /// `RECIPIENTS × items ÷ asked` posts and one digest of `items` asks per recipient.
    #[arg(long, default_value_t = 3, requires = "digests")]
    pub items: usize,
    /// Measure a flood of bad sign-ins instead of posts: this many `POST /api/v1/tokens` with
    /// random emails at once, each on its own connection, while `/healthz` is probed, against
    /// a `/healthz` baseline without the flood; reports the answers, both latencies and the
    /// server's peak memory. Without a number: 600.
    #[arg(
        long,
        value_name = "ATTEMPTS",
        num_args = 0..=1,
        default_missing_value = "600",
        conflicts_with_all = ["pages", "digests", "posts", "clients", "members", "one_thread"]
    )]
    pub signin_flood: Option<usize>,
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
    /// Posts: every client replies in one thread that every member follows (each has replied
    /// once before the measured phase), so each post concerns all the others and the
    /// delivery worker expands reply events while the clients write.
    #[arg(long, conflicts_with_all = ["pages", "digests"])]
    pub one_thread: bool,
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
        if let Some(recipients) = self.digests {
            return validate_digests(recipients, self.asked, self.items);
        }
        if let Some(attempts) = self.signin_flood {
            anyhow::ensure!(attempts >= 1, "--signin-flood must be at least 1");
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

/// Rejects a shape of `--digests` in which recipients would not all get the same number of
/// asks, or a post would ask someone twice.
fn validate_digests(recipients: usize, asked: usize, items: usize) -> anyhow::Result<()> {
    // Two arrivals at least: the rate is measured between the first and the last.
    anyhow::ensure!(recipients >= 2, "--digests must be at least 2");
    anyhow::ensure!(
        (1..=recipients).contains(&asked),
        "--asked must be between 1 and --digests ({recipients})"
    );
    anyhow::ensure!(items >= 1, "--items must be at least 1");
    let asks = recipients
        .checked_mul(items)
        .context("--digests × --items is too large")?;
    anyhow::ensure!(
        asks % asked == 0,
        "--digests × --items ({asks}) must be a multiple of --asked ({asked}), so every \
         recipient is asked exactly --items times"
    );
    Ok(())
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

    #[test]
    fn digests_mode_defaults_to_1000_recipients_and_refuses_other_modes() {
        let cli = Cli::try_parse_from(["baton-bench", "--digests"]).expect("digests parses");
        assert_eq!((cli.digests, cli.asked, cli.items), (Some(1000), 30, 3));
        cli.validate().expect("valid");
        let small = [
            "baton-bench",
            "--digests",
            "60",
            "--asked",
            "6",
            "--items",
            "2",
        ];
        let cli = Cli::try_parse_from(small).expect("digests flags parse");
        assert_eq!((cli.digests, cli.asked, cli.items), (Some(60), 6, 2));
        cli.validate().expect("valid");
        assert!(Cli::try_parse_from(["baton-bench", "--digests", "--pages"]).is_err());
        assert!(Cli::try_parse_from(["baton-bench", "--digests", "--posts", "5"]).is_err());
        assert!(Cli::try_parse_from(["baton-bench", "--asked", "5"]).is_err());
    }

    #[test]
    fn signin_flood_defaults_to_600_and_refuses_other_modes() {
        let cli = Cli::try_parse_from(["baton-bench", "--signin-flood"]).expect("parses");
        assert_eq!(cli.signin_flood, Some(600));
        cli.validate().expect("valid");
        assert!(Cli::try_parse_from(["baton-bench", "--signin-flood", "--pages"]).is_err());
        let zero = Cli::try_parse_from(["baton-bench", "--signin-flood", "0"]).expect("parses");
        assert!(zero.validate().is_err());
    }

    #[test]
    fn digests_shapes_that_ask_unevenly_are_refused() {
        let parse = |args: &[&str]| {
            let mut all = vec!["baton-bench", "--digests"];
            all.extend_from_slice(args);
            Cli::try_parse_from(all).expect("parses")
        };
        assert!(
            parse(&["10", "--asked", "3", "--items", "1"])
                .validate()
                .is_err()
        );
        assert!(parse(&["10", "--asked", "11"]).validate().is_err());
        assert!(parse(&["1", "--asked", "1"]).validate().is_err());
        assert!(
            parse(&["10", "--asked", "5", "--items", "1"])
                .validate()
                .is_ok()
        );
    }
}
