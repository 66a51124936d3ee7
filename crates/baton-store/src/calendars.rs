//! The [`CalendarStore`] role trait: each member's secret feed (only its hash) and their
//! external calendars with the busy times read from them. The SQL lives in each backend's
//! `calendars.rs`.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::calendar::{Busy, ExternalCalendar, Refresh};
use jiff::Timestamp;

use crate::StoreResult;

/// Columns of an external calendar row, in the order both backends read them.
pub(crate) const CALENDAR_COLS: &str = "workspace_id, id, member_id, name, url, busy_count, \
     created_at, fetched_at, checked_at, last_error";

/// Calendar feeds and external calendars.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Makes `secret_hash` the secret of `member`'s feed, replacing any earlier one (which
    /// stops working). `NotFound` when `member` is not in `ws`.
    async fn set_calendar_feed(
        &self,
        ws: Id,
        member: Id,
        secret_hash: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Revokes `member`'s feed; nothing happens when there is none.
    async fn revoke_calendar_feed(&self, ws: Id, member: Id) -> StoreResult<()>;
    /// The workspace and member whose feed has this secret hash; `NotFound` for an unknown
    /// or revoked secret.
    async fn calendar_feed_owner(&self, secret_hash: &str) -> StoreResult<(Id, Id)>;
    /// Adds an external calendar with its busy times, in one transaction. `NotFound` when its
    /// member is not in `ws`.
    async fn add_calendar(
        &self,
        ws: Id,
        calendar: ExternalCalendar,
        busy: Vec<Busy>,
    ) -> StoreResult<()>;
    /// The external calendars of `member`, oldest first (a member has at most
    /// `baton_core::calendar::MAX_CALENDARS`, so this is one short list).
    async fn calendars_of(&self, ws: Id, member: Id) -> StoreResult<Vec<ExternalCalendar>>;
    /// Removes one of `member`'s external calendars and its busy times. `NotFound` when
    /// `member` has no calendar `id`.
    async fn remove_calendar(&self, ws: Id, member: Id, id: Id) -> StoreResult<()>;
    /// Fetched calendars (with a URL) of every workspace last checked before `before`, the
    /// longest unchecked first, at most `limit`: the refresh loop's work.
    async fn calendars_due(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ExternalCalendar>>;
    /// Records a refresh of calendar `id` at `at`: new busy times replace the old ones (and
    /// clear the last error), or a failure is recorded and the old busy times stay.
    /// `NotFound` when the calendar was removed meanwhile.
    async fn record_refresh(
        &self,
        ws: Id,
        id: Id,
        at: Timestamp,
        refresh: Refresh,
    ) -> StoreResult<()>;
    /// The busy times of `members`' external calendars that overlap `[from, to)`: one
    /// `(member, start, end)` each, so the slot finder keeps meetings off them.
    async fn external_busy(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>>;
}

/// How many busy times a refresh stores, as the `busy_count` column holds it.
pub(crate) fn busy_count(refresh: &Refresh) -> Option<i64> {
    match refresh {
        Refresh::Read(busy) => Some(i64::try_from(busy.len()).unwrap_or(i64::MAX)),
        Refresh::Failed(_) => None,
    }
}
