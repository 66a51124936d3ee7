//! The sink's ceiling, measured in the same run: as many messages as Baton sent, each about the
//! size of an average digest, sent to the same SMTP sink with lettre from a pool of 64
//! connections with 64 sends in flight. What the sink accepts per second then is the most any
//! sender on this machine could reach; Baton's digests per second are reported against it.
//!
//! On Linux that ceiling is set less by the sink than by lettre's writes: it sends a message's
//! body and its closing `.` in two writes on a socket without `TCP_NODELAY`, so the `.` waits
//! for the sink's delayed ACK of the body, about 40 ms. Each connection then carries about 25
//! messages a second, and 64 connections about 1,500, for lettre in Baton as much as here.
//!
//! Owns: the stand-in message and the sending. Does not own: the timing, which the sink keeps
//! from its own arrivals exactly as it does for Baton's digests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use lettre::address::Envelope;
use lettre::message::MultiPart;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinSet;

/// Connections in lettre's pool, as many as sends in flight so none waits for a connection.
const CONNECTIONS: u32 = 64;
/// Sends in flight at any time.
pub const IN_FLIGHT: usize = 64;
/// Rounds of sizing the stand-in message: each brings its length closer to the target (the
/// headers and the line endings lettre adds grow a little with the body).
const SIZING_ROUNDS: usize = 3;

/// Sends `count` copies of a message of about `size` bytes to the sink on 127.0.0.1:`port`,
/// [`IN_FLIGHT`] at a time, and returns once every send was accepted.
///
/// # Errors
/// When a message cannot be built or a send fails.
pub async fn send(port: u16, count: usize, size: usize) -> anyhow::Result<()> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .pool_config(PoolConfig::new().max_size(CONNECTIONS))
        .build();
    let message = message_of_size(size)?;
    // Formatted once: the baseline measures the SMTP path, not building a message; Baton's
    // figure includes building its digests, which is the point of the comparison.
    let sending = Arc::new((message.envelope().clone(), message.formatted()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut senders = JoinSet::new();
    for _ in 0..IN_FLIGHT.min(count) {
        let (transport, sending, next) = (transport.clone(), sending.clone(), next.clone());
        senders.spawn(async move {
            let (envelope, bytes): &(Envelope, Vec<u8>) = &sending;
            while next.fetch_add(1, Ordering::Relaxed) < count {
                transport
                    .send_raw(envelope, bytes)
                    .await
                    .context("sending a baseline message to the SMTP sink")?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(joined) = senders.join_next().await {
        joined.context("a baseline sender panicked")??;
    }
    Ok(())
}

/// A text and HTML message like a digest, whose formatted length is close to `size` bytes.
fn message_of_size(size: usize) -> anyhow::Result<Message> {
    let mut body = size;
    let mut message = digest_like(body)?;
    for _ in 0..SIZING_ROUNDS {
        let length = message.formatted().len();
        body = (body + size).saturating_sub(length);
        message = digest_like(body)?;
    }
    Ok(message)
}

/// A `multipart/alternative` message with `body` bytes of text and HTML in all, in short ASCII
/// lines (sent as 7bit, as most of a digest is).
fn digest_like(body: usize) -> anyhow::Result<Message> {
    let text = filler(body / 2, |k| {
        format!("- Ask {k}: please review section {k} of the plan.\n")
    });
    let html = filler(body - body / 2, |k| {
        format!("<li>Ask {k}: please review section {k}.</li>\n")
    });
    Message::builder()
        .from("Baton <baton@bench.example>".parse()?)
        .to("Recipient <recipient@bench.example>".parse()?)
        .subject("Your asks this morning")
        .multipart(MultiPart::alternative_plain_html(text, html))
        .context("building the baseline message")
}

/// `bytes` bytes of the lines `line(0)`, `line(1)`, …, the last one cut short.
fn filler(bytes: usize, line: impl Fn(usize) -> String) -> String {
    let mut text = String::with_capacity(bytes + 64);
    let mut k = 0;
    while text.len() < bytes {
        text.push_str(&line(k));
        k += 1;
    }
    text.truncate(bytes);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_message_is_about_the_size_asked_for() {
        for size in [2_000, 4_096, 12_000] {
            let length = message_of_size(size).expect("message").formatted().len();
            assert!(
                length.abs_diff(size) <= size / 50,
                "{length} bytes for {size}"
            );
        }
    }
}
