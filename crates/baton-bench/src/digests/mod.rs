//! `--digests`: how many email digests per second Baton's delivery worker builds and sends,
//! against what the SMTP sink itself accepts per second in the same run.
//!
//! The server follows a clock file showing Monday 08:00 UTC, an hour before its recipients'
//! first delivery window. Posts ask the recipients for replies; the worker turns them into
//! queued deliveries. Then the clock moves to 09:00 and every recipient's digest goes out at
//! once: the burst is timed by the sink from the first arrival to the last. Sending to the
//! same sink with lettre gives the ceiling.
//!
//! Owns: the shape of the run (who is asked by which post), its order and its checks. Does not
//! own: the SMTP server (`smtp_sink`), the server process (`server`), the requests that set up
//! the workspace (`workspace`) or the stand-in messages (`baseline`).

mod baseline;
mod clock;
mod report;
mod workspace;

use std::ffi::OsString;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::client::Api;
use crate::memory::Sampler;
use crate::report::Machine;
use crate::server::Server;
use crate::smtp_sink::SmtpSink;
use clock::ClockFile;
pub use report::DigestsReport;
use workspace::Backlog;

/// Monday 1 June 2026, 08:00 UTC: before the recipients' default 09:00 window, so asks queue.
const BEFORE_WINDOW: &str = "2026-06-01T08:00:00Z";
/// The 09:00 window, when every recipient's digest is due.
const AT_WINDOW: &str = "2026-06-01T09:00:00Z";
/// How long the worker may make no visible progress (no digest arriving, no change in the
/// backlog) before the run fails. It polls every five seconds when idle, so this is several
/// polls.
const STALL: Duration = Duration::from_secs(30);

/// How many recipients are asked, by how many posts.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Recipients, each receiving one digest.
    pub recipients: usize,
    /// Recipients asked by one post.
    pub asked: usize,
    /// Asks each recipient receives (the items of their digest).
    pub items: usize,
}

impl Shape {
    /// The posts that make the asks (the command line checks this divides evenly).
    pub fn posts(&self) -> usize {
        self.recipients * self.items / self.asked
    }

    /// One delivery per asked recipient and post.
    pub fn deliveries(&self) -> usize {
        self.recipients * self.items
    }

    /// The recipients (as indexes) post `post` asks: the next `asked` in turn, wrapping round,
    /// so every recipient is asked by exactly `items` posts and no post asks anyone twice.
    pub fn asked_by(&self, post: usize) -> impl Iterator<Item = usize> {
        let Self {
            recipients, asked, ..
        } = *self;
        (0..asked).map(move |j| (post * asked + j) % recipients)
    }
}

/// What a digests run needs before the server starts, because `baton serve` is pointed at
/// them: the SMTP sink and the clock file.
#[derive(Debug)]
pub struct DigestRun {
    shape: Shape,
    sink: SmtpSink,
    clock: ClockFile,
}

impl DigestRun {
    /// Starts the sink and writes the clock file at 08:00.
    ///
    /// # Errors
    /// When the sink cannot listen or the clock file cannot be written.
    pub async fn prepare(shape: Shape) -> anyhow::Result<Self> {
        Ok(Self {
            shape,
            sink: SmtpSink::start().await?,
            clock: ClockFile::new(BEFORE_WINDOW)?,
        })
    }

    /// The flags of `baton serve` that send its digests to the sink and make it follow the
    /// clock file.
    pub fn serve_args(&self) -> Vec<OsString> {
        let mut args = vec!["--smtp-url".into(), self.sink.url().into()];
        args.extend(self.clock.serve_args());
        args
    }

    /// Sets up the workspace, opens the window and times the digests, then measures the sink's
    /// ceiling. A failure carries the end of the server's log.
    pub async fn measure(
        &self,
        server: &Server,
        owner_token: &str,
        backend: String,
    ) -> anyhow::Result<DigestsReport> {
        self.run(server, owner_token, backend).await.map_err(|e| {
            anyhow::anyhow!("{e:#}\nthe server's log ends with:\n{}", server.log_tail())
        })
    }

    async fn run(
        &self,
        server: &Server,
        owner_token: &str,
        backend: String,
    ) -> anyhow::Result<DigestsReport> {
        let shape = self.shape;
        let deliveries = shape.deliveries() as u64;
        let api = Api::new(server.addr);
        let recipients =
            workspace::create_recipients(server.addr, owner_token, shape.recipients).await?;
        let thread = workspace::create_thread(&api, owner_token)
            .await
            .context("creating the space and thread")?;
        workspace::post_asks(server.addr, owner_token, &thread, &recipients, shape).await?;
        let expanded = |b: &Backlog| b.unexpanded_events == 0 && b.queued == deliveries;
        let what = "every ask expanded into a queued delivery";
        workspace::wait_for_backlog(&api, owner_token, what, STALL, expanded).await?;
        let early = self.sink.tally().messages;
        anyhow::ensure!(early == 0, "{early} digests were sent before the window");

        let sampler = Sampler::start(server.pid);
        self.clock.set(AT_WINDOW)?;
        let opened = Instant::now();
        self.sink
            .wait_for(shape.recipients, STALL)
            .await
            .context("waiting for the digests")?;
        let settled = |b: &Backlog| b.unexpanded_events == 0 && b.queued == 0;
        let what = "every delivery settled";
        let backlog = workspace::wait_for_backlog(&api, owner_token, what, STALL, settled).await?;
        let peak_rss_kib = sampler
            .finish()
            .await
            .context("reading the server's memory")?;
        anyhow::ensure!(
            backlog.sent == deliveries,
            "{deliveries} deliveries should have been sent, but the backlog shows {backlog}"
        );
        // Taken after the backlog settled, so a digest split in two would show here.
        let digests = self.sink.take();
        anyhow::ensure!(
            digests.messages == shape.recipients,
            "{} digests arrived for {} recipients: each should get exactly one",
            digests.messages,
            shape.recipients
        );
        let wall = digests
            .last
            .map_or(Duration::ZERO, |last| last.duration_since(opened));

        let size = usize::try_from(digests.average_bytes()).context("digest size")?;
        baseline::send(self.sink.port(), shape.recipients, size)
            .await
            .context("baseline phase")?;
        let baseline = self.sink.take();
        // lettre's sends return once the sink answered `250`, which it does after counting.
        anyhow::ensure!(
            baseline.messages == shape.recipients,
            "{} baseline messages arrived of {} sent",
            baseline.messages,
            shape.recipients
        );
        Ok(DigestsReport {
            machine: Machine::detect(),
            backend,
            shape,
            digests,
            wall,
            baseline,
            peak_rss_kib,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Shape;

    #[test]
    fn every_recipient_is_asked_items_times_and_no_post_asks_twice() {
        let shape = Shape {
            recipients: 60,
            asked: 6,
            items: 2,
        };
        assert_eq!((shape.posts(), shape.deliveries()), (20, 120));
        let mut asks = vec![0; shape.recipients];
        for post in 0..shape.posts() {
            let mut asked: Vec<usize> = shape.asked_by(post).collect();
            asked.sort_unstable();
            asked.dedup();
            assert_eq!(asked.len(), shape.asked, "post {post} asks someone twice");
            for i in asked {
                asks[i] += 1;
            }
        }
        assert!(asks.iter().all(|&n| n == shape.items), "{asks:?}");
    }
}
