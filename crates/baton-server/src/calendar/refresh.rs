//! The refresh loop: fetches each external calendar with a URL again once it is
//! [`REFRESH_EVERY`] old, so the slot finder sees what the member's calendar holds now.
//!
//! Owns: the pace ([`REFRESH_EVERY`], [`IDLE`], [`BATCH`]) and [`refresh_due`], one pass.
//! Does not own: one refresh (`services::calendars::refresh`, which records a failure and
//! keeps the old busy times).
//!
//! Why a loop and not a job per calendar: a refresh is idempotent and its due time is the
//! calendar's own `checked_at`, so the table itself is the queue. Two instances may refresh the
//! same calendar at the same moment; each write replaces the busy times whole, so the later
//! one simply wins.

use std::time::Duration;

use jiff::SignedDuration;

use crate::services::calendars::refresh;
use crate::state::AppState;

/// How old a calendar's last fetch may get before it is fetched again.
pub const REFRESH_EVERY: SignedDuration = SignedDuration::from_hours(1);

/// How long the loop waits when nothing is due.
pub const IDLE: Duration = Duration::from_secs(60);

/// Most calendars one pass refreshes; more wait for the next pass, which follows at once.
pub const BATCH: u32 = 20;

/// Refreshes the calendars due now, at most [`BATCH`]; returns how many were due. A calendar
/// that cannot be fetched or read is recorded as failed and counts as done.
///
/// # Errors
/// When the store cannot list or record (logged by the loop, tried again after [`IDLE`]).
pub async fn refresh_due(state: &AppState) -> anyhow::Result<usize> {
    let before = state.clock.now() - REFRESH_EVERY;
    let due = state.store.calendars_due(before, BATCH).await?;
    for calendar in &due {
        refresh(state, calendar).await.map_err(|e| {
            anyhow::anyhow!("recording the refresh of calendar {}: {e}", calendar.id)
        })?;
    }
    Ok(due.len())
}

/// Refreshes external calendars until the task is aborted (`baton serve` runs it beside the
/// delivery loops).
pub async fn run(state: AppState) {
    loop {
        match refresh_due(&state).await {
            Ok(n) if n == BATCH as usize => continue,
            Ok(n) => tracing::debug!(refreshed = n, "calendar refresh pass"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "calendar refresh failed"),
        }
        tokio::time::sleep(IDLE).await;
    }
}
