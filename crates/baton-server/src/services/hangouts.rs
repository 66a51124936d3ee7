//! Hangouts: opting in and out, and the pairing of each two-week round, made once per round by
//! whichever request first asks after the round began.
//!
//! Owns: who may opt whom in (only the member themself: a hangout is never compulsory, so
//! nobody decides it for someone else; guests are not paired), loading what the pure pairing
//! (`baton_core::meeting::hangouts`) needs, and storing its result once. Does not own: the
//! pairing rule (core) or the wire format (`routes::hangouts`).

use baton_core::Id;
use baton_core::meeting::hangouts::{self, Candidate, Round, WeekMask};
use baton_core::model::Member;
use baton_core::role::Role;
use baton_store::{HangoutRound, PairedHangout, StoreError};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::access::workspace_member;
use super::error::{ServiceError, ServiceResult};
use super::schedules::{schedule_of, schedules_of};
use crate::state::AppState;

/// What the caller sees of hangouts now.
#[derive(Debug)]
pub struct HangoutView {
    /// The current round.
    pub round: Round,
    /// Whether the caller is opted in.
    pub opted_in: bool,
    /// The caller's pair this round, if they have one.
    pub offer: Option<HangoutOffer>,
}

/// The caller's partner this round and the slot offered to them both.
#[derive(Debug)]
pub struct HangoutOffer {
    /// The partner.
    pub partner: Member,
    /// The caller's zone and the partner's (from their schedules): where the slot's local
    /// times are read.
    pub zones: (TimeZone, TimeZone),
    /// Minutes of a week both work.
    pub shared_minutes: u32,
    /// The offered slot; none when the round had no free slot for them.
    pub slot: Option<OfferedSlot>,
}

/// A hangout slot as offered to one of the two.
#[derive(Debug, Clone, Copy)]
pub struct OfferedSlot {
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// Minutes of it outside the viewer's working hours.
    pub mine_out_of_hours: u32,
    /// Minutes of it outside the partner's working hours.
    pub theirs_out_of_hours: u32,
}

/// Opts `member` in or out of hangouts. Only the member themself may (403 for anyone else they
/// may know of), and guests are not paired (403).
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn set_opt_in(
    state: &AppState,
    caller: &Member,
    member: Id,
    opted_in: bool,
) -> ServiceResult<bool> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id {
        return Err(ServiceError::forbidden(format!(
            "Only {} can opt in to hangouts: they are never decided for someone else.",
            target.name
        )));
    }
    if caller.role == Role::Guest && opted_in {
        return Err(ServiceError::forbidden(
            "Guests are not paired for hangouts; they are for the workspace's members.",
        ));
    }
    state
        .store
        .set_hangout_opt_in(caller.workspace_id, caller.id, opted_in, state.clock.now())
        .await?;
    Ok(opted_in)
}

/// The current round as the caller sees it, pairing it first when it has not been paired yet
/// and at least two members are in the pool.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn current(state: &AppState, caller: &Member) -> ServiceResult<HangoutView> {
    let now = state.clock.now();
    let round = Round::at(now);
    let opted_in = state
        .store
        .hangout_opted_in(caller.workspace_id, caller.id)
        .await?;
    let paired = paired_round(state, caller.workspace_id, round, now).await?;
    let mine = paired.as_ref().and_then(|r| {
        r.pairs
            .iter()
            .find(|p| p.a == caller.id || p.b == caller.id)
    });
    let offer = match mine {
        Some(pair) => Some(offer_for(state, caller, pair).await?),
        None => None,
    };
    Ok(HangoutView {
        round,
        opted_in,
        offer,
    })
}

/// The caller's side of their pair.
async fn offer_for(
    state: &AppState,
    caller: &Member,
    pair: &PairedHangout,
) -> ServiceResult<HangoutOffer> {
    let caller_is_a = pair.a == caller.id;
    let partner = if caller_is_a { pair.b } else { pair.a };
    let partner = state.store.member(caller.workspace_id, partner).await?;
    let slot = pair.slot.map(|(start, out_a, out_b)| {
        let (mine, theirs) = if caller_is_a {
            (out_a, out_b)
        } else {
            (out_b, out_a)
        };
        OfferedSlot {
            start,
            end: start + SignedDuration::from_mins(i64::from(hangouts::HANGOUT_MINUTES)),
            mine_out_of_hours: mine,
            theirs_out_of_hours: theirs,
        }
    });
    let zones = (
        schedule_of(state, caller).await?.time_zone().clone(),
        schedule_of(state, &partner).await?.time_zone().clone(),
    );
    Ok(HangoutOffer {
        partner,
        zones,
        shared_minutes: pair.shared_minutes,
        slot,
    })
}

/// Round `round` of `ws` as stored; when it was not paired yet and two or more members are in
/// the pool, pairs it now and stores it. Two instances may pair the same round at once: the
/// first write stands and the other reads it back, so everyone sees one pairing.
async fn paired_round(
    state: &AppState,
    ws: Id,
    round: Round,
    now: Timestamp,
) -> ServiceResult<Option<HangoutRound>> {
    if let Some(stored) = state.store.hangout_round(ws, round.index).await? {
        return Ok(Some(stored));
    }
    let pool = state.store.hangout_pool(ws).await?;
    if pool.len() < 2 {
        return Ok(None);
    }
    let mut members = Vec::with_capacity(pool.len());
    for id in pool {
        let member = state.store.member(ws, id).await?;
        if member.role != Role::Guest {
            members.push(member);
        }
    }
    let ids: Vec<Id> = members.iter().map(|m| m.id).collect();
    let schedules = schedules_of(state, &members).await?;
    let weeks = schedules
        .iter()
        .map(|s| WeekMask::of(s, round.start))
        .collect::<Result<Vec<_>, _>>()?;
    let times = state
        .store
        .meeting_times(ws, &ids, round.start, round.end)
        .await?;
    let busy: Vec<Vec<(Timestamp, Timestamp)>> = ids
        .iter()
        .map(|id| {
            times
                .iter()
                .filter(|(m, ..)| m == id)
                .map(|(_, start, end)| (*start, *end))
                .collect()
        })
        .collect();
    let candidates: Vec<Candidate<'_>> = (0..ids.len())
        .map(|i| Candidate {
            id: ids[i],
            schedule: &schedules[i],
            week: &weeks[i],
            busy: &busy[i],
        })
        .collect();
    let previous: Vec<(Id, Id)> = state
        .store
        .hangout_round(ws, round.index - 1)
        .await?
        .map(|r| r.pairs.iter().map(|p| (p.a, p.b)).collect())
        .unwrap_or_default();
    let (pairs, left_out) = hangouts::pair(&candidates, &previous, round, now)?;
    let stored = HangoutRound {
        round: round.index,
        paired_at: now,
        pairs: pairs
            .into_iter()
            .map(|p| PairedHangout {
                a: p.a,
                b: p.b,
                shared_minutes: p.shared_minutes,
                slot: p.slot.map(|s| {
                    let out = |i: usize| s.out_of_hours.get(i).copied().unwrap_or(0);
                    (s.start, out(0), out(1))
                }),
            })
            .collect(),
        left_out,
    };
    match state.store.record_hangout_round(ws, stored.clone()).await {
        Ok(()) => Ok(Some(stored)),
        Err(StoreError::Conflict { .. }) => Ok(state.store.hangout_round(ws, round.index).await?),
        Err(e) => Err(e.into()),
    }
}
