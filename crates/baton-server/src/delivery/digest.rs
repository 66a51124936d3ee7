//! The digest email: everything due for one recipient, grouped by thread, newest first, as
//! plain text and HTML, with a stable `Message-ID` and one-click unsubscribe headers.
//!
//! Owns: the digest's content and layout. Does not own: who gets what (the send step checks
//! access first) or the transport.

use std::fmt::Write as _;

use baton_core::Id;
use baton_core::model::{Member, Post, Thread};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use sha2::{Digest as _, Sha256};

/// Why a post is in a digest, most pressing first: a post there for two reasons shows once,
/// for the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// It asks the recipient to reply.
    Asked,
    /// It mentions the recipient.
    Mentioned,
    /// It is a reply in a thread the recipient follows, not read yet.
    Replied,
    /// It was posted where the recipient listens (a space's webhook, an urgent send).
    Posted,
}

impl ItemKind {
    /// The verb after the author's name: "Ada asked".
    fn verb(self) -> &'static str {
        match self {
            Self::Asked => "asked",
            Self::Mentioned => "mentioned you",
            Self::Replied => "replied",
            Self::Posted => "posted",
        }
    }
}

/// One post in a digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    /// Why it is there.
    pub kind: ItemKind,
    /// The post.
    pub post_id: Id,
    /// The thread it is in.
    pub thread_id: Id,
    /// That thread's title.
    pub thread_title: String,
    /// The author's display name.
    pub author: String,
    /// The post's Markdown, as it is now (an edit after the ask shows).
    pub body: String,
    /// The post's sanitized HTML.
    pub html: String,
    /// When it was posted.
    pub posted_at: Timestamp,
    /// When the recipient's answer is due, if the ask is still open.
    pub reply_by: Option<Timestamp>,
}

impl DigestItem {
    /// The item of `post` in `thread`, by `author`.
    pub fn of(
        thread: &Thread,
        post: &Post,
        author: String,
        kind: ItemKind,
        reply_by: Option<Timestamp>,
    ) -> Self {
        Self {
            kind,
            post_id: post.id,
            thread_id: thread.id,
            thread_title: thread.title.clone(),
            author,
            body: post.body.clone(),
            html: post.html.clone(),
            posted_at: post.created_at,
            reply_by,
        }
    }
}

/// A digest for one recipient, ready to render.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Who it is for.
    pub recipient: Member,
    /// What it holds, in any order.
    pub items: Vec<DigestItem>,
    /// The deliveries it settles.
    pub delivery_ids: Vec<Id>,
    /// The digest key its deliveries were given when first claimed: what its `Message-ID` is
    /// derived from.
    pub digest_id: Id,
}

/// Where the digest's links point and who it is from.
pub struct Links<'a> {
    /// The web app's address, without a trailing slash.
    pub base_url: &'a str,
    /// The `From` address.
    pub from: &'a Mailbox,
    /// The recipient's one-click unsubscribe URL (`{base_url}/unsubscribe/{token}`).
    pub unsubscribe: &'a str,
}

impl Digest {
    /// Items grouped by thread: threads ordered by their newest item, items newest first.
    pub fn by_thread(&self) -> Vec<Vec<&DigestItem>> {
        let mut items: Vec<&DigestItem> = self.items.iter().collect();
        items.sort_by_key(|item| std::cmp::Reverse(item.posted_at));
        let mut groups: Vec<Vec<&DigestItem>> = Vec::new();
        for item in items {
            match groups.iter_mut().find(|g| g[0].thread_id == item.thread_id) {
                Some(group) => group.push(item),
                None => groups.push(vec![item]),
            }
        }
        groups
    }

    /// The `Message-ID`: a hash of the digest key, so a retry of the same digest (or a second
    /// instance sending it, or a resend after a crash whose claim also took newer deliveries)
    /// carries the same id and receivers can drop the copy.
    pub fn message_id(&self, base_url: &str) -> String {
        stable_id("digest", &[self.digest_id], base_url)
    }

    /// "reply by" instant in the recipient's own zone, e.g. `Tue 11:00`.
    fn local(&self, at: Timestamp) -> String {
        local_time(&self.recipient, at)
    }

    fn subject(&self) -> String {
        let what = self.summary();
        match self.by_thread().as_slice() {
            [only] => format!("Baton: {what} in “{}”", only[0].thread_title),
            groups => format!("Baton: {what} in {} threads", groups.len()),
        }
    }

    /// What the digest holds, e.g. "1 ask and 3 new replies waiting for you".
    fn summary(&self) -> String {
        let count = |kind| self.items.iter().filter(|i| i.kind == kind).count();
        let parts: Vec<String> = [
            (count(ItemKind::Asked), "ask", "asks"),
            (count(ItemKind::Mentioned), "mention", "mentions"),
            (count(ItemKind::Replied), "new reply", "new replies"),
            (count(ItemKind::Posted), "post", "posts"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect();
        format!("{} waiting for you", parts.join(" and "))
    }

    /// The plain-text part.
    pub fn text(&self, links: &Links<'_>) -> String {
        let base_url = links.base_url;
        let mut out = format!("Hi {},\n\n", self.recipient.name);
        for group in self.by_thread() {
            let first = group[0];
            let _ = writeln!(
                out,
                "== {} ==\n{base_url}/threads/{}\n",
                first.thread_title, first.thread_id
            );
            for item in group {
                let _ = write!(out, "{} {}", item.author, item.kind.verb());
                if let Some(due) = item.reply_by {
                    let _ = write!(out, ", reply by {}", self.local(due));
                }
                out.push_str(":\n");
                for line in item.body.lines() {
                    let _ = writeln!(out, "  {line}");
                }
                out.push('\n');
            }
        }
        let _ = write!(
            out,
            "--\nYou get this digest at your delivery windows. Change them: {}\nUnsubscribe from email digests: {}\n",
            settings_url(base_url),
            links.unsubscribe
        );
        out
    }

    /// The HTML part. User text is escaped; post bodies are Baton's sanitized HTML.
    pub fn html(&self, links: &Links<'_>) -> String {
        let base_url = links.base_url;
        let mut out = format!(
            "<!doctype html>\n<html><body>\n<p>Hi {},</p>\n",
            escape(&self.recipient.name)
        );
        for group in self.by_thread() {
            let first = group[0];
            let _ = writeln!(
                out,
                "<h2><a href=\"{}/threads/{}\">{}</a></h2>",
                escape(base_url),
                first.thread_id,
                escape(&first.thread_title)
            );
            for item in group {
                let _ = write!(
                    out,
                    "<p><strong>{}</strong> {}",
                    escape(&item.author),
                    item.kind.verb()
                );
                if let Some(due) = item.reply_by {
                    let _ = write!(out, ", reply by <strong>{}</strong>", self.local(due));
                }
                let _ = writeln!(out, ":</p>\n<blockquote>{}</blockquote>", item.html);
            }
        }
        let _ = write!(
            out,
            "<hr><p>You get this digest at your delivery windows. <a href=\"{}\">Change them</a> or <a href=\"{}\">unsubscribe from email digests</a>.</p>\n</body></html>\n",
            escape(&settings_url(base_url)),
            escape(links.unsubscribe)
        );
        out
    }

    /// The email, dated `now`.
    ///
    /// # Errors
    /// When the recipient's address is not a valid mailbox.
    pub fn message(&self, links: &Links<'_>, now: Timestamp) -> anyhow::Result<Message> {
        email(
            &self.recipient,
            links,
            Written {
                subject: self.subject(),
                message_id: self.message_id(links.base_url),
                text: self.text(links),
                html: self.html(links),
            },
            now,
        )
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

/// `{base_url}/unsubscribe/{token}`: the one-click unsubscribe link (RFC 8058) of `token`,
/// served by `web::unsubscribe`.
pub fn unsubscribe_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/unsubscribe/{token}")
}

/// `at` as `member` reads it, in their own zone (UTC when it is unknown), e.g. `Tue 11:00`:
/// every email is read by one person, so its times are theirs.
pub(super) fn local_time(member: &Member, at: Timestamp) -> String {
    let tz = baton_core::tzdb::zone(&member.timezone).unwrap_or(TimeZone::UTC);
    at.to_zoned_datetime(tz).strftime("%a %H:%M").to_string()
}

/// Where a recipient changes their windows and channels (after signing in).
fn settings_url(base_url: &str) -> String {
    format!("{base_url}/settings/notifications")
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

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use baton_core::role::Role;

    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    fn item(thread: Id, title: &str, secs: i64) -> DigestItem {
        DigestItem {
            kind: ItemKind::Asked,
            post_id: Id::random(),
            thread_id: thread,
            thread_title: title.to_owned(),
            author: "Ada".to_owned(),
            body: format!("post at {secs}"),
            html: format!("<p>post at {secs}</p>"),
            posted_at: at(secs),
            reply_by: None,
        }
    }

    fn digest(items: Vec<DigestItem>, key: Id) -> Digest {
        let recipient = Member {
            id: Id::random(),
            workspace_id: Id::random(),
            email: "kim@example.com".to_owned(),
            name: "Kim".to_owned(),
            timezone: "Asia/Tokyo".to_owned(),
            role: Role::Member,
            active: true,
            created_at: at(0),
            seq: 1,
        };
        Digest {
            recipient,
            items,
            delivery_ids: Vec::new(),
            digest_id: key,
        }
    }

    #[test]
    fn the_message_id_depends_only_on_the_digest_key() {
        let (a, b) = (Id::random(), Id::random());
        let one = digest(Vec::new(), a).message_id("https://baton.example.com/x");
        let mut fewer = digest(vec![item(Id::random(), "T", 1)], a);
        fewer.delivery_ids = vec![Id::random()];
        let same = fewer.message_id("https://baton.example.com");
        let other = digest(Vec::new(), b).message_id("https://baton.example.com");
        assert_eq!(one, same);
        assert_ne!(one, other);
        assert!(one.starts_with("<digest.") && one.ends_with("@baton.example.com>"));
    }

    #[test]
    fn threads_and_their_posts_come_newest_first() {
        let (old, new) = (Id::random(), Id::random());
        let d = digest(
            vec![
                item(old, "Old", 10),
                item(new, "New", 20),
                item(old, "Old", 30),
                item(new, "New", 5),
            ],
            Id::random(),
        );
        let order: Vec<Vec<i64>> = d
            .by_thread()
            .iter()
            .map(|g| {
                g.iter()
                    .map(|i| i.posted_at.as_second() - 1_780_000_000)
                    .collect()
            })
            .collect();
        assert_eq!(order, [vec![30, 10], vec![20, 5]]);
    }

    #[test]
    fn reply_by_is_shown_in_the_recipients_zone_and_user_text_is_escaped() {
        let mut asked = item(Id::random(), "<b>Plan</b> & \"more\"", 0);
        // 2026-05-28T20:26:40Z is Friday 05:26 in Tokyo.
        asked.reply_by = Some(at(0));
        let d = digest(vec![asked], Id::random());
        let from: Mailbox = "Baton <baton@baton.example.com>".parse().unwrap();
        let links = Links {
            base_url: "https://baton.example.com",
            from: &from,
            unsubscribe: "https://baton.example.com/unsubscribe/t",
        };
        let html = d.html(&links);
        assert!(
            html.contains("&lt;b&gt;Plan&lt;/b&gt; &amp; &quot;more&quot;"),
            "{html}"
        );
        assert!(
            html.contains("reply by <strong>Fri 05:26</strong>"),
            "{html}"
        );
        let text = d.text(&links);
        assert!(text.contains("reply by Fri 05:26"), "{text}");
        assert!(
            text.contains(
                "Unsubscribe from email digests: https://baton.example.com/unsubscribe/t"
            ),
            "{text}"
        );
        assert!(
            html.contains("href=\"https://baton.example.com/unsubscribe/t\""),
            "{html}"
        );
    }
}
