//! Expansion: one outbox event into one delivery per recipient who wants to hear about it, due
//! at that recipient's next delivery window after the event (a handoff at the instant it
//! reaches its receiver instead).

use baton_core::delivery::outbox::{Channel, Event, EventKind, NewDelivery};
use baton_core::delivery::webhook::Webhook;
use baton_core::delivery::{NotificationPolicy, next_delivery};
use baton_core::model::Member;
use baton_core::{Id, delivery::EventKinds};
use jiff::Timestamp;

use crate::services::schedules::schedules_of;
use crate::state::AppState;

/// Expands up to `limit` events; returns how many.
#[tracing::instrument(name = "expand", skip_all, fields(events))]
pub(super) async fn expand_batch(state: &AppState, limit: u32) -> anyhow::Result<usize> {
    let events = state.store.unexpanded_events(limit).await?;
    tracing::Span::current().record("events", events.len());
    for event in &events {
        let deliveries = plan(state, event).await?;
        tracing::debug!(
            event.id = %event.id,
            event.kind = event.kind.as_str(),
            deliveries = deliveries.len(),
            "event {} expanded into {} deliveries",
            event.id,
            deliveries.len()
        );
        state
            .store
            .expand_event(event.workspace_id, event.id, deliveries, state.clock.now())
            .await?;
    }
    Ok(events.len())
}

/// Whether a policy lets events of `kind` notify at all.
fn wanted(events: &EventKinds, kind: EventKind) -> bool {
    match kind {
        EventKind::Ask => events.asks,
        // Only a space's webhooks hear of a plain post; it names no member.
        EventKind::Post => false,
        // A reminder is about handing work off.
        EventKind::BatonReminder => events.handoffs,
        // Addressed to them by name, and counted against the sender's budget.
        EventKind::Urgent => true,
        EventKind::Handoff => events.handoffs,
        EventKind::Reply => events.replies,
        EventKind::Mention => events.mentions,
        // The organizer's own unfinished work, like an ask to them.
        EventKind::MeetingCloseReminder => events.asks,
    }
}

/// The deliveries of one event: for each recipient who still exists, wants this kind of event
/// and takes email digests, one email delivery due at their next window after the event
/// (the default policy when they set none), at once for an end-of-day reminder, or when a
/// handoff reaches its receiver (the event's instant, see `EventKind::Handoff`); one
/// delivery per webhook of theirs, due at the same window (a webhook is a held channel like
/// email); and one per webhook of the event's space, due at once. A recipient without any
/// working time gets it at the event's instant rather than never.
/// A reply event's recipients are the thread's followers with something unread and no reply
/// delivery of the thread waiting already (see `FollowStore::reply_recipients`).
/// Access is not checked here but at send time, when it matters.
async fn plan(state: &AppState, event: &Event) -> anyhow::Result<Vec<NewDelivery>> {
    if event.kind == EventKind::Urgent {
        return super::urgent::plan(state, event).await;
    }
    let recipients = match (event.kind, event.thread_id) {
        (EventKind::Reply, Some(thread)) => {
            state
                .store
                .reply_recipients(event.workspace_id, thread, state.clock.now())
                .await?
        }
        _ => event.recipients.clone(),
    };
    let mut members: Vec<Member> = Vec::with_capacity(recipients.len());
    let mut policies = Vec::with_capacity(recipients.len());
    let mut hooks = Vec::with_capacity(recipients.len());
    for id in &recipients {
        let Ok(member) = state.store.member(event.workspace_id, *id).await else {
            continue;
        };
        let policy = state
            .store
            .policy(event.workspace_id, member.id)
            .await?
            .unwrap_or_default();
        if !member.active || !wanted(&policy.events, event.kind) {
            continue;
        }
        let theirs = super::webhook::member_hooks(state, event, member.id).await?;
        if policy.email_digest || !theirs.is_empty() {
            members.push(member);
            policies.push(policy);
            hooks.push(theirs);
        }
    }
    let schedules = schedules_of(state, &members)
        .await
        .map_err(|e| anyhow::anyhow!("reading schedules: {e:?}"))?;
    let mut deliveries = super::webhook::space_deliveries(state, event).await?;
    for (((member, schedule), policy), hooks) in
        members.iter().zip(&schedules).zip(&policies).zip(hooks)
    {
        let policy: &NotificationPolicy = policy;
        let due_at = match event.kind {
            // Recorded when due (see `remind`): it goes out now, not at a window.
            EventKind::BatonReminder | EventKind::Urgent | EventKind::Post => event.created_at,
            // Dated when it reaches the receiver (now if they were working, else their next
            // working start): work arriving at the start of their day, not news for a window.
            EventKind::Handoff => event.created_at,
            EventKind::Ask
            | EventKind::Reply
            | EventKind::Mention
            | EventKind::MeetingCloseReminder => {
                next_delivery(schedule, policy, event.created_at).unwrap_or(event.created_at)
            }
        };
        deliveries.extend(channels(member.id, policy.email_digest, &hooks, due_at));
    }
    Ok(deliveries)
}

/// The deliveries to `to` due at `due_at`: an email when `email`, and one per webhook of
/// theirs in `hooks`.
pub(super) fn channels(
    to: Id,
    email: bool,
    hooks: &[Webhook],
    due_at: Timestamp,
) -> impl Iterator<Item = NewDelivery> + '_ {
    let email = email.then_some(None);
    let webhooks = hooks.iter().map(|w| Some(w.id));
    email
        .into_iter()
        .chain(webhooks)
        .map(move |webhook_id| NewDelivery {
            id: Id::random(),
            recipient_id: to,
            channel: if webhook_id.is_some() {
                Channel::Webhook
            } else {
                Channel::Email
            },
            webhook_id,
            due_at,
        })
}
