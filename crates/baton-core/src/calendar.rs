//! Calendars: the records and limits of a member's secret feed and of the external calendars
//! whose busy times the slot finder respects.
//!
//! Owns: [`ExternalCalendar`], the windows a feed shows and busy times are kept for, and the
//! limits on external calendars. Does not own: reading or writing iCalendar text (the server's
//! `calendar` module), fetching, or storage.

use jiff::{SignedDuration, Timestamp};

use crate::Id;

/// How far back a member's feed reaches: recent meetings stay visible for a month.
pub const FEED_DAYS_BACK: i64 = 30;
/// How far ahead a member's feed reaches.
pub const FEED_DAYS_AHEAD: i64 = 365;
/// How far back an external calendar's busy times are kept.
pub const BUSY_DAYS_BACK: i64 = 7;
/// How far ahead an external calendar's busy times are kept: past the slot finder's longest
/// search (60 days) with room for a refresh that fails for a while.
pub const BUSY_DAYS_AHEAD: i64 = 120;
/// Most external calendars one member may add.
pub const MAX_CALENDARS: usize = 20;
/// Largest iCalendar text accepted, uploaded or fetched.
pub const MAX_ICS_BYTES: usize = 2 * 1024 * 1024;
/// Most busy times one external calendar may hold within its window.
pub const MAX_BUSY_TIMES: usize = 5_000;
/// Longest name of an external calendar.
pub const MAX_NAME_CHARS: usize = 100;

/// The range `[from, to)` around `now` reaching `back` days back and `ahead` days ahead.
pub fn window(now: Timestamp, back: i64, ahead: i64) -> (Timestamp, Timestamp) {
    (
        now - SignedDuration::from_hours(24 * back),
        now + SignedDuration::from_hours(24 * ahead),
    )
}

/// One busy time of an external calendar: when the member is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Busy {
    /// When it starts.
    pub start: Timestamp,
    /// When it ends (after `start`).
    pub end: Timestamp,
}

/// An external calendar a member added: fetched from `url` (and refreshed), or uploaded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalCalendar {
    /// Its workspace.
    pub workspace_id: Id,
    /// Its id.
    pub id: Id,
    /// The member whose busy times it holds.
    pub member_id: Id,
    /// What the member calls it.
    pub name: String,
    /// Where it is fetched from; `None` for an uploaded file, which is never refreshed.
    pub url: Option<String>,
    /// How many busy times it holds now.
    pub busy_count: u32,
    /// When it was added.
    pub created_at: Timestamp,
    /// When its busy times were last read successfully.
    pub fetched_at: Option<Timestamp>,
    /// When it was last fetched or tried, successfully or not: when the next refresh is due.
    pub checked_at: Timestamp,
    /// Why the last refresh failed, when it did (the old busy times stay).
    pub last_error: Option<String>,
}

/// What a refresh of an external calendar found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// It was read: these busy times replace the old ones.
    Read(Vec<Busy>),
    /// It could not be read, for this reason: the old busy times stay.
    Failed(String),
}
