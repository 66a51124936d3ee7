//! `/api/v1/meetings…`: meetings as the exception, each with a purpose, an agenda and
//! pre-work due in every participant's own working time.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::meeting::load::DEFAULT_TARGET;
use baton_core::meeting::plan::DEFAULT_DUE_MINUTES_BEFORE;
use baton_core::meeting::{AgendaItem, Meeting, PreworkItem, Purpose};
use baton_core::{CoreError, Id};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{PageQuery, time};
use super::time::RangeQuery;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, QueryParams, ids};
use crate::services::meetings::{self, MeetingRequest};
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

/// A meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    /// Meeting id.
    pub id: String,
    /// `draft` until it has an agenda and pre-work, then `invited`.
    pub status: &'static str,
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
    pub participants: Vec<String>,
    /// The agenda, in order.
    pub agenda: Vec<AgendaBody>,
    /// The pre-work, in order, each with its working minutes before the start.
    pub prework: Vec<PreworkBody>,
    /// When each participant's pre-work is due, in their own working time.
    pub prework_due: Vec<PreworkDueOut>,
}

impl From<&Meeting> for MeetingOut {
    fn from(m: &Meeting) -> Self {
        Self {
            id: m.id.to_string(),
            status: m.status.as_str(),
            title: m.title.clone(),
            purpose: m.purpose.as_str(),
            justification: m.justification.clone(),
            organizer_id: m.organizer_id.to_string(),
            start: time(m.start),
            duration_minutes: m.duration_minutes,
            space_id: m.space_id.map(|s| s.to_string()),
            participants: m.participants.iter().map(ToString::to_string).collect(),
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
    })
}

/// Requests a meeting. A performance review, decision, urgent matter, hype call, hangout or
/// celebration passes the purpose gate; any other purpose is answered first with the
/// asynchronous alternatives (422 with `async_alternatives`) and goes ahead only with a
/// written justification. The meeting is a draft until it has an agenda and pre-work, and
/// invited once it has both; each participant's pre-work is due that many of *their own*
/// working minutes before the start.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = CreateMeeting,
    responses((status = 201, body = MeetingOut), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<CreateMeeting>,
) -> ApiResult<(StatusCode, Json<MeetingOut>)> {
    let meeting = meetings::create(&state, &caller, request(body.value)?).await?;
    Ok((StatusCode::CREATED, Json((&meeting).into())))
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
    /// Minutes of the range in at least one invited meeting (overlaps count once).
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
        target: DEFAULT_TARGET,
    }))
}
