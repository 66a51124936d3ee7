//! The rules a meeting's plan must meet before anything is stored: its title, length,
//! participants, agenda and pre-work, and the status that follows from them.
//!
//! Owns: the limits and [`check`], which names the request field at fault. Does not own:
//! whether the participants exist and may be known to the organizer (the server looks them up).

use std::collections::HashSet;

use jiff::Timestamp;

// The slot finder's bounds, stated once for both: at most `MAX_PARTICIPANTS` listed (the
// organizer, who always attends, comes on top of them here) and at most
// `MAX_DURATION_MINUTES`, which bounds each agenda item too.
use super::slots::{MAX_DURATION_MINUTES, MAX_PARTICIPANTS};
use super::{AgendaItem, MeetingStatus, PreworkItem};
use crate::validate::{MAX_TITLE_CHARS, line};
use crate::{CoreError, CoreResult, Id};

/// Most agenda or pre-work items: already more than anyone gets through or prepares for, and
/// a bound on what one request writes.
pub const MAX_ITEMS: usize = 50;
/// Pre-work is due this many working minutes before the start unless the item says otherwise:
/// half a working day, time to read before the meeting without rushing.
pub const DEFAULT_DUE_MINUTES_BEFORE: u32 = 240;
/// Latest pre-work deadline, in working minutes before the start: two working weeks.
pub const MAX_DUE_MINUTES_BEFORE: u32 = 4800;

/// What a plan checks: everything the organizer asked for, before any lookup.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    /// The title as given.
    pub title: &'a str,
    /// The start.
    pub start: Timestamp,
    /// The length in minutes.
    pub duration_minutes: u32,
    /// Who attends, the organizer first.
    pub participants: &'a [Id],
    /// The agenda as given (texts untrimmed).
    pub agenda: &'a [AgendaItem],
    /// The pre-work as given (texts untrimmed).
    pub prework: &'a [PreworkItem],
}

/// A checked plan: the trimmed title, agenda and pre-work, and the status they give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The trimmed title.
    pub title: String,
    /// The agenda with trimmed texts.
    pub agenda: Vec<AgendaItem>,
    /// The pre-work with trimmed texts.
    pub prework: Vec<PreworkItem>,
    /// Draft unless there is both an agenda and pre-work.
    pub status: MeetingStatus,
}

/// Checks a plan made at `now`.
///
/// # Errors
/// A [`CoreError`] naming the first field at fault: `title`, `start` (not after `now`),
/// `duration_minutes` (1 to 480), `participants` (at most 200 besides the organizer, none
/// twice), `agenda` (at most 50 items, minutes summing past the duration), `agenda.item`,
/// `agenda.owner_id` (not a participant), `agenda.minutes` (1 to 480), `prework`,
/// `prework.what` or `prework.due_minutes_before` (at most 4800).
pub fn check(plan: Plan<'_>, now: Timestamp) -> CoreResult<Checked> {
    let title = line("title", "a meeting title", plan.title, MAX_TITLE_CHARS)?;
    if plan.start <= now {
        return Err(CoreError::invalid(
            "start",
            "a meeting starts in the future",
        ));
    }
    if !(1..=MAX_DURATION_MINUTES).contains(&plan.duration_minutes) {
        return Err(CoreError::invalid(
            "duration_minutes",
            format!("a meeting lasts 1 to {MAX_DURATION_MINUTES} minutes"),
        ));
    }
    check_participants(plan.participants)?;
    let agenda = check_agenda(plan.agenda, plan.participants, plan.duration_minutes)?;
    let prework = check_prework(plan.prework)?;
    let status = if agenda.is_empty() || prework.is_empty() {
        MeetingStatus::Draft
    } else {
        MeetingStatus::Invited
    };
    Ok(Checked {
        title,
        agenda,
        prework,
        status,
    })
}

fn check_participants(participants: &[Id]) -> CoreResult<()> {
    // The organizer is first and not counted against the limit.
    if participants.len() > MAX_PARTICIPANTS + 1 {
        return Err(CoreError::invalid(
            "participants",
            format!("a meeting has at most {MAX_PARTICIPANTS} participants besides its organizer"),
        ));
    }
    let mut seen = HashSet::with_capacity(participants.len());
    if let Some(twice) = participants.iter().find(|id| !seen.insert(**id)) {
        return Err(CoreError::invalid(
            "participants",
            format!("{twice} is listed twice (the organizer always attends)"),
        ));
    }
    Ok(())
}

fn check_agenda(
    agenda: &[AgendaItem],
    participants: &[Id],
    duration: u32,
) -> CoreResult<Vec<AgendaItem>> {
    if agenda.len() > MAX_ITEMS {
        return Err(CoreError::invalid(
            "agenda",
            format!("an agenda has at most {MAX_ITEMS} items"),
        ));
    }
    let mut total = 0;
    let mut checked = Vec::with_capacity(agenda.len());
    for (n, a) in agenda.iter().enumerate() {
        let item = line("agenda.item", "an agenda item", &a.item, MAX_TITLE_CHARS)?;
        if !participants.contains(&a.owner_id) {
            return Err(CoreError::invalid(
                "agenda.owner_id",
                format!("agenda item {}: its owner is not a participant", n + 1),
            ));
        }
        if !(1..=MAX_DURATION_MINUTES).contains(&a.minutes) {
            return Err(CoreError::invalid(
                "agenda.minutes",
                format!("agenda item {}: 1 to {MAX_DURATION_MINUTES} minutes", n + 1),
            ));
        }
        total += a.minutes;
        checked.push(AgendaItem { item, ..a.clone() });
    }
    if total > duration {
        return Err(CoreError::invalid(
            "agenda",
            format!("the agenda takes {total} minutes, longer than the meeting's {duration}"),
        ));
    }
    Ok(checked)
}

fn check_prework(prework: &[PreworkItem]) -> CoreResult<Vec<PreworkItem>> {
    if prework.len() > MAX_ITEMS {
        return Err(CoreError::invalid(
            "prework",
            format!("pre-work has at most {MAX_ITEMS} items"),
        ));
    }
    prework
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let what = line("prework.what", "pre-work", &p.what, MAX_TITLE_CHARS)?;
            if p.due_minutes_before > MAX_DUE_MINUTES_BEFORE {
                return Err(CoreError::invalid(
                    "prework.due_minutes_before",
                    format!(
                        "pre-work item {}: due at most {MAX_DUE_MINUTES_BEFORE} working minutes before the start",
                        n + 1
                    ),
                ));
            }
            Ok(PreworkItem {
                what,
                due_minutes_before: p.due_minutes_before,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn field(plan: Plan<'_>) -> &'static str {
        check(plan, ts("2026-03-02T12:00:00Z")).unwrap_err().field
    }

    #[test]
    fn a_plan_with_agenda_and_prework_is_invited_and_trimmed() {
        let (org, other) = (Id::random(), Id::random());
        let agenda = [AgendaItem {
            item: " Pick the vendor ".into(),
            owner_id: other,
            minutes: 30,
        }];
        let prework = [PreworkItem {
            what: " Read the comparison ".into(),
            due_minutes_before: DEFAULT_DUE_MINUTES_BEFORE,
        }];
        let plan = Plan {
            title: " Vendor decision ",
            start: ts("2026-03-09T15:00:00Z"),
            duration_minutes: 30,
            participants: &[org, other],
            agenda: &agenda,
            prework: &prework,
        };
        let checked = check(plan, ts("2026-03-02T12:00:00Z")).unwrap();
        assert_eq!(checked.title, "Vendor decision");
        assert_eq!(checked.agenda[0].item, "Pick the vendor");
        assert_eq!(checked.prework[0].what, "Read the comparison");
        assert_eq!(checked.status, MeetingStatus::Invited);
        let draft = check(
            Plan {
                prework: &[],
                ..plan
            },
            ts("2026-03-02T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(draft.status, MeetingStatus::Draft);

        assert_eq!(
            field(Plan {
                duration_minutes: 0,
                ..plan
            }),
            "duration_minutes"
        );
        assert_eq!(
            field(Plan {
                duration_minutes: 481,
                ..plan
            }),
            "duration_minutes"
        );
        assert_eq!(
            field(Plan {
                duration_minutes: 29,
                ..plan
            }),
            "agenda"
        );
        assert_eq!(
            field(Plan {
                start: ts("2026-03-02T12:00:00Z"),
                ..plan
            }),
            "start"
        );
        assert_eq!(
            field(Plan {
                participants: &[org, org],
                ..plan
            }),
            "participants"
        );
        assert_eq!(
            field(Plan {
                participants: &[org],
                ..plan
            }),
            "agenda.owner_id"
        );
        let many: Vec<Id> = (0..=MAX_PARTICIPANTS + 1).map(|_| Id::random()).collect();
        assert_eq!(
            field(Plan {
                participants: &many,
                ..plan
            }),
            "participants"
        );
        let zero = [AgendaItem {
            minutes: 0,
            ..agenda[0].clone()
        }];
        assert_eq!(
            field(Plan {
                agenda: &zero,
                ..plan
            }),
            "agenda.minutes"
        );
        let blank = [AgendaItem {
            item: "  ".into(),
            ..agenda[0].clone()
        }];
        assert_eq!(
            field(Plan {
                agenda: &blank,
                ..plan
            }),
            "agenda.item"
        );
        let late = [PreworkItem {
            due_minutes_before: 4801,
            ..prework[0].clone()
        }];
        assert_eq!(
            field(Plan {
                prework: &late,
                ..plan
            }),
            "prework.due_minutes_before"
        );
        let empty = [PreworkItem {
            what: String::new(),
            ..prework[0].clone()
        }];
        assert_eq!(
            field(Plan {
                prework: &empty,
                ..plan
            }),
            "prework.what"
        );
    }
}
