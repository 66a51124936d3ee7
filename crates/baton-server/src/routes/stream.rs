//! `GET /api/v1/inbox/stream`: the caller's inbox counters as server-sent events, for the count
//! in the web app's rail and for clients that would otherwise poll `/api/v1/inbox`.
//!
//! Owns: who may open a stream (a bearer token, or the browser's session cookie, since an
//! `EventSource` cannot send headers) and the event format. Does not own: the counters or when
//! they change (`live::inbox`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use baton_core::model::Member;
use baton_core::token::hash_token;
use futures_util::Stream;

use crate::auth::{Caller, bearer_token};
use crate::error::{ApiError, ApiResult};
use crate::live::inbox::{Credential, InboxCounters, InboxWatcher};
use crate::live::limit::MAX_STREAMS_PER_MEMBER;
use crate::services::sessions;
use crate::state::AppState;
use crate::web::session::SESSION_COOKIE;

/// How often an idle stream sends a comment line, so proxies and load balancers that close
/// quiet connections leave it open, and a vanished client is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Who opens a stream: the bearer token's member when an `Authorization` header is sent,
/// otherwise the signed-in browser session's member; with the credential, checked again while
/// the stream stays open.
pub struct Subscriber(pub Credential, pub Member);

impl FromRequestParts<AppState> for Subscriber {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            let Caller(member) = Caller::from_request_parts(parts, state).await?;
            let hash = bearer_token(&parts.headers)
                .map(hash_token)
                .ok_or_else(ApiError::unauthorized)?;
            return Ok(Self(Credential::TokenHash(hash), member));
        }
        let secret = SESSION_COOKIE
            .read(&parts.headers, &state.web)
            .ok_or_else(ApiError::unauthorized)?;
        let signed_in = sessions::current(state, secret)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Self(
            Credential::Session(signed_in.secret),
            signed_in.member,
        ))
    }
}

/// Live inbox counters. Sends the caller's counters at once (`data: {"open_asks": 2,
/// "overdue": 0, "waiting_on_others": 1}`), then again whenever they change, on whichever
/// instance the change was made; a comment line keeps an idle stream open. Counters count only
/// what the caller can see. Authenticated by bearer token or by the web session cookie. A
/// member holds at most 5 streams at once on one server process; one more is refused (429).
#[utoipa::path(
    get,
    path = "/api/v1/inbox/stream",
    tag = "time",
    responses(
        (status = 200, description = "A `text/event-stream`; each event's data is the counters as JSON.", content_type = "text/event-stream", body = InboxEvent),
        (status = 401, description = "No valid token or session.", body = crate::error::Problem),
        (status = 429, description = "The caller already holds the most streams one member may open at once (5, per server process).", body = crate::error::Problem),
        (status = 503, description = "Changes cannot be listened to right now.", body = crate::error::Problem),
    )
)]
pub async fn inbox_stream(
    State(state): State<AppState>,
    Subscriber(credential, member): Subscriber,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let slot = state.live.streams.take(member.id).ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "You already have {MAX_STREAMS_PER_MEMBER} live streams open; close one (a browser tab or a client) and try again."
            ),
        )
    })?;
    let watcher = InboxWatcher::start(state, credential, member).await?;
    // The slot lives as long as the stream: dropped when the client goes away.
    let events = futures_util::stream::unfold((watcher, slot), |(mut watcher, slot)| async move {
        let counters = watcher.next().await?;
        Some((Ok(event(counters)), (watcher, slot)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// One event of the stream as the OpenAPI document describes it: `data` holds the
/// [`InboxCounters`] as JSON (the schema of an event, not of its decoded data).
pub struct InboxEvent;

impl utoipa::PartialSchema for InboxEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        super::doc::sse_event("InboxCounters").into()
    }
}

impl utoipa::ToSchema for InboxEvent {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("InboxCounters".to_owned(), InboxCounters::schema()));
    }
}

/// One event: the counters as JSON.
fn event(counters: InboxCounters) -> Event {
    Event::default().data(serde_json::to_string(&counters).unwrap_or_else(|_| "{}".to_owned()))
}
