//! `/api/v1/meetings…`: meetings as the exception, each with a purpose, an agenda and
//! pre-work due in every participant's own working time.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::meeting::plan::DEFAULT_DUE_MINUTES_BEFORE;
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkItem, Purpose};
use baton_core::{CoreError, Id};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{PageQuery, time};
use super::time::RangeQuery;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, QueryParams, ids};
use crate::services::meetings::{self, Created, MeetingRequest};
use crate::services::schedules;
use crate::state::AppState;

/// Body of `POST /api/v1/meetings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeeting {
    /// What it is about.
    pub title: String,
    /// `performance_review`, `decision`, `urgent`, `hype`, `hangout` or `celebration`; any
    /// other reason is `other`, which needs a `justification`.
    pub purpose: String,
    /// Why this cannot be asynchronous: 20 to 2000 bytes; required for `other`.
    pub justification: Option<String>,
    /// Member ids of who attends besides the caller, who always does (at most 200).
    pub participants: Vec<String>,
    /// 1 to 480.
    pub duration_minutes: u32,
    /// When it starts, RFC 3339.
    pub start: String,
    /// The space its notes go to.
    pub space_id: Option<String>,
    /// The agenda, in order; empty leaves the meeting a draft.
    #[serde(default)]
    pub agenda: Vec<AgendaBody>,
    /// What to read or do before it; empty leaves the meeting a draft.
    #[serde(default)]
    pub prework: Vec<PreworkBody>,
    /// The link of its video call: an http or https URL.
    pub video_url: Option<String>,
}

/// One agenda item.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaBody {
    /// What is discussed or decided.
    pub item: String,
    /// The participant who leads it.
    pub owner_id: String,
    /// 1 to 480; all items together at most the meeting's duration.
    pub minutes: u32,
}

/// One pre-work item.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreworkBody {
    /// What to read or do.
    pub what: String,
    /// Due this many of each participant's own working minutes before the start: 0 to 4800,
    /// default 240.
    pub due_minutes_before: Option<u32>,
}

/// When one participant's pre-work is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreworkDueOut {
    /// The participant.
    pub member_id: String,
    /// When, in UTC.
    pub due_at: String,
}

/// Where a meeting is in its life, as the API spells it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatusOut {
    /// Missing an agenda, pre-work or a space, or held back by the meeting load.
    Draft,
    /// Its participants are invited.
    Invited,
    /// Held and closed with its notes.
    Closed,
    /// Called off.
    Cancelled,
}

impl From<MeetingStatus> for MeetingStatusOut {
    fn from(s: MeetingStatus) -> Self {
        match s {
            MeetingStatus::Draft => Self::Draft,
            MeetingStatus::Invited => Self::Invited,
            MeetingStatus::Closed => Self::Closed,
            MeetingStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// One participant of a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantOut {
    /// The member.
    pub member_id: String,
    /// Whether the start puts them (partly) outside their working hours, which makes them
    /// optional.
    pub optional: bool,
    /// When their pre-work is due, in UTC (none without pre-work).
    pub prework_due_at: Option<String>,
}

/// A participant whom the meeting would push over the meeting-load target.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadWarningOut {
    /// The participant.
    pub member_id: String,
    /// Their share of working time in meetings in the meeting's week, with this meeting.
    pub share: f64,
    /// The workspace's target.
    pub target: f64,
}

/// A meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    /// Meeting id.
    pub id: String,
    /// `draft` until it has an agenda, pre-work and a space, then `invited`; `closed` once
    /// held and closed, or `cancelled`.
    pub status: MeetingStatusOut,
    /// 0 at the first invitation, raised by every change to an invited meeting and by
    /// cancelling it (calendars' `SEQUENCE`).
    pub sequence: u32,
    /// The thread its invitation started, once invited.
    pub thread_id: Option<String>,
    /// The link of its video call.
    pub video_url: Option<String>,
    /// When it was closed, in UTC.
    pub closed_at: Option<String>,
    /// What it is about.
    pub title: String,
    /// Why it is held.
    pub purpose: &'static str,
    /// Why it cannot be asynchronous, when given.
    pub justification: Option<String>,
    /// Who called it.
    pub organizer_id: String,
    /// When it starts, in UTC.
    pub start: String,
    /// How long, in minutes.
    pub duration_minutes: u32,
    /// The space its notes go to.
    pub space_id: Option<String>,
    /// Who attends, the organizer first.
    pub participants: Vec<ParticipantOut>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaBody>,
    /// The pre-work, in order, each with its working minutes before the start.
    pub prework: Vec<PreworkBody>,
    /// When each participant's pre-work is due, in their own working time.
    pub prework_due: Vec<PreworkDueOut>,
    /// Only when creating a complete meeting that stayed a draft: whom it would push over the
    /// workspace's meeting-load target. The organizer may still invite with
    /// `POST /api/v1/meetings/{id}/invite`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub load_warnings: Vec<LoadWarningOut>,
}

impl From<&Meeting> for MeetingOut {
    fn from(m: &Meeting) -> Self {
        Self {
            id: m.id.to_string(),
            status: m.status.into(),
            sequence: m.sequence,
            thread_id: m.thread_id.map(|t| t.to_string()),
            video_url: m.video_url.clone(),
            closed_at: m.closed_at.map(time),
            title: m.title.clone(),
            purpose: m.purpose.as_str(),
            justification: m.justification.clone(),
            organizer_id: m.organizer_id.to_string(),
            start: time(m.start),
            duration_minutes: m.duration_minutes,
            space_id: m.space_id.map(|s| s.to_string()),
            participants: m
                .participants
                .iter()
                .map(|id| ParticipantOut {
                    member_id: id.to_string(),
                    optional: m.optional.contains(id),
                    prework_due_at: m
                        .prework_due
                        .iter()
                        .find(|d| d.member_id == *id)
                        .map(|d| time(d.due_at)),
                })
                .collect(),
            agenda: m
                .agenda
                .iter()
                .map(|a| AgendaBody {
                    item: a.item.clone(),
                    owner_id: a.owner_id.to_string(),
                    minutes: a.minutes,
                })
                .collect(),
            prework: m
                .prework
                .iter()
                .map(|p| PreworkBody {
                    what: p.what.clone(),
                    due_minutes_before: Some(p.due_minutes_before),
                })
                .collect(),
            prework_due: m
                .prework_due
                .iter()
                .map(|d| PreworkDueOut {
                    member_id: d.member_id.to_string(),
                    due_at: time(d.due_at),
                })
                .collect(),
            load_warnings: Vec::new(),
        }
    }
}

impl From<&Created> for MeetingOut {
    fn from(c: &Created) -> Self {
        Self {
            load_warnings: c
                .load_warnings
                .iter()
                .map(|w| LoadWarningOut {
                    member_id: w.member_id.to_string(),
                    share: w.share,
                    target: w.target,
                })
                .collect(),
            ..Self::from(&c.meeting)
        }
    }
}

/// A page of meetings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingList {
    /// In the order they were created.
    pub meetings: Vec<MeetingOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Parses the body's texts into the service's request: ids, the purpose and the start.
fn request(body: CreateMeeting) -> Result<MeetingRequest, CoreError> {
    let purpose = Purpose::parse(&body.purpose).ok_or_else(|| {
        CoreError::invalid(
            "purpose",
            "one of performance_review, decision, urgent, hype, hangout, celebration or other",
        )
    })?;
    let start = schedules::instant("start", &body.start)?;
    let agenda = body
        .agenda
        .into_iter()
        .map(|a| {
            Ok(AgendaItem {
                owner_id: Id::parse("agenda.owner_id", &a.owner_id)?,
                item: a.item,
                minutes: a.minutes,
            })
        })
        .collect::<Result<_, CoreError>>()?;
    Ok(MeetingRequest {
        title: body.title,
        purpose,
        justification: body.justification,
        participants: ids("participants", &body.participants)?,
        duration_minutes: body.duration_minutes,
        start,
        space_id: body
            .space_id
            .as_deref()
            .map(|s| Id::parse("space_id", s))
            .transpose()?,
        agenda,
        prework: body
            .prework
            .into_iter()
            .map(|p| PreworkItem {
                what: p.what,
                due_minutes_before: p.due_minutes_before.unwrap_or(DEFAULT_DUE_MINUTES_BEFORE),
            })
            .collect(),
        video_url: body.video_url,
    })
}

/// Requests a meeting. A performance review, decision, urgent matter, hype call, hangout or
/// celebration passes the purpose gate; any other purpose is answered first with the
/// asynchronous alternatives (422 with `async_alternatives`) and goes ahead only with a
/// written justification. The meeting is a draft until it has an agenda, pre-work and a space,
/// and invited once it has all three: a thread "Meeting: <title>" starts in the space, whose
/// opening post asks every other participant for their pre-work, due that many of *their own*
/// working minutes before the start. A complete meeting that would push a participant over the
/// workspace's meeting-load target stays a draft, with `load_warnings`. Whoever the start puts
/// outside their working hours is optional.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = CreateMeeting,
    responses((status = 201, body = MeetingOut), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<CreateMeeting>,
) -> ApiResult<(StatusCode, Json<MeetingOut>)> {
    let created = meetings::create(&state, &caller, request(body.value)?).await?;
    Ok((StatusCode::CREATED, Json((&created).into())))
}

/// One meeting, for its organizer and participants (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<MeetingOut>> {
    Ok(Json((&meetings::get(&state, &caller, id).await?).into()))
}

/// The meetings the caller organizes or attends, in the order they were created, a page at a
/// time.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(PageQuery),
    responses((status = 200, body = MeetingList), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<MeetingList>> {
    let page = meetings::list(&state, &caller, q.page()?).await?;
    Ok(Json(MeetingList {
        meetings: page.items.iter().map(MeetingOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A member's meeting load over `[from, to)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingLoadOut {
    /// Minutes of the range in at least one invited or held meeting (overlaps count once).
    pub meeting_minutes: i64,
    /// Working minutes of the range, by the member's schedule.
    pub working_minutes: i64,
    /// `meeting_minutes / working_minutes` (0 without working time).
    pub share: f64,
    /// The share the workspace aims for.
    pub target: f64,
}

/// How much of a member's working time in [from, to) meetings take, against the workspace's
/// target (5% unless it sets its own). A guest may read only their own (403 for the others).
#[utoipa::path(get, path = "/api/v1/members/{id}/meeting-load", tag = "meetings", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = MeetingLoadOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn meeting_load(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<MeetingLoadOut>> {
    let (from, to) = schedules::range(&q.from, &q.to)?;
    let load = meetings::load(&state, &caller, id, from, to).await?;
    Ok(Json(MeetingLoadOut {
        meeting_minutes: load.meeting_minutes,
        working_minutes: load.working_minutes,
        share: load.share(),
        target: meetings::load_target(&state, caller.workspace_id).await?,
    }))
}

/// A space's meeting load over `[from, to)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceLoadOut {
    /// Its active members' minutes in meetings, summed.
    pub meeting_minutes: i64,
    /// Their working minutes, summed.
    pub working_minutes: i64,
    /// `meeting_minutes / working_minutes` (0 without working time).
    pub share: f64,
    /// The share the workspace aims for.
    pub target: f64,
    /// How many members it counts.
    pub members: usize,
}

/// How much of a space's working time in [from, to) meetings take: its active members' meeting
/// minutes against their working minutes, summed, against the workspace's target. Members
/// only (a guest gets 403, as for schedules); 404 for a space the caller cannot see.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/meeting-load", tag = "meetings", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = SpaceLoadOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn space_meeting_load(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<SpaceLoadOut>> {
    let (from, to) = schedules::range(&q.from, &q.to)?;
    let (load, members) = meetings::space_load(&state, &caller, id, from, to).await?;
    Ok(Json(SpaceLoadOut {
        meeting_minutes: load.meeting_minutes,
        working_minutes: load.working_minutes,
        share: load.share(),
        target: meetings::load_target(&state, caller.workspace_id).await?,
        members,
    }))
}
