//! The [`MeetingStore`] role trait: meetings with their participants, agenda, pre-work and
//! each participant's pre-work deadline, and the steps of a meeting's life (invited with the
//! thread its invitation starts, closed with its notes, cancelled). The SQL lives in each
//! backend's `meetings.rs`.
//!
//! Each step is one transaction that changes the status only from the state it needs (a
//! conditional `UPDATE`) and writes the thread or post with it, so a step that races another
//! either happens whole or not at all: `Conflict` on [`Constraint::MeetingStatus`] and nothing
//! written.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::meeting::Meeting;
use baton_core::model::{NewPost, NewThread};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;

#[cfg(doc)]
use crate::Constraint;
use crate::StoreResult;

/// Columns of a meeting row (its parts are rows of their own), for `SELECT … FROM meetings m`;
/// each backend reads them in this order or by these names.
pub(crate) const MEETING_COLS: &str = "m.workspace_id, m.id, m.title, m.purpose, m.justification, \
     m.organizer_id, m.starts_at, m.duration_minutes, m.status, m.space_id, m.created_at, m.seq, \
     m.sequence, m.thread_id, m.video_url, m.closed_at";

/// Meetings: stored whole in one transaction and read whole, only by the people in them.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Stores a meeting with its participants (in order, each with their pre-work deadline),
    /// agenda and pre-work, in one transaction. Every participant, agenda owner and the space
    /// (if any) must be in `ws` (`NotFound` otherwise, and nothing is written).
    async fn create_meeting(&self, ws: Id, meeting: Meeting) -> StoreResult<()>;
    /// [`MeetingStore::create_meeting`] for a meeting invited as it is created: in the same
    /// transaction, starts `invitation` (its thread, whose opening post carries the pre-work
    /// asks), records it as the meeting's thread and makes every participant follow it.
    async fn create_invited_meeting(
        &self,
        ws: Id,
        meeting: Meeting,
        invitation: NewThread,
    ) -> StoreResult<()>;
    /// Invites a draft meeting of `ws`: in one transaction, makes it invited, starts
    /// `invitation` as its thread and makes every participant follow it. `NotFound` for no
    /// such meeting, `Conflict` on [`Constraint::MeetingStatus`] when it is no longer a draft.
    async fn invite_meeting(&self, ws: Id, id: Id, invitation: NewThread) -> StoreResult<()>;
    /// Closes an invited meeting of `ws` at `notes.created_at`, posting `notes` (with the
    /// actions' asks) in its thread, in one transaction. `NotFound` for no such meeting,
    /// `Conflict` on [`Constraint::MeetingStatus`] when it is not invited.
    async fn close_meeting(&self, ws: Id, id: Id, notes: NewPost) -> StoreResult<()>;
    /// Cancels a draft or invited meeting of `ws`, raising its sequence, and posts `notice` in
    /// its thread when there is one, in one transaction. `NotFound` for no such meeting,
    /// `Conflict` on [`Constraint::MeetingStatus`] when it is closed or cancelled already.
    async fn cancel_meeting(&self, ws: Id, id: Id, notice: Option<NewPost>) -> StoreResult<()>;
    /// Every invited meeting, of every workspace, that ended at or before `before`, as
    /// `(workspace, meeting, organizer, end, thread)`, oldest first, at most `limit`: those
    /// whose close reminder may be due.
    async fn open_meetings_ended(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(Id, Id, Id, Timestamp, Option<Id>)>>;
    /// Records the close reminder of meeting `id` of `ws` for its organizer `to`, a
    /// `meeting_close_reminder` event on `thread` and `post` created at `at`. Once per meeting:
    /// `false` (and nothing written) when it is already recorded or `to` is not in `ws`.
    async fn record_close_reminder(
        &self,
        ws: Id,
        id: Id,
        to: Id,
        thread: Id,
        post: Id,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// The share of working time `ws` aims to spend in meetings, if it set one.
    async fn meeting_load_target(&self, ws: Id) -> StoreResult<Option<f64>>;
    /// Sets `ws`'s meeting-load target, as set by `by` (a member of `ws`, `NotFound`
    /// otherwise) at `at`; the workspace's other settings keep their values.
    async fn set_meeting_load_target(
        &self,
        ws: Id,
        target: f64,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()>;
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
    /// When each of `members` is in an invited or held (closed) meeting that overlaps
    /// `[from, to)`: one `(member, start, end)` per member and meeting, so the slot finder
    /// keeps new meetings off them and the meeting load counts them. Drafts and cancelled
    /// meetings hold no one's time.
    async fn meeting_times(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>>;
}

/// The rows of [`MeetingStore::meeting_times`]: a member's invited or closed meetings overlapping a
/// range. Parameters: workspace, member, range start and end (stored milliseconds). SQLite
/// numbers `$name` parameters in the order they first appear, so they appear here as `$1` to
/// `$4` in order and both backends bind the same four values positionally.
pub(crate) const MEETING_TIMES_SQL: &str = "SELECT p.member_id, m.starts_at, m.duration_minutes
     FROM meeting_participants p JOIN meetings m
       ON m.workspace_id = p.workspace_id AND m.id = p.meeting_id
    WHERE p.workspace_id = $1 AND p.member_id = $2 AND m.status IN ('invited', 'closed')
      AND m.starts_at + m.duration_minutes * 60000 > $3 AND m.starts_at < $4
    ORDER BY m.starts_at";

// SQLite numbers `$n` parameters in the order they first appear, so in each statement below
// they appear as `$1`, `$2`, … in order, and both backends bind them positionally.

/// Makes a meeting invited with its thread, from a draft only. Parameters: thread, workspace,
/// meeting.
pub(crate) const INVITE_SQL: &str = "UPDATE meetings SET status = 'invited', thread_id = $1
     WHERE workspace_id = $2 AND id = $3 AND status = 'draft'";

/// Closes an invited meeting. Parameters: when (stored milliseconds), workspace, meeting.
pub(crate) const CLOSE_SQL: &str = "UPDATE meetings SET status = 'closed', closed_at = $1
     WHERE workspace_id = $2 AND id = $3 AND status = 'invited'";

/// Cancels a draft or invited meeting and raises its sequence. Parameters: workspace, meeting.
pub(crate) const CANCEL_SQL: &str =
    "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1
     WHERE workspace_id = $1 AND id = $2 AND status IN ('draft', 'invited')";

/// Whether a meeting of the workspace exists, to tell `NotFound` from a refused step.
/// Parameters: workspace, meeting.
pub(crate) const EXISTS_SQL: &str = "SELECT 1 FROM meetings WHERE workspace_id = $1 AND id = $2";

/// Makes every participant of a meeting follow its thread (unless one unfollowed it on
/// purpose). Parameters: thread, workspace, meeting.
pub(crate) const FOLLOW_SQL: &str =
    "INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
     SELECT p.workspace_id, p.member_id, CAST($1 AS TEXT), 0, TRUE FROM meeting_participants p
      WHERE p.workspace_id = $2 AND p.meeting_id = $3
     ON CONFLICT (member_id, thread_id) DO UPDATE SET following = COALESCE(read_cursors.following, TRUE)";

/// Invited meetings that ended by a time, oldest first. Parameters: the time (stored
/// milliseconds), the limit.
pub(crate) const OPEN_ENDED_SQL: &str =
    "SELECT workspace_id, id, organizer_id, starts_at, duration_minutes, thread_id
     FROM meetings WHERE status = 'invited' AND starts_at + duration_minutes * 60000 <= $1
     ORDER BY starts_at LIMIT $2";

/// Records a meeting's close reminder once (its `once_key` names the meeting). Parameters:
/// workspace, event id, post, thread, payload, when, once key, the organizer (a member of the
/// workspace, or nothing is written).
pub(crate) const CLOSE_REMINDER_SQL: &str = "INSERT INTO events
         (workspace_id, id, kind, post_id, thread_id, actor_id, payload, created_at, once_key)
     SELECT $1, $2, 'meeting_close_reminder', $3, $4, m.id, $5, $6, $7 FROM members m
      WHERE m.workspace_id = $1 AND m.id = $8
     ON CONFLICT (workspace_id, once_key) DO NOTHING";

/// The once key of a meeting's close reminder.
pub(crate) fn close_reminder_key(meeting: Id) -> String {
    format!("meeting_close:{meeting}")
}

/// Reads a workspace's meeting-load target. Parameters: workspace.
pub(crate) const LOAD_TARGET_SQL: &str =
    "SELECT meeting_load_target FROM workspace_settings WHERE workspace_id = $1";

/// Sets a workspace's meeting-load target, writing the settings row (with the default urgent
/// budget) when there is none yet. Parameters: workspace, default urgent budget, target, when,
/// by whom (a member of the workspace, or nothing is written).
pub(crate) const SET_LOAD_TARGET_SQL: &str = "INSERT INTO workspace_settings
         (workspace_id, urgent_budget, meeting_load_target, updated_by, updated_at)
     SELECT $1, $2, $3, m.id, $4 FROM members m WHERE m.workspace_id = $1 AND m.id = $5
     ON CONFLICT (workspace_id) DO UPDATE SET meeting_load_target = excluded.meeting_load_target,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at";

/// The span of a meeting that starts at `start` and lasts `minutes`.
pub(crate) fn meeting_span(start: Timestamp, minutes: i64) -> (Timestamp, Timestamp) {
    (start, start + jiff::SignedDuration::from_mins(minutes))
}
