//! The digest email: everything due for one recipient, grouped by thread, the most pressing
//! first, as plain text and HTML (the `email/digest.*` templates), with a stable `Message-ID`.
//!
//! Owns: the digest's content and its order. Does not own: who gets what (the send step
//! checks access first), the layout every email shares or the envelope (`email`), or the
//! transport.

use askama::Template;
use baton_core::Id;
use baton_core::model::{Member, Post, Thread};
use jiff::Timestamp;
use lettre::Message;

use super::email::{Frame, Links, LocalTime, Written, email, stable_id};

/// Why a post is in a digest, most pressing first: a post there for two reasons shows once,
/// for the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// It asks the recipient to reply.
    Asked,
    /// It invited the recipient's meeting, which is over and waits for them to close it.
    ToClose,
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
            Self::ToClose => "invited a meeting that is over: close it with its notes",
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

    /// Where the item's thread is read.
    pub fn thread_url(&self, base_url: &str) -> String {
        format!("{base_url}/threads/{}", self.thread_id)
    }

    /// What puts this item before another: its kind (asks, then mentions, then replies),
    /// then for asks the earliest reply-by first (an ask without one after those with one),
    /// then the newest post first.
    fn pressure(
        &self,
    ) -> (
        ItemKind,
        bool,
        Option<Timestamp>,
        std::cmp::Reverse<Timestamp>,
    ) {
        (
            self.kind,
            self.reply_by.is_none(),
            self.reply_by,
            std::cmp::Reverse(self.posted_at),
        )
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

/// One thread of a digest as its templates show it.
struct ThreadView<'a> {
    title: &'a str,
    url: String,
    items: Vec<ItemView<'a>>,
}

/// One item of a digest as its templates show it, its reply-by in the reader's zone.
struct ItemView<'a> {
    author: &'a str,
    verb: &'static str,
    due: Option<LocalTime>,
    body: &'a str,
    html: &'a str,
}

/// The digest's plain-text part.
#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestText<'a> {
    frame: &'a Frame<'a>,
    summary: &'a str,
    threads: &'a [ThreadView<'a>],
}

/// The digest's HTML part: user text is escaped by askama; post bodies are Baton's
/// sanitized HTML, shown as they are.
#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    frame: &'a Frame<'a>,
    summary: &'a str,
    threads: &'a [ThreadView<'a>],
}

impl Digest {
    /// Items grouped by thread, the most pressing first: threads in the order of their most
    /// pressing item, and items in each thread likewise (asks by reply-by, earliest first,
    /// then mentions, then replies; newest first among equals).
    pub fn by_thread(&self) -> Vec<Vec<&DigestItem>> {
        let mut items: Vec<&DigestItem> = self.items.iter().collect();
        items.sort_by_key(|item| item.pressure());
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
            (
                count(ItemKind::ToClose),
                "meeting to close",
                "meetings to close",
            ),
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

    /// The threads as the templates show them, the most pressing first.
    fn threads(&self, base_url: &str) -> Vec<ThreadView<'_>> {
        self.by_thread()
            .into_iter()
            .map(|group| ThreadView {
                title: &group[0].thread_title,
                url: group[0].thread_url(base_url),
                items: group
                    .into_iter()
                    .map(|item| ItemView {
                        author: &item.author,
                        verb: item.kind.verb(),
                        due: item.reply_by.map(|at| LocalTime::of(&self.recipient, at)),
                        body: &item.body,
                        html: &item.html,
                    })
                    .collect(),
            })
            .collect()
    }

    /// The subject, `Message-ID` and both parts, rendered.
    ///
    /// # Errors
    /// When a template fails to render.
    pub fn written(&self, links: &Links<'_>) -> anyhow::Result<Written> {
        let summary = self.summary();
        let frame = Frame::new(
            &self.recipient,
            links,
            format!("{summary}."),
            "You get this digest at your delivery windows.",
        );
        let threads = self.threads(links.base_url);
        let (frame, summary, threads) = (&frame, summary.as_str(), threads.as_slice());
        Written::render(
            self.subject(),
            self.message_id(links.base_url),
            &DigestText {
                frame,
                summary,
                threads,
            },
            &DigestHtml {
                frame,
                summary,
                threads,
            },
        )
    }

    /// The email, dated `now`.
    ///
    /// # Errors
    /// When a template fails to render or the recipient's address is not a valid mailbox.
    pub fn message(&self, links: &Links<'_>, now: Timestamp) -> anyhow::Result<Message> {
        email(&self.recipient, links, self.written(links)?, now)
    }
}

#[cfg(test)]
mod tests {
    use baton_core::role::Role;
    use lettre::message::Mailbox;

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
    fn asks_come_first_by_reply_by_then_mentions_then_replies_newest_first() {
        let (a, b, c) = (Id::random(), Id::random(), Id::random());
        let with = |mut item: DigestItem, kind, due: Option<i64>| {
            item.kind = kind;
            item.reply_by = due.map(at);
            item
        };
        let d = digest(
            vec![
                with(item(a, "A", 50), ItemKind::Mentioned, None),
                with(item(b, "B", 10), ItemKind::Asked, Some(900)),
                with(item(c, "C", 20), ItemKind::Asked, Some(100)),
                with(item(a, "A", 30), ItemKind::Replied, None),
                with(item(b, "B", 40), ItemKind::Replied, None),
                with(item(c, "C", 60), ItemKind::Asked, None),
                with(item(a, "A", 70), ItemKind::Replied, None),
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
        // C's ask is due first, B's next; A holds only a mention and replies.
        assert_eq!(order, [vec![20, 60], vec![10, 40], vec![50, 70, 30]]);
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
        let Written { html, text, .. } = d.written(&links).unwrap();
        assert!(
            html.contains("&#60;b&#62;Plan&#60;/b&#62; &#38; &#34;more&#34;"),
            "{html}"
        );
        assert!(
            html.contains("reply by <strong>Fri 05:26</strong> your time (Asia/Tokyo)"),
            "{html}"
        );
        assert!(
            text.contains("reply by Fri 05:26 your time (Asia/Tokyo)"),
            "{text}"
        );
        assert!(
            text.ends_with("Unsubscribe from email:\nhttps://baton.example.com/unsubscribe/t\n"),
            "{text}"
        );
        assert!(
            html.contains("href=\"https://baton.example.com/unsubscribe/t\""),
            "{html}"
        );
    }
}
