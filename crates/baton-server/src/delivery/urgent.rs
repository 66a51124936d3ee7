//! Urgent events: their deliveries, along the routes the audit entry recorded when the post
//! was written, outside delivery windows; and the email each one is sent as, on its own.
//!
//! Owns: turning an urgent post's [`UrgentLeg`]s into deliveries: the recipient's at
//! `recipient_at` (now when they were working, else the start of their next working period),
//! and the covering colleague's at the event's instant; and the email ([`UrgentEmail`]), which
//! tells a cover whom it is for. Does not own: the routes (planned by
//! `services::urgent` with `baton_core::delivery::plan_urgent`, recorded by the store) or
//! access at send time (`send`).
//!
//! The routes are read from the audit entry, not planned again here: what admins review is
//! then exactly what was delivered, and a worker that expands late does not re-route.

use askama::Template;
use baton_core::Id;
use baton_core::delivery::UrgentLeg;
use baton_core::delivery::outbox::{ClaimedDelivery, Event, NewDelivery};
use baton_core::model::Member;
use jiff::Timestamp;
use lettre::Message;

use super::digest::{Digest, DigestItem};
use super::email::{Frame, Links, LocalTime, Written, email, stable_id};
use super::expand::channels;

use crate::state::AppState;

/// The deliveries of an urgent event (none when its post has no audit entry): along each
/// recorded route, an email and one delivery per webhook of the person, and one per webhook
/// of the thread's space at once, as for any event. Recipients and covers who were
/// deactivated since get nothing; email only when they take it.
pub(super) async fn plan(state: &AppState, event: &Event) -> anyhow::Result<Vec<NewDelivery>> {
    let Some(post) = event.post_id else {
        return Ok(Vec::new());
    };
    let ws = event.workspace_id;
    let Some(entry) = state.store.audit_of_post(ws, post).await? else {
        return Ok(Vec::new());
    };
    let mut deliveries = super::webhook::space_deliveries(state, event).await?;
    for leg in &entry.legs {
        for (to, due_at) in targets(leg, event.created_at) {
            let Ok(member) = state.store.member(ws, to).await else {
                continue;
            };
            if !member.active {
                continue;
            }
            let policy = state.store.policy(ws, to).await?.unwrap_or_default();
            let hooks = super::webhook::member_hooks(state, event, to).await?;
            deliveries.extend(channels(to, policy.email_digest, &hooks, due_at));
        }
    }
    Ok(deliveries)
}

/// Who hears of one leg and when: the recipient at `recipient_at`, their cover (if any) at
/// the event's instant.
fn targets(leg: &UrgentLeg, at: Timestamp) -> impl Iterator<Item = (Id, Timestamp)> {
    std::iter::once((leg.recipient_id, leg.recipient_at.max(at)))
        .chain(leg.covered_by.map(|cover| (cover, at)))
}

/// Someone an urgent post is for who is not working now, as a covering colleague is told.
#[derive(Debug, Clone)]
pub struct Covered {
    /// Their display name.
    pub name: String,
    /// When they will see it, in their own zone (not the reader's: it says when *they* work).
    pub sees_at: LocalTime,
}

/// The email of one urgent delivery: "Urgent: {thread}" to a recipient, or "Urgent for
/// {name}: {thread}" to a colleague covering for someone who is not working, saying when
/// they will see it. Its `Message-ID` is derived from the delivery, so a retry carries the
/// same one.
#[derive(Debug, Clone)]
pub struct UrgentEmail {
    /// Who it is sent to.
    pub recipient: Member,
    /// The urgent post.
    pub item: DigestItem,
    /// Whom the reader covers for with this post (empty when it is their own).
    pub covering: Vec<Covered>,
    /// The delivery it settles: what its `Message-ID` is derived from.
    pub delivery_ids: Vec<Id>,
}

impl UrgentEmail {
    /// The email of `d`, checked into `digest`: whom the reader covers for is read from the
    /// post's audit entry.
    ///
    /// # Errors
    /// When the store fails or the digest holds no post.
    pub(super) async fn build(
        state: &AppState,
        digest: Digest,
        d: &ClaimedDelivery,
    ) -> anyhow::Result<Self> {
        let Digest {
            recipient,
            items,
            delivery_ids,
            ..
        } = digest;
        let item = items
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("an urgent email needs its post"))?;
        let mut covering = Vec::new();
        if let Some(post) = d.post_id
            && let Some(entry) = state.store.audit_of_post(d.workspace_id, post).await?
        {
            for leg in entry
                .legs
                .iter()
                .filter(|l| l.covered_by == Some(recipient.id))
            {
                if let Ok(them) = state.store.member(d.workspace_id, leg.recipient_id).await {
                    covering.push(Covered {
                        sees_at: LocalTime::of(&them, leg.recipient_at),
                        name: them.name,
                    });
                }
            }
        }
        Ok(Self {
            recipient,
            item,
            covering,
            delivery_ids,
        })
    }

    fn subject(&self) -> String {
        let names: Vec<&str> = self.covering.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            format!("Urgent: {}", self.item.thread_title)
        } else {
            format!(
                "Urgent for {}: {}",
                names.join(", "),
                self.item.thread_title
            )
        }
    }

    /// The subject, `Message-ID` and both parts, rendered.
    ///
    /// # Errors
    /// When a template fails to render.
    pub fn written(&self, links: &Links<'_>) -> anyhow::Result<Written> {
        let item = &self.item;
        let frame = Frame::new(
            &self.recipient,
            links,
            format!("{} marked “{}” urgent.", item.author, item.thread_title),
            "Urgent posts reach you outside your delivery windows.",
        );
        let (frame, view) = (
            &frame,
            &UrgentView {
                author: &item.author,
                covering: &self.covering,
                title: &item.thread_title,
                url: item.thread_url(links.base_url),
                body: &item.body,
                html: &item.html,
            },
        );
        Written::render(
            self.subject(),
            stable_id("urgent", &self.delivery_ids, links.base_url),
            &UrgentText { frame, view },
            &UrgentHtml { frame, view },
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

/// What the urgent email's templates show.
struct UrgentView<'a> {
    author: &'a str,
    covering: &'a [Covered],
    title: &'a str,
    url: String,
    body: &'a str,
    html: &'a str,
}

/// The urgent email's plain-text part.
#[derive(Template)]
#[template(path = "email/urgent.txt")]
struct UrgentText<'a> {
    frame: &'a Frame<'a>,
    view: &'a UrgentView<'a>,
}

/// The urgent email's HTML part; the post is Baton's sanitized HTML, the rest is escaped.
#[derive(Template)]
#[template(path = "email/urgent.html")]
struct UrgentHtml<'a> {
    frame: &'a Frame<'a>,
    view: &'a UrgentView<'a>,
}
