//! A mailer that keeps what it is given, for tests that read the emails a worker sends.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use baton_server::delivery::{Mailer, Worker};

/// Records each message; when `die` is set it then panics, as a process killed between the
/// mail server's "250 OK" and marking the digest sent.
#[derive(Default)]
pub struct Recorder {
    sent: Mutex<Vec<lettre::Message>>,
    die: bool,
}

#[async_trait]
impl Mailer for Recorder {
    async fn send(&self, message: lettre::Message) -> anyhow::Result<()> {
        self.sent.lock().expect("recorded mail").push(message);
        assert!(!self.die, "the process died after the digest was accepted");
        Ok(())
    }
}

impl Recorder {
    /// A recorder that panics after recording each message.
    pub fn dying() -> Self {
        Self {
            die: true,
            ..Self::default()
        }
    }

    /// `(Message-ID, whole message as text)` of everything recorded.
    pub fn mails(&self) -> Vec<(String, String)> {
        self.sent
            .lock()
            .expect("recorded mail")
            .iter()
            .map(|m| {
                let id = m
                    .headers()
                    .get_raw("Message-ID")
                    .expect("a Message-ID")
                    .to_owned();
                (id, String::from_utf8_lossy(&m.formatted()).into_owned())
            })
            .collect()
    }

    /// `(Subject, whole message as text)` of everything recorded to an address starting with
    /// `to`, the subject as written (not RFC 2047-encoded).
    pub fn to(&self, to: &str) -> Vec<(String, String)> {
        self.sent
            .lock()
            .expect("recorded mail")
            .iter()
            .filter(|m| {
                m.headers()
                    .get_raw("To")
                    .is_some_and(|address| address.starts_with(to))
            })
            .map(|m| {
                let subject = m
                    .headers()
                    .get_raw("Subject")
                    .unwrap_or_default()
                    .to_owned();
                (
                    subject,
                    String::from_utf8_lossy(&m.formatted()).into_owned(),
                )
            })
            .collect()
    }

    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.sent.lock().expect("recorded mail").clear();
    }
}

/// A worker sending through `mailer`, with links to `http://baton.test`.
pub fn worker(mailer: Arc<Recorder>) -> Worker {
    let from = "Baton <baton@baton.test>".parse().expect("a mailbox");
    Worker::new(Some(mailer), "http://baton.test", from)
}
