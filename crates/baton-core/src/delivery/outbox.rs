//! The transactional outbox's records and the retry rule for a send that failed.
//!
//! Owns: [`Event`] (what a write leaves behind for the delivery worker), [`NewDelivery`] and
//! [`ClaimedDelivery`] (one notification for one recipient on one channel), how a claimed
//! delivery ends ([`Settled`], [`Retry`]), the [`Backlog`] counts, and [`retry_after`], the
//! exponential backoff. Does not own: storage, sending or the clock: [`retry_after`] takes the
//! instant of the failure.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::Id;

/// What happened, as far as notifications are concerned. One event is stored per write, in
/// that write's transaction, however many people it will notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A post asked members to reply.
    Ask,
    /// A post without asks in a space that has webhooks: the space's webhooks hear of every
    /// post. Recorded only where a webhook listens, so other posts write nothing more.
    Post,
    /// A baton holder's working day is about to end (see [`super::end_of_day`]): remind them
    /// which batons they hold. Has no thread or post.
    BatonReminder,
    /// An urgent post within its sender's budget: delivered outside delivery windows, along
    /// the routes its audit entry records (see [`super::UrgentLeg`]).
    Urgent,
    /// A baton was passed to its receiver with a note: they get it at the start of their day,
    /// not at a delivery window, because it is work arriving rather than news. Has no thread or
    /// post; its [`Event::created_at`] is the handoff's `delivers_at`, so expansion needs no
    /// further read to know when it is due.
    Handoff,
    /// New posts in a thread its followers have not read. One waits unexpanded per thread at
    /// most: the replies written meanwhile record nothing more, and each follower's delivery
    /// shows what they have not read when it is sent (the store's
    /// `FollowStore::reply_recipients`).
    Reply,
    /// A post mentioned members (`@handle` or `@**Name**`, see [`crate::mention`]): they hear
    /// of it at their next delivery window, and follow the thread from then on.
    Mention,
    /// A meeting was still not closed a working day after it ended: its organizer hears of it
    /// once, at their next delivery window. Its thread and post are the meeting's thread and
    /// the invitation that opened it.
    MeetingCloseReminder,
}

impl EventKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::Post => "post",
            Self::BatonReminder => "baton_reminder",
            Self::Urgent => "urgent",
            Self::Handoff => "handoff",
            Self::Reply => "reply",
            Self::Mention => "mention",
            Self::MeetingCloseReminder => "meeting_close_reminder",
        }
    }

    /// Reads the stored spelling back; `None` for a kind this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ask" => Some(Self::Ask),
            "post" => Some(Self::Post),
            "baton_reminder" => Some(Self::BatonReminder),
            "urgent" => Some(Self::Urgent),
            "handoff" => Some(Self::Handoff),
            "reply" => Some(Self::Reply),
            "mention" => Some(Self::Mention),
            "meeting_close_reminder" => Some(Self::MeetingCloseReminder),
            _ => None,
        }
    }
}

/// An event as stored in the outbox, waiting to be expanded into deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its workspace.
    pub workspace_id: Id,
    /// Public id.
    pub id: Id,
    /// What happened.
    pub kind: EventKind,
    /// The thread it happened in; `None` for a [`EventKind::BatonReminder`] or
    /// [`EventKind::Handoff`].
    pub thread_id: Option<Id>,
    /// The post that caused it; `None` for a [`EventKind::BatonReminder`] or
    /// [`EventKind::Handoff`].
    pub post_id: Option<Id>,
    /// Who caused it.
    pub actor_id: Id,
    /// Who it is for, as far as the write knew (the asked members); the worker decides who
    /// actually hears about it.
    pub recipients: Vec<Id>,
    /// When it happened; for a [`EventKind::Handoff`], when the handoff reaches its receiver
    /// (its `delivers_at`, which may be later than the write).
    pub created_at: Timestamp,
}

/// The stored payload of an event: what [`Event`] holds beyond its subject ids. A struct of
/// its own so the JSON can grow fields without a migration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPayload {
    /// [`Event::recipients`].
    #[serde(default)]
    pub to: Vec<Id>,
}

/// The ways a delivery leaves Baton. The inbox is not one: it reads asks directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// One email digest per recipient and window.
    Email,
    /// One signed HTTP POST per delivery to one webhook (see [`super::webhook`]).
    Webhook,
}

impl Channel {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }

    /// Reads the stored spelling back.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "email" => Some(Self::Email),
            "webhook" => Some(Self::Webhook),
            _ => None,
        }
    }
}

/// A delivery to create when an event is expanded. Unique per event, recipient and channel:
/// expanding an event twice creates nothing new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// Public id (also what the email's `Message-ID` is derived from).
    pub id: Id,
    /// Who receives it.
    pub recipient_id: Id,
    /// How.
    pub channel: Channel,
    /// The webhook it goes to, for [`Channel::Webhook`] (unique per event and webhook then).
    pub webhook_id: Option<Id>,
    /// The recipient's next delivery window (see [`super::next_delivery`]).
    pub due_at: Timestamp,
}

/// A delivery a worker has leased for sending, with the subject of its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// Its workspace.
    pub workspace_id: Id,
    /// Public id.
    pub id: Id,
    /// The event it came from.
    pub event_id: Id,
    /// The event's kind.
    pub kind: EventKind,
    /// The event's thread, if it has one.
    pub thread_id: Option<Id>,
    /// The event's post, if it has one.
    pub post_id: Option<Id>,
    /// Who receives it.
    pub recipient_id: Id,
    /// How.
    pub channel: Channel,
    /// When it was first due.
    pub due_at: Timestamp,
    /// How many times it has been claimed, this claim included.
    pub attempts: u32,
    /// The digest it goes out in, assigned by the claim that first leased it and kept from
    /// then on: one email's `Message-ID` is derived from it, so a resend after a crash is the
    /// same message even when the claim that resends it also took newer deliveries (which get
    /// a digest of their own).
    pub digest_id: Id,
}

/// How a claimed delivery ended without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// It was sent.
    Sent,
    /// It was not sent on purpose: the recipient may no longer see its thread, turned the
    /// channel off, or its post is gone.
    Dropped,
}

/// What to do with a delivery whose send failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this instant.
    At(Timestamp),
    /// Stop trying; an admin looks at it.
    Park,
}

/// How many deliveries of a workspace are in each state: what an admin watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    /// Events not yet expanded into deliveries.
    pub unexpanded_events: u64,
    /// Deliveries waiting for their window or their next attempt.
    pub queued: u64,
    /// Deliveries sent.
    pub sent: u64,
    /// Deliveries dropped on purpose (see [`Settled::Dropped`]).
    pub dropped: u64,
    /// Deliveries that failed too often and wait for an admin.
    pub parked: u64,
    /// Queued deliveries whose attempt is due now and that no worker holds: what the next
    /// claim takes.
    pub due_now: u64,
    /// Queued deliveries a worker holds under a live lease (being sent).
    pub leased: u64,
    /// Deliveries sent in the 24 hours before the backlog was read.
    pub sent_last_day: u64,
    /// When the longest-waiting queued delivery was first due, if any is due: how stale the
    /// queue is (a mail server down for an hour shows as an hour).
    pub oldest_due_at: Option<Timestamp>,
}

/// A delivery that failed [`MAX_ATTEMPTS`] times and waits for an admin to retry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedDelivery {
    /// Public id.
    pub id: Id,
    /// Who it is for.
    pub recipient_id: Id,
    /// The event it came from.
    pub event_id: Id,
    /// The event's kind.
    pub kind: EventKind,
    /// The event's thread, if it has one.
    pub thread_id: Option<Id>,
    /// How.
    pub channel: Channel,
    /// When it was first due.
    pub due_at: Timestamp,
    /// How many times it was tried.
    pub attempts: u32,
    /// The last failure, as the sender reported it.
    pub last_error: Option<String>,
}

/// Attempts after which a failing delivery is parked.
pub const MAX_ATTEMPTS: u32 = 8;
/// The wait after the first failure; each further failure doubles it.
pub const FIRST_RETRY: SignedDuration = SignedDuration::from_secs(60);
/// The longest wait between two attempts, so a long outage is retried a few times an hour.
pub const MAX_RETRY: SignedDuration = SignedDuration::from_hours(2);

/// When a delivery whose `attempts`-th send failed at `failed_at` is tried again: after
/// [`FIRST_RETRY`] doubled for each earlier attempt, at most [`MAX_RETRY`]; parked once
/// `attempts` reaches [`MAX_ATTEMPTS`]. With the defaults the eight attempts span about four
/// hours, long enough to outlast a mail server restart, short enough that an admin sees a
/// parked delivery the same day.
pub fn retry_after(attempts: u32, failed_at: Timestamp) -> Retry {
    if attempts >= MAX_ATTEMPTS {
        return Retry::Park;
    }
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = FIRST_RETRY
        .checked_mul(1_i32 << doublings)
        .map_or(MAX_RETRY, |w| w.min(MAX_RETRY));
    failed_at.checked_add(wait).map_or(Retry::Park, Retry::At)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wait(attempts: u32, at: Timestamp) -> Option<SignedDuration> {
        match retry_after(attempts, at) {
            Retry::At(t) => Some(t.duration_since(at)),
            Retry::Park => None,
        }
    }

    #[test]
    fn the_first_retries_double_from_a_minute() {
        let at = Timestamp::from_second(1_780_000_000).unwrap();
        let waits: Vec<_> = (1..=4).map(|n| wait(n, at).unwrap().as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480]);
        assert_eq!(wait(MAX_ATTEMPTS, at), None);
    }

    proptest! {
        #[test]
        fn backoff_grows_stays_bounded_and_parks_at_the_limit(
            attempts in 0u32..40,
            secs in 0i64..4_000_000_000,
        ) {
            let at = Timestamp::from_second(secs).unwrap();
            match (wait(attempts, at), wait(attempts + 1, at)) {
                (Some(now), Some(next)) => {
                    prop_assert!(now >= FIRST_RETRY && now <= MAX_RETRY);
                    prop_assert!(next >= now);
                }
                (Some(_), None) => prop_assert_eq!(attempts + 1, MAX_ATTEMPTS),
                (None, None) => prop_assert!(attempts >= MAX_ATTEMPTS),
                (None, Some(_)) => prop_assert!(false, "a parked delivery came back"),
            }
        }
    }
}
