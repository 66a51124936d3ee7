//! Working time over HTTP: schedules, availability, overlap, asks and the inbox.

use axum::Json;
use axum::extract::State;
use baton_core::delivery::NotificationPolicy;
use baton_core::model::AskDirection;
use baton_core::schedule::ScheduleSpec;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::time;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::services::{access, asks, schedules};
use crate::state::AppState;

/// Replaces a member's working schedule (the member themself or an admin).
#[utoipa::path(put, path = "/api/v1/members/{id}/schedule", tag = "time", params(("id" = String, Path)),
    request_body(content = Object, description = "{timezone, weekly: {mon: [[\"09:00\",\"17:00\"]], …}, time_off?: [{start, end}], focus?: [{days, start, end}]}"),
    responses((status = 200, body = Object, description = "The stored schedule"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_schedule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<ScheduleSpec>,
) -> ApiResult<Json<ScheduleSpec>> {
    Ok(Json(
        schedules::set_schedule(&state, &caller, id, body.value).await?,
    ))
}

/// A member's working schedule (the default Monday–Friday 09:00–17:00 when none is set). A
/// guest may read only their own (403 for the others).
#[utoipa::path(get, path = "/api/v1/members/{id}/schedule", tag = "time", params(("id" = String, Path)),
    responses((status = 200, body = Object, description = "The schedule"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<ScheduleSpec>> {
    let member = access::member_in_full(&state, &caller, id).await?;
    Ok(Json(schedules::schedule_of(&state, &member).await?.into()))
}

/// `from` and `to` of a range query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// Start, RFC 3339.
    #[param(format = DateTime)]
    pub from: String,
    /// End (exclusive), RFC 3339; at most 366 days after `from`.
    #[param(format = DateTime)]
    pub to: String,
}

/// An interval of time, in UTC.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntervalOut {
    /// Start (inclusive).
    pub start: String,
    /// End (exclusive).
    pub end: String,
}

/// Intervals, merged and sorted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Intervals {
    /// In UTC.
    pub intervals: Vec<IntervalOut>,
}

fn intervals(list: Vec<(jiff::Timestamp, jiff::Timestamp)>) -> Json<Intervals> {
    Json(Intervals {
        intervals: list
            .into_iter()
            .map(|(s, e)| IntervalOut {
                start: time(s),
                end: time(e),
            })
            .collect(),
    })
}

/// A member's working time in [from, to). A guest may read only their own (403 for the others).
#[utoipa::path(get, path = "/api/v1/members/{id}/availability", tag = "time", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = Intervals), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn availability(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<Intervals>> {
    let (from, to) = schedules::range(&q.from, &q.to)?;
    Ok(intervals(
        schedules::availability(&state, &caller, id, from, to).await?,
    ))
}

/// Query of `GET /api/v1/overlap`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverlapQuery {
    /// Member ids, separated by commas.
    #[param(
        pattern = r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})*$"
    )]
    pub members: String,
    /// Start, RFC 3339.
    #[param(format = DateTime)]
    pub from: String,
    /// End (exclusive), RFC 3339.
    #[param(format = DateTime)]
    pub to: String,
}

/// The intervals in [from, to) when all the named members are working. Not for guests, unless
/// they name only themself (403).
#[utoipa::path(get, path = "/api/v1/overlap", tag = "time", params(OverlapQuery),
    responses((status = 200, body = Intervals), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn overlap(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<OverlapQuery>,
) -> ApiResult<Json<Intervals>> {
    let (from, to) = schedules::range(&q.from, &q.to)?;
    let ids = q
        .members
        .split(',')
        .map(|s| baton_core::Id::parse("members", s.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(intervals(
        schedules::overlap(&state, &caller, &ids, from, to).await?,
    ))
}

/// Query of `GET /api/v1/asks`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsksQuery {
    /// `to_me` (what others wait on me for) or `from_me` (what I wait on others for).
    #[param(pattern = "^(to_me|from_me)$")]
    pub direction: String,
    /// `open` (default) or `all`.
    #[param(pattern = "^(open|all)$")]
    pub state: Option<String>,
}

/// An ask.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskItem {
    /// Ask id.
    pub id: String,
    /// The thread to answer in.
    pub thread_id: String,
    /// Who asked.
    pub from_id: String,
    /// Who is asked.
    pub to_id: String,
    /// When the answer is due.
    pub due_at: String,
    /// When it was answered.
    pub answered_at: Option<String>,
    /// Unanswered and past due.
    pub overdue: bool,
}

/// Asks to or from the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskList {
    /// Soonest due first.
    pub asks: Vec<AskItem>,
}

/// Asks to or from the caller, soonest due first.
#[utoipa::path(get, path = "/api/v1/asks", tag = "time", params(AsksQuery), responses((status = 200, body = AskList), (status = 422, body = Problem)))]
pub async fn list_asks(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<AsksQuery>,
) -> ApiResult<Json<AskList>> {
    let direction = match q.direction.as_str() {
        "to_me" => AskDirection::ToMember,
        "from_me" => AskDirection::FromMember,
        _ => {
            return Err(ApiError::invalid(
                "direction",
                "direction must be to_me or from_me",
            ));
        }
    };
    let open_only = match q.state.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => return Err(ApiError::invalid("state", "state must be open or all")),
    };
    let now = state.clock.now();
    let list = asks::list(&state, &caller, direction, open_only).await?;
    let asks = list
        .into_iter()
        .map(|v| AskItem {
            id: v.ask.id.to_string(),
            thread_id: v.ask.thread_id.to_string(),
            from_id: v.ask.from_id.to_string(),
            to_id: v.ask.to_id.to_string(),
            due_at: time(v.ask.due_at),
            answered_at: v.ask.answered_at.map(time),
            overdue: v.ask.answered_at.is_none() && v.ask.due_at < now,
        })
        .collect();
    Ok(Json(AskList { asks }))
}

/// Something that needs the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    /// `ask`.
    pub kind: &'static str,
    /// The ask.
    pub ask_id: String,
    /// The thread to answer in.
    pub thread_id: String,
    /// Its title.
    pub thread_title: String,
    /// Who asked.
    pub from_id: String,
    /// When the answer is due.
    pub due_at: String,
    /// Past due.
    pub overdue: bool,
    /// Working minutes of the caller's own schedule until it is due (negative when overdue).
    pub working_minutes_left: i64,
}

/// What needs the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    /// Soonest due first.
    pub items: Vec<InboxItem>,
}

/// What needs the caller, soonest due first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "time", responses((status = 200, body = Inbox)))]
pub async fn inbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Inbox>> {
    let now = state.clock.now();
    let mut items = Vec::new();
    for v in asks::list(&state, &caller, AskDirection::ToMember, true).await? {
        items.push(InboxItem {
            kind: "ask",
            ask_id: v.ask.id.to_string(),
            thread_id: v.thread.id.to_string(),
            thread_title: v.thread.title.clone(),
            from_id: v.ask.from_id.to_string(),
            due_at: time(v.ask.due_at),
            overdue: v.ask.due_at < now,
            working_minutes_left: asks::working_minutes_left(&state, &caller, v.ask.due_at).await?,
        });
    }
    Ok(Json(Inbox { items }))
}

/// A notification policy with the windows that fall outside working hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    /// The policy: `windows` (`HH:MM` or `start`), `email_digest`, `events`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub policy: NotificationPolicy,
    /// Windows that never fall inside the member's working hours, so never fire.
    pub outside_working_hours: Vec<String>,
    /// A sentence for a person when some window is outside working hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

fn policy_out((policy, outside): (NotificationPolicy, Vec<String>)) -> Json<PolicyOut> {
    let warning = (!outside.is_empty()).then(|| {
        format!(
            "This window is outside your working hours: {}",
            outside.join(", ")
        )
    });
    Json(PolicyOut {
        policy,
        outside_working_hours: outside,
        warning,
    })
}

/// A member's notification policy: when held notifications are delivered (self or admin).
#[utoipa::path(get, path = "/api/v1/members/{id}/policy", tag = "time", params(("id" = String, Path)),
    responses((status = 200, body = PolicyOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_policy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<PolicyOut>> {
    Ok(policy_out(schedules::policy(&state, &caller, id).await?))
}

/// Replaces a member's notification policy (self or admin). Windows outside working hours are
/// accepted and reported.
#[utoipa::path(put, path = "/api/v1/members/{id}/policy", tag = "time", params(("id" = String, Path)),
    request_body(content = Object, description = "{windows: [\"HH:MM\" | \"start\"], email_digest, events?}"),
    responses((status = 200, body = PolicyOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_policy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<NotificationPolicy>,
) -> ApiResult<Json<PolicyOut>> {
    Ok(policy_out(
        schedules::set_policy(&state, &caller, id, body.value).await?,
    ))
}
