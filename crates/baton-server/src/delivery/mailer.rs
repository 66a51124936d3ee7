//! Where digests go: the [`Mailer`] seam and its SMTP implementation.
//!
//! The SMTP client keeps its own small pool of lettre connections instead of lettre's
//! transport, for one reason: lettre writes a message and its closing `.` line as two writes,
//! and on a socket with Nagle's algorithm on the second waits for the server's delayed ACK of
//! the first, about 40 ms on Linux. That capped every connection at some 25 messages a second.
//! Connections made here set `TCP_NODELAY` (plain and STARTTLS; an `smtps://` connection is
//! made by lettre, which does not), so a connection carries as many messages as the server
//! answers.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

/// How long one SMTP conversation may take before the send counts as failed (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one email. A trait so the worker does not care whether mail goes to an SMTP server or
/// somewhere a test can read it.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands `message` over for delivery.
    ///
    /// # Errors
    /// When the message was not accepted; the caller retries later.
    async fn send(&self, message: Message) -> anyhow::Result<()>;
}

/// How a connection is secured, from the URL's scheme and `tls` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Security {
    /// `smtp://host:port`: no TLS.
    Plain,
    /// `smtp://…?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// `smtp://…?tls=required`: STARTTLS or no send.
    Required,
    /// `smtps://…`: TLS from the first byte.
    Wrapper,
}

/// The mail server and how to talk to it, read from `--smtp-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SmtpTarget {
    host: String,
    port: u16,
    security: Security,
    /// `user:password@` from the URL, percent-decoded.
    login: Option<(String, String)>,
}

impl SmtpTarget {
    /// Reads `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user:password@]host[:port]`. Default ports: 25 plain, 587 with STARTTLS, 465
    /// for `smtps`.
    fn parse(text: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(text)?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic, 587),
            ("smtp", Some("required")) => (Security::Required, 587),
            ("smtps", None) => (Security::Wrapper, 465),
            (scheme, tls) => anyhow::bail!(
                "unknown scheme '{scheme}' or tls={} (use smtp://, smtp://…?tls=required, smtp://…?tls=opportunistic or smtps://)",
                tls.unwrap_or("")
            ),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .context("the URL names no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
        };
        let login = match url.password() {
            Some(password) => Some((decode(url.username())?, decode(password)?)),
            None => None,
        };
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            login,
        })
    }
}

/// A mailer talking SMTP over a small pool of kept-open connections.
pub struct SmtpMailer {
    target: SmtpTarget,
    tls: TlsParameters,
    hello: ClientId,
    /// Connections that sent their last message fine, waiting for the next.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

impl SmtpMailer {
    /// A mailer for `url`: `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS),
    /// `smtps://host:port` (TLS from the start), each with optional `user:password@`.
    ///
    /// # Errors
    /// When the URL is not one of those.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        Self::trusting(url, None)
    }

    /// [`SmtpMailer::from_url`] that also trusts the PEM certificates of `roots` when it
    /// checks the server's TLS certificate (`--smtp-ca-file`: a mail server whose certificate
    /// a private authority signed). The bundled web roots stay trusted.
    ///
    /// # Errors
    /// When the URL is invalid or `roots` holds no readable certificate.
    pub fn trusting(url: &str, roots: Option<&[u8]>) -> anyhow::Result<Self> {
        let invalid = || format!("invalid --smtp-url '{}'", baton_store::redact(url));
        let target = SmtpTarget::parse(url).with_context(invalid)?;
        let mut tls = TlsParameters::builder(target.host.clone());
        if let Some(pem) = roots {
            // A file without any certificate parses as none: refuse it rather than trust nothing.
            let no_certificate = || anyhow::anyhow!("--smtp-ca-file holds no PEM certificate");
            let text = std::str::from_utf8(pem).map_err(|_| no_certificate())?;
            if !text.contains("-----BEGIN CERTIFICATE-----") {
                return Err(no_certificate());
            }
            let certificate = Certificate::from_pem(pem)
                .context("--smtp-ca-file holds an unreadable PEM certificate")?;
            tls = tls.add_root_certificate(certificate);
        }
        let tls = tls.build_rustls().with_context(invalid)?;
        Ok(Self {
            target,
            tls,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(&self) -> anyhow::Result<AsyncSmtpConnection> {
        loop {
            let Some(mut idle) = self.lock().pop() else {
                return timed(self.connect()).await;
            };
            if idle.test_connected().await {
                return Ok(idle);
            }
            idle.abort().await;
        }
    }

    /// Opens, secures and signs in a new connection.
    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let SmtpTarget { host, port, .. } = &self.target;
        let mut conn = if self.target.security == Security::Wrapper {
            AsyncSmtpConnection::connect_tokio1(
                (host.as_str(), *port),
                Some(SMTP_TIMEOUT),
                &self.hello,
                Some(self.tls.clone()),
                None,
            )
            .await?
        } else {
            let tcp = TcpStream::connect((host.as_str(), *port)).await?;
            tcp.set_nodelay(true)?;
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
            let starttls = match self.target.security {
                Security::Required => true,
                Security::Opportunistic => conn.can_starttls(),
                Security::Plain | Security::Wrapper => false,
            };
            if starttls {
                conn.starttls(self.tls.clone(), &self.hello).await?;
            }
            conn
        };
        if let Some((user, password)) = &self.target.login {
            let credentials = Credentials::new(user.clone(), password.clone());
            conn.auth(DEFAULT_MECHANISMS, &credentials).await?;
        }
        Ok(conn)
    }

    /// Keeps a connection that is still good for the next send, up to
    /// [`super::SEND_CONCURRENCY`] of them.
    fn recycle(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.lock();
        if !conn.has_broken() && idle.len() < super::SEND_CONCURRENCY {
            idle.push(conn);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<AsyncSmtpConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `work`, failed after [`SMTP_TIMEOUT`].
async fn timed<T>(work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::time::timeout(SMTP_TIMEOUT, work)
        .await
        .map_err(|_| anyhow::anyhow!("no answer from the mail server within {SMTP_TIMEOUT:?}"))?
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> anyhow::Result<()> {
        let envelope = message.envelope().clone();
        let body = message.formatted();
        let mut conn = self
            .connection()
            .await
            .context("connecting to the SMTP server")?;
        match timed(async { Ok(conn.send(&envelope, &body).await?) }).await {
            Ok(_) => {
                self.recycle(conn);
                Ok(())
            }
            Err(e) => {
                conn.abort().await;
                Err(e).context("sending a digest over SMTP")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_server_its_security_and_an_optional_login() {
        let plain = SmtpTarget::parse("smtp://127.0.0.1:2525").expect("plain");
        assert_eq!(
            plain,
            SmtpTarget {
                host: "127.0.0.1".into(),
                port: 2525,
                security: Security::Plain,
                login: None,
            }
        );
        let submission =
            SmtpTarget::parse("smtp://baton%40example.com:p%3Ass@mail.example.com?tls=required")
                .expect("starttls");
        assert_eq!(submission.port, 587);
        assert_eq!(submission.security, Security::Required);
        assert_eq!(
            submission.login,
            Some(("baton@example.com".into(), "p:ss".into()))
        );
        let wrapped = SmtpTarget::parse("smtps://mail.example.com").expect("smtps");
        assert_eq!((wrapped.port, wrapped.security), (465, Security::Wrapper));
        let v6 = SmtpTarget::parse("smtp://[::1]:25").expect("ipv6");
        assert_eq!(v6.host, "::1");
        assert_eq!(
            SmtpTarget::parse("smtp://h?tls=opportunistic")
                .expect("opportunistic")
                .security,
            Security::Opportunistic
        );
        for bad in [
            "http://mail.example.com",
            "smtp://h?tls=always",
            "smtp:///",
            "mail",
        ] {
            assert!(SmtpTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
