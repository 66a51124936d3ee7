//! The posts a meeting writes to its thread when it is invited or cancelled: what a
//! participant needs to know, in Markdown, with the start in UTC (each reader's delivery shows
//! times in their own zone; the post states one unambiguous instant).
//!
//! Owns: [`post_body`] and [`cancellation_body`]. Does not own: the asks the invitation carries
//! (the server computes each participant's pre-work deadline) or the thread's title
//! ([`thread_title`] says it once).

use std::fmt::Write;

use jiff::Timestamp;

use super::Meeting;
use super::lifecycle::end;
use crate::Id;
use crate::validate::MAX_TITLE_CHARS;

/// The title of a meeting's thread: "Meeting: " and the meeting's title, cut to fit a title.
pub fn thread_title(meeting: &Meeting) -> String {
    format!("Meeting: {}", meeting.title)
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect()
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// The opening post of an invited meeting: when (UTC), the video link, the agenda (item,
/// owner, minutes), the pre-work and who attends (optional ones marked), people named by
/// `name`.
pub fn post_body(meeting: &Meeting, name: impl Fn(Id) -> String) -> String {
    let mut out = format!(
        "**{}** — {} to {} ({} minutes, {}).\n",
        meeting.title,
        utc(meeting.start),
        utc(end(meeting)),
        meeting.duration_minutes,
        meeting.purpose.as_str().replace('_', " "),
    );
    if let Some(link) = &meeting.video_url {
        let _ = writeln!(out, "\nVideo call: <{link}>");
    }
    out.push_str("\n**Agenda**\n\n");
    for (n, a) in meeting.agenda.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. {} — {} ({} min)",
            n + 1,
            a.item,
            name(a.owner_id),
            a.minutes
        );
    }
    out.push_str("\n**Pre-work** (due in your own working time; see your inbox)\n\n");
    for p in &meeting.prework {
        let _ = writeln!(out, "- {}", p.what);
    }
    out.push_str("\n**Participants**\n\n");
    for id in &meeting.participants {
        let optional = if meeting.optional.contains(id) {
            " (optional: outside their working hours)"
        } else {
            ""
        };
        let _ = writeln!(out, "- {}{optional}", name(*id));
    }
    out
}

/// The post that tells a meeting's thread the meeting is cancelled.
pub fn cancellation_body(meeting: &Meeting) -> String {
    format!(
        "**Cancelled:** {} on {} will not take place.\n",
        meeting.title,
        utc(meeting.start)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::{AgendaItem, MeetingStatus, PreworkItem, Purpose};

    #[test]
    fn the_invitation_says_when_where_and_what_to_prepare() {
        let (org, guest) = (Id::random(), Id::random());
        let meeting = Meeting {
            workspace_id: Id::random(),
            id: Id::random(),
            title: "Pick the vendor".into(),
            purpose: Purpose::PerformanceReview,
            justification: None,
            organizer_id: org,
            start: "2026-03-03T15:00:00Z".parse().unwrap(),
            duration_minutes: 45,
            status: MeetingStatus::Invited,
            space_id: Some(Id::random()),
            created_at: "2026-03-01T09:00:00Z".parse().unwrap(),
            participants: vec![org, guest],
            agenda: vec![AgendaItem {
                item: "Decide".into(),
                owner_id: guest,
                minutes: 30,
            }],
            prework: vec![PreworkItem {
                what: "Read the comparison".into(),
                due_minutes_before: 240,
            }],
            prework_due: Vec::new(),
            sequence: 0,
            thread_id: None,
            video_url: Some("https://meet.example.com/abc".into()),
            optional: vec![guest],
            closed_at: None,
        };
        let name = |id| {
            if id == org {
                "Ann".to_owned()
            } else {
                "Yuki".to_owned()
            }
        };
        let body = post_body(&meeting, name);
        for part in [
            "2026-03-03 15:00 UTC to 2026-03-03 15:45 UTC (45 minutes, performance review)",
            "Video call: <https://meet.example.com/abc>",
            "1. Decide — Yuki (30 min)",
            "- Read the comparison",
            "- Yuki (optional: outside their working hours)",
        ] {
            assert!(body.contains(part), "{part} in {body}");
        }
        assert_eq!(thread_title(&meeting), "Meeting: Pick the vendor");
        assert!(cancellation_body(&meeting).contains("2026-03-03 15:00 UTC"));
    }
}
