//! A meeting's life after it is requested: invited (its thread started in its space, with an
//! ask to every other participant due at their pre-work deadline), closed once held (its notes
//! posted to the thread, an ask to each action's owner due in their working time), or
//! cancelled (a notice in the thread). Only the organizer takes these steps.
//!
//! Owns: who may take a step, the invitation thread and the posts' asks. Does not own: which
//! state a step needs (`baton_core::meeting::lifecycle`), the posts' text
//! (`baton_core::meeting::{invitation, close}`) or the transactions (`MeetingStore`).
//!
//! Atomicity: each step is one store transaction that writes the thread or post together with
//! the status change, and changes the status only from the state the step needs. Two
//! organizers' tabs racing end with one step done whole and the other refused with nothing
//! written; a failure anywhere leaves the meeting as it was.

use std::collections::HashMap;

use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::meeting::close::{self, Minutes};
use baton_core::meeting::{Meeting, MeetingStatus, invitation, lifecycle};
use baton_core::model::{Member, NewAsk, NewPost, NewThread};
use baton_core::{Id, markdown, schedule, validate};
use baton_store::{Constraint, StoreError};
use jiff::Timestamp;

use super::access::{member_sees, missing, visible_space};
use super::error::{ServiceError, ServiceResult};
use super::meetings::get;
use super::schedules::schedules_of;
use crate::state::AppState;

/// A meeting the caller organizes: 404 when they cannot see it, 403 when they only attend.
async fn organized(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Meeting> {
    let meeting = get(state, caller, id).await?;
    if meeting.organizer_id != caller.id {
        return Err(ServiceError::forbidden(
            "Only the meeting's organizer invites, closes or cancels it.",
        ));
    }
    Ok(meeting)
}

/// A store step refused because the meeting changed meanwhile, in words.
fn raced(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict {
            constraint: Constraint::MeetingStatus,
        } => ServiceError::conflict(
            "The meeting changed while this was being done; reload it and try again.",
        ),
        other => missing(other, "meeting"),
    }
}

/// The participants of `meeting` as members, by id (deactivated ones too: they are named in
/// posts all the same).
async fn people(state: &AppState, meeting: &Meeting) -> ServiceResult<HashMap<Id, Member>> {
    let mut found = HashMap::with_capacity(meeting.participants.len());
    for id in &meeting.participants {
        found.insert(*id, state.store.member(meeting.workspace_id, *id).await?);
    }
    Ok(found)
}

fn namer(people: &HashMap<Id, Member>) -> impl Fn(Id) -> String + '_ {
    |id| {
        people
            .get(&id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    }
}

/// A post by the organizer of `meeting` in `thread`, asking `asks`' members (none: no
/// expectation) to act within `within` of their working minutes.
fn post(
    meeting: &Meeting,
    thread: Id,
    body: String,
    asks: Vec<NewAsk>,
    within: Option<u32>,
    now: Timestamp,
) -> ServiceResult<NewPost> {
    let body = validate::body(&body)?;
    let expectation = (!asks.is_empty()).then(|| Expectation {
        kind: ExpectationKind::Reply,
        within_minutes: within.map(|m| m.max(1)),
        of: asks.iter().map(|a| a.to_id).collect(),
    });
    Ok(NewPost {
        id: Id::random(),
        thread_id: thread,
        author_id: meeting.organizer_id,
        html: markdown::render(&body),
        body,
        expectation,
        asks,
        mentions: Vec::new(),
        created_at: now,
    })
}

/// The thread that invites `meeting`'s participants, opened by `organizer` in the meeting's
/// space: its post says when, where and what to prepare, and asks every participant but the
/// organizer for their pre-work, due at their own deadline.
///
/// # Errors
/// 422 on `space_id` when the organizer cannot see the space, on `participants` naming the
/// first participant who cannot (they could not answer there).
pub async fn invitation(
    state: &AppState,
    organizer: &Member,
    meeting: &Meeting,
    now: Timestamp,
) -> ServiceResult<NewThread> {
    let Some(space_id) = meeting.space_id else {
        return Err(ServiceError::conflict(
            "Invitations go out only once the meeting has a space for its thread.",
        ));
    };
    let space = visible_space(state, organizer, space_id)
        .await
        .map_err(|e| {
            e.named_by("space_id", || {
                format!("There is no space {space_id} you can see.")
            })
        })?;
    let people = people(state, meeting).await?;
    let mut asks = Vec::new();
    for due in meeting
        .prework_due
        .iter()
        .filter(|d| d.member_id != meeting.organizer_id)
    {
        let Some(member) = people.get(&due.member_id) else {
            continue;
        };
        if !member_sees(state, member, &space).await? {
            return Err(ServiceError::invalid(
                "participants",
                format!(
                    "{} cannot see the space {}, so cannot get the invitation there.",
                    member.name, space.name
                ),
            ));
        }
        asks.push(NewAsk {
            id: Id::random(),
            to_id: due.member_id,
            due_at: due.due_at,
        });
    }
    let id = Id::random();
    let within = meeting.prework.iter().map(|p| p.due_minutes_before).max();
    let body = invitation::post_body(meeting, namer(&people));
    Ok(NewThread {
        id,
        space_id,
        title: invitation::thread_title(meeting),
        first_post: post(meeting, id, body, asks, within, now)?,
    })
}

/// Invites a complete draft the caller organizes: starts its thread with the pre-work asks and
/// makes every participant follow it. Goes ahead even when the meeting load is over the
/// target: the organizer was told when creating it.
///
/// # Errors
/// 404/403 as for any step; 409 when the meeting is not a draft, lacks an agenda, pre-work or a
/// space, or has started; 422 as for [`invitation`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, meeting = %id))]
pub async fn invite(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Meeting> {
    let meeting = organized(state, caller, id).await?;
    lifecycle::may_invite(&meeting).map_err(ServiceError::conflict)?;
    let now = state.clock.now();
    if meeting.start <= now {
        return Err(ServiceError::conflict(
            "This meeting's start has passed; request a new one instead.",
        ));
    }
    let thread = invitation(state, caller, &meeting, now).await?;
    let thread_id = thread.id;
    state
        .store
        .invite_meeting(caller.workspace_id, id, thread)
        .await
        .map_err(raced)?;
    Ok(Meeting {
        status: MeetingStatus::Invited,
        thread_id: Some(thread_id),
        ..meeting
    })
}

/// Closes a held meeting the caller organizes: posts the notes, decisions and actions to its
/// thread (every participant follows it, so it reaches them at their next delivery window)
/// and asks each action's owner, but the organizer, to act: one ask per owner, due after the
/// fewest working minutes among their actions, counted through their own schedule.
///
/// # Errors
/// 404/403 as for any step; 409 when the meeting is not invited or has not ended; 422 naming
/// the field at fault in `minutes`.
#[tracing::instrument(skip_all, fields(caller = %caller.id, meeting = %id))]
pub async fn close(
    state: &AppState,
    caller: &Member,
    id: Id,
    minutes: Minutes,
) -> ServiceResult<Meeting> {
    let meeting = organized(state, caller, id).await?;
    let now = state.clock.now();
    lifecycle::may_close(&meeting, now).map_err(ServiceError::conflict)?;
    let minutes = close::check(minutes, &meeting.participants)?;
    let Some(thread) = meeting.thread_id else {
        return Err(ServiceError::conflict(
            "This meeting has no thread to post its notes to.",
        ));
    };
    let people = people(state, &meeting).await?;
    let owners: Vec<(Id, u32)> = close::owners(&minutes.actions)
        .into_iter()
        .filter(|(owner, _)| *owner != meeting.organizer_id)
        .collect();
    let members: Vec<Member> = owners
        .iter()
        .filter_map(|(owner, _)| people.get(owner).cloned())
        .collect();
    let schedules = schedules_of(state, &members).await?;
    let asks = owners
        .iter()
        .zip(members.iter().zip(&schedules))
        .map(|((owner, within), (member, schedule))| {
            let due_at = schedule::add_working_time(schedule, now, *within).ok_or_else(|| {
                ServiceError::invalid(
                    "actions.owner_id",
                    format!("{} has no working time to do an action in.", member.name),
                )
            })?;
            Ok(NewAsk {
                id: Id::random(),
                to_id: *owner,
                due_at,
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    let within = owners.iter().map(|(_, m)| *m).min();
    let body = close::post_body(&meeting.title, &minutes, namer(&people));
    let notes = post(&meeting, thread, body, asks, within, now)?;
    state
        .store
        .close_meeting(caller.workspace_id, id, notes)
        .await
        .map_err(raced)?;
    Ok(Meeting {
        status: MeetingStatus::Closed,
        closed_at: Some(now),
        ..meeting
    })
}

/// Cancels a draft or invited meeting the caller organizes: it holds no one's time any more,
/// its sequence is raised (calendars replace it), and its thread, if it has one, says so.
///
/// # Errors
/// 404/403 as for any step; 409 when it is closed or cancelled already.
#[tracing::instrument(skip_all, fields(caller = %caller.id, meeting = %id))]
pub async fn cancel(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Meeting> {
    let meeting = organized(state, caller, id).await?;
    lifecycle::may_cancel(&meeting).map_err(ServiceError::conflict)?;
    let now = state.clock.now();
    let notice = meeting
        .thread_id
        .map(|thread| {
            post(
                &meeting,
                thread,
                invitation::cancellation_body(&meeting),
                Vec::new(),
                None,
                now,
            )
        })
        .transpose()?;
    state
        .store
        .cancel_meeting(caller.workspace_id, id, notice)
        .await
        .map_err(raced)?;
    Ok(Meeting {
        status: MeetingStatus::Cancelled,
        sequence: meeting.sequence + 1,
        ..meeting
    })
}
