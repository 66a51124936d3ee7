//! A loopback SMTP server that accepts every message and keeps only a tally: how many arrived,
//! how many bytes, and when the first and the last were accepted. `--digests` points Baton's
//! delivery worker at it, then measures the sink's own ceiling by sending to it with lettre.
//!
//! Owns: just enough SMTP for lettre (greeting, `EHLO`/`HELO`, `MAIL`, `RCPT`, `DATA`, `RSET`,
//! `NOOP`, `QUIT`), one task per connection, pipelined commands, and waiting for a count. Does
//! not own: checking the conversation's order, addresses or content (a sink only counts), TLS
//! or authentication (Baton sends to it over plain `smtp://`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The name the sink gives in its greeting and its `EHLO` answer.
const HOST: &str = "baton-bench";

/// What the sink has accepted since it started (or since [`SmtpSink::take`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Messages accepted (each answered `250` after its final `.`).
    pub messages: usize,
    /// Bytes of the accepted messages, headers included, as they came over the wire.
    pub bytes: u64,
    /// When the first message was accepted.
    pub first: Option<Instant>,
    /// When the last message was accepted.
    pub last: Option<Instant>,
}

impl Tally {
    /// Time from the first acceptance to the last (zero with fewer than two messages).
    pub fn span(&self) -> Duration {
        match (self.first, self.last) {
            (Some(first), Some(last)) => last.duration_since(first),
            _ => Duration::ZERO,
        }
    }

    /// Messages per second between the first and the last acceptance. The first message only
    /// opens the span, so it is not counted: `(messages - 1) / span`.
    pub fn rate(&self) -> f64 {
        self.messages.saturating_sub(1) as f64 / self.span().as_secs_f64().max(f64::EPSILON)
    }

    /// The mean size of an accepted message, in bytes (zero when none arrived).
    pub fn average_bytes(&self) -> u64 {
        self.bytes / (self.messages.max(1) as u64)
    }

    /// Counts one message of `bytes` accepted at `at`.
    fn accept(&mut self, bytes: u64, at: Instant) {
        self.messages += 1;
        self.bytes += bytes;
        self.first.get_or_insert(at);
        self.last = Some(at);
    }
}

/// A running sink on a free loopback port; stops (with all its connections) when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    tally: Arc<watch::Sender<Tally>>,
    accepting: JoinHandle<()>,
}

impl SmtpSink {
    /// Listens on `127.0.0.1:0` and starts accepting connections.
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the SMTP sink to a loopback port")?;
        let addr = listener.local_addr().context("reading the sink's port")?;
        let tally = Arc::new(watch::Sender::new(Tally::default()));
        let accepting = tokio::spawn(accept_loop(listener, tally.clone()));
        Ok(Self {
            addr,
            tally,
            accepting,
        })
    }

    /// The sink's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The sink as `baton serve --smtp-url` takes it (plain SMTP, no credentials).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// What has been accepted so far.
    pub fn tally(&self) -> Tally {
        *self.tally.borrow()
    }

    /// Hands back what has been accepted so far and starts counting from zero, so the next
    /// phase's first and last arrivals are its own.
    pub fn take(&self) -> Tally {
        self.tally.send_replace(Tally::default())
    }

    /// Waits until `messages` have been accepted and returns the tally then.
    ///
    /// # Errors
    /// When no message arrives for `stall` before the count is reached: the sender has stopped
    /// (or never started), and waiting longer would not help.
    pub async fn wait_for(&self, messages: usize, stall: Duration) -> anyhow::Result<Tally> {
        let mut changes = self.tally.subscribe();
        loop {
            let now = *changes.borrow_and_update();
            if now.messages >= messages {
                return Ok(now);
            }
            match tokio::time::timeout(stall, changes.changed()).await {
                Ok(changed) => changed.context("the SMTP sink stopped")?,
                Err(_) => anyhow::bail!(
                    "only {} of {messages} messages reached the SMTP sink, none in the last {stall:?}",
                    now.messages
                ),
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Dropping the accept loop drops its `JoinSet`, which aborts every connection task.
        self.accepting.abort();
    }
}

/// Accepts connections and serves each on its own task until the sink is dropped.
async fn accept_loop(listener: TcpListener, tally: Arc<watch::Sender<Tally>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                // A failed accept (a client gone before it was accepted, or out of file
                // descriptors for a moment) concerns that one client only; keep listening.
                if let Ok((stream, _)) = accepted {
                    connections.spawn(converse(stream, tally.clone()));
                }
            }
            // Reap finished connections so the set does not grow with every one of them.
            Some(_) = connections.join_next() => {}
        }
    }
}

/// One SMTP conversation. An I/O error ends it quietly: the client sees the connection drop,
/// and no message is counted that was not answered `250`.
async fn converse(stream: TcpStream, tally: Arc<watch::Sender<Tally>>) {
    let (read, write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut writer = BufWriter::new(write);
    let _ = serve_commands(&mut reader, &mut writer, &tally).await;
}

/// Answers commands until `QUIT` or the end of the stream.
///
/// Answers are buffered and flushed only when no further command is already waiting in the
/// read buffer, so a pipelining client gets its answers in one write, and a client waiting for
/// an answer (every client before `DATA`'s data) gets it at once.
async fn serve_commands(
    reader: &mut BufReader<OwnedReadHalf>,
    writer: &mut BufWriter<OwnedWriteHalf>,
    tally: &watch::Sender<Tally>,
) -> std::io::Result<()> {
    writer
        .write_all(format!("220 {HOST} ESMTP sink\r\n").as_bytes())
        .await?;
    writer.flush().await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let answer: &[u8] = match verb(&line).as_str() {
            "EHLO" => b"250-baton-bench\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 baton-bench\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                writer
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                writer.flush().await?;
                let Some(bytes) = read_data(reader, &mut line).await? else {
                    return Ok(());
                };
                tally.send_modify(|t| t.accept(bytes, Instant::now()));
                b"250 queued\r\n"
            }
            "QUIT" => {
                writer.write_all(b"221 bye\r\n").await?;
                return writer.flush().await;
            }
            _ => b"500 unrecognised command\r\n",
        };
        writer.write_all(answer).await?;
        if reader.buffer().is_empty() {
            writer.flush().await?;
        }
    }
}

/// The command word of a line, upper-cased (`mail FROM:<…>` → `MAIL`).
fn verb(line: &[u8]) -> String {
    let word = line
        .split(|b| b.is_ascii_whitespace())
        .next()
        .unwrap_or_default();
    String::from_utf8_lossy(word).to_ascii_uppercase()
}

/// Reads a message's lines up to the lone `.` that ends it; returns its size in bytes, or
/// `None` when the stream ended first (the message was not delivered, so it is not counted).
async fn read_data(
    reader: &mut BufReader<OwnedReadHalf>,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<u64>> {
    let mut bytes = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', line).await? == 0 {
            return Ok(None);
        }
        if line.as_slice() == b".\r\n" || line.as_slice() == b".\n" {
            return Ok(Some(bytes));
        }
        bytes += line.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use lettre::address::Envelope;
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::extension::ClientId;
    use lettre::{Address, Message};
    use tokio::io::AsyncReadExt;

    use super::*;

    const STALL: Duration = Duration::from_secs(5);

    fn message(n: usize) -> Message {
        Message::builder()
            .from("Baton <baton@bench.test>".parse().expect("from"))
            .to(format!("r{n}@bench.test").parse().expect("to"))
            .subject(format!("Digest {n}"))
            .body(format!(
                "Line one of {n}.\n.a line starting with a dot\nThe end.\n"
            ))
            .expect("message")
    }

    #[tokio::test]
    async fn two_messages_sent_with_lettre_over_one_connection_are_counted() {
        let sink = SmtpSink::start().await.expect("sink");
        let mut connection = AsyncSmtpConnection::connect_tokio1(
            ("127.0.0.1", sink.port()),
            Some(STALL),
            &ClientId::Domain("bench.test".to_owned()),
            None,
            None,
        )
        .await
        .expect("connect and EHLO");
        let from: Address = "baton@bench.test".parse().expect("address");
        for n in 0..2 {
            let to: Address = format!("r{n}@bench.test").parse().expect("address");
            let envelope = Envelope::new(Some(from.clone()), vec![to]).expect("envelope");
            let answer = connection
                .send(&envelope, &message(n).formatted())
                .await
                .expect("send");
            assert_eq!(answer.code().to_string(), "250");
        }
        connection.quit().await.expect("QUIT");
        let tally = sink.wait_for(2, STALL).await.expect("two messages");
        assert_eq!(tally.messages, 2);
        assert!(tally.average_bytes() > 100, "{tally:?}");
        assert!(tally.first <= tally.last);
        assert_eq!(sink.take().messages, 2);
        assert_eq!(sink.tally().messages, 0, "take starts counting from zero");
    }

    #[tokio::test]
    async fn pipelined_commands_are_answered_in_order_and_garbage_gets_500() {
        let sink = SmtpSink::start().await.expect("sink");
        let mut stream = TcpStream::connect(("127.0.0.1", sink.port()))
            .await
            .expect("connect");
        stream
            .write_all(
                b"EHLO client\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n\
                  Subject: hi\r\n\r\nbody\r\n.\r\nFROB\r\nnoop\r\nQUIT\r\n",
            )
            .await
            .expect("write");
        let mut answers = String::new();
        tokio::time::timeout(STALL, stream.read_to_string(&mut answers))
            .await
            .expect("the sink closes after QUIT")
            .expect("read");
        let codes: Vec<&str> = answers.lines().map(|l| &l[..4]).collect();
        assert_eq!(
            codes,
            [
                "220 ", "250-", "250-", "250-", "250 ", "250 ", "250 ", "354 ", "250 ", "500 ",
                "250 ", "221 "
            ],
            "{answers}"
        );
        assert_eq!(sink.wait_for(1, STALL).await.expect("one").messages, 1);
    }

    #[tokio::test]
    async fn waiting_fails_when_messages_stop_arriving() {
        let sink = SmtpSink::start().await.expect("sink");
        let waited = sink.wait_for(1, Duration::from_millis(50)).await;
        let error = waited.expect_err("nothing arrives").to_string();
        assert!(error.contains("only 0 of 1"), "{error}");
    }
}
