//! The sink's ceiling, measured in the same run: as many messages as Baton sent, each about the
//! size of an average digest, sent to the same SMTP sink with lettre over 64 connections, one
//! send in flight on each. What the sink accepts per second then is the most any sender on
//! this machine could reach; Baton's digests per second are reported against it.
//!
//! The connections set `TCP_NODELAY`, as Baton's do: lettre writes a message's body and its
//! closing `.` in two writes, and with Nagle's algorithm on the `.` waits for the sink's
//! delayed ACK of the body (about 40 ms), which would cap each connection at some 25 messages
//! a second and make the baseline a measure of that wait.
//!
//! Owns: the stand-in message and the sending. Does not own: the timing, which the sink keeps
//! from its own arrivals exactly as it does for Baton's digests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use lettre::Message;
use lettre::address::Envelope;
use lettre::message::MultiPart;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// Sends in flight at any time, each on its own connection.
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
    let message = message_of_size(size)?;
    // Formatted once: the baseline measures the SMTP path, not building a message; Baton's
    // figure includes building its digests, which is the point of the comparison.
    let sending = Arc::new((message.envelope().clone(), message.formatted()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut senders = JoinSet::new();
    for _ in 0..IN_FLIGHT.min(count) {
        let (sending, next) = (sending.clone(), next.clone());
        senders.spawn(async move {
            let (envelope, bytes): &(Envelope, Vec<u8>) = &sending;
            let tcp = TcpStream::connect(("127.0.0.1", port))
                .await
                .context("connecting to the SMTP sink")?;
            tcp.set_nodelay(true)?;
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &ClientId::default())
                    .await
                    .context("greeting the SMTP sink")?;
            while next.fetch_add(1, Ordering::Relaxed) < count {
                conn.send(envelope, bytes)
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
