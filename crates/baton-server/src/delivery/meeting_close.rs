//! Close reminders: a meeting still invited a working day (of its organizer's) after its end
//! reminds the organizer to close it, once, at their next delivery window.
//!
//! Owns: the pass of the worker tick that records one `meeting_close_reminder` event per
//! meeting once it is due ([`record_due`]). Does not own: when it is due
//! (`baton_core::meeting::lifecycle::close_reminder_due`), the once-per-meeting rule (the
//! store's once key), or when it is delivered (expansion dates it at the organizer's next
//! window, like a mention, and the digest shows it).
//!
//! As for end-of-day reminders, it is recorded only once due, so a meeting closed in the
//! meantime records nothing.

use baton_core::meeting::lifecycle::close_reminder_due;
use baton_core::page::PageRequest;

use crate::services::schedules::schedules_of;
use crate::state::AppState;

/// Most open, ended meetings looked at per tick: meetings waiting to be closed are few; more
/// wait for the next tick (with a warning).
const BATCH: u32 = 500;

/// Records the due close reminders; returns how many were new.
#[tracing::instrument(name = "close reminders", skip_all)]
pub(super) async fn record_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let open = state.store.open_meetings_ended(now, BATCH).await?;
    if open.len() == BATCH as usize {
        tracing::warn!(
            batch = BATCH,
            "{BATCH} meetings wait to be closed; the rest wait for the next tick"
        );
    }
    let mut recorded = 0;
    for (ws, id, organizer, end, thread) in open {
        let Some(thread) = thread else {
            continue;
        };
        let Ok(member) = state.store.member(ws, organizer).await else {
            continue;
        };
        let schedules = schedules_of(state, std::slice::from_ref(&member))
            .await
            .map_err(|e| anyhow::anyhow!("reading the schedule of {organizer}: {e:?}"))?;
        let due = schedules.first().and_then(|s| close_reminder_due(s, end));
        if !member.active || due.is_none_or(|due| due > now) {
            continue;
        }
        let first = PageRequest {
            after: None,
            limit: 1,
        };
        let Some(invitation) = state.store.list_posts(ws, thread, first).await?.items.pop() else {
            continue;
        };
        if state
            .store
            .record_close_reminder(ws, id, organizer, thread, invitation.id, now)
            .await?
        {
            tracing::info!(meeting.id = %id, member.id = %organizer, "close reminder for meeting {id}");
            recorded += 1;
        }
    }
    Ok(recorded)
}
