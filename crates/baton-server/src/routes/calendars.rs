//! `/api/v1/members/{id}/calendar-feed` and `/api/v1/members/{id}/calendars`: a member's secret
//! feed URL and their external calendars; and `GET /calendar/{secret}.ics`, the feed itself,
//! whose secret is its only credential (calendar programs send no bearer token).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_core::calendar::{ExternalCalendar, MAX_ICS_BYTES};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, PathId, PathIds};
use crate::services::calendars::{self, Source};
use crate::state::AppState;

/// Largest body of `POST /api/v1/members/{id}/calendars`: an uploaded calendar of
/// [`MAX_ICS_BYTES`], each line break escaped in JSON, with room to spare. A larger
/// calendar is refused by its size (422), not by the transport.
pub const MAX_UPLOAD_BODY: usize = 3 * MAX_ICS_BYTES;

/// A feed URL, shown once when it is made.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedOut {
    /// The secret URL to subscribe to in a calendar program; whoever has it sees the
    /// member's meetings, so it is shown only here. A new one replaces it.
    pub url: String,
}

/// The URL of the feed with `secret`: under the base URL, or else the host this request came
/// to. The API's answer and the settings page show the same.
pub fn feed_url(state: &AppState, headers: &HeaderMap, secret: &str) -> String {
    let origin = match &state.web.base_url {
        Some(base) => base.as_str().to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    format!("{origin}/calendar/{secret}.ics")
}

/// Makes a secret feed URL for the caller's own calendar (their meetings, focus blocks and
/// pre-work deadlines, 30 days back to 365 ahead), replacing the previous one, which stops
/// working.
#[utoipa::path(post, path = "/api/v1/members/{id}/calendar-feed", tag = "calendars",
    params(("id" = String, Path)),
    responses((status = 201, body = FeedOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn create_feed(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<FeedOut>)> {
    let secret = calendars::issue_feed(&state, &caller, id).await?;
    let url = feed_url(&state, &headers, &secret);
    Ok((StatusCode::CREATED, Json(FeedOut { url })))
}

/// Revokes the caller's feed URL: it answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/members/{id}/calendar-feed", tag = "calendars",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    calendars::revoke_feed(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /calendar/{secret}.ics`: the feed, as `text/calendar`. An unknown or revoked secret
/// is 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(secret) = file.strip_suffix(".ics") else {
        return ApiError::from(crate::services::error::ServiceError::not_found(
            "calendar feed",
        ))
        .into_response();
    };
    match calendars::feed_text(&state, secret).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            text,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Body of `POST /api/v1/members/{id}/calendars`: exactly one of `url` and `ics`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCalendar {
    /// An http(s) URL of an iCalendar feed, fetched now and every hour (through the same
    /// guard as webhooks: no private or loopback addresses).
    pub url: Option<String>,
    /// iCalendar text, read once (at most 2 MiB).
    pub ics: Option<String>,
    /// What to call it; by default the URL's host, or "Uploaded calendar".
    pub name: Option<String>,
}

/// An external calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is fetched from; null for an uploaded file.
    pub url: Option<String>,
    /// How many busy times it holds (7 days back to 120 ahead).
    pub busy: u32,
    /// When it was last read successfully.
    pub fetched_at: Option<String>,
    /// Why the last refresh failed, if it did (the busy times of the last success stay).
    pub last_error: Option<String>,
}

impl From<&ExternalCalendar> for CalendarOut {
    fn from(c: &ExternalCalendar) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
            url: c.url.clone(),
            busy: c.busy_count,
            fetched_at: c.fetched_at.map(|t| t.to_string()),
            last_error: c.last_error.clone(),
        }
    }
}

/// A member's external calendars.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    /// Oldest first (at most 20, so always one page).
    pub calendars: Vec<CalendarOut>,
}

/// Adds an external calendar to the caller's own account, by URL or as uploaded text; its busy
/// times (recurring events included) keep slot searches off them. A calendar that cannot be
/// read is refused with 422 naming the line, and nothing is stored.
#[utoipa::path(post, path = "/api/v1/members/{id}/calendars", tag = "calendars",
    params(("id" = String, Path)), request_body = AddCalendar,
    responses((status = 201, body = CalendarOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<AddCalendar>,
) -> ApiResult<(StatusCode, Json<CalendarOut>)> {
    let b = body.value;
    let source = match (b.url, b.ics) {
        (Some(url), None) => Source::Url(url),
        (None, Some(ics)) => Source::Ics(ics),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "url",
                "Give either url or ics, not both.",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "url",
                "Give the calendar's url, or its text as ics.",
            ));
        }
    };
    let added = calendars::add_calendar(&state, &caller, id, b.name.as_deref(), source).await?;
    Ok((StatusCode::CREATED, Json((&added).into())))
}

/// Lists the caller's external calendars.
#[utoipa::path(get, path = "/api/v1/members/{id}/calendars", tag = "calendars",
    params(("id" = String, Path)),
    responses((status = 200, body = CalendarList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<CalendarList>> {
    let found = calendars::calendars(&state, &caller, id).await?;
    Ok(Json(CalendarList {
        calendars: found.iter().map(Into::into).collect(),
    }))
}

/// Removes one of the caller's external calendars and its busy times.
#[utoipa::path(delete, path = "/api/v1/members/{id}/calendars/{calendar_id}", tag = "calendars",
    params(("id" = String, Path), ("calendar_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathIds(member, calendar): PathIds,
) -> ApiResult<StatusCode> {
    calendars::remove_calendar(&state, &caller, member, calendar).await?;
    Ok(StatusCode::NO_CONTENT)
}
