//! Urgent events: their deliveries, along the routes the audit entry recorded when the post
//! was written, outside delivery windows; and the email each one is sent as, on its own.
//!
//! Owns: turning an urgent post's [`UrgentLeg`]s into deliveries: the recipient's at
//! `recipient_at` (now when they were working, else the start of their next working period),
//! and the covering colleague's at the event's instant; and [`message`], which tells a cover
//! whom it is for. Does not own: the routes (planned by
//! `services::urgent` with `baton_core::delivery::plan_urgent`, recorded by the store) or
//! access at send time (`send`).
//!
//! The routes are read from the audit entry, not planned again here: what admins review is
//! then exactly what was delivered, and a worker that expands late does not re-route.

use baton_core::Id;
use baton_core::delivery::UrgentLeg;
use baton_core::delivery::outbox::{ClaimedDelivery, Event, NewDelivery};
use jiff::Timestamp;
use lettre::Message;

use super::digest::{Digest, Links, Written, email, escape, stable_id};
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

/// The email of one urgent delivery: "Urgent: {thread}" to a recipient, or "Urgent for
/// {name}: {thread}" to a colleague covering for someone who is not working, saying when
/// they will see it. Its `Message-ID` is derived from the delivery, so a retry carries the
/// same one.
///
/// # Errors
/// When the store fails or the recipient's address is not a valid mailbox.
pub(super) async fn message(
    state: &AppState,
    digest: &Digest,
    d: &ClaimedDelivery,
    links: &Links<'_>,
    now: Timestamp,
) -> anyhow::Result<Message> {
    let item = digest
        .items
        .first()
        .ok_or_else(|| anyhow::anyhow!("an urgent email needs its post"))?;
    let me = &digest.recipient;
    let mut covering = Vec::new();
    if let Some(post) = d.post_id
        && let Some(entry) = state.store.audit_of_post(d.workspace_id, post).await?
    {
        for leg in entry.legs.iter().filter(|l| l.covered_by == Some(me.id)) {
            if let Ok(them) = state.store.member(d.workspace_id, leg.recipient_id).await {
                let when = leg.recipient_at.to_zoned_datetime(zone(&them.timezone));
                covering.push((them.name, when.strftime("%a %H:%M").to_string()));
            }
        }
    }
    let names: Vec<&str> = covering.iter().map(|(n, _)| n.as_str()).collect();
    let subject = if names.is_empty() {
        format!("Urgent: {}", item.thread_title)
    } else {
        format!("Urgent for {}: {}", names.join(", "), item.thread_title)
    };
    let link = format!("{}/threads/{}", links.base_url, item.thread_id);
    let mut why = format!("{} marked this urgent.", item.author);
    for (name, when) in &covering {
        why.push_str(&format!(
            " It is for {name}, who is not working now and will see it at {when} their time; \
             you are told because you are."
        ));
    }
    let text = format!(
        "{why}\n\n{}\n\n{}\n\nOpen the thread: {link}\n",
        item.thread_title, item.body
    );
    let html = format!(
        "<!doctype html><html><body><p><strong>{}</strong></p><h2><a href=\"{}\">{}</a></h2>\n{}\n</body></html>\n",
        escape(&why),
        escape(&link),
        escape(&item.thread_title),
        item.html
    );
    let written = Written {
        subject,
        message_id: stable_id("urgent", &digest.delivery_ids, links.base_url),
        text,
        html,
    };
    email(me, links, written, now)
}

/// A member's zone, UTC when it cannot be read (it was validated when stored).
fn zone(name: &str) -> jiff::tz::TimeZone {
    baton_core::tzdb::zone(name).unwrap_or(jiff::tz::TimeZone::UTC)
}
