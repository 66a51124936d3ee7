//! Meetings: the purpose gate, the plan's rules, each participant's pre-work deadline in their
//! own working time, and reading a meeting only as one of its participants.

use baton_core::Id;
use baton_core::meeting::load::{MeetingLoad, meeting_load};
use baton_core::meeting::plan::{self, Plan};
use baton_core::meeting::purpose::{self, Purpose, Refused};
use baton_core::meeting::{AgendaItem, Meeting, PreworkDue, PreworkItem, prework};
use baton_core::model::Member;
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;

use super::access::{member_in_full, missing, visible_space, workspace_member};
use super::error::{ServiceError, ServiceResult};
use super::schedules::{schedule_of, schedules_of};
use crate::state::AppState;

/// A meeting as its organizer asks for it, ids parsed.
#[derive(Debug, Clone)]
pub struct MeetingRequest {
    /// What it is about.
    pub title: String,
    /// Why it is held.
    pub purpose: Purpose,
    /// Why it cannot be asynchronous (required for [`Purpose::Other`]).
    pub justification: Option<String>,
    /// Who attends besides the organizer (listing the organizer too is harmless).
    pub participants: Vec<Id>,
    /// How long, in minutes.
    pub duration_minutes: u32,
    /// When it starts.
    pub start: Timestamp,
    /// The space its notes go to, if any.
    pub space_id: Option<Id>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// The pre-work, in order.
    pub prework: Vec<PreworkItem>,
}

/// Creates a meeting called by `caller`: a draft until it has an agenda and pre-work, invited
/// once it has both. Each participant's pre-work is due that many of their own working minutes
/// before the start. Nothing is written when any check fails.
///
/// # Errors
/// [`ServiceError::Unjustified`] when the purpose needs a justification that is missing or
/// unfit; 422 naming the field for a bad plan, a participant who is not an active member the
/// caller may know of, or a space the caller cannot see.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create(
    state: &AppState,
    caller: &Member,
    request: MeetingRequest,
) -> ServiceResult<Meeting> {
    let justification =
        purpose::gate(request.purpose, request.justification.as_deref()).map_err(|refused| {
            match refused {
                Refused::Unjustified(detail) => ServiceError::Unjustified {
                    detail,
                    space_id: request.space_id,
                },
                Refused::Invalid(e) => e.into(),
            }
        })?;
    let mut participants = vec![caller.id];
    participants.extend(request.participants.iter().filter(|id| **id != caller.id));
    let now = state.clock.now();
    let checked = plan::check(
        Plan {
            title: &request.title,
            start: request.start,
            duration_minutes: request.duration_minutes,
            participants: &participants,
            agenda: &request.agenda,
            prework: &request.prework,
        },
        now,
    )?;
    let members = participants_in_sight(state, caller, &participants).await?;
    if let Some(space) = request.space_id {
        visible_space(state, caller, space).await.map_err(|e| {
            e.named_by("space_id", || {
                format!("There is no space {space} you can see.")
            })
        })?;
    }
    let prework_due = prework_due(state, &members, request.start, &checked.prework).await?;
    let meeting = Meeting {
        workspace_id: caller.workspace_id,
        id: Id::random(),
        title: checked.title,
        purpose: request.purpose,
        justification,
        organizer_id: caller.id,
        start: request.start,
        duration_minutes: request.duration_minutes,
        status: checked.status,
        space_id: request.space_id,
        created_at: now,
        participants,
        agenda: checked.agenda,
        prework: checked.prework,
        prework_due,
    };
    state
        .store
        .create_meeting(caller.workspace_id, meeting.clone())
        .await?;
    Ok(meeting)
}

/// The participants as members: each an active member of the caller's workspace whom the
/// caller may know of (a guest knows only the people they share a space with).
async fn participants_in_sight(
    state: &AppState,
    caller: &Member,
    ids: &[Id],
) -> ServiceResult<Vec<Member>> {
    let mut members = Vec::with_capacity(ids.len());
    for id in ids {
        let member = workspace_member(state, caller, *id).await.map_err(|e| {
            e.named_by("participants", || {
                format!("There is no member {id} in this workspace.")
            })
        })?;
        if !member.active {
            return Err(ServiceError::invalid(
                "participants",
                format!("{} is deactivated and cannot attend.", member.name),
            ));
        }
        members.push(member);
    }
    Ok(members)
}

/// When each participant's pre-work is due, in their own working time (none without pre-work).
async fn prework_due(
    state: &AppState,
    members: &[Member],
    start: Timestamp,
    items: &[PreworkItem],
) -> ServiceResult<Vec<PreworkDue>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let schedules = schedules_of(state, members).await?;
    members
        .iter()
        .zip(&schedules)
        .map(|(member, schedule)| {
            prework::due_for(schedule, start, items)
                .map(|due_at| PreworkDue {
                    member_id: member.id,
                    due_at,
                })
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "participants",
                        format!(
                            "{} has no working time before the start to do the pre-work in.",
                            member.name
                        ),
                    )
                })
        })
        .collect()
}

/// One meeting, if the caller takes part in it (organizer included); 404 otherwise.
#[tracing::instrument(skip_all, fields(caller = %caller.id, meeting = %id))]
pub async fn get(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Meeting> {
    state
        .store
        .meeting_for(caller.workspace_id, id, caller.id)
        .await
        .map_err(|e| missing(e, "meeting"))
}

/// A page of the meetings the caller takes part in, in the order they were created.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn list(
    state: &AppState,
    caller: &Member,
    page: PageRequest,
) -> ServiceResult<Page<Meeting>> {
    Ok(state
        .store
        .meetings_of(caller.workspace_id, caller.id, page)
        .await?)
}

/// How much of `member`'s working time in `[from, to)` their invited meetings take, against the
/// workspace's target. A guest may read only their own (403 for the others, as for schedules).
///
/// # Errors
/// 404 for a member the caller may not know of; 422 on `from`/`to` for a bad range.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn load(
    state: &AppState,
    caller: &Member,
    member: Id,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<MeetingLoad> {
    let target = member_in_full(state, caller, member).await?;
    let schedule = schedule_of(state, &target).await?;
    let times: Vec<(Timestamp, Timestamp)> = state
        .store
        .meeting_times(caller.workspace_id, &[target.id], from, to)
        .await?
        .into_iter()
        .map(|(_, start, end)| (start, end))
        .collect();
    Ok(meeting_load(&schedule, &times, from, to)?)
}
