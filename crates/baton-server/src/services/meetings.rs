//! Meetings: the purpose gate, the plan's rules, each participant's pre-work deadline in their
//! own working time, who is optional, the meeting-load warning, and reading a meeting only as
//! one of its participants. A complete meeting is invited as it is created (see
//! [`super::meeting_lifecycle`] for the invitation and the later steps).

use baton_core::Id;
use baton_core::meeting::lifecycle::{self, end};
use baton_core::meeting::load::{self as load_rules, DEFAULT_TARGET, MeetingLoad, meeting_load};
use baton_core::meeting::plan::{self, Plan};
use baton_core::meeting::purpose::{self, Purpose, Refused};
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, prework};
use baton_core::model::Member;
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use baton_core::schedule::Schedule;
use jiff::Timestamp;

use super::access::{member_in_full, missing, presence_only, visible_space, workspace_member};
use super::error::{ServiceError, ServiceResult};
use super::meeting_lifecycle::invitation;
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
    /// The link of its video call, as given.
    pub video_url: Option<String>,
}

/// A participant whom a new meeting would push over the workspace's meeting-load target in
/// the week it falls in (their week, from Monday in their zone).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadWarning {
    /// The participant.
    pub member_id: Id,
    /// Their share of working time in meetings that week, this meeting included.
    pub share: f64,
    /// The workspace's target.
    pub target: f64,
}

/// A created meeting, and whom it would push over the load target (then it stays a draft).
#[derive(Debug, Clone)]
pub struct Created {
    /// The meeting as stored.
    pub meeting: Meeting,
    /// Empty unless the meeting stayed a draft for the load.
    pub load_warnings: Vec<LoadWarning>,
}

/// Creates a meeting called by `caller`: a draft until it has an agenda, pre-work and a space,
/// invited (its thread started, see [`invitation`]) once it has all three, unless it would
/// push a participant over the meeting-load target: then it stays a draft and the warnings say
/// whom, and the organizer invites explicitly. Each participant's pre-work is due that many of
/// their own working minutes before the start; whoever the meeting puts (partly) outside their
/// working hours is optional. Nothing is written when any check fails.
///
/// # Errors
/// [`ServiceError::Unjustified`] when the purpose needs a justification that is missing or
/// unfit; 422 naming the field for a bad plan, a bad video link, a participant who is not an
/// active member the caller may know of (or, for a complete meeting, cannot see its space), or
/// a space the caller cannot see.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create(
    state: &AppState,
    caller: &Member,
    request: MeetingRequest,
) -> ServiceResult<Created> {
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
    let video_url = request
        .video_url
        .as_deref()
        .map(lifecycle::video_url)
        .transpose()?;
    let schedules = schedules_of(state, &members).await?;
    let prework_due = prework_due(&members, &schedules, request.start, &checked.prework)?;
    let mut meeting = Meeting {
        workspace_id: caller.workspace_id,
        id: Id::random(),
        title: checked.title,
        purpose: request.purpose,
        justification,
        organizer_id: caller.id,
        start: request.start,
        duration_minutes: request.duration_minutes,
        status: MeetingStatus::Draft,
        space_id: request.space_id,
        created_at: now,
        participants,
        agenda: checked.agenda,
        prework: checked.prework,
        prework_due,
        sequence: 0,
        thread_id: None,
        video_url,
        optional: Vec::new(),
        closed_at: None,
    };
    meeting.optional = optional(&meeting, &members, &schedules)?;
    let ws = caller.workspace_id;
    if lifecycle::missing_for_invitation(&meeting).is_some() {
        state.store.create_meeting(ws, meeting.clone()).await?;
        return Ok(Created {
            meeting,
            load_warnings: Vec::new(),
        });
    }
    // Complete: the invitation is built (and its checks made) before the load is weighed, so
    // a meeting that stays a draft for its load is one that can be invited as it is.
    let thread = invitation(state, caller, &meeting, now).await?;
    let load_warnings = load_warnings(state, &meeting, &members, &schedules).await?;
    if load_warnings.is_empty() {
        meeting.status = MeetingStatus::Invited;
        meeting.thread_id = Some(thread.id);
        state
            .store
            .create_invited_meeting(ws, meeting.clone(), thread)
            .await?;
    } else {
        state.store.create_meeting(ws, meeting.clone()).await?;
    }
    Ok(Created {
        meeting,
        load_warnings,
    })
}

/// The participants but the organizer whom `meeting` puts (partly) outside their working
/// hours, in participant order: optional by default.
fn optional(
    meeting: &Meeting,
    members: &[Member],
    schedules: &[Schedule],
) -> ServiceResult<Vec<Id>> {
    let (start, end) = (meeting.start, end(meeting));
    let mut optional = Vec::new();
    for (member, schedule) in members.iter().zip(schedules) {
        if member.id != meeting.organizer_id && lifecycle::outside_hours(schedule, start, end)? {
            optional.push(member.id);
        }
    }
    Ok(optional)
}

/// The workspace's meeting-load target: the share of working time it aims to spend in
/// meetings ([`DEFAULT_TARGET`] until an admin sets one).
pub async fn load_target(state: &AppState, ws: Id) -> ServiceResult<f64> {
    Ok(state
        .store
        .meeting_load_target(ws)
        .await?
        .unwrap_or(DEFAULT_TARGET))
}

/// Sets the workspace's meeting-load target (admins only); checked before anything is written.
///
/// # Errors
/// 403 for a non-admin; 422 on `meeting_load_target` outside (0, 1].
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn set_load_target(state: &AppState, caller: &Member, target: f64) -> ServiceResult<f64> {
    super::urgent::admin_only(caller, "change the workspace settings")?;
    let target = load_rules::target(target)?;
    state
        .store
        .set_meeting_load_target(caller.workspace_id, target, caller.id, state.clock.now())
        .await?;
    Ok(target)
}

/// Whom `meeting` would push over the workspace's target in its week (each participant's own
/// week, from Monday in their zone), with their share this meeting included.
async fn load_warnings(
    state: &AppState,
    meeting: &Meeting,
    members: &[Member],
    schedules: &[Schedule],
) -> ServiceResult<Vec<LoadWarning>> {
    let target = load_target(state, meeting.workspace_id).await?;
    let mut warnings = Vec::new();
    for (member, schedule) in members.iter().zip(schedules) {
        let (from, to) = lifecycle::week_of(schedule.time_zone(), meeting.start)?;
        let mut times: Vec<(Timestamp, Timestamp)> = state
            .store
            .meeting_times(meeting.workspace_id, &[member.id], from, to)
            .await?
            .into_iter()
            .map(|(_, start, end)| (start, end))
            .collect();
        times.push((meeting.start, end(meeting)));
        let share = meeting_load(schedule, &times, from, to)?.share();
        if share > target {
            warnings.push(LoadWarning {
                member_id: member.id,
                share,
                target,
            });
        }
    }
    Ok(warnings)
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
fn prework_due(
    members: &[Member],
    schedules: &[Schedule],
    start: Timestamp,
    items: &[PreworkItem],
) -> ServiceResult<Vec<PreworkDue>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    members
        .iter()
        .zip(schedules)
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

/// How much of a space's working time in `[from, to)` meetings take: its active members'
/// meeting minutes against their working minutes, summed, so the figure reads as the team's
/// (one person in meetings all day and four free read as a fifth of one day, not as one
/// person's). Members only: a guest gets 403, as for schedules; a space the caller cannot see
/// is 404. Returns the load and how many members it counts (at most one page of them).
///
/// # Errors
/// 403 for a guest, 404 for a space out of sight, 422 on `from`/`to` for a bad range.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn space_load(
    state: &AppState,
    caller: &Member,
    space: Id,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<(MeetingLoad, usize)> {
    if caller.role == Role::Guest {
        return Err(presence_only());
    }
    let space = visible_space(state, caller, space).await?;
    // The range is checked once, whoever the space holds (the caller's own schedule).
    meeting_load(&schedule_of(state, caller).await?, &[], from, to)?;
    let members: Vec<Member> = state
        .store
        .space_members(caller.workspace_id, space.id, PageRequest::largest())
        .await?
        .items
        .into_iter()
        .filter(|m| m.active)
        .collect();
    let schedules = schedules_of(state, &members).await?;
    let ids: Vec<Id> = members.iter().map(|m| m.id).collect();
    let times = state
        .store
        .meeting_times(caller.workspace_id, &ids, from, to)
        .await?;
    let mut total = MeetingLoad {
        meeting_minutes: 0,
        working_minutes: 0,
    };
    for (member, schedule) in members.iter().zip(&schedules) {
        let theirs: Vec<(Timestamp, Timestamp)> = times
            .iter()
            .filter(|(m, ..)| *m == member.id)
            .map(|(_, start, end)| (*start, *end))
            .collect();
        let load = meeting_load(schedule, &theirs, from, to)?;
        total.meeting_minutes += load.meeting_minutes;
        total.working_minutes += load.working_minutes;
    }
    Ok((total, members.len()))
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
