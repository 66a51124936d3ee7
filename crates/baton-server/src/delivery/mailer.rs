//! Where digests go: the [`Mailer`] seam and its SMTP implementation.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

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

/// A mailer talking SMTP, with a small connection pool.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// A mailer for `url`: `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS),
    /// `smtps://host:port` (TLS from the start), each with optional `user:password@`.
    ///
    /// # Errors
    /// When the URL is not one of those.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .with_context(|| format!("invalid --smtp-url '{}'", baton_store::redact(url)))?
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(super::SEND_CONCURRENCY as u32))
            .build();
        Ok(Self { transport })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> anyhow::Result<()> {
        self.transport
            .send(message)
            .await
            .context("sending a digest over SMTP")?;
        Ok(())
    }
}
