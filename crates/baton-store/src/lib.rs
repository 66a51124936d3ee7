//! Storage for Baton.
//!
//! Owns: the [`Store`] trait (split into small role traits), its SQLite and PostgreSQL
//! backends with their own SQL and migrations, and the conformance suite both must pass.
//! Does not own: rules (baton-core decides validity and visibility), HTTP or time (every
//! write carries its own instants, chosen by the caller's clock).
//!
//! Every method takes the workspace id and every query is scoped by it.
//!
//! What both backends share is written once beside them, and each backend keeps only its SQL:
//! the rules a write can break ([`Constraint`]), the column lists (`columns`), which outbox
//! event a write stores (`events`), the steps of a baton and its handoffs (`handoffs`) and how
//! a delivery settles (`outbox`). `tests/schema_parity.rs` checks that both migration trees
//! end in the same schema.
#![forbid(unsafe_code)]

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::NotificationPolicy;
use baton_core::delivery::outbox::{
    Backlog, ClaimedDelivery, Event, NewDelivery, ParkedDelivery, Retry, Settled,
};
use baton_core::model::{
    Ask, AskDirection, Baton, BatonStatus, CreatedThread, Handoff, Member, NewMember, NewPost,
    NewSession, NewThread, NewToken, Post, PostRevision, Relay, Resolution, SessionInfo, Space,
    Thread, ThreadSummary, TokenInfo, Workspace,
};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use baton_core::schedule::ScheduleSpec;
use baton_core::visibility::Visibility;
use jiff::{SignedDuration, Timestamp};

mod calendars;
mod columns;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod constraint;
mod error;
mod events;
mod feed;
mod follows;
mod handoffs;
mod hangouts;
mod idempotency;
mod meetings;
mod outbox;
pub mod postgres;
pub mod sqlite;
mod throttle;
mod urgent;
mod webhooks;

pub use calendars::CalendarStore;
pub use constraint::Constraint;
pub use error::{StoreError, StoreResult};
pub use feed::{ChangeFeed, FEED_CAPACITY, Heard, MAX_ANNOUNCEMENT};
pub use follows::FollowStore;
pub use hangouts::{HangoutRound, HangoutStore, PairedHangout};
pub use idempotency::IdempotencyKey;
pub use meetings::MeetingStore;
pub use throttle::ThrottleStore;
pub use urgent::UrgentStore;
pub use webhooks::WebhookStore;

/// A member as seen by the authentication step: who they are and whether they may act.
pub type Principal = Member;

/// Workspace-level operations.
#[async_trait]
pub trait WorkspaceStore: Send + Sync {
    /// Creates a workspace, its owner and the owner's first API token in one transaction.
    async fn bootstrap(
        &self,
        workspace: Workspace,
        owner: NewMember,
        token: NewToken,
    ) -> StoreResult<()>;
    /// Looks a workspace up.
    async fn workspace(&self, id: Id) -> StoreResult<Workspace>;
    /// All workspaces, oldest first (there are few; used by the demo and first-run checks).
    async fn workspaces(&self) -> StoreResult<Vec<Workspace>>;
}

/// Members and their credentials.
#[async_trait]
pub trait MemberStore: Send + Sync {
    /// Adds a member. `Conflict` on [`Constraint::MembersEmail`] when the email is taken.
    async fn create_member(
        &self,
        ws: Id,
        member: NewMember,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Member>;
    /// One member of the workspace.
    async fn member(&self, ws: Id, id: Id) -> StoreResult<Member>;
    /// One member by email (for password sign-in).
    async fn member_by_email(&self, ws: Id, email: &str) -> StoreResult<Member>;
    /// The stored argon2id hash, if the member has a password.
    async fn password_hash(&self, ws: Id, id: Id) -> StoreResult<Option<String>>;
    /// Members in creation order.
    async fn list_members(&self, ws: Id, page: PageRequest) -> StoreResult<Page<Member>>;
    /// A page of `member` and the members who share at least one space with them, in creation
    /// order: the people a guest may know of.
    async fn co_members(&self, ws: Id, member: Id, page: PageRequest) -> StoreResult<Page<Member>>;
    /// Whether `a` and `b` are both members of at least one space.
    async fn share_a_space(&self, ws: Id, a: Id, b: Id) -> StoreResult<bool>;
    /// Changes a member's role, as `by` did at `at`, with a `member.role_changed` audit entry
    /// in the same transaction.
    async fn set_role(
        &self,
        ws: Id,
        id: Id,
        role: Role,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<Member>;
    /// Makes `to` the workspace's owner and its owner `from` an admin, in one transaction with
    /// a `workspace.ownership_transferred` audit entry. `NotFound` when `to` is not in `ws`;
    /// `Conflict` on [`Constraint::OwnershipHeir`] when `to` is `from`, deactivated or a
    /// guest; `Conflict` on [`Constraint::OwnershipOwner`] when `from` is not the owner (any
    /// more: two transfers raced).
    async fn transfer_ownership(
        &self,
        ws: Id,
        from: Id,
        to: Id,
        at: Timestamp,
    ) -> StoreResult<Member>;
    /// Changes a member's display name and time zone.
    async fn update_profile(
        &self,
        ws: Id,
        id: Id,
        name: &str,
        timezone: &str,
    ) -> StoreResult<Member>;
    /// Replaces a member's password hash and ends all their browser sessions, and with
    /// `revoke_tokens` revokes all their API tokens too, in one transaction.
    async fn set_password(
        &self,
        ws: Id,
        id: Id,
        hash: &str,
        at: Timestamp,
        revoke_tokens: bool,
    ) -> StoreResult<()>;
    /// Deactivates a member, revokes all their tokens and ends all their browser sessions, in
    /// one transaction with a `member.deactivated` audit entry naming `by`.
    async fn deactivate_member(&self, ws: Id, id: Id, by: Id, at: Timestamp)
    -> StoreResult<Member>;
    /// Stores a new API token (only its hash) of its member, with a `token.created` audit
    /// entry in the same transaction (the member is the actor: only they create their tokens).
    async fn create_token(
        &self,
        ws: Id,
        token: NewToken,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<TokenInfo>;
    /// A page of a member's live tokens, oldest first.
    async fn list_tokens(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<TokenInfo>>;
    /// Revokes a token of `member` as `by` did, with a `token.revoked` audit entry in the same
    /// transaction; `NotFound` if it is not theirs or already revoked.
    async fn revoke_token(
        &self,
        ws: Id,
        member: Id,
        token: Id,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// The active member owning a live token with this hash, if any.
    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<Principal>>;
}

/// Browser sessions. Only the hash of a cookie secret is stored.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Creates the first workspace, its owner and the owner's first session, only while no
    /// workspace exists (`Conflict` on [`Constraint::WorkspaceExists`] otherwise, also when two
    /// first runs race).
    async fn first_run(
        &self,
        workspace: Workspace,
        owner: NewMember,
        session: NewSession,
    ) -> StoreResult<()>;
    /// Starts a session for a member of `ws`.
    async fn create_session(&self, ws: Id, session: NewSession) -> StoreResult<()>;
    /// The session with this hash and its member, if it has not ended, was last used at or
    /// after `idle_since`, and its member is active.
    async fn session(
        &self,
        hash: &str,
        idle_since: Timestamp,
    ) -> StoreResult<Option<(SessionInfo, Member)>>;
    /// Records that a session was used at `at`.
    async fn touch_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()>;
    /// Ends one session (sign-out). Ending an ended session is not an error.
    async fn end_session(&self, ws: Id, id: Id, at: Timestamp) -> StoreResult<()>;
}

/// Spaces and their membership.
#[async_trait]
pub trait SpaceStore: Send + Sync {
    /// Creates a space; its creator becomes its first member in the same transaction.
    async fn create_space(
        &self,
        ws: Id,
        space: Space,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Space>;
    /// A space with whether `viewer` is one of its members.
    async fn space_for(&self, ws: Id, space: Id, viewer: Id) -> StoreResult<(Space, bool)>;
    /// A page of the workspace's spaces with whether `viewer` is a member, oldest first. The
    /// caller filters with `baton_core::visibility::can_see_space`.
    async fn spaces_for(
        &self,
        ws: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<(Space, bool)>>;
    /// Adds a member of the same workspace to a space (no-op if already there).
    async fn add_space_member(
        &self,
        ws: Id,
        space: Id,
        member: Id,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Removes a member from a space (`NotFound` if they were not in it).
    async fn remove_space_member(&self, ws: Id, space: Id, member: Id) -> StoreResult<()>;
    /// A page of a space's members, in the order they joined the workspace.
    async fn space_members(
        &self,
        ws: Id,
        space: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Member>>;
    /// Changes a space's visibility.
    async fn set_visibility(&self, ws: Id, space: Id, visibility: Visibility)
    -> StoreResult<Space>;
}

/// Threads, posts, edits and read cursors.
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// Starts a thread with its opening post in one transaction.
    async fn create_thread(
        &self,
        ws: Id,
        thread: NewThread,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<CreatedThread>;
    /// One thread.
    async fn thread(&self, ws: Id, id: Id) -> StoreResult<Thread>;
    /// One thread with its space and whether `viewer` is a member of that space: everything the
    /// visibility rule needs about a thread, in one lookup.
    async fn thread_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<(Thread, Space, bool)>;
    /// Threads of a space, most recently active first, with `viewer`'s unread counts.
    /// The cursor is over `last_post_seq`, descending.
    async fn list_threads(
        &self,
        ws: Id,
        space: Id,
        viewer: Id,
        page: PageRequest,
    ) -> StoreResult<Page<ThreadSummary>>;
    /// Adds a post to a thread and bumps the thread's activity, in one transaction. The same
    /// transaction creates the post's asks and answers every open ask of the author in the
    /// thread.
    async fn create_post(
        &self,
        ws: Id,
        post: NewPost,
        idem: Option<&IdempotencyKey>,
    ) -> StoreResult<Post>;
    /// One post.
    async fn post(&self, ws: Id, id: Id) -> StoreResult<Post>;
    /// Posts of a thread in write order.
    async fn list_posts(&self, ws: Id, thread: Id, page: PageRequest) -> StoreResult<Page<Post>>;
    /// Replaces a post's body, keeping the previous version as a revision.
    async fn edit_post(
        &self,
        ws: Id,
        id: Id,
        body: String,
        html: String,
        at: Timestamp,
    ) -> StoreResult<Post>;
    /// A page of a post's earlier versions, oldest first.
    async fn post_revisions(
        &self,
        ws: Id,
        id: Id,
        page: PageRequest,
    ) -> StoreResult<Page<PostRevision>>;
    /// Moves `member`'s read cursor in `thread` forward to `seq` (never backwards).
    async fn mark_read(&self, ws: Id, member: Id, thread: Id, seq: i64) -> StoreResult<()>;
    /// `member`'s read cursor in `thread` (0 when never read).
    async fn read_cursor(&self, ws: Id, member: Id, thread: Id) -> StoreResult<i64>;
}

/// Asks: who must answer what, by when.
#[async_trait]
pub trait AskStore: Send + Sync {
    /// The asks a post created, in the order they were listed.
    async fn asks_for_post(&self, ws: Id, post: Id) -> StoreResult<Vec<Ask>>;
    /// Asks to or from `member`, soonest due first; only unanswered ones when `open_only`.
    /// At most `limit`.
    async fn list_asks(
        &self,
        ws: Id,
        member: Id,
        direction: AskDirection,
        open_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Ask>>;
}

/// Members' working schedules and notification policies: when each person works and when
/// they want to hear about things.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Stores `member`'s schedule and sets their time zone to the schedule's, in one transaction.
    async fn set_schedule(
        &self,
        ws: Id,
        member: Id,
        schedule: ScheduleSpec,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Stores `member`'s notification policy (`NotFound` when they are not in `ws`).
    async fn set_policy(
        &self,
        ws: Id,
        member: Id,
        policy: NotificationPolicy,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// `member`'s stored notification policy, if they set one.
    async fn policy(&self, ws: Id, member: Id) -> StoreResult<Option<NotificationPolicy>>;
    /// The stored schedules of these members (members without one are absent).
    async fn schedules(&self, ws: Id, members: &[Id]) -> StoreResult<Vec<(Id, ScheduleSpec)>>;
}

/// Relays, batons and handoffs: work passed from one time zone to the next.
#[async_trait]
pub trait RelayStore: Send + Sync {
    /// Creates a relay. Every leg must be a member of `ws` (`NotFound` otherwise).
    async fn create_relay(&self, ws: Id, relay: Relay) -> StoreResult<Relay>;
    /// One relay with its legs in order.
    async fn relay(&self, ws: Id, id: Id) -> StoreResult<Relay>;
    /// Creates a baton. Its holder and relay (if any) must be in `ws` (`NotFound` otherwise).
    async fn create_baton(&self, ws: Id, baton: Baton) -> StoreResult<Baton> {
        self.create_linked_baton(ws, baton, Vec::new()).await
    }
    /// Creates a baton linked to `threads` (in that order, linked by its creator), in one
    /// transaction. Its holder, relay (if any) and threads must be in `ws` (`NotFound`
    /// otherwise, and nothing is written).
    async fn create_linked_baton(
        &self,
        ws: Id,
        baton: Baton,
        threads: Vec<Id>,
    ) -> StoreResult<Baton>;
    /// Links `thread` to `baton`, both in `ws` (`NotFound` otherwise), as linked by `by` at
    /// `at`. `Conflict` on [`Constraint::BatonThreadsOnce`] when it is linked already;
    /// `Conflict` on [`Constraint::BatonThreadsLimit`] when the baton links `at_most` threads
    /// already (counted in the same transaction, so racing links cannot pass the limit).
    async fn link_thread(
        &self,
        ws: Id,
        baton: Id,
        thread: Id,
        by: Id,
        at: Timestamp,
        at_most: usize,
    ) -> StoreResult<()>;
    /// Unlinks `thread` from `baton` (`NotFound` when it was not linked).
    async fn unlink_thread(&self, ws: Id, baton: Id, thread: Id) -> StoreResult<()>;
    /// The threads linked to `baton`, in link order, unfiltered: the caller shows only those
    /// the viewer may see. `NotFound` when the baton is not in `ws`.
    async fn baton_threads(&self, ws: Id, baton: Id) -> StoreResult<Vec<Id>>;
    /// One baton.
    async fn baton(&self, ws: Id, id: Id) -> StoreResult<Baton>;
    /// Batons linked to `thread`, oldest first (none when the thread is in no baton or not in
    /// `ws`).
    async fn thread_batons(&self, ws: Id, thread: Id) -> StoreResult<Vec<Baton>>;
    /// A page of the workspace's batons, oldest first; only those `holder` holds when given.
    async fn list_batons(
        &self,
        ws: Id,
        holder: Option<Id>,
        page: PageRequest,
    ) -> StoreResult<Page<Baton>>;
    /// Sets a baton's status: done when its work is finished, open again to resume it.
    /// `Conflict` on [`Constraint::BatonStatus`] when it already has that status, and
    /// `Conflict` on [`Constraint::HandoffPending`] while a handoff of it waits for its
    /// receiver (it could otherwise be accepted into a finished baton).
    async fn set_baton_status(&self, ws: Id, id: Id, status: BatonStatus) -> StoreResult<Baton>;
    /// Records a handoff. The baton must be in `ws`, open, held by `from_id` (else
    /// `Conflict` on [`Constraint::BatonHolder`]) and without a pending handoff (else
    /// `Conflict` on [`Constraint::HandoffPending`]); `to_id` must be in `ws` (`NotFound`).
    async fn create_handoff(&self, ws: Id, handoff: Handoff) -> StoreResult<Handoff>;
    /// One handoff.
    async fn handoff(&self, ws: Id, id: Id) -> StoreResult<Handoff>;
    /// The handoff of `baton` still waiting for its receiver, if any (at most one), wherever
    /// it falls in the paged history.
    async fn pending_handoff(&self, ws: Id, baton: Id) -> StoreResult<Option<Handoff>>;
    /// Accepts (the baton's holder becomes the receiver, in the same transaction) or bounces
    /// (with its reason) a pending handoff. `Conflict` on [`Constraint::HandoffResolved`] when it is no longer
    /// pending, also when two resolutions race: exactly one wins.
    async fn resolve_handoff(
        &self,
        ws: Id,
        id: Id,
        resolution: Resolution,
        at: Timestamp,
    ) -> StoreResult<Handoff>;
    /// A page of a baton's handoffs, oldest first: its history.
    async fn handoffs_of(&self, ws: Id, baton: Id, page: PageRequest)
    -> StoreResult<Page<Handoff>>;
    /// The handoffs passed to `member` that are still pending and have reached them
    /// (`delivers_at` at or before `now`), oldest first, each with its baton: what the
    /// handoff email says at the moment it is sent, so one accepted or bounced since is left out.
    async fn handoffs_waiting_for(
        &self,
        ws: Id,
        member: Id,
        now: Timestamp,
    ) -> StoreResult<Vec<(Handoff, Baton)>>;
}

/// The transactional outbox and its deliveries: events written with the posts that cause them,
/// expanded into one delivery per recipient and channel, claimed under a lease by any number of
/// workers, and settled. Together these make every due delivery go out once, even with several
/// instances and crashes in between.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Events of every workspace not yet expanded, oldest first, at most `limit`.
    async fn unexpanded_events(&self, limit: u32) -> StoreResult<Vec<Event>>;
    /// Stores `deliveries` for `event` and marks it expanded, in one transaction. A delivery
    /// that exists for the same event, recipient and channel is kept as it is, and one for a
    /// recipient outside `ws` is skipped, so expanding twice (two workers, a retry) is harmless.
    /// `NotFound` when the event is not in `ws`.
    async fn expand_event(
        &self,
        ws: Id,
        event: Id,
        deliveries: Vec<NewDelivery>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Leases the due email deliveries of up to `limit` recipients to `owner` until
    /// `now + lease` (webhook deliveries have a claim of their own): every queued email
    /// delivery of each such recipient whose next attempt is due and whose lease
    /// (if any) has run out, so one recipient's deliveries go to one worker and make one
    /// digest. A delivery is leased to one claimer at a time; a lease that runs out (a worker
    /// died) lets the next claimer take it. Each claim counts as an attempt. The claim gives
    /// each recipient's deliveries that have no `digest_id` yet one fresh id; deliveries that
    /// have one keep it, so deliveries first claimed together always go out together.
    async fn claim_due(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Settles deliveries `owner` holds as sent or dropped at `at`. Returns how many it
    /// settled: one whose lease another worker has since taken is left alone.
    async fn mark_sent(
        &self,
        ws: Id,
        owner: &str,
        ids: &[Id],
        how: Settled,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// Records a failed send of deliveries `owner` holds: releases them for another attempt at
    /// the [`Retry`] instant, or parks them. Returns how many it changed (as `mark_sent`).
    async fn mark_failed(
        &self,
        ws: Id,
        owner: &str,
        ids: &[Id],
        error: &str,
        retry: Retry,
    ) -> StoreResult<u64>;
    /// Records the end-of-day reminder of `holder` (a member of `ws`) for the working day
    /// ending at `day_end`, as a `baton_reminder` event created at `at`. Once per holder and
    /// day: `false` (and nothing written) when it is already recorded or `holder` is not a
    /// member of `ws`.
    async fn record_reminder(
        &self,
        ws: Id,
        holder: Id,
        day_end: Timestamp,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// `(workspace, member)` of every member of every workspace who holds an open baton.
    async fn baton_holders(&self) -> StoreResult<Vec<(Id, Id)>>;
    /// How many of `ws`'s events and deliveries are in each state, as of `now` (which
    /// deliveries are due, leased, sent in the last 24 hours).
    async fn backlog(&self, ws: Id, now: Timestamp) -> StoreResult<Backlog>;
    /// `ws`'s parked deliveries, longest parked first, at most `limit`.
    async fn parked(&self, ws: Id, limit: u32) -> StoreResult<Vec<ParkedDelivery>>;
    /// Queues a parked delivery of `ws` again, due at `now`, with a fresh count of attempts
    /// (its last error is kept until the next attempt). `NotFound` when `ws` has no such
    /// delivery, `Conflict` on [`Constraint::DeliveryNotParked`] when it is not parked.
    async fn retry_parked(&self, ws: Id, id: Id, now: Timestamp) -> StoreResult<()>;
    /// `ws`'s secret for `purpose` (e.g. signing unsubscribe links), if it has one yet.
    async fn workspace_secret(&self, ws: Id, purpose: &str) -> StoreResult<Option<String>>;
    /// `ws`'s secret for `purpose`, storing `candidate` as it when there is none yet: every
    /// caller, however they race, gets the one stored secret. `NotFound` when `ws` does not
    /// exist.
    async fn ensure_workspace_secret(
        &self,
        ws: Id,
        purpose: &str,
        candidate: &str,
    ) -> StoreResult<String>;
}

/// Health of the connection to the database.
#[async_trait]
pub trait HealthStore: Send + Sync {
    /// Succeeds when a trivial query round-trips.
    async fn ping(&self) -> StoreResult<()>;
}

/// Everything Baton stores. Both backends implement all of it.
pub trait Store:
    WorkspaceStore
    + MemberStore
    + SpaceStore
    + ThreadStore
    + FollowStore
    + AskStore
    + ScheduleStore
    + RelayStore
    + SessionStore
    + DeliveryStore
    + WebhookStore
    + MeetingStore
    + HangoutStore
    + CalendarStore
    + UrgentStore
    + ThrottleStore
    + HealthStore
    + ChangeFeed
{
}
impl<
    T: WorkspaceStore
        + MemberStore
        + SpaceStore
        + ThreadStore
        + FollowStore
        + AskStore
        + ScheduleStore
        + RelayStore
        + SessionStore
        + DeliveryStore
        + WebhookStore
        + MeetingStore
        + HangoutStore
        + CalendarStore
        + UrgentStore
        + ThrottleStore
        + HealthStore
        + ChangeFeed,
> Store for T
{
}

/// Opens the backend a URL names: `postgres://…` or `postgresql://…` for PostgreSQL,
/// otherwise a SQLite file at `sqlite_path`. Runs migrations.
pub async fn open(
    database_url: Option<&str>,
    sqlite_path: &std::path::Path,
) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(std::sync::Arc::new(postgres::PgStore::connect(url).await?))
        }
        Some(url) => anyhow::bail!(
            "unsupported --database-url '{}': use postgres://…, or leave it out for SQLite",
            redact(url)
        ),
        None => Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open(sqlite_path).await?,
        )),
    }
}

/// A database URL with any password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
