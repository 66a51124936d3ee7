//! What every email Baton sends shares: the envelope (headers, a plain-text and an HTML
//! part), the frame the shared layout draws around each email's content (greeting, footer
//! links), the reader's local time, and the stable `Message-ID`.
//!
//! Owns: [`email`], [`Frame`], [`LocalTime`], [`stable_id`] and the URLs every email links
//! to. Does not own: what an email says (`digest`, `remind`, `handoff`, `urgent`, each with
//! its templates under `templates/email/`) or the transport (`mailer`).
//!
//! Both parts of every email are askama templates extending `email/layout.html` and
//! `email/layout.txt`: askama escapes the HTML part (the `.txt` part is not escaped), so no
//! email builds markup by hand.

use askama::Template;
use baton_core::Id;
use baton_core::model::Member;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use sha2::{Digest as _, Sha256};

/// Where an email's links point and who it is from.
pub struct Links<'a> {
    /// The web app's address, without a trailing slash.
    pub base_url: &'a str,
    /// The `From` address.
    pub from: &'a Mailbox,
    /// The recipient's one-click unsubscribe URL (`{base_url}/unsubscribe/{token}`).
    pub unsubscribe: &'a str,
}

/// What the shared layout shows around an email's content: the greeting, a preview line and
/// the footer (why the reader gets this, and the settings and unsubscribe links).
pub struct Frame<'a> {
    /// The reader's display name, for "Hi {name},".
    pub name: &'a str,
    /// The line mail clients show next to the subject in a list (hidden in the body).
    pub preview: String,
    /// The footer's first sentence: why the reader gets this email.
    pub why: &'static str,
    /// Where the reader changes their notification settings.
    pub settings: String,
    /// The reader's one-click unsubscribe link.
    pub unsubscribe: &'a str,
}

impl<'a> Frame<'a> {
    /// The frame of an email to `to`, previewed as `preview`, sent because `why`.
    pub fn new(to: &'a Member, links: &Links<'a>, preview: String, why: &'static str) -> Self {
        Self {
            name: &to.name,
            preview,
            why,
            settings: format!("{}/settings/notifications", links.base_url),
            unsubscribe: links.unsubscribe,
        }
    }
}

/// What one email says, and the id that makes a resend of it the same message.
pub struct Written {
    /// The subject line.
    pub subject: String,
    /// The `Message-ID` (see [`stable_id`]).
    pub message_id: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl Written {
    /// An email's subject and id with its two parts rendered from `text` and `html`.
    ///
    /// # Errors
    /// When a template fails to render (a formatting error of a value it shows).
    pub fn render(
        subject: String,
        message_id: String,
        text: &impl Template,
        html: &impl Template,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            subject,
            message_id,
            text: text.render()?,
            html: html.render()?,
        })
    }
}

/// An email from Baton to `to`, dated `now`: every email Baton sends (digest, reminder,
/// handoff, urgent) is built here, so each carries the RFC 8058 one-click unsubscribe headers
/// (mail clients offer an unsubscribe button that turns email off with one POST) and both a
/// plain-text and an HTML part.
///
/// # Errors
/// When the recipient's address is not a valid mailbox, or `now` is outside what the system
/// clock can represent.
pub fn email(
    to: &Member,
    links: &Links<'_>,
    written: Written,
    now: Timestamp,
) -> anyhow::Result<Message> {
    let mailbox: Mailbox = to.email.parse()?;
    let date = std::time::SystemTime::try_from(now)?;
    Ok(Message::builder()
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", links.unsubscribe),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .from(links.from.clone())
        .to(mailbox)
        .subject(written.subject)
        .message_id(Some(written.message_id))
        .date(date)
        .multipart(MultiPart::alternative_plain_html(
            written.text,
            written.html,
        ))?)
}

/// An instant as one member reads it: in their own zone, with the zone named, so "Mon 11:00"
/// is never mistaken for the sender's time or the server's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    /// The weekday and time, e.g. `Mon 11:00`.
    pub at: String,
    /// The zone it is in, e.g. `Europe/Berlin` (`UTC` when the member's is unknown).
    pub zone: String,
}

impl LocalTime {
    /// `at` in `member`'s zone: every email is read by one person, so its times are theirs.
    pub fn of(member: &Member, at: Timestamp) -> Self {
        let (tz, zone) = match baton_core::tzdb::zone(&member.timezone) {
            Ok(tz) => (tz, member.timezone.clone()),
            Err(_) => (TimeZone::UTC, "UTC".to_owned()),
        };
        Self {
            at: at.to_zoned_datetime(tz).strftime("%a %H:%M").to_string(),
            zone,
        }
    }
}

/// `{base_url}/unsubscribe/{token}`: the one-click unsubscribe link (RFC 8058) of `token`,
/// served by `web::unsubscribe`.
pub fn unsubscribe_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/unsubscribe/{token}")
}

/// A `Message-ID` `<{kind}.{hash}@{host}>` whose hash is of the sorted `ids`: the same set of
/// deliveries always gives the same id.
pub(super) fn stable_id(kind: &str, ids: &[Id], base_url: &str) -> String {
    let mut ids = ids.to_vec();
    ids.sort();
    let mut hash = Sha256::new();
    for id in &ids {
        hash.update(id.to_string().as_bytes());
    }
    let hex: String = hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("<{kind}.{hex}@{}>", host_of(base_url))
}

/// The host part of `base_url`, for the right-hand side of a `Message-ID`.
fn host_of(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() {
        "baton.invalid"
    } else {
        host
    }
}
