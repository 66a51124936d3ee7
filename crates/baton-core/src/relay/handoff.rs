//! The handoff itself: what its note must say and when it reaches the receiver.
//!
//! Owns: [`validate_note`] and [`delivers_at`] ("never 3 am": a handoff waits for the
//! receiver's working time instead of waking them).

use jiff::Timestamp;

use crate::model::HandoffNote;
use crate::schedule::{Schedule, is_working, next_working_start};
use crate::{CoreError, CoreResult};

/// Largest note field, in bytes: room for a thorough status, small enough that the receiver
/// reads it; longer material belongs in a linked document.
pub const MAX_NOTE_BYTES: usize = 8 * 1024;

/// Checks a handoff note and returns it trimmed. Every field is required, so the receiver can
/// carry on without a meeting; `blockers` and `links` may say "none". Each field holds at most
/// [`MAX_NOTE_BYTES`] after trimming.
///
/// # Errors
///
/// A [`CoreError`] naming the first field that is blank or too long: `state`, `next_step`,
/// `blockers` or `links`.
pub fn validate_note(
    state: &str,
    next_step: &str,
    blockers: &str,
    links: &str,
) -> CoreResult<HandoffNote> {
    Ok(HandoffNote {
        state: field(
            "state",
            state,
            "say where the work stands, so the receiver can pick it up without asking",
        )?,
        next_step: field(
            "next_step",
            next_step,
            "say what the receiver should do first",
        )?,
        blockers: field(
            "blockers",
            blockers,
            "say what stands in the way, or write \"none\"",
        )?,
        links: field(
            "links",
            links,
            "say where to look (threads, docs, branches), or write \"none\"",
        )?,
    })
}

/// One required note field: trimmed, non-empty, at most [`MAX_NOTE_BYTES`]. `when_blank` is
/// the instruction shown when it is empty.
fn field(name: &'static str, text: &str, when_blank: &str) -> CoreResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CoreError::invalid(
            name,
            format!("a handoff note needs this: {when_blank}"),
        ));
    }
    if trimmed.len() > MAX_NOTE_BYTES {
        return Err(CoreError::invalid(
            name,
            format!(
                "this can be at most {} KiB and is {} KiB; shorten it and link to a document \
                 for the details",
                MAX_NOTE_BYTES / 1024,
                trimmed.len().div_ceil(1024)
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// When a handoff passed at `now` reaches `receiver`: `now` when they are working, else the
/// start of their next working time, so nobody is notified at 3 am. `None` when the receiver
/// has no working time (callers should refuse such a handoff or pick another receiver).
pub fn delivers_at(receiver: &Schedule, now: Timestamp) -> Option<Timestamp> {
    if is_working(receiver, now) {
        Some(now)
    } else {
        next_working_start(receiver, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{ScheduleSpec, WeeklySpec};

    fn note(state: &str, next_step: &str, blockers: &str, links: &str) -> CoreResult<HandoffNote> {
        validate_note(state, next_step, blockers, links)
    }

    #[test]
    fn a_complete_note_is_kept_trimmed() {
        let n = note(" deploy half done \n", "finish eu-west", "none", "none").unwrap();
        assert_eq!(n.state, "deploy half done");
        assert_eq!(n.blockers, "none");
    }

    #[test]
    fn each_blank_field_is_named() {
        assert_eq!(note(" ", "b", "c", "d").unwrap_err().field, "state");
        assert_eq!(note("a", "", "c", "d").unwrap_err().field, "next_step");
        assert_eq!(note("a", "b", "\n\t", "d").unwrap_err().field, "blockers");
        let error = note("a", "b", "c", "").unwrap_err();
        assert_eq!(error.field, "links");
        assert!(error.message.contains("\"none\""), "{}", error.message);
    }

    #[test]
    fn fields_are_limited_to_8_kib() {
        let full = "x".repeat(MAX_NOTE_BYTES);
        assert!(note(&full, &full, &full, &full).is_ok());
        let over = format!("{full}x");
        let error = note("a", "b", &over, "d").unwrap_err();
        assert_eq!(error.field, "blockers");
        assert!(error.message.contains("at most 8 KiB"), "{}", error.message);
        // The limit is in bytes: 2,731 three-byte characters are 8,193 bytes.
        assert_eq!(
            note("a", &"€".repeat(2731), "c", "d").unwrap_err().field,
            "next_step"
        );
    }

    #[test]
    fn delivery_waits_for_working_time_and_never_comes_without_it() {
        let berlin = Schedule::default_for("Europe/Berlin").unwrap();
        // Tuesday 2026-01-13, 03:00 in Berlin: delivered at 09:00 the same day.
        let night: Timestamp = "2026-01-13T02:00:00Z".parse().unwrap();
        let nine: Timestamp = "2026-01-13T08:00:00Z".parse().unwrap();
        assert_eq!(delivers_at(&berlin, night), Some(nine));
        let noon: Timestamp = "2026-01-13T11:00:00Z".parse().unwrap();
        assert_eq!(delivers_at(&berlin, noon), Some(noon));
        // Friday 18:00 waits for Monday 09:00.
        let friday: Timestamp = "2026-01-16T17:00:00Z".parse().unwrap();
        let monday: Timestamp = "2026-01-19T08:00:00Z".parse().unwrap();
        assert_eq!(delivers_at(&berlin, friday), Some(monday));
        let idle = Schedule::new(ScheduleSpec {
            timezone: "Europe/Berlin".to_owned(),
            weekly: WeeklySpec::default(),
            time_off: Vec::new(),
            focus: Vec::new(),
        })
        .unwrap();
        assert_eq!(delivers_at(&idle, noon), None);
    }
}
