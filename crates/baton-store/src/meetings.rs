//! The [`MeetingStore`] role trait: meetings with their participants, agenda, pre-work and
//! each participant's pre-work deadline. The SQL lives in each backend's `meetings.rs`.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::meeting::Meeting;
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;

use crate::StoreResult;

/// Columns of a meeting row (its parts are rows of their own), for `SELECT … FROM meetings m`;
/// each backend reads them in this order or by these names.
pub(crate) const MEETING_COLS: &str = "m.workspace_id, m.id, m.title, m.purpose, m.justification, \
     m.organizer_id, m.starts_at, m.duration_minutes, m.status, m.space_id, m.created_at, m.seq";

/// Meetings: stored whole in one transaction and read whole, only by the people in them.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Stores a meeting with its participants (in order, each with their pre-work deadline),
    /// agenda and pre-work, in one transaction. Every participant, agenda owner and the space
    /// (if any) must be in `ws` (`NotFound` otherwise, and nothing is written).
    async fn create_meeting(&self, ws: Id, meeting: Meeting) -> StoreResult<()>;
    /// One meeting of `ws`, whole, when `viewer` is one of its participants (the organizer is
    /// one); `NotFound` otherwise, so others cannot tell it exists.
    async fn meeting_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<Meeting>;
    /// A page of the meetings `member` takes part in, whole, in the order they were created.
    async fn meetings_of(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Meeting>>;
    /// When each of `members` is in an invited meeting that overlaps `[from, to)`: one
    /// `(member, start, end)` per member and meeting, so the slot finder keeps new meetings off
    /// them. Drafts hold no one's time.
    async fn meeting_times(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>>;
}

/// The rows of [`MeetingStore::meeting_times`]: a member's invited meetings overlapping a
/// range. Parameters: workspace, member, range start and end (stored milliseconds). SQLite
/// numbers `$name` parameters in the order they first appear, so they appear here as `$1` to
/// `$4` in order and both backends bind the same four values positionally.
pub(crate) const MEETING_TIMES_SQL: &str = "SELECT p.member_id, m.starts_at, m.duration_minutes
     FROM meeting_participants p JOIN meetings m
       ON m.workspace_id = p.workspace_id AND m.id = p.meeting_id
    WHERE p.workspace_id = $1 AND p.member_id = $2 AND m.status = 'invited'
      AND m.starts_at + m.duration_minutes * 60000 > $3 AND m.starts_at < $4
    ORDER BY m.starts_at";

/// The span of a meeting that starts at `start` and lasts `minutes`.
pub(crate) fn meeting_span(start: Timestamp, minutes: i64) -> (Timestamp, Timestamp) {
    (start, start + jiff::SignedDuration::from_mins(minutes))
}
