//! Writing iCalendar: a member's feed and a meeting's invitation or cancellation.
//!
//! Owns: [`feed`] and [`invitation`], pure functions of what they are given (the stamp is an
//! argument, never the clock). Does not own: who may read a feed (the feed's secret, see
//! `services::calendars`), sending invitations by email, or a meeting's sequence number (the
//! caller passes it; an update raises it).
//!
//! Every time is written in UTC (`…Z`), which RFC 5545 allows everywhere and which needs no
//! `VTIMEZONE`; calendar programs show it in their reader's zone.

use std::collections::HashMap;

use baton_core::Id;
use baton_core::meeting::{Meeting, MeetingStatus};
use baton_core::model::Member;
use baton_core::schedule::{MAX_RANGE_DAYS, Schedule, focus_intervals};
use icalendar::{Calendar, Component as _, Event, EventStatus, Property};
use jiff::{SignedDuration, Timestamp};

/// Who made the calendar text (RFC 5545 `PRODID`).
pub const PRODID: &str = "-//Baton//Meetings//EN";

/// An invitation's method (RFC 5546): sending or updating a meeting, or calling it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `METHOD:REQUEST`: the meeting, new or changed.
    Request,
    /// `METHOD:CANCEL`: the meeting will not take place.
    Cancel,
}

/// The people a meeting names, by id: for `ORGANIZER` and `ATTENDEE` lines (a participant
/// missing here is left out).
pub type People = HashMap<Id, Member>;

/// What a member's feed shows.
#[derive(Debug)]
pub struct Feed<'a> {
    /// Whose feed it is.
    pub owner: &'a Member,
    /// Their schedule, for their focus blocks.
    pub schedule: &'a Schedule,
    /// Their meetings; the invited ones overlapping `range` are shown.
    pub meetings: &'a [Meeting],
    /// The meetings' participants.
    pub people: &'a People,
    /// The span shown, `[from, to)`.
    pub range: (Timestamp, Timestamp),
    /// When the feed was made (`DTSTAMP`).
    pub stamp: Timestamp,
}

/// A time as iCalendar writes it in UTC: `20260301T090000Z`.
pub fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The `UID` of a meeting: stable, so every feed and invitation names the same event.
pub fn meeting_uid(meeting: Id) -> String {
    format!("{meeting}@baton")
}

/// The text of a member's feed: the meetings they were invited to (held and cancelled ones
/// too, each at its `SEQUENCE`, with its video link), their focus blocks (busy) and when their
/// pre-work is due, within the feed's range.
pub fn feed(f: &Feed<'_>) -> String {
    let mut cal = calendar(None);
    cal.append_property(Property::new(
        "X-WR-CALNAME",
        format!("Baton: {}", f.owner.name),
    ));
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    let (from, to) = f.range;
    for m in f
        .meetings
        .iter()
        .filter(|m| sent(m) && m.start < to && end_of(m) > from)
    {
        // Invited and held meetings stand; a cancelled one that was invited stays as
        // cancelled, so a calendar that showed it takes it off. Drafts were never sent.
        let method = match m.status {
            MeetingStatus::Cancelled => Method::Cancel,
            _ => Method::Request,
        };
        cal.push(meeting_event(m, f.people, m.sequence, f.stamp, method));
        if method == Method::Cancel {
            continue;
        }
        if let Some(due) = m.prework_due.iter().find(|d| d.member_id == f.owner.id)
            && due.due_at >= from
            && due.due_at < to
        {
            cal.push(prework_event(m, f.owner.id, due.due_at, f.stamp));
        }
    }
    for (start, end) in focus_blocks(f.schedule, from, to) {
        let mut e = Event::new();
        e.uid(&format!("focus-{}-{}@baton", f.owner.id, start.as_second()))
            .add_property("DTSTAMP", utc(f.stamp))
            .add_property("DTSTART", utc(start))
            .add_property("DTEND", utc(end))
            .summary("Focus time")
            .add_property("TRANSP", "OPAQUE");
        cal.push(e.done());
    }
    cal.done().to_string()
}

/// The text of an invitation to `meeting` (`Method::Request`, also for an update with a
/// higher `sequence`) or of its cancellation (`Method::Cancel`, `STATUS:CANCELLED`), to be
/// attached to an email as `text/calendar; method=…`.
pub fn invitation(
    meeting: &Meeting,
    people: &People,
    method: Method,
    sequence: u32,
    stamp: Timestamp,
) -> String {
    let mut cal = calendar(Some(method));
    cal.push(meeting_event(meeting, people, sequence, stamp, method));
    cal.done().to_string()
}

/// An empty calendar with its header, and `METHOD` for an invitation.
fn calendar(method: Option<Method>) -> Calendar {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", PRODID));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    if let Some(method) = method {
        let name = match method {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        };
        cal.append_property(Property::new("METHOD", name));
    }
    cal
}

/// Whether invitations for `m` went out: invited or held, or cancelled after invitations.
fn sent(m: &Meeting) -> bool {
    match m.status {
        MeetingStatus::Invited | MeetingStatus::Closed => true,
        MeetingStatus::Cancelled => m.thread_id.is_some(),
        MeetingStatus::Draft => false,
    }
}

fn end_of(m: &Meeting) -> Timestamp {
    m.start + SignedDuration::from_mins(i64::from(m.duration_minutes))
}

/// The meeting as a `VEVENT`.
fn meeting_event(
    m: &Meeting,
    people: &People,
    sequence: u32,
    stamp: Timestamp,
    method: Method,
) -> Event {
    let mut e = Event::new();
    e.uid(&meeting_uid(m.id))
        .add_property("DTSTAMP", utc(stamp))
        .add_property("DTSTART", utc(m.start))
        .add_property("DTEND", utc(end_of(m)))
        .summary(&m.title)
        .description(&description(m, people))
        .sequence(sequence)
        .status(match method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        });
    if let Some(link) = &m.video_url {
        e.add_property("URL", link).add_property("LOCATION", link);
    }
    if let Some(organizer) = people.get(&m.organizer_id) {
        e.append_property(person("ORGANIZER", organizer));
    }
    for id in &m.participants {
        if let Some(member) = people.get(id) {
            let mut attendee = person("ATTENDEE", member);
            attendee
                .add_parameter(
                    "ROLE",
                    if m.optional.contains(id) {
                        "OPT-PARTICIPANT"
                    } else {
                        "REQ-PARTICIPANT"
                    },
                )
                .add_parameter("RSVP", "TRUE")
                .add_parameter(
                    "PARTSTAT",
                    if *id == m.organizer_id {
                        "ACCEPTED"
                    } else {
                        "NEEDS-ACTION"
                    },
                );
            e.append_multi_property(attendee.done());
        }
    }
    e.done()
}

/// A member as a calendar user: their email, and their name as `CN` (without the double
/// quotes a parameter value may not hold).
fn person(key: &str, member: &Member) -> Property {
    let name: String = member
        .name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    let mut p = Property::new(key, format!("mailto:{}", member.email));
    p.add_parameter("CN", &name);
    p.done()
}

/// What the meeting is for, its agenda and its pre-work, as plain text.
fn description(m: &Meeting, people: &People) -> String {
    let name = |id: &Id| people.get(id).map_or("someone", |p| p.name.as_str());
    let mut text = format!("Purpose: {}\n", m.purpose.as_str());
    if !m.agenda.is_empty() {
        text.push_str("\nAgenda:\n");
        for (n, item) in m.agenda.iter().enumerate() {
            text.push_str(&format!(
                "{}. {} ({}, {} min)\n",
                n + 1,
                item.item,
                name(&item.owner_id),
                item.minutes
            ));
        }
    }
    if !m.prework.is_empty() {
        text.push_str("\nPre-work:\n");
        for item in &m.prework {
            text.push_str(&format!("- {}\n", item.what));
        }
    }
    text.trim_end().to_owned()
}

/// When `member`'s pre-work for `m` is due, as an event without length that holds no time.
fn prework_event(m: &Meeting, member: Id, due: Timestamp, stamp: Timestamp) -> Event {
    let what: Vec<String> = m.prework.iter().map(|p| format!("- {}", p.what)).collect();
    let mut e = Event::new();
    e.uid(&format!("prework-{}-{member}@baton", m.id))
        .add_property("DTSTAMP", utc(stamp))
        .add_property("DTSTART", utc(due))
        .summary(&format!("Pre-work due: {}", m.title))
        .description(&what.join("\n"))
        .add_property("TRANSP", "TRANSPARENT");
    e.done()
}

/// The focus blocks of `schedule` in `[from, to)`, asked for in pieces the schedule maths
/// accepts and joined again where a piece boundary cut a block.
fn focus_blocks(
    schedule: &Schedule,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let step = SignedDuration::from_hours(24 * MAX_RANGE_DAYS);
    let mut blocks: Vec<(Timestamp, Timestamp)> = Vec::new();
    let mut at = from;
    while at < to {
        let next = (at + step).min(to);
        // The range is checked above (forward, within the limit), so this cannot fail.
        for (start, end) in focus_intervals(schedule, at, next).unwrap_or_default() {
            match blocks.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => blocks.push((start, end)),
            }
        }
        at = next;
    }
    blocks
}
