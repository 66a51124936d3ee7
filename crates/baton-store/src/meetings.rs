//! The [`MeetingStore`] role trait: meetings with their participants, agenda, pre-work and
//! each participant's pre-work deadline. The SQL lives in each backend's `meetings.rs`.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::meeting::Meeting;
use baton_core::page::{Page, PageRequest};

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
}
