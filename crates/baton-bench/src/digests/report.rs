//! What a `--digests` run prints: Baton's digests per second next to the SMTP sink's ceiling,
//! as a table or as one JSON object.

use std::time::Duration;

use serde_json::json;

use super::{Shape, baseline};
use crate::report::{Machine, Printed, aligned, mib};
use crate::smtp_sink::Tally;

/// Everything one digests run measured.
#[derive(Debug, Clone)]
pub struct DigestsReport {
    /// Where it ran.
    pub machine: Machine,
    /// `sqlite` or the PostgreSQL URL without its password.
    pub backend: String,
    /// Recipients, posts and asks.
    pub shape: Shape,
    /// Baton's digests as the sink accepted them.
    pub digests: Tally,
    /// From moving the clock to the window to the last digest's arrival, including the up to
    /// five seconds the idle worker takes to notice.
    pub wall: Duration,
    /// The sink's ceiling: lettre's messages as the sink accepted them.
    pub baseline: Tally,
    /// The server's peak resident set, in KiB.
    pub peak_rss_kib: u64,
}

impl DigestsReport {
    /// Baton's digests per second as a fraction of the sink's ceiling.
    fn ratio(&self) -> f64 {
        self.digests.rate() / self.baseline.rate().max(f64::EPSILON)
    }
}

impl Printed for DigestsReport {
    /// None are counted: every failure of this mode (a setup request, a digest that never
    /// arrives, a backlog that does not settle as sent) ends the run with an error instead.
    fn errors(&self) -> u64 {
        0
    }

    fn to_json(&self) -> serde_json::Value {
        let (d, b) = (&self.digests, &self.baseline);
        json!({
            "machine": {"nproc": self.machine.cpus, "cpu": self.machine.model},
            "backend": self.backend,
            "recipients": self.shape.recipients,
            "posts": self.shape.posts(),
            "asked_per_post": self.shape.asked,
            "items_per_recipient": self.shape.items,
            "deliveries": self.shape.deliveries(),
            "digests": {
                "messages": d.messages,
                "first_to_last_s": d.span().as_secs_f64(),
                "digests_per_s": d.rate(),
                "wall_s_from_window": self.wall.as_secs_f64(),
                "average_bytes": d.average_bytes(),
            },
            "baseline": {
                "messages": b.messages,
                "first_to_last_s": b.span().as_secs_f64(),
                "messages_per_s": b.rate(),
                "average_bytes": b.average_bytes(),
                "in_flight": baseline::IN_FLIGHT,
            },
            "ratio_digests_to_baseline": self.ratio(),
            "peak_server_rss_mib": mib(self.peak_rss_kib),
        })
    }

    fn table(&self) -> String {
        let (d, b) = (&self.digests, &self.baseline);
        let rows = [
            (
                "machine",
                format!("{} CPUs, {}", self.machine.cpus, self.machine.model),
            ),
            ("backend", self.backend.clone()),
            (
                "recipients / posts",
                format!(
                    "{} / {} (each post asks {})",
                    self.shape.recipients,
                    self.shape.posts(),
                    self.shape.asked
                ),
            ),
            (
                "deliveries",
                format!(
                    "{} ({} per digest)",
                    self.shape.deliveries(),
                    self.shape.items
                ),
            ),
            (
                "baseline lettre → sink",
                format!(
                    "{} messages in {:.2} s, {} in flight",
                    b.messages,
                    b.span().as_secs_f64(),
                    baseline::IN_FLIGHT
                ),
            ),
            ("  messages/s", format!("{:.0}", b.rate())),
            ("  average size", format!("{} bytes", b.average_bytes())),
            (
                "digests Baton → sink",
                format!(
                    "{} digests, first to last arrival {:.2} s",
                    d.messages,
                    d.span().as_secs_f64()
                ),
            ),
            ("  digests/s", format!("{:.0}", d.rate())),
            (
                "  wall time from 09:00",
                format!("{:.2} s (includes the idle poll)", self.wall.as_secs_f64()),
            ),
            (
                "  average digest size",
                format!("{} bytes", d.average_bytes()),
            ),
            (
                "digests/s ÷ baseline msgs/s",
                format!("{:.3}", self.ratio()),
            ),
            (
                "peak server RSS",
                format!("{:.1} MiB", mib(self.peak_rss_kib)),
            ),
        ];
        aligned(&rows)
    }
}
