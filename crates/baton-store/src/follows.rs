//! The [`FollowStore`] role trait: who follows which thread, what the followers have not
//! read, and whom a post's mentions name. The SQL lives in each backend's `follows.rs`;
//! posting follows a thread, and a mention makes the mentioned follow it, inside the post's
//! own transaction (see the backends' `follow_own_post` and `record_mentions`).

use async_trait::async_trait;
use baton_core::Id;
use baton_core::model::{Member, Post, ThreadSummary};
use jiff::Timestamp;

use crate::StoreResult;

/// Following threads. A member follows a thread when they post in it, unless they unfollowed
/// it on purpose; they can follow or unfollow any thread they see. Followers hear of replies
/// at their delivery windows: one `reply` event per thread waits to be expanded at a time, and
/// each follower's delivery shows what they have not read when it is sent.
#[async_trait]
pub trait FollowStore: Send + Sync {
    /// Follows (`true`) or unfollows `thread` for `member`, on purpose: posting later does not
    /// undo an unfollow. `NotFound` when the thread or the member is not in `ws`.
    async fn set_following(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        following: bool,
    ) -> StoreResult<()>;
    /// Whether `member` follows `thread`.
    async fn following(&self, ws: Id, member: Id, thread: Id) -> StoreResult<bool>;
    /// The threads `member` follows that have posts they have not read, with how many, most
    /// recently active first, at most `limit`. Visibility is the caller's to check.
    async fn followed_unread(
        &self,
        ws: Id,
        member: Id,
        limit: u32,
    ) -> StoreResult<Vec<ThreadSummary>>;
    /// `member`'s newest unread posts of `thread` by others (after their read cursor), newest
    /// first, at most `limit`.
    async fn unread_posts(
        &self,
        ws: Id,
        member: Id,
        thread: Id,
        limit: u32,
    ) -> StoreResult<Vec<Post>>;
    /// The followers of `thread` who should get a delivery for its reply event: they have
    /// unread posts in it and no queued reply delivery for it that no worker is sending at
    /// `now` (that one will show the new posts too).
    async fn reply_recipients(&self, ws: Id, thread: Id, now: Timestamp) -> StoreResult<Vec<Id>>;
    /// The active members of `ws` whose handle (their email before the `@`) is one of
    /// `handles` (lowercase) or whose display name is one of `names`: whom a post's mentions
    /// name (see `baton_core::mention`).
    async fn mentioned_members(
        &self,
        ws: Id,
        handles: Vec<String>,
        names: Vec<String>,
    ) -> StoreResult<Vec<Member>>;
}
