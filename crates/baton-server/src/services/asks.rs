//! Asks: a `reply` expectation becomes one ask per listed member, due when that member has
//! worked the given number of minutes of their own schedule; lists of asks and the inbox.

use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{Ask, AskDirection, Member, NewAsk};
use baton_core::schedule::{self, working_time_between};
use baton_core::{Id, model::Thread};
use jiff::Timestamp;

use super::access::visible_thread;
use super::error::{ServiceError, ServiceResult};
use super::schedules::schedules_of;
use crate::state::AppState;

/// Most asks one list returns.
pub const MAX_LISTED: u32 = 500;

/// The asks a post with `expectation` creates at `now`: one per addressed member
/// ([`super::access::addressees`], so each can see the space), each due after
/// `within_minutes` of that member's working time. Every asked member must have working time.
#[tracing::instrument(skip_all)]
pub async fn plan(
    state: &AppState,
    expectation: Option<&Expectation>,
    members: &[Member],
    now: Timestamp,
) -> ServiceResult<Vec<NewAsk>> {
    let Some(exp) = expectation.filter(|e| e.kind == ExpectationKind::Reply) else {
        return Ok(Vec::new());
    };
    let minutes = exp.within_minutes.unwrap_or_default();
    let schedules = schedules_of(state, members).await?;
    members
        .iter()
        .zip(&schedules)
        .map(|(member, schedule)| {
            let due_at = schedule::add_working_time(schedule, now, minutes).ok_or_else(|| {
                ServiceError::invalid(
                    "expectation.of",
                    format!(
                        "{} has no working time in their schedule, so cannot be asked to reply.",
                        member.name
                    ),
                )
            })?;
            Ok(NewAsk {
                id: Id::random(),
                to_id: member.id,
                due_at,
            })
        })
        .collect()
}

/// An ask the caller may see, with its thread.
#[derive(Debug, Clone)]
pub struct VisibleAsk {
    /// The ask.
    pub ask: Ask,
    /// Its thread.
    pub thread: Thread,
}

/// Asks to or from the caller, soonest due first, only in threads the caller can still see.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn list(
    state: &AppState,
    caller: &Member,
    direction: AskDirection,
    open_only: bool,
) -> ServiceResult<Vec<VisibleAsk>> {
    let asks = state
        .store
        .list_asks(
            caller.workspace_id,
            caller.id,
            direction,
            open_only,
            MAX_LISTED,
        )
        .await?;
    let mut visible = Vec::with_capacity(asks.len());
    for ask in asks {
        if let Ok(thread) = visible_thread(state, caller, ask.thread_id).await {
            visible.push(VisibleAsk { ask, thread });
        }
    }
    Ok(visible)
}

/// Working minutes the caller has left before `due` (negative when overdue), measured in their
/// own schedule.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn working_minutes_left(
    state: &AppState,
    caller: &Member,
    due: Timestamp,
) -> ServiceResult<i64> {
    let schedule = schedules_of(state, std::slice::from_ref(caller))
        .await?
        .pop()
        .ok_or_else(|| ServiceError::internal(&"no schedule"))?;
    let now = state.clock.now();
    let minutes = if due >= now {
        working_time_between(&schedule, now, due).as_mins()
    } else {
        -working_time_between(&schedule, due, now).as_mins()
    };
    Ok(minutes)
}
