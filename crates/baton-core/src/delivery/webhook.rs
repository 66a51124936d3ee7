//! Outgoing webhooks as records: whose they are, where they point, and the secret that signs
//! what is sent to them.
//!
//! Owns: [`Webhook`] and its [`WebhookScope`] (a member's own notifications, or everything of
//! a space), the signing [`WebhookSecret`] and the per-owner limit [`MAX_WEBHOOKS`].
//! Does not own: which URLs are acceptable (see [`super::webhook_target`]), storage, or
//! sending and signing (the server does both at send time).

use jiff::Timestamp;

use crate::Id;
use crate::token::hex;

/// Most live webhooks one member, or one space, may have: each one multiplies the sends of
/// every notification, so a handful is plenty for a chat bridge, an automation and a spare.
pub const MAX_WEBHOOKS: u32 = 5;

/// The prefix of every signing secret, so a leaked one is easy to recognize and scan for.
pub const SECRET_PREFIX: &str = "whsec_";

/// What a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookScope {
    /// The notifications of this member, at their delivery windows (held like email).
    Member(Id),
    /// Every notifying event of this space, as it is expanded.
    Space(Id),
}

/// A registered webhook, without its secret (which is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Its workspace.
    pub workspace_id: Id,
    /// Public id.
    pub id: Id,
    /// What it receives.
    pub scope: WebhookScope,
    /// Where it is sent: a URL that passed [`super::webhook_target::WebhookUrl::parse`].
    pub url: String,
    /// Who registered it. A space webhook sends only what this member may still see.
    pub created_by: Id,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// The secret a webhook's requests are signed with (HMAC-SHA256). Baton generates it and
/// keeps it to sign; it is shown to the registering member once. `Debug` does not print it,
/// so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// The secret made of 32 random bytes: [`SECRET_PREFIX`] and 64 hex digits.
    pub fn from_random(bytes: &[u8; 32]) -> Self {
        Self(format!("{SECRET_PREFIX}{}", hex(bytes)))
    }

    /// A secret as stored.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The secret's text, for signing, storing, and the one response that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// A webhook with its secret: what registering stores, and what sending needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The webhook.
    pub webhook: Webhook,
    /// Its signing secret.
    pub secret: WebhookSecret,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_hex_and_never_debug_printed() {
        let secret = WebhookSecret::from_random(&[0xab; 32]);
        assert!(secret.expose().starts_with(SECRET_PREFIX));
        assert_eq!(secret.expose().len(), SECRET_PREFIX.len() + 64);
        assert!(!format!("{secret:?}").contains("abab"));
    }
}
