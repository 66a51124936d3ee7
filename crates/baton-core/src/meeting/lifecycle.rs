//! A meeting's lifecycle: draft → invited → closed, or cancelled from either. Each step names
//! the state it needs and says in words why another state cannot take it, so the server can
//! answer a wrong-state request with a conflict a person understands.
//!
//! Owns: which transitions a meeting's status allows, when a meeting is ready to invite, when
//! it has ended, who is optional (the start puts them outside their working hours), the video
//! link's shape and the week a meeting's load is counted over. Does not own: storage, posts or
//! asks (the server writes them), or the clock (every function takes the instants it needs).

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp, ToSpan, tz::TimeZone};
use url::Url;

use super::{Meeting, MeetingStatus};
use crate::schedule::{Schedule, add_working_time, working_intervals};
use crate::{CoreError, CoreResult};

/// Longest video link: plenty for any call link, and a bound on what is stored.
pub const MAX_VIDEO_URL_BYTES: usize = 2000;

/// A meeting's end: its start plus its length.
pub fn end(meeting: &Meeting) -> Timestamp {
    meeting.start + SignedDuration::from_mins(i64::from(meeting.duration_minutes))
}

/// What a meeting still lacks before invitations may go out (an agenda, pre-work and a space
/// for its thread), in words; `None` when it has everything.
pub fn missing_for_invitation(meeting: &Meeting) -> Option<&'static str> {
    if meeting.agenda.is_empty() {
        Some("an agenda")
    } else if meeting.prework.is_empty() {
        Some("pre-work")
    } else if meeting.space_id.is_none() {
        Some("a space for its thread")
    } else {
        None
    }
}

/// Whether a meeting may be invited to now: a complete draft.
///
/// # Errors
/// Why not, in words, for a meeting that is not a draft or still lacks something.
pub fn may_invite(meeting: &Meeting) -> Result<(), String> {
    if meeting.status != MeetingStatus::Draft {
        return Err(format!(
            "This meeting is {} already; only a draft is invited.",
            meeting.status.as_str()
        ));
    }
    match missing_for_invitation(meeting) {
        Some(what) => Err(format!(
            "Invitations go out only once the meeting has {what}."
        )),
        None => Ok(()),
    }
}

/// Whether a meeting may be closed at `now`: invited, and over.
///
/// # Errors
/// Why not, in words.
pub fn may_close(meeting: &Meeting, now: Timestamp) -> Result<(), String> {
    if meeting.status != MeetingStatus::Invited {
        return Err(format!(
            "This meeting is {}; only an invited meeting is closed.",
            meeting.status.as_str()
        ));
    }
    if now < end(meeting) {
        return Err("This meeting has not ended yet; close it once it is over.".to_owned());
    }
    Ok(())
}

/// Whether a meeting may be cancelled: a draft or an invited meeting.
///
/// # Errors
/// Why not, in words.
pub fn may_cancel(meeting: &Meeting) -> Result<(), String> {
    match meeting.status {
        MeetingStatus::Draft | MeetingStatus::Invited => Ok(()),
        MeetingStatus::Closed | MeetingStatus::Cancelled => Err(format!(
            "This meeting is {} already and cannot be cancelled.",
            meeting.status.as_str()
        )),
    }
}

/// How long an invited meeting may stay open after its end before its organizer is reminded
/// to close it: one working day of theirs.
pub const CLOSE_WITHIN_WORKING_MINUTES: u32 = 480;

/// When the organizer (working on `schedule`) of an invited meeting that ended at `end` is
/// reminded to close it: a working day of theirs after its end. `None` without working time.
pub fn close_reminder_due(schedule: &Schedule, end: Timestamp) -> Option<Timestamp> {
    add_working_time(schedule, end, CLOSE_WITHIN_WORKING_MINUTES)
}

/// Whether `[start, end)` reaches outside the working hours of `schedule`: such a participant
/// is optional by default, so no one is expected at a meeting in their night.
///
/// # Errors
/// `from`/`to` for a range working time cannot be counted over (longer than a meeting can be).
pub fn outside_hours(schedule: &Schedule, start: Timestamp, end: Timestamp) -> CoreResult<bool> {
    let working: i64 = working_intervals(schedule, start, end)?
        .iter()
        .map(|(s, e)| e.duration_since(*s).as_mins())
        .sum();
    Ok(working < end.duration_since(start).as_mins())
}

/// The week a meeting's load is counted over for someone in `zone`: the seven days from
/// 00:00 on the Monday (in their zone) of the day the meeting starts.
///
/// # Errors
/// `start` when the week cannot be placed in the zone (out of range instants).
pub fn week_of(zone: &TimeZone, start: Timestamp) -> CoreResult<(Timestamp, Timestamp)> {
    let bad = |_| CoreError::invalid("start", "the meeting's week cannot be placed in time");
    let local = start.to_zoned_datetime(zone.clone());
    let back = Weekday::Monday.until(local.weekday());
    let monday = local
        .date()
        .checked_sub(i64::from(back).days())
        .and_then(|d| d.to_zoned_datetime(zone.clone()))
        .map_err(bad)?;
    let next = monday.checked_add(1.week()).map_err(bad)?;
    Ok((monday.timestamp(), next.timestamp()))
}

/// A meeting's video link: an absolute http or https URL with a host, at most
/// [`MAX_VIDEO_URL_BYTES`], trimmed.
///
/// # Errors
/// `video_url` for anything else.
pub fn video_url(text: &str) -> CoreResult<String> {
    let trimmed = text.trim();
    let bad = |why: &str| CoreError::invalid("video_url", format!("a video link {why}"));
    if trimmed.len() > MAX_VIDEO_URL_BYTES {
        return Err(bad(&format!("is at most {MAX_VIDEO_URL_BYTES} bytes long")));
    }
    let url = Url::parse(trimmed)
        .map_err(|_| bad("is an absolute URL, such as https://meet.example.com/abc"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad("is an http or https URL with a host"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;
    use crate::meeting::{AgendaItem, PreworkItem, Purpose};

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn meeting(status: MeetingStatus) -> Meeting {
        let org = Id::random();
        Meeting {
            workspace_id: Id::random(),
            id: Id::random(),
            title: "Pick the vendor".into(),
            purpose: Purpose::Decision,
            justification: None,
            organizer_id: org,
            start: ts("2026-03-03T15:00:00Z"),
            duration_minutes: 45,
            status,
            space_id: Some(Id::random()),
            created_at: ts("2026-03-01T09:00:00Z"),
            participants: vec![org],
            agenda: vec![AgendaItem {
                item: "Decide".into(),
                owner_id: org,
                minutes: 30,
            }],
            prework: vec![PreworkItem {
                what: "Read".into(),
                due_minutes_before: 240,
            }],
            prework_due: Vec::new(),
            sequence: 0,
            thread_id: None,
            video_url: None,
            optional: Vec::new(),
            closed_at: None,
        }
    }

    #[test]
    fn each_step_needs_its_state() {
        let draft = meeting(MeetingStatus::Draft);
        assert_eq!(may_invite(&draft), Ok(()));
        assert!(
            may_invite(&Meeting {
                space_id: None,
                ..draft.clone()
            })
            .unwrap_err()
            .contains("a space")
        );
        assert!(
            may_invite(&Meeting {
                agenda: Vec::new(),
                ..draft.clone()
            })
            .unwrap_err()
            .contains("an agenda")
        );
        assert!(may_close(&draft, ts("2026-03-04T00:00:00Z")).is_err());
        assert_eq!(may_cancel(&draft), Ok(()));

        let invited = meeting(MeetingStatus::Invited);
        assert!(may_invite(&invited).is_err());
        assert_eq!(end(&invited), ts("2026-03-03T15:45:00Z"));
        assert!(
            may_close(&invited, ts("2026-03-03T15:44:59Z"))
                .unwrap_err()
                .contains("not ended")
        );
        assert_eq!(may_close(&invited, ts("2026-03-03T15:45:00Z")), Ok(()));
        assert_eq!(may_cancel(&invited), Ok(()));

        for done in [MeetingStatus::Closed, MeetingStatus::Cancelled] {
            let m = meeting(done);
            assert!(may_invite(&m).is_err());
            assert!(may_close(&m, ts("2026-03-04T00:00:00Z")).is_err());
            assert!(may_cancel(&m).is_err());
        }
    }

    #[test]
    fn the_close_reminder_is_due_a_working_day_after_the_end() {
        let berlin = Schedule::default_for("Europe/Berlin").unwrap();
        // Tuesday 16:45 Berlin: 15 minutes of Tuesday left, then 7h45 of Wednesday.
        assert_eq!(
            close_reminder_due(&berlin, ts("2026-03-03T15:45:00Z")),
            Some(ts("2026-03-04T15:45:00Z"))
        );
    }

    #[test]
    fn a_start_in_someones_night_makes_them_optional() {
        let berlin = Schedule::default_for("Europe/Berlin").unwrap();
        let tokyo = Schedule::default_for("Asia/Tokyo").unwrap();
        let (start, end) = (ts("2026-03-03T15:00:00Z"), ts("2026-03-03T15:45:00Z"));
        assert_eq!(outside_hours(&berlin, start, end), Ok(false));
        assert_eq!(outside_hours(&tokyo, start, end), Ok(true));
        // 16:30 to 17:15 in Berlin: partly outside is outside.
        let late = (ts("2026-03-03T15:30:00Z"), ts("2026-03-03T16:15:00Z"));
        assert_eq!(outside_hours(&berlin, late.0, late.1), Ok(true));
    }

    #[test]
    fn the_week_starts_on_the_monday_in_each_zone() {
        let tokyo = Schedule::default_for("Asia/Tokyo")
            .unwrap()
            .time_zone()
            .clone();
        // Sunday 2026-03-08 20:00 UTC is Monday 05:00 in Tokyo.
        assert_eq!(
            week_of(&tokyo, ts("2026-03-08T20:00:00Z")),
            Ok((ts("2026-03-08T15:00:00Z"), ts("2026-03-15T15:00:00Z")))
        );
        let berlin = Schedule::default_for("Europe/Berlin")
            .unwrap()
            .time_zone()
            .clone();
        assert_eq!(
            week_of(&berlin, ts("2026-03-08T20:00:00Z")),
            Ok((ts("2026-03-01T23:00:00Z"), ts("2026-03-08T23:00:00Z")))
        );
    }

    #[test]
    fn a_video_link_is_an_http_url_with_a_host() {
        assert_eq!(
            video_url(" https://meet.example.com/abc ").as_deref(),
            Ok("https://meet.example.com/abc")
        );
        for bad in [
            "meet.example.com",
            "ftp://x.example/",
            "javascript:alert(1)",
            "https://",
        ] {
            assert_eq!(
                video_url(bad).map_err(|e| e.field),
                Err("video_url"),
                "{bad}"
            );
        }
        let long = format!("https://x.example/{}", "a".repeat(MAX_VIDEO_URL_BYTES));
        assert!(video_url(&long).is_err());
    }
}
