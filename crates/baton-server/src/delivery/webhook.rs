//! The webhook channel of the delivery worker: which webhook deliveries an event makes, and
//! how a claimed one is checked, sent and settled.
//!
//! Owns: planning ([`member_hooks`], [`space_deliveries`]) and one send ([`deliver`]): a slot
//! to the host taken within the lease, access re-checked at send time, the JSON body as the
//! post is now, the signature, and the outcome (sent, dropped, or retried with the engine's
//! backoff and parked after its attempt limit). Does not own: the loop that claims and the
//! slots ([`super::webhook_loop`]), the HTTP exchange and the SSRF check
//! ([`super::webhook_client`]) or when a member's delivery is due (expansion gives a member
//! webhook the same window as their email).
//!
//! A member webhook carries that member's notifications, so it is checked as that member:
//! deactivated, or no longer able to see the thread → dropped. A space webhook carries the
//! space's events on behalf of the member who registered it, and is checked as them, so a
//! webhook registered by someone who since lost access to a private space stops leaking it.

use baton_core::Id;
use baton_core::delivery::outbox::{
    Channel, ClaimedDelivery, Event, NewDelivery, Retry, Settled, retry_after,
};
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope};
use baton_core::delivery::webhook_target::WebhookUrl;
use baton_store::StoreError;
use jiff::Timestamp;
use serde_json::json;

use super::digest::DigestItem;
use super::reads::ClaimReads;
use super::webhook_client::{WebhookHeaders, signature};
use super::webhook_loop::{START_WITHIN, Slots};
use super::{TickReport, Worker};
use crate::state::AppState;

/// The live webhooks of `member` that `event` goes to: only events about a post in a thread
/// reach webhooks; an end-of-day reminder stays an email.
pub(super) async fn member_hooks(
    state: &AppState,
    event: &Event,
    member: Id,
) -> anyhow::Result<Vec<Webhook>> {
    if event.post_id.is_none() {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .webhooks(event.workspace_id, WebhookScope::Member(member))
        .await?)
}

/// One delivery of `event` per live webhook of its thread's space, for the member who
/// registered it, due at once: a space webhook feeds a system, not a person with windows.
pub(super) async fn space_deliveries(
    state: &AppState,
    event: &Event,
) -> anyhow::Result<Vec<NewDelivery>> {
    let Some(thread) = event.thread_id else {
        return Ok(Vec::new());
    };
    let ws = event.workspace_id;
    let space = match state.store.thread(ws, thread).await {
        Ok(thread) => thread.space_id,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let hooks = state.store.webhooks(ws, WebhookScope::Space(space)).await?;
    Ok(hooks
        .iter()
        .map(|w| NewDelivery {
            id: Id::random(),
            recipient_id: w.created_by,
            channel: Channel::Webhook,
            webhook_id: Some(w.id),
            due_at: event.created_at,
        })
        .collect())
}

/// Checks, sends and settles one webhook delivery claimed at `claimed_at`: waits for a slot to
/// its host, then sends it if its lease still outlasts the send ([`START_WITHIN`]); a delivery
/// that waited longer is released as a failed attempt, never sent late.
#[tracing::instrument(
    name = "webhook delivery",
    skip_all,
    fields(delivery.id = %d.id, event.id = %d.event_id, workspace.id = %d.workspace_id, webhook.id)
)]
pub(super) async fn deliver(
    state: &AppState,
    worker: &Worker,
    slots: &Slots,
    claimed_at: Timestamp,
    d: &ClaimedDelivery,
) -> anyhow::Result<TickReport> {
    let (ws, owner) = (d.workspace_id, worker.owner.as_str());
    let settle = |how: Settled| async move {
        state
            .store
            .mark_sent(ws, owner, &[d.id], how, state.clock.now())
            .await
            .map(|_| match how {
                Settled::Sent => TickReport {
                    sent: 1,
                    ..TickReport::default()
                },
                Settled::Dropped => TickReport {
                    dropped: 1,
                    ..TickReport::default()
                },
            })
    };
    let Some(target) = state.store.delivery_webhook(ws, d.id).await? else {
        return Ok(settle(Settled::Dropped).await?);
    };
    let webhook = target.webhook.id;
    tracing::Span::current().record("webhook.id", tracing::field::display(webhook));
    // A stored URL passed these rules at registration; should one not parse now, the send
    // refuses it, and it still waits in a slot of its own.
    let host = WebhookUrl::parse(&target.webhook.url)
        .map_or_else(|_| target.webhook.url.clone(), |u| u.host_text());
    let start_by = claimed_at.checked_add(START_WITHIN)?;
    let wait = std::time::Duration::try_from(start_by.duration_since(state.clock.now()))
        .unwrap_or_default();
    let slot = match tokio::time::timeout(wait, slots.take(&host)).await {
        Ok(slot) => Some(slot?),
        Err(_) => None,
    };
    if slot.is_none() || state.clock.now() > start_by {
        let error =
            format!("not sent: the sends to {host} ahead of it took until its lease ran short");
        return fail(state, owner, d, webhook, error).await;
    }
    let Some(body) = body(state, worker, d, &target).await? else {
        return Ok(settle(Settled::Dropped).await?);
    };
    // Signed as it leaves, not as it was claimed: a receiver checks the age of a request.
    let timestamp = state.clock.now().as_second();
    let headers = WebhookHeaders {
        idempotency_key: d.id.to_string(),
        timestamp,
        signature: signature(target.secret.expose(), timestamp, &body),
        event: d.kind.as_str(),
    };
    let error = match state
        .webhooks
        .post(&target.webhook.url, &headers, body)
        .await
    {
        Ok(status) if (200..300).contains(&status) => {
            tracing::debug!(delivery.id = %d.id, webhook.id = %webhook, status, "webhook {webhook} answered {status}");
            return Ok(settle(Settled::Sent).await?);
        }
        Ok(status) => format!("the receiver answered HTTP {status}"),
        Err(e) => format!("{e:#}"),
    };
    fail(state, owner, d, webhook, error).await
}

/// Records a failed attempt at `d`: retried with the engine's backoff, parked after its
/// attempt limit.
async fn fail(
    state: &AppState,
    owner: &str,
    d: &ClaimedDelivery,
    webhook: Id,
    error: String,
) -> anyhow::Result<TickReport> {
    let retry = retry_after(d.attempts, state.clock.now());
    tracing::warn!(delivery.id = %d.id, webhook.id = %webhook, ?retry, %error, "webhook {webhook} failed");
    state
        .store
        .mark_failed(d.workspace_id, owner, &[d.id], &error, retry)
        .await?;
    if retry == Retry::Park {
        tracing::error!(delivery.id = %d.id, webhook.id = %webhook, "webhook delivery {} parked", d.id);
    }
    Ok(TickReport {
        failed: 1,
        ..TickReport::default()
    })
}

/// The JSON body of `d` as it is now, or `None` when it must not be sent: the member it is
/// checked as (see the module header) is gone, deactivated, or may no longer see the thread,
/// or the post is gone. An edited post is sent as edited.
async fn body(
    state: &AppState,
    worker: &Worker,
    d: &ClaimedDelivery,
    target: &SignedWebhook,
) -> anyhow::Result<Option<Vec<u8>>> {
    let (ws, now) = (d.workspace_id, state.clock.now());
    let member = match state.store.member(ws, d.recipient_id).await {
        Ok(member) if member.active => member,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    // A reply delivery carries the newest post its member has not read.
    let Some(item) = ClaimReads::default()
        .items(state, &member, d)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let asks = state.store.asks_for_post(ws, item.post_id).await?;
    let open: Vec<_> = asks
        .iter()
        .filter(|a| a.answered_at.is_none())
        .map(|a| json!({"member_id": a.to_id, "due_at": a.due_at.to_string()}))
        .collect();
    let base = &worker.base_url;
    let scope = match target.webhook.scope {
        WebhookScope::Member(id) => json!({"type": "member", "member_id": id}),
        WebhookScope::Space(id) => json!({"type": "space", "space_id": id}),
    };
    let DigestItem {
        kind: _,
        post_id,
        thread_id,
        thread_title,
        author,
        body,
        html,
        posted_at,
        reply_by,
    } = item;
    let recipient = matches!(target.webhook.scope, WebhookScope::Member(_)).then(|| {
        json!({
            "id": member.id,
            "name": member.name,
            "timezone": member.timezone,
            "reply_by": reply_by.map(|t| t.to_string()),
        })
    });
    let value = json!({
        "id": d.id,
        "event": {"id": d.event_id, "kind": d.kind.as_str()},
        "webhook": {"id": target.webhook.id, "scope": scope},
        "recipient": recipient,
        "thread": {
            "id": thread_id,
            "title": thread_title,
            "url": format!("{base}/threads/{thread_id}"),
        },
        "post": {
            "id": post_id,
            "author": author,
            "text": body,
            "html": html,
            "created_at": posted_at.to_string(),
            "url": format!("{base}/threads/{thread_id}#post-{post_id}"),
        },
        "asks": open,
        "due_at": d.due_at.to_string(),
        "sent_at": now.to_string(),
    });
    Ok(Some(serde_json::to_vec(&value)?))
}
