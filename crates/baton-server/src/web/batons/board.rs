//! The board at `/batons`: every baton the viewer may see with its holder's working state (the
//! done ones listed apart; a stalled one on a relay says who on the relay is working now), the
//! relays those batons follow, and the new-baton form.
//!
//! Owns: the board page and `POST /batons`. Does not own: which batons a viewer sees or the
//! rules for a new one (`services::relays`).

use std::iter;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::model::{BatonStatus, Handoff, Relay};
use baton_core::page::PageRequest;
use baton_core::{CoreError, Id};
use jiff::Timestamp;
use serde::Deserialize;

use super::super::auth::FieldError;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, Section, WebResult, render, render_with};
use super::roster::{Holder, Roster};
use super::{Choice, RelayLink};
use crate::error::ApiError;
use crate::services::relays::{self, BatonInput, BoardEntry};
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Most batons one page of the board shows: one screen to scan, well under the page budget.
const BOARD_LIMIT: u32 = 100;

#[derive(Template)]
#[template(path = "batons.html")]
struct BoardPage {
    chrome: Chrome,
    rows: Vec<BoardRow>,
    /// Finished batons, listed apart so the open ones read as the work in hand.
    done_rows: Vec<BoardRow>,
    /// The cursor of the board's next page, when there is more.
    next_cursor: Option<String>,
    relays: Vec<RelayLink>,
    can_create: bool,
    form: NewBaton,
    holders: Vec<Choice>,
    relay_choices: Vec<Choice>,
    error: FieldError,
}

struct BoardRow {
    id: String,
    title: String,
    holder: Holder,
    done: bool,
    stalled: bool,
    pending: Option<String>,
    /// For a stalled baton on a relay: whose working hours it is in now, so someone can
    /// pick it up.
    on_duty: Option<String>,
}

/// Who on `relay` is inside their working hours at `now`, in words; the legs' schedules must
/// be loaded.
fn on_duty(roster: &Roster, relay: &Relay, now: Timestamp) -> WebResult<String> {
    let mut working = Vec::new();
    for leg in &relay.legs {
        if roster.is_working(*leg, now)? {
            working.push(roster.known_name(*leg)?);
        }
    }
    Ok(if working.is_empty() {
        format!("Nobody on {} is working now.", relay.name)
    } else {
        format!("Working now on {}: {}.", relay.name, working.join(", "))
    })
}

/// The new-baton form as posted (and kept on a re-render).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewBaton {
    title: String,
    description: String,
    relay_id: String,
    holder_id: String,
}

impl NewBaton {
    /// The form as the service's input, its ids parsed (422 on the field of one that is not).
    fn input(&self) -> Result<BatonInput, CoreError> {
        Ok(BatonInput {
            title: self.title.clone(),
            description: Some(self.description.clone()).filter(|d| !d.trim().is_empty()),
            relay_id: Some(self.relay_id.as_str())
                .filter(|r| !r.is_empty())
                .map(|r| Id::parse("relay_id", r))
                .transpose()?,
            holder_id: Id::parse("holder_id", &self.holder_id)?,
            thread_ids: Vec::new(),
        })
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct BoardQuery {
    /// Preselects this relay in the new-baton form (the relay page links here).
    relay: Option<String>,
    /// The `next_cursor` of the board's page before.
    cursor: Option<String>,
}

/// `GET /batons`.
pub(super) async fn board_page(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    Query(query): Query<BoardQuery>,
) -> WebResult<Response> {
    let form = NewBaton {
        relay_id: query.relay.unwrap_or_default(),
        holder_id: signed_in.member.id.to_string(),
        ..NewBaton::default()
    };
    let page = board(
        &state,
        &signed_in,
        query.cursor.as_deref(),
        form,
        FieldError::default(),
    )
    .await?;
    Ok(render(&page))
}

/// The board's page after `cursor` (the first without one), with the new-baton form.
async fn board(
    state: &AppState,
    signed_in: &SignedIn,
    cursor: Option<&str>,
    form: NewBaton,
    error: FieldError,
) -> WebResult<BoardPage> {
    let viewer = &signed_in.member;
    let chrome = Chrome::load(state, signed_in, Section::Batons, "Batons").await?;
    let request = PageRequest::parse(cursor, Some(BOARD_LIMIT)).map_err(ApiError::from)?;
    let entries = relays::board(state, viewer, None, request).await?;
    let mut roster = Roster::load(state, viewer).await?;
    let mut shown: Vec<(BoardEntry, Option<Handoff>)> = Vec::with_capacity(entries.items.len());
    for entry in entries.items {
        let pending = relays::pending_handoff(state, viewer, &entry.baton).await?;
        shown.push((entry, pending));
    }
    // There is no relay list in the service, so the board shows the relays its batons follow,
    // plus the one a relay page asked to preselect. Guests see no relays at all.
    let mut relay_ids: Vec<Id> = Vec::new();
    let asked = form.relay_id.parse::<Id>().ok();
    for id in shown
        .iter()
        .filter_map(|(e, _)| e.baton.relay_id)
        .chain(asked)
    {
        if !relay_ids.contains(&id) {
            relay_ids.push(id);
        }
    }
    let mut relay_list = Vec::new();
    for id in relay_ids {
        if let Ok(r) = relays::get_relay(state, viewer, id).await {
            relay_list.push(r);
        }
    }
    // Every holder, every waiting receiver and every leg of those relays: their schedules
    // read in one query.
    let named: Vec<Id> = shown
        .iter()
        .flat_map(|(entry, pending)| {
            iter::once(entry.baton.holder_id).chain(pending.as_ref().map(|h| h.to_id))
        })
        .chain(relay_list.iter().flat_map(|r| r.legs.iter().copied()))
        .collect();
    roster.load_schedules(state, viewer, named).await?;
    let now = state.clock.now();
    let mut rows = Vec::with_capacity(shown.len());
    for (entry, pending) in shown {
        let baton = entry.baton;
        let done = baton.status == BatonStatus::Done;
        let stalled = !done && !entry.holder_working;
        let relay = baton
            .relay_id
            .and_then(|id| relay_list.iter().find(|r| r.id == id));
        rows.push(BoardRow {
            id: baton.id.to_string(),
            holder: roster.holder(viewer, baton.holder_id, now)?,
            pending: match &pending {
                Some(h) => Some(roster.pending_text(viewer, h, now)?),
                None => None,
            },
            on_duty: match relay.filter(|_| stalled) {
                Some(r) => Some(on_duty(&roster, r, now)?),
                None => None,
            },
            title: baton.title,
            done,
            stalled,
        });
    }
    let relay_choices = relay_list
        .iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: r.name.clone(),
            selected: form.relay_id == r.id.to_string(),
        })
        .collect();
    let (done_rows, rows) = rows.into_iter().partition(|r| r.done);
    let holder_default = form.holder_id.parse::<Id>().ok();
    Ok(BoardPage {
        chrome,
        rows,
        done_rows,
        next_cursor: entries.next_cursor,
        relays: relay_list.iter().map(RelayLink::from).collect(),
        can_create: baton_core::relay::may_plan(viewer),
        holders: roster.choices(holder_default, None),
        relay_choices,
        form,
        error,
    })
}

/// `POST /batons`: a new baton, or the board again with the form's error.
pub(super) async fn create_baton(
    State(state): State<AppState>,
    form: CsrfForm<NewBaton>,
) -> WebResult<Response> {
    let created = match form.value.input() {
        Ok(input) => relays::create_baton(&state, &form.viewer.member, input)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(baton) => Ok(Redirect::to(&format!("/batons/{}", baton.id)).into_response()),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let error = FieldError::from_api(&e, "title");
            let page = board(&state, &form.viewer, None, form.value, error).await?;
            Ok(render_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
