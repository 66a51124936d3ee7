//! `/api/v1/relays…`, `/api/v1/batons…`, `/api/v1/handoffs…`: follow-the-sun work.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::Id;
use baton_core::model::{Baton, BatonStatus, Handoff, Relay, Resolution, Thread};
use baton_core::page::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{PageQuery, time};
use super::time::{IntervalOut, RangeQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId, PathIds, QueryParams, ids};
use crate::services::{relays, schedules};
use crate::state::AppState;

/// Body of `POST /api/v1/relays`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelay {
    /// Name.
    pub name: String,
    /// Member ids in hand-off order, no repeats.
    pub legs: Vec<String>,
}

/// A relay.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelayOut {
    /// Relay id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Member ids in hand-off order.
    pub legs: Vec<String>,
}

impl From<&Relay> for RelayOut {
    fn from(r: &Relay) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            legs: r.legs.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Creates a relay: a rotation of members that batons follow around the clock.
#[utoipa::path(post, path = "/api/v1/relays", tag = "batons", request_body = CreateRelay,
    responses((status = 201, body = RelayOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_relay(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<CreateRelay>,
) -> ApiResult<(StatusCode, Json<RelayOut>)> {
    let legs = ids("legs", &body.value.legs)?;
    let relay = relays::create_relay(&state, &caller, &body.value.name, legs).await?;
    Ok((StatusCode::CREATED, Json((&relay).into())))
}

/// One relay.
#[utoipa::path(get, path = "/api/v1/relays/{id}", tag = "batons", params(("id" = String, Path)),
    responses((status = 200, body = RelayOut), (status = 404, body = Problem)))]
pub async fn read_relay(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<RelayOut>> {
    Ok(Json(
        (&relays::get_relay(&state, &caller, id).await?).into(),
    ))
}

/// A relay's coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageOut {
    /// When at least one leg is working (UTC, merged, sorted).
    pub covered: Vec<IntervalOut>,
    /// When nobody is working.
    pub gaps: Vec<IntervalOut>,
    /// When two or more legs work at once: the handoff windows.
    pub overlaps: Vec<IntervalOut>,
}

fn out(list: &[(jiff::Timestamp, jiff::Timestamp)]) -> Vec<IntervalOut> {
    list.iter()
        .map(|(s, e)| IntervalOut {
            start: time(*s),
            end: time(*e),
        })
        .collect()
}

/// When the relay's legs cover the clock in [from, to), and where the gaps are.
#[utoipa::path(get, path = "/api/v1/relays/{id}/coverage", tag = "batons", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = CoverageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn coverage(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<RangeQuery>,
) -> ApiResult<Json<CoverageOut>> {
    let (from, to) = schedules::range(&q.from, &q.to)?;
    let c = relays::coverage(&state, &caller, id, from, to).await?;
    Ok(Json(CoverageOut {
        covered: out(&c.covered),
        gaps: out(&c.gaps),
        overlaps: out(&c.overlaps),
    }))
}

/// Body of `POST /api/v1/batons`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBaton {
    /// What the work is.
    pub title: String,
    /// Details, Markdown.
    pub description: Option<String>,
    /// The relay it follows.
    pub relay_id: Option<String>,
    /// Who holds it first.
    pub holder_id: String,
    /// Threads where its work is discussed, each one the caller can see (at most 20).
    pub thread_ids: Option<Vec<String>>,
}

/// A thread a baton links to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadLinkOut {
    /// Thread id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its page in the web app.
    pub link: String,
}

impl From<&Thread> for ThreadLinkOut {
    fn from(t: &Thread) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title.clone(),
            link: format!("/threads/{}", t.id),
        }
    }
}

/// A baton.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatonOut {
    /// Baton id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The relay it follows.
    pub relay_id: Option<String>,
    /// Who holds it.
    pub holder_id: String,
    /// open or done.
    pub status: String,
    /// Whether the holder is in working hours now (absent on creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_working_now: Option<bool>,
    /// Open and held by someone outside their working hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stalled: Option<bool>,
    /// The threads it links to that the caller may see, in link order.
    pub threads: Vec<ThreadLinkOut>,
}

impl BatonOut {
    fn new(b: &Baton, holder_working: Option<bool>, threads: &[Thread]) -> Self {
        let open = b.status == BatonStatus::Open;
        Self {
            id: b.id.to_string(),
            title: b.title.clone(),
            description: b.description.clone(),
            relay_id: b.relay_id.map(|r| r.to_string()),
            holder_id: b.holder_id.to_string(),
            status: b.status.as_str().into(),
            holder_working_now: holder_working,
            stalled: holder_working.map(|working| open && !working),
            threads: threads.iter().map(Into::into).collect(),
        }
    }
}

/// Creates a baton, optionally linked to threads the caller can see (a thread they cannot see
/// is refused like one that does not exist, and nothing is written).
#[utoipa::path(post, path = "/api/v1/batons", tag = "batons", request_body = CreateBaton,
    responses((status = 201, body = BatonDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_baton(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<CreateBaton>,
) -> ApiResult<(StatusCode, Json<BatonDetail>)> {
    let b = body.value;
    let input = relays::BatonInput {
        title: b.title,
        description: b.description,
        relay_id: b.relay_id.map(|r| Id::parse("relay_id", &r)).transpose()?,
        holder_id: Id::parse("holder_id", &b.holder_id)?,
        thread_ids: ids("thread_ids", &b.thread_ids.unwrap_or_default())?,
    };
    let baton = relays::create_baton(&state, &caller, input).await?;
    let threads = relays::linked_threads(&state, &caller, &baton).await?;
    Ok((
        StatusCode::CREATED,
        Json(BatonDetail::new(
            &baton,
            &threads,
            &Page {
                items: Vec::new(),
                next_cursor: None,
            },
        )),
    ))
}

/// Query of `GET /api/v1/batons`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BatonQuery {
    /// Only batons this member holds.
    #[param(format = Uuid)]
    pub holder: Option<String>,
    /// Cursor from a previous page's `next_cursor` (empty: the first page).
    #[param(pattern = r"^(c[0-9a-fA-F]{1,15})?$")]
    pub cursor: Option<String>,
    /// Batons per page, 1 to 200 (default 50); above 200 is refused (422).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A page of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatonList {
    /// Oldest first.
    pub batons: Vec<BatonOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// The baton board: who holds what, and which batons are stalled with an off-hours holder. A
/// page at a time.
#[utoipa::path(get, path = "/api/v1/batons", tag = "batons", params(BatonQuery), responses((status = 200, body = BatonList), (status = 422, body = Problem)))]
pub async fn list_batons(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<BatonQuery>,
) -> ApiResult<Json<BatonList>> {
    let holder = q
        .holder
        .as_deref()
        .map(|h| baton_core::Id::parse("holder", h))
        .transpose()?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let entries = relays::board(&state, &caller, holder, page).await?;
    let mut batons = Vec::with_capacity(entries.items.len());
    for entry in &entries.items {
        let threads = relays::linked_threads(&state, &caller, &entry.baton).await?;
        batons.push(BatonOut::new(
            &entry.baton,
            Some(entry.holder_working),
            &threads,
        ));
    }
    Ok(Json(BatonList {
        batons,
        next_cursor: entries.next_cursor,
    }))
}

/// A handoff as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffOut {
    /// Handoff id.
    pub id: String,
    /// The baton.
    pub baton_id: String,
    /// Who passed it.
    pub from_id: String,
    /// Who receives it.
    pub to_id: String,
    /// Where the work stands.
    pub state: String,
    /// What to do first.
    pub next_step: String,
    /// What blocks it.
    pub blockers: String,
    /// Where to look.
    pub links: String,
    /// When it was passed.
    pub created_at: String,
    /// When it reaches the receiver.
    pub delivers_at: String,
    /// pending, accepted or bounced.
    pub status: String,
    /// Why it was bounced.
    pub bounce_reason: Option<String>,
}

impl From<&Handoff> for HandoffOut {
    fn from(h: &Handoff) -> Self {
        Self {
            id: h.id.to_string(),
            baton_id: h.baton_id.to_string(),
            from_id: h.from_id.to_string(),
            to_id: h.to_id.to_string(),
            state: h.note.state.clone(),
            next_step: h.note.next_step.clone(),
            blockers: h.note.blockers.clone(),
            links: h.note.links.clone(),
            created_at: time(h.created_at),
            delivers_at: time(h.delivers_at),
            status: h.status.as_str().into(),
            bounce_reason: h.bounce_reason.clone(),
        }
    }
}

/// A baton with its threads and a page of its handoff log.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatonDetail {
    /// The baton, with the threads it links to.
    #[serde(flatten)]
    pub baton: BatonOut,
    /// Handoffs, oldest first: one page of them.
    pub handoffs: Vec<HandoffOut>,
    /// Cursor for the next page of `handoffs`.
    pub next_cursor: Option<String>,
}

impl BatonDetail {
    fn new(baton: &Baton, threads: &[Thread], history: &Page<Handoff>) -> Self {
        Self {
            baton: BatonOut::new(baton, None, threads),
            handoffs: history.items.iter().map(Into::into).collect(),
            next_cursor: history.next_cursor.clone(),
        }
    }
}

/// One baton with the threads it links to (those the caller may see) and a page of its
/// handoff history: `cursor` and `limit` page through the `handoffs`, as on every list. A
/// baton passed around the world daily gathers hundreds of handoffs a year; its own
/// parameters keep one URL for the baton and its log instead of a second route.
#[utoipa::path(get, path = "/api/v1/batons/{id}", tag = "batons", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = BatonDetail), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn read_baton(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<BatonDetail>> {
    let (baton, history) = relays::baton_with_history(&state, &caller, id, q.page()?).await?;
    let threads = relays::linked_threads(&state, &caller, &baton).await?;
    Ok(Json(BatonDetail::new(&baton, &threads, &history)))
}

/// Body of `POST /api/v1/batons/{id}/threads`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkThread {
    /// The thread to link; one the caller can see.
    pub thread_id: String,
}

/// Links a thread to a baton: its holder, its creator or an admin may. A thread the caller
/// cannot see is refused like one that does not exist (422); one linked already is a 409.
#[utoipa::path(post, path = "/api/v1/batons/{id}/threads", tag = "batons", params(("id" = String, Path)), request_body = LinkThread,
    responses((status = 201, body = ThreadLinkOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn link_thread(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<LinkThread>,
) -> ApiResult<(StatusCode, Json<ThreadLinkOut>)> {
    let thread = baton_core::Id::parse("thread_id", &body.value.thread_id)?;
    let thread = relays::link_thread(&state, &caller, id, thread).await?;
    Ok((StatusCode::CREATED, Json((&thread).into())))
}

/// Unlinks a thread from a baton: its holder, its creator or an admin may.
#[utoipa::path(delete, path = "/api/v1/batons/{id}/threads/{thread_id}", tag = "batons",
    params(("id" = String, Path), ("thread_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unlink_thread(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathIds(id, thread): PathIds,
) -> ApiResult<StatusCode> {
    relays::unlink_thread(&state, &caller, id, thread).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /api/v1/batons/{id}/handoff`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHandoff {
    /// The receiver; the relay's next leg when absent.
    pub to_id: Option<String>,
    /// Where the work stands.
    pub state: String,
    /// What the receiver should do first.
    pub next_step: String,
    /// What blocks it, or "none".
    pub blockers: String,
    /// Where to look, or "none".
    pub links: String,
}

/// A passed baton.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedHandoff {
    /// Handoff id.
    pub handoff_id: String,
    /// The receiver.
    pub to_id: String,
    /// When it reaches them: now if working, else their next working start.
    pub delivers_at: String,
}

/// Passes a baton to the next leg (or a named member) with a handoff note.
#[utoipa::path(post, path = "/api/v1/batons/{id}/handoff", tag = "batons", params(("id" = String, Path)), request_body = CreateHandoff,
    responses((status = 201, body = CreatedHandoff), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn hand_off(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<CreateHandoff>,
) -> ApiResult<(StatusCode, Json<CreatedHandoff>)> {
    let b = body.value;
    let input = relays::HandoffInput {
        to_id: b.to_id.map(|t| Id::parse("to_id", &t)).transpose()?,
        state: b.state,
        next_step: b.next_step,
        blockers: b.blockers,
        links: b.links,
    };
    let h = relays::hand_off(&state, &caller, id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedHandoff {
            handoff_id: h.id.to_string(),
            to_id: h.to_id.to_string(),
            delivers_at: time(h.delivers_at),
        }),
    ))
}

/// Accepts a handoff: the receiver becomes the holder.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/accept", tag = "batons", params(("id" = String, Path)),
    responses((status = 200, body = HandoffOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<HandoffOut>> {
    Ok(Json(
        (&relays::resolve(&state, &caller, id, Resolution::Accept).await?).into(),
    ))
}

/// Body of `POST /api/v1/handoffs/{id}/bounce`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bounce {
    /// Why the baton goes back.
    pub reason: String,
}

/// Bounces a handoff back to its sender with a reason.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/bounce", tag = "batons", params(("id" = String, Path)), request_body = Bounce,
    responses((status = 200, body = HandoffOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn bounce(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<Bounce>,
) -> ApiResult<Json<HandoffOut>> {
    let bounce = Resolution::Bounce {
        reason: body.value.reason,
    };
    Ok(Json(
        (&relays::resolve(&state, &caller, id, bounce).await?).into(),
    ))
}

/// Marks a baton done: its holder or an admin may. A done baton cannot be passed on; a baton
/// with a handoff waiting for its receiver cannot be marked done until it is resolved (409).
#[utoipa::path(post, path = "/api/v1/batons/{id}/done", tag = "batons", params(("id" = String, Path)),
    responses((status = 200, body = BatonOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn mark_done(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<BatonOut>> {
    let baton = relays::set_status(&state, &caller, id, BatonStatus::Done).await?;
    let threads = relays::linked_threads(&state, &caller, &baton).await?;
    Ok(Json(BatonOut::new(&baton, None, &threads)))
}

/// Reopens a done baton, with the holder it had: its holder or an admin may. An open baton
/// answers 409.
#[utoipa::path(post, path = "/api/v1/batons/{id}/reopen", tag = "batons", params(("id" = String, Path)),
    responses((status = 200, body = BatonOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<BatonOut>> {
    let baton = relays::set_status(&state, &caller, id, BatonStatus::Open).await?;
    let threads = relays::linked_threads(&state, &caller, &baton).await?;
    Ok(Json(BatonOut::new(&baton, None, &threads)))
}
