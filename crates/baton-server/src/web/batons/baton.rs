//! One baton at `/batons/{id}`: its holder, the threads it links to, its handoff log, and the
//! forms that move it (hand off, accept, bounce, mark done, reopen, link and unlink a thread).
//!
//! Owns: the baton page and the posts that pass a baton on, answer a handoff or change its
//! threads, each of which re-renders this page with its error. Does not own: who may pass,
//! answer or link, or which threads a viewer may see (the service checks), or the note's rules
//! (`baton_core::relay`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::model::{BatonStatus, Handoff, HandoffNote, HandoffStatus, Member, Resolution};
use baton_core::page::PageRequest;
use baton_core::{CoreError, Id, markdown, relay};
use jiff::Timestamp;
use serde::Deserialize;

use super::super::auth::FieldError;
use super::super::format;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, PageId, PageIds, Section, WebResult, render, render_with};
use super::roster::{Holder, Roster};
use super::{Choice, RelayLink};
use crate::error::ApiError;
use crate::services::relays::{self, HandoffInput};
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Most handoffs one page of a baton's log shows: each note may be long.
const HISTORY_LIMIT: u32 = 20;

#[derive(Template)]
#[template(path = "baton.html")]
struct BatonPage {
    chrome: Chrome,
    id: String,
    title: String,
    description_html: String,
    done: bool,
    relay: Option<RelayLink>,
    holder: Holder,
    history: Vec<HistoryItem>,
    /// The cursor of the log's next page, when there are later handoffs.
    next_cursor: Option<String>,
    waiting: Option<String>,
    incoming: Option<String>,
    can_hand_off: bool,
    can_mark_done: bool,
    can_reopen: bool,
    threads: Vec<ThreadItem>,
    can_link: bool,
    receivers: Vec<Choice>,
    draft: Draft,
    error: FieldError,
}

/// A linked thread the viewer may see.
struct ThreadItem {
    id: String,
    title: String,
}

struct HistoryItem {
    from: String,
    to: String,
    when: String,
    when_machine: String,
    outcome: String,
    note: HandoffNote,
    bounce_reason: Option<String>,
}

/// The handoff form as posted (and kept on a re-render); names as in the JSON API.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct HandoffFields {
    to_id: String,
    state: String,
    next_step: String,
    blockers: String,
    links: String,
}

impl HandoffFields {
    /// The form as the service's input, the receiver's id parsed (none chosen: the relay's
    /// next leg).
    fn input(&self) -> Result<HandoffInput, CoreError> {
        Ok(HandoffInput {
            to_id: Some(self.to_id.as_str())
                .filter(|t| !t.is_empty())
                .map(|t| Id::parse("to_id", t))
                .transpose()?,
            state: self.state.clone(),
            next_step: self.next_step.clone(),
            blockers: self.blockers.clone(),
            links: self.links.clone(),
        })
    }
}

/// What the viewer typed into the baton page's forms, kept when one is re-rendered.
#[derive(Debug, Default)]
struct Draft {
    handoff: HandoffFields,
    reason: String,
    thread_id: String,
}

/// `?cursor=` of the baton page: a page of its handoff log.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LogQuery {
    cursor: Option<String>,
}

/// `GET /batons/{id}`.
pub(super) async fn baton_page(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(id): PageId,
    Query(query): Query<LogQuery>,
) -> WebResult<Response> {
    let page = baton(
        &state,
        &signed_in,
        (id, query.cursor.as_deref()),
        Draft::default(),
        FieldError::default(),
    )
    .await?;
    Ok(render(&page))
}

/// The baton page, with the page of its handoff log after `cursor` (the first without one).
async fn baton(
    state: &AppState,
    signed_in: &SignedIn,
    (id, cursor): (Id, Option<&str>),
    draft: Draft,
    error: FieldError,
) -> WebResult<BatonPage> {
    let viewer = &signed_in.member;
    let request = PageRequest::parse(cursor, Some(HISTORY_LIMIT)).map_err(ApiError::from)?;
    let (baton, history) = relays::baton_with_history(state, viewer, id, request).await?;
    let waiting = relays::pending_handoff(state, viewer, &baton).await?;
    let waiting = waiting.as_ref();
    let chrome = Chrome::load(state, signed_in, Section::Batons, baton.title.clone()).await?;
    let mut roster = Roster::load(state, viewer).await?;
    // A guest cannot open relays; their baton page simply shows none.
    let followed = match baton.relay_id {
        Some(r) => relays::get_relay(state, viewer, r).await.ok(),
        None => None,
    };
    let named = std::iter::once(baton.holder_id).chain(waiting.map(|h| h.to_id));
    roster.load_schedules(state, viewer, named).await?;
    let now = state.clock.now();
    let incoming = waiting
        .filter(|h| h.to_id == viewer.id)
        .map(|h| h.id.to_string());
    let waiting_text = match waiting.filter(|h| h.to_id != viewer.id) {
        Some(h) => Some(roster.pending_text(viewer, h, now)?),
        None => None,
    };
    let done = baton.status == BatonStatus::Done;
    let can_hand_off = !done && baton.holder_id == viewer.id && waiting.is_none();
    // The same rules the service applies; a waiting handoff is resolved first.
    let may_set_status = relay::may_set_status(viewer, &baton);
    let can_link = relay::may_link(viewer, &baton);
    let can_mark_done = !done && may_set_status && waiting.is_none();
    let threads = relays::linked_threads(state, viewer, &baton)
        .await?
        .into_iter()
        .map(|t| ThreadItem {
            id: t.id.to_string(),
            title: t.title,
        })
        .collect();
    let next = followed
        .as_ref()
        .and_then(|r| relay::next_leg(&r.legs, viewer.id));
    let selected = draft.handoff.to_id.parse::<Id>().ok().or(next);
    let mut items = Vec::with_capacity(history.items.len());
    for h in &history.items {
        items.push(history_item(state, viewer, &mut roster, h).await?);
    }
    Ok(BatonPage {
        chrome,
        id: baton.id.to_string(),
        description_html: markdown::render(&baton.description),
        title: baton.title,
        done,
        relay: followed.as_ref().map(RelayLink::from),
        holder: roster.holder(viewer, baton.holder_id, now)?,
        history: items,
        next_cursor: history.next_cursor,
        waiting: waiting_text,
        incoming,
        can_hand_off,
        can_mark_done,
        can_reopen: done && may_set_status,
        threads,
        can_link,
        receivers: roster.choices(selected, Some(viewer.id)),
        draft,
        error,
    })
}

async fn history_item(
    state: &AppState,
    viewer: &Member,
    roster: &mut Roster,
    h: &Handoff,
) -> WebResult<HistoryItem> {
    let zone = &viewer.timezone;
    let to = roster.name(state, viewer, h.to_id).await?;
    let at = |ts: Option<Timestamp>| ts.map(|t| format::day_time(t, zone)).unwrap_or_default();
    let outcome = match h.status {
        HandoffStatus::Pending => format!("Waiting for {to} to accept"),
        HandoffStatus::Accepted => format!("Accepted by {to}, {}", at(h.resolved_at)),
        HandoffStatus::Bounced => format!("Bounced back by {to}, {}", at(h.resolved_at)),
    };
    Ok(HistoryItem {
        from: roster.name(state, viewer, h.from_id).await?,
        to,
        when: format::day_time(h.created_at, zone),
        when_machine: format::machine(h.created_at, zone),
        outcome,
        note: h.note.clone(),
        bounce_reason: h.bounce_reason.clone(),
    })
}

/// `POST /batons/{id}/handoff`: passes the baton on, or shows the page again with the error.
pub(super) async fn hand_off(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<HandoffFields>,
) -> WebResult<Response> {
    let passed = match form.value.input() {
        Ok(input) => relays::hand_off(&state, &form.viewer.member, id, input)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match passed {
        Ok(_) => Ok(Redirect::to(&format!("/batons/{id}")).into_response()),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut error = FieldError::from_api(&e, "state");
            if error.field == "to_id" && form.value.to_id.is_empty() {
                // The service's words name the API field; a person picks from the list.
                error.message = "Choose who receives the baton.".into();
            }
            let draft = Draft {
                handoff: form.value,
                ..Draft::default()
            };
            let page = baton(&state, &form.viewer, (id, None), draft, error).await?;
            Ok(render_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

/// The accept, mark-done, reopen and unlink forms have no fields beyond their CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct NoFields {}

/// `POST /handoffs/{id}/accept`: the receiver takes the baton.
pub(super) async fn accept(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<NoFields>,
) -> WebResult<Response> {
    let handoff = relays::resolve(&state, &form.viewer.member, id, Resolution::Accept).await?;
    Ok(Redirect::to(&format!("/batons/{}", handoff.baton_id)).into_response())
}

/// `POST /batons/{id}/done`: the holder (or an admin) marks the baton finished.
pub(super) async fn mark_done(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<NoFields>,
) -> WebResult<Response> {
    set_status(&state, &form.viewer.member, id, BatonStatus::Done).await
}

/// `POST /batons/{id}/reopen`: the holder (or an admin) takes a done baton up again.
pub(super) async fn reopen(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<NoFields>,
) -> WebResult<Response> {
    set_status(&state, &form.viewer.member, id, BatonStatus::Open).await
}

/// Sets the status of the baton `id` and goes back to its page.
async fn set_status(
    state: &AppState,
    viewer: &Member,
    id: Id,
    status: BatonStatus,
) -> WebResult<Response> {
    let baton = relays::set_status(state, viewer, id, status).await?;
    Ok(Redirect::to(&format!("/batons/{}", baton.id)).into_response())
}

/// The link-a-thread form: what the viewer pasted (a thread's link or its id).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LinkFields {
    thread_id: String,
}

/// `POST /batons/{id}/threads`: links the thread the viewer pasted, or shows the page again
/// with why not (no such thread they can see, linked already, too many).
pub(super) async fn link_thread(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<LinkFields>,
) -> WebResult<Response> {
    let linked = match relay::thread_ref(&form.value.thread_id) {
        Some(thread) => relays::link_thread(&state, &form.viewer.member, id, thread)
            .await
            .map(drop)
            .map_err(ApiError::from),
        None => Err(ApiError::invalid(
            "thread_id",
            "Paste a link to a thread (it ends in /threads/ and an id) or the thread's id.",
        )),
    };
    match linked {
        Ok(()) => Ok(Redirect::to(&format!("/batons/{id}#threads")).into_response()),
        Err(e)
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY
                || e.status() == StatusCode::CONFLICT =>
        {
            let draft = Draft {
                thread_id: form.value.thread_id,
                ..Draft::default()
            };
            let error = FieldError::from_api(&e, "thread_id");
            let page = baton(&state, &form.viewer, (id, None), draft, error).await?;
            Ok(render_with(&page, e.status()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /batons/{id}/threads/{thread_id}/unlink`: removes one linked thread.
pub(super) async fn unlink_thread(
    State(state): State<AppState>,
    PageIds(id, thread): PageIds,
    form: CsrfForm<NoFields>,
) -> WebResult<Response> {
    relays::unlink_thread(&state, &form.viewer.member, id, thread).await?;
    Ok(Redirect::to(&format!("/batons/{id}#threads")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BounceFields {
    reason: String,
}

/// `POST /handoffs/{id}/bounce`: the receiver sends the baton back with a reason.
pub(super) async fn bounce(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<BounceFields>,
) -> WebResult<Response> {
    let viewer = &form.viewer.member;
    let bounce = Resolution::Bounce {
        reason: form.value.reason.clone(),
    };
    match relays::resolve(&state, viewer, id, bounce)
        .await
        .map_err(ApiError::from)
    {
        Ok(h) => Ok(Redirect::to(&format!("/batons/{}", h.baton_id)).into_response()),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // Only the receiver gets this far (the service checks that first), so reading the
            // handoff for its baton shows nothing new.
            let handoff = state.store.handoff(viewer.workspace_id, id).await?;
            let draft = Draft {
                reason: form.value.reason,
                ..Draft::default()
            };
            let error = FieldError::from_api(&e, "reason");
            let page = baton(&state, &form.viewer, (handoff.baton_id, None), draft, error).await?;
            Ok(render_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
