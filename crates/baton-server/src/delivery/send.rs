//! Sending: claim due deliveries, check each against what the recipient may see now, send one
//! digest per recipient, and settle every claimed delivery (sent, dropped or failed).

use std::collections::BTreeMap;

use baton_core::Id;
use baton_core::delivery::outbox::{ClaimedDelivery, EventKind, Retry, Settled, retry_after};
use baton_core::model::Member;
use baton_store::StoreError;
use futures_util::{StreamExt as _, stream};
use jiff::Timestamp;

use super::digest::Digest;
use super::email::{Links, unsubscribe_url};
use super::handoff::HandoffEmail;
use super::reads::ClaimReads;
use super::remind::Reminder;
use super::urgent::UrgentEmail;
use super::{CLAIM_BATCH, LEASE, Mailer, SEND_CONCURRENCY, TickReport, Worker};
use crate::state::AppState;

/// Claims up to a batch of recipients' due deliveries and sends their digests, several at a
/// time: one SMTP conversation mostly waits on the network, and the settling writes of
/// concurrent digests share SQLite commits.
#[tracing::instrument(name = "claim", skip_all, fields(claimed, recipients))]
pub(super) async fn send_due(
    state: &AppState,
    worker: &Worker,
    mailer: &dyn Mailer,
    report: &mut TickReport,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let claimed = state
        .store
        .claim_due(&worker.owner, now, LEASE, CLAIM_BATCH)
        .await?;
    let reads = ClaimReads::default();
    let span = tracing::Span::current();
    span.record("claimed", claimed.len());
    let mut by_recipient: BTreeMap<(Id, Id), Vec<ClaimedDelivery>> = BTreeMap::new();
    for d in claimed {
        tracing::debug!(
            delivery.id = %d.id,
            event.id = %d.event_id,
            digest.id = %d.digest_id,
            recipient.id = %d.recipient_id,
            "claimed delivery {} of event {} for digest {}",
            d.id,
            d.event_id,
            d.digest_id
        );
        by_recipient
            .entry((d.workspace_id, d.recipient_id))
            .or_default()
            .push(d);
    }
    span.record("recipients", by_recipient.len());
    let outcomes: Vec<anyhow::Result<TickReport>> = stream::iter(by_recipient)
        .map(|((ws, recipient), deliveries)| {
            let one = Recipient {
                state,
                worker,
                reads: &reads,
                ws,
                recipient,
                now,
            };
            async move { one.deliver(mailer, &deliveries).await }
        })
        .buffer_unordered(SEND_CONCURRENCY)
        .collect()
        .await;
    for outcome in outcomes {
        report.absorb(outcome?);
    }
    Ok(())
}

/// The kinds of email a recipient's claimed deliveries are grouped into: each goes out on its
/// own, so a digest never carries a reminder or a handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Email {
    /// Asks, mentions and replies, sent as one digest.
    Digest,
    /// An end-of-day reminder ([`Reminder`]).
    Reminder,
    /// Batons passed to the recipient ([`HandoffEmail`]).
    Handoff,
}

/// One recipient's share of a claim.
struct Recipient<'a> {
    state: &'a AppState,
    worker: &'a Worker,
    reads: &'a ClaimReads,
    ws: Id,
    recipient: Id,
    now: Timestamp,
}

impl Recipient<'_> {
    /// Checks, sends and settles one recipient's claimed deliveries: one email per digest
    /// key, so deliveries first claimed together always go out together, under the same
    /// `Message-ID`, and never with others (a claim can hold a dead worker's expired leases
    /// next to newer deliveries). Asks make a digest; an end-of-day reminder and a handoff are
    /// each an email of their own (they come at the end or the start of a day, not at a
    /// delivery window, so they rarely meet a digest anyway).
    async fn deliver(
        &self,
        mailer: &dyn Mailer,
        deliveries: &[ClaimedDelivery],
    ) -> anyhow::Result<TickReport> {
        let mut emails: BTreeMap<(Email, Id), Vec<ClaimedDelivery>> = BTreeMap::new();
        let mut urgent = Vec::new();
        // The email claim takes email deliveries only; webhooks have a loop of their own.
        for d in deliveries {
            if d.kind == EventKind::Urgent {
                urgent.push(d);
                continue;
            }
            let email = match d.kind {
                EventKind::BatonReminder => Email::Reminder,
                EventKind::Handoff => Email::Handoff,
                // Urgent deliveries were taken aside above.
                EventKind::Ask
                | EventKind::Reply
                | EventKind::Mention
                | EventKind::MeetingCloseReminder
                | EventKind::Post
                | EventKind::Urgent => Email::Digest,
            };
            emails
                .entry((email, d.digest_id))
                .or_default()
                .push(d.clone());
        }
        let mut report = TickReport::default();
        for d in urgent {
            report.absorb(self.deliver_urgent(mailer, d).await?);
        }
        for ((email, digest_id), group) in emails {
            report.absorb(match email {
                Email::Digest => self.deliver_digest(mailer, digest_id, &group).await?,
                Email::Reminder => self.deliver_reminder(mailer, digest_id, &group).await?,
                Email::Handoff => self.deliver_handoff(mailer, digest_id, &group).await?,
            });
        }
        Ok(report)
    }

    /// Settles `ids` as dropped; returns the report of that.
    async fn drop_all(&self, ids: &[Id]) -> anyhow::Result<TickReport> {
        if !ids.is_empty() {
            self.state
                .store
                .mark_sent(self.ws, &self.worker.owner, ids, Settled::Dropped, self.now)
                .await?;
        }
        Ok(TickReport {
            dropped: ids.len(),
            ..TickReport::default()
        })
    }

    /// Sends the asks of one digest key as one digest.
    #[tracing::instrument(
        name = "send digest",
        skip_all,
        fields(digest.id = %digest_id, recipient.id = %self.recipient, deliveries = deliveries.len())
    )]
    async fn deliver_digest(
        &self,
        mailer: &dyn Mailer,
        digest_id: Id,
        deliveries: &[ClaimedDelivery],
    ) -> anyhow::Result<TickReport> {
        let (digest, dropped) = check(
            self.state,
            self.reads,
            self.ws,
            self.recipient,
            digest_id,
            deliveries,
        )
        .await?;
        let mut report = self.drop_all(&dropped).await?;
        let Some(digest) = digest else {
            return Ok(report);
        };
        let unsubscribe = self.unsubscribe_url(&digest.recipient).await?;
        let message = digest.message(&self.links(&unsubscribe), self.now);
        report.absorb(
            self.send(mailer, message, &digest.delivery_ids, deliveries)
                .await?,
        );
        Ok(report)
    }

    /// Sends one urgent delivery as an email of its own ([`UrgentEmail`]): it is due
    /// now and must not wait for, or be buried in, a digest.
    #[tracing::instrument(
        name = "send urgent",
        skip_all,
        fields(delivery.id = %d.id, event.id = %d.event_id, recipient.id = %self.recipient)
    )]
    async fn deliver_urgent(
        &self,
        mailer: &dyn Mailer,
        d: &ClaimedDelivery,
    ) -> anyhow::Result<TickReport> {
        let one = std::slice::from_ref(d);
        let (digest, dropped) = check(
            self.state,
            self.reads,
            self.ws,
            self.recipient,
            d.digest_id,
            one,
        )
        .await?;
        let mut report = self.drop_all(&dropped).await?;
        let Some(digest) = digest else {
            return Ok(report);
        };
        let unsubscribe = self.unsubscribe_url(&digest.recipient).await?;
        let links = self.links(&unsubscribe);
        let ids = digest.delivery_ids.clone();
        // A failure to read whom the reader covers for fails the send, which is retried.
        let message = match UrgentEmail::build(self.state, digest, d).await {
            Ok(email) => email.message(&links, self.now),
            Err(e) => Err(e),
        };
        report.absorb(self.send(mailer, message, &ids, one).await?);
        Ok(report)
    }

    /// The recipient, when they still take baton emails (reminders and handoffs): active, with
    /// email and handoff notices on.
    async fn baton_email_recipient(&self) -> anyhow::Result<Option<Member>> {
        let member = match self.state.store.member(self.ws, self.recipient).await {
            Ok(member) => member,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let policy = self
            .state
            .store
            .policy(self.ws, self.recipient)
            .await?
            .unwrap_or_default();
        Ok((member.active && policy.email_digest && policy.events.handoffs).then_some(member))
    }

    /// Sends one recipient's end-of-day reminder: the open batons they hold now. Dropped when
    /// they hold none any more, were deactivated, or turned off email or handoff notices.
    #[tracing::instrument(
        name = "send reminder",
        skip_all,
        fields(digest.id = %digest_id, recipient.id = %self.recipient, deliveries = deliveries.len())
    )]
    async fn deliver_reminder(
        &self,
        mailer: &dyn Mailer,
        digest_id: Id,
        deliveries: &[ClaimedDelivery],
    ) -> anyhow::Result<TickReport> {
        let ids: Vec<Id> = deliveries.iter().map(|d| d.id).collect();
        let Some(member) = self.baton_email_recipient().await? else {
            return self.drop_all(&ids).await;
        };
        let Some(reminder) = Reminder::build(self.state, self.ws, member, ids.clone()).await?
        else {
            return self.drop_all(&ids).await;
        };
        let unsubscribe = self.unsubscribe_url(&reminder.recipient).await?;
        let message = reminder.message(&self.links(&unsubscribe), self.now);
        self.send(mailer, message, &ids, deliveries).await
    }

    /// Sends the batons passed to the recipient that reached them, with their notes, as one
    /// email. Dropped when none is pending any more (accepted or bounced before it was due),
    /// or they were deactivated, or turned off email or handoff notices.
    #[tracing::instrument(
        name = "send handoff",
        skip_all,
        fields(digest.id = %digest_id, recipient.id = %self.recipient, deliveries = deliveries.len())
    )]
    async fn deliver_handoff(
        &self,
        mailer: &dyn Mailer,
        digest_id: Id,
        deliveries: &[ClaimedDelivery],
    ) -> anyhow::Result<TickReport> {
        let ids: Vec<Id> = deliveries.iter().map(|d| d.id).collect();
        let Some(member) = self.baton_email_recipient().await? else {
            return self.drop_all(&ids).await;
        };
        let Some(email) =
            HandoffEmail::build(self.state, self.ws, member, ids.clone(), self.now).await?
        else {
            return self.drop_all(&ids).await;
        };
        let unsubscribe = self.unsubscribe_url(&email.recipient).await?;
        let message = email.message(&self.links(&unsubscribe), self.now);
        self.send(mailer, message, &ids, deliveries).await
    }

    /// `member`'s one-click unsubscribe link.
    async fn unsubscribe_url(&self, member: &Member) -> anyhow::Result<String> {
        let token = self
            .worker
            .unsubscribe
            .token(self.state, member)
            .await
            .map_err(|e| anyhow::anyhow!("signing an unsubscribe link: {e}"))?;
        Ok(unsubscribe_url(&self.worker.base_url, &token))
    }

    fn links<'a>(&'a self, unsubscribe: &'a str) -> Links<'a> {
        Links {
            base_url: &self.worker.base_url,
            from: &self.worker.from,
            unsubscribe,
        }
    }

    /// Sends `message` (when it could be built) and settles `ids` by the outcome: sent, or
    /// failed and retried (or parked) at the pace of the most-tried of `deliveries`.
    async fn send(
        &self,
        mailer: &dyn Mailer,
        message: anyhow::Result<lettre::Message>,
        ids: &[Id],
        deliveries: &[ClaimedDelivery],
    ) -> anyhow::Result<TickReport> {
        let (state, owner, ws, now) = (self.state, &self.worker.owner, self.ws, self.now);
        let mut report = TickReport::default();
        let sent = match message {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        match sent {
            Ok(()) => {
                let recipient = self.recipient;
                tracing::debug!(
                    recipient.id = %recipient,
                    deliveries = ids.len(),
                    "email to {recipient} sent"
                );
                state
                    .store
                    .mark_sent(ws, owner, ids, Settled::Sent, now)
                    .await?;
                report.digests = 1;
                report.sent = ids.len();
            }
            Err(e) => {
                // The whole digest retries together; its most-tried delivery sets the pace.
                let attempts = deliveries.iter().map(|d| d.attempts).max().unwrap_or(1);
                let retry = retry_after(attempts, now);
                let error = format!("{e:#}");
                let recipient = self.recipient;
                tracing::warn!(recipient.id = %recipient, ?retry, %error, "digest to {recipient} failed");
                state
                    .store
                    .mark_failed(ws, owner, ids, &error, retry)
                    .await?;
                if retry == Retry::Park {
                    tracing::error!(recipient.id = %recipient, "digest to {recipient} parked");
                }
                report.failed = ids.len();
            }
        }
        Ok(report)
    }
}

/// What of `deliveries` `recipient` may still receive, as it is now: the digest of those (if
/// any) and the ids of the rest. A recipient who was deactivated, turned email digests off,
/// or can no longer see a thread gets nothing from it; a deleted post is dropped; an edited
/// post is sent as edited.
async fn check(
    state: &AppState,
    reads: &ClaimReads,
    ws: Id,
    recipient: Id,
    digest_id: Id,
    deliveries: &[ClaimedDelivery],
) -> anyhow::Result<(Option<Digest>, Vec<Id>)> {
    let all = || deliveries.iter().map(|d| d.id).collect();
    let member = match state.store.member(ws, recipient).await {
        Ok(member) => member,
        Err(StoreError::NotFound) => return Ok((None, all())),
        Err(e) => return Err(e.into()),
    };
    let policy = state.store.policy(ws, recipient).await?.unwrap_or_default();
    if !member.active || !policy.email_digest {
        return Ok((None, all()));
    }
    let (mut items, mut kept, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for d in deliveries {
        let found = reads.items(state, &member, d).await?;
        if found.is_empty() {
            dropped.push(d.id);
        } else {
            items.extend(found);
            kept.push(d.id);
        }
    }
    // A post that asks or mentions the recipient and is also a reply they follow shows once,
    // as what concerns them most.
    items.sort_by_key(|i| (i.post_id, i.kind));
    items.dedup_by_key(|i| i.post_id);
    let digest = (!items.is_empty()).then_some(Digest {
        recipient: member,
        items,
        delivery_ids: kept,
        digest_id,
    });
    Ok((digest, dropped))
}
