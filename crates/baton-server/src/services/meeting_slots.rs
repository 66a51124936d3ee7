//! Finding a meeting's fairest slots across the participants' time zones.
//!
//! Owns: who may search slots for whom, and loading what the pure finder
//! (`baton_core::meeting::slots`) needs. Does not own: the ranking (core) or the wire format
//! (`routes::meeting_slots`).

use std::collections::HashSet;

use baton_core::Id;
use baton_core::meeting::slots::{
    MAX_PARTICIPANTS, Participant, Rotation, Search, Slot, SlotFinder,
};
use baton_core::model::Member;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::access::{Sight, member_in_sight, presence_only};
use super::error::{ServiceError, ServiceResult};
use super::schedules::schedules_of;
use crate::state::AppState;

/// How many slots a search answers, best first: enough to choose from, few enough to read.
pub const SLOTS_SHOWN: usize = 20;

/// What a slot search found, for the participants in the order they were named.
#[derive(Debug)]
pub struct SlotsFound {
    /// The participants, in the order named; each slot's minutes follow this order.
    pub participants: Vec<Member>,
    /// Each participant's zone, from their schedule: where their local times are shown.
    pub zones: Vec<TimeZone>,
    /// The best slots, best first.
    pub slots: Vec<Slot>,
    /// For a weekly meeting, the rotation of weekly times.
    pub rotation: Option<Rotation>,
}

/// The best slots of `search` for `participants`, and a rotation when the meeting is `weekly`.
///
/// # Errors
///
/// 422 on `participants` for none, more than [`MAX_PARTICIPANTS`], a repeated id or a member
/// the caller may not know of; 403 for a guest who names anyone but themself (their working
/// hours are not a guest's to read).
#[tracing::instrument(skip_all, fields(caller = %caller.id, participants = participants.len()))]
pub async fn find_slots(
    state: &AppState,
    caller: &Member,
    participants: &[Id],
    search: Search,
    weekly: bool,
) -> ServiceResult<SlotsFound> {
    if participants.is_empty() || participants.len() > MAX_PARTICIPANTS {
        return Err(ServiceError::invalid(
            "participants",
            format!("Name 1 to {MAX_PARTICIPANTS} participants."),
        ));
    }
    let mut seen = HashSet::with_capacity(participants.len());
    if let Some(repeated) = participants.iter().find(|id| !seen.insert(**id)) {
        return Err(ServiceError::invalid(
            "participants",
            format!("Member {repeated} is named twice."),
        ));
    }
    let mut members = Vec::with_capacity(participants.len());
    for id in participants {
        let (member, sight) = member_in_sight(state, caller, *id).await.map_err(|e| {
            e.named_by("participants", || {
                format!("There is no member {id} in this workspace.")
            })
        })?;
        if sight != Sight::Full {
            return Err(presence_only());
        }
        members.push(member);
    }
    let schedules = schedules_of(state, &members).await?;
    let busy = busy_times(state, caller, participants, &search).await?;
    let people: Vec<Participant<'_>> = schedules
        .iter()
        .zip(&busy)
        .map(|(schedule, busy)| Participant { schedule, busy })
        .collect();
    let finder = SlotFinder::new(&people, &search)?;
    Ok(SlotsFound {
        slots: finder.best(SLOTS_SHOWN),
        rotation: weekly.then(|| finder.rotation()),
        zones: schedules.iter().map(|s| s.time_zone().clone()).collect(),
        participants: members,
    })
}

/// Each participant's busy times over the search's range, in the order named: the invited
/// Baton meetings they are in and the busy times of their external calendars.
async fn busy_times(
    state: &AppState,
    caller: &Member,
    participants: &[Id],
    search: &Search,
) -> ServiceResult<Vec<Vec<(Timestamp, Timestamp)>>> {
    let (from, to) = search.range();
    let mut times = state
        .store
        .meeting_times(caller.workspace_id, participants, from, to)
        .await?;
    times.extend(
        state
            .store
            .external_busy(caller.workspace_id, participants, from, to)
            .await?,
    );
    Ok(participants
        .iter()
        .map(|p| {
            times
                .iter()
                .filter(|(member, ..)| member == p)
                .map(|(_, start, end)| (*start, *end))
                .collect()
        })
        .collect())
}
