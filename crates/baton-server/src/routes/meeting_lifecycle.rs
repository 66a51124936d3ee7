//! `/api/v1/meetings/{id}/invite|close|cancel`: the steps of a meeting's life, taken by its
//! organizer only.

use axum::Json;
use axum::extract::State;
use baton_core::CoreError;
use baton_core::Id;
use baton_core::meeting::close::{Action, Minutes};
use serde::Deserialize;
use utoipa::ToSchema;

use super::meetings::MeetingOut;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId};
use crate::services::meeting_lifecycle;
use crate::state::AppState;

/// Invites a complete draft: starts its thread "Meeting: <title>" in its space, whose opening
/// post (when, the video link, the agenda and the pre-work) asks every other participant for
/// their pre-work, due at their own deadline; every participant follows the thread. Goes ahead
/// even over the meeting-load target. Only the organizer (403 for other participants).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/invite", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<MeetingOut>> {
    Ok(Json(
        (&meeting_lifecycle::invite(&state, &caller, id).await?).into(),
    ))
}

/// Body of `POST /api/v1/meetings/{id}/close`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseMeeting {
    /// What was said, Markdown (up to 48 KiB).
    pub notes: String,
    /// The decisions taken, one line each (at most 50).
    #[serde(default)]
    pub decisions: Vec<String>,
    /// The actions (at most 50).
    #[serde(default)]
    pub actions: Vec<ActionBody>,
}

/// One action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// The participant who owns it.
    pub owner_id: String,
    /// What they do.
    pub what: String,
    /// Within this many of the owner's own working minutes from the close.
    pub within_minutes: u32,
}

fn minutes(body: CloseMeeting) -> Result<Minutes, CoreError> {
    Ok(Minutes {
        notes: body.notes,
        decisions: body.decisions,
        actions: body
            .actions
            .into_iter()
            .map(|a| {
                Ok(Action {
                    owner_id: Id::parse("actions.owner_id", &a.owner_id)?,
                    what: a.what,
                    within_minutes: a.within_minutes,
                })
            })
            .collect::<Result<_, CoreError>>()?,
    })
}

/// Closes a held meeting (invited, and its end has passed; 409 before): posts the notes,
/// decisions and actions to its thread, which every participant follows, so it reaches them at
/// their next delivery window; each action's owner (but the organizer) gets one ask, due
/// within the fewest working minutes among their actions, in their own working time. Only the
/// organizer.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/close", tag = "meetings", params(("id" = String, Path)),
    request_body = CloseMeeting,
    responses((status = 200, body = MeetingOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<CloseMeeting>,
) -> ApiResult<Json<MeetingOut>> {
    let minutes = minutes(body.value)?;
    Ok(Json(
        (&meeting_lifecycle::close(&state, &caller, id, minutes).await?).into(),
    ))
}

/// Cancels a draft or invited meeting: it holds no one's time any more, its `sequence` is
/// raised, and its thread (if it has one) says so. Only the organizer; 409 once closed or
/// cancelled.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<MeetingOut>> {
    Ok(Json(
        (&meeting_lifecycle::cancel(&state, &caller, id).await?).into(),
    ))
}
