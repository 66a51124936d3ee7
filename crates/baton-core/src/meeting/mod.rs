//! Meetings as the exception: a record that names its purpose, carries an agenda and pre-work,
//! and is due in each participant's own working time.
//!
//! Owns: the [`Meeting`] record and its parts, the purpose gate ([`purpose`]), the rules for a
//! meeting's plan and its status ([`plan`]), when each participant's pre-work is due
//! ([`prework`]), the fair slot finder ([`slots`]), how much working time meetings take
//! ([`load`]), the lifecycle's steps ([`lifecycle`]), what a close records ([`close`]), the
//! posts a meeting writes to its thread ([`invitation`]) and the pairing of hangouts
//! ([`hangouts`]). Does not own: storage, the clock (every function takes the instants it
//! needs), HTTP, invitations, or who may see a meeting (its organizer and participants; the
//! server checks that).

pub mod close;
pub mod hangouts;
pub mod invitation;
pub mod lifecycle;
pub mod load;
pub mod plan;
pub mod prework;
pub mod purpose;
pub mod slots;

use jiff::Timestamp;

use crate::Id;

pub use purpose::Purpose;

/// Where a meeting is in its life. A meeting is a draft until it has an agenda, pre-work and a
/// space; only then are its participants invited. A held meeting is closed with its notes; a
/// draft or invited one may be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    /// Missing an agenda or pre-work: nobody is invited yet.
    Draft,
    /// Complete: its participants are invited.
    Invited,
    /// Held and closed with its notes, decisions and actions.
    Closed,
    /// Called off; it holds no one's time.
    Cancelled,
}

impl MeetingStatus {
    /// The API and storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Draft => "draft",
            MeetingStatus::Invited => "invited",
            MeetingStatus::Closed => "closed",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a spelling given by [`MeetingStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [
            MeetingStatus::Draft,
            MeetingStatus::Invited,
            MeetingStatus::Closed,
            MeetingStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One point of the agenda: what, who leads it, and how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// What is discussed or decided.
    pub item: String,
    /// The participant who leads it.
    pub owner_id: Id,
    /// How long it may take, in minutes.
    pub minutes: u32,
}

/// Something each participant reads or does before the meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreworkItem {
    /// What to read or do.
    pub what: String,
    /// How many of each participant's own working minutes before the start it is due.
    pub due_minutes_before: u32,
}

/// When one participant's pre-work is due: the earliest deadline of the meeting's pre-work
/// items, in that participant's working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreworkDue {
    /// The participant.
    pub member_id: Id,
    /// When all their pre-work is due.
    pub due_at: Timestamp,
}

/// A meeting as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Its workspace.
    pub workspace_id: Id,
    /// Its id.
    pub id: Id,
    /// What it is about.
    pub title: String,
    /// Why it is held.
    pub purpose: Purpose,
    /// Why it cannot be asynchronous, when one was given (always for [`Purpose::Other`]).
    pub justification: Option<String>,
    /// Who called it; always one of the participants.
    pub organizer_id: Id,
    /// When it starts.
    pub start: Timestamp,
    /// How long it lasts, in minutes.
    pub duration_minutes: u32,
    /// Where it is in its life.
    pub status: MeetingStatus,
    /// The space its notes will go to, if any.
    pub space_id: Option<Id>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who attends, the organizer first, then as listed.
    pub participants: Vec<Id>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// The pre-work, in order.
    pub prework: Vec<PreworkItem>,
    /// When each participant's pre-work is due, in participant order (none without pre-work).
    pub prework_due: Vec<PreworkDue>,
    /// How many times an invited meeting was changed or cancelled: 0 at its first invitation,
    /// raised by each change and by cancelling, so calendars replace what they hold.
    pub sequence: u32,
    /// Its thread in its space, started when it is invited.
    pub thread_id: Option<Id>,
    /// The link of its video call, if any.
    pub video_url: Option<String>,
    /// The participants whom the start puts (partly) outside their working hours, in
    /// participant order: optional by default, so no one is expected at a meeting in their night.
    pub optional: Vec<Id>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
}
