//! The board at `/batons`: every baton the viewer may see with its holder's working state (the
//! done ones listed apart), the relays those batons follow, and the new-baton form.
//!
//! Owns: the board page and `POST /batons`. Does not own: which batons a viewer sees or the
//! rules for a new one (`services::relays`).

use std::iter;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::Id;
use baton_core::model::{BatonStatus, Handoff};
use baton_core::role::Role;
use serde::Deserialize;

use super::super::auth::FieldError;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, Section, WebResult, render};
use super::roster::{Holder, Roster};
use super::{Choice, RelayLink, pending_of, render_with};
use crate::services::relays::{self, BatonInput, BoardEntry};
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Most batons the board shows: one screen to scan, well under the page budget.
const BOARD_LIMIT: usize = 100;

#[derive(Template)]
#[template(path = "batons.html")]
struct BoardPage {
    chrome: Chrome,
    rows: Vec<BoardRow>,
    /// Finished batons, listed apart so the open ones read as the work in hand.
    done_rows: Vec<BoardRow>,
    total: usize,
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

#[derive(Debug, Deserialize)]
pub(super) struct BoardQuery {
    /// Preselects this relay in the new-baton form (the relay page links here).
    relay: Option<String>,
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
    let page = board(&state, &signed_in, form, FieldError::default()).await?;
    Ok(render(&page))
}

async fn board(
    state: &AppState,
    signed_in: &SignedIn,
    form: NewBaton,
    error: FieldError,
) -> WebResult<BoardPage> {
    let viewer = &signed_in.member;
    let chrome = Chrome::load(state, signed_in, Section::Batons, "Batons").await?;
    let entries = relays::board(state, viewer, None).await?;
    let total = entries.len();
    let mut roster = Roster::load(state, viewer).await?;
    let mut shown: Vec<(BoardEntry, Option<Handoff>)> = Vec::with_capacity(total.min(BOARD_LIMIT));
    for entry in entries.into_iter().take(BOARD_LIMIT) {
        let (_, history) = relays::baton_with_history(state, viewer, entry.baton.id).await?;
        let pending = pending_of(&history).cloned();
        shown.push((entry, pending));
    }
    // Every holder and every waiting receiver, their schedules read in one query.
    let named: Vec<Id> = shown
        .iter()
        .flat_map(|(entry, pending)| {
            iter::once(entry.baton.holder_id).chain(pending.as_ref().map(|h| h.to_id))
        })
        .collect();
    roster.load_schedules(state, viewer, named).await?;
    let now = state.clock.now();
    let mut rows = Vec::with_capacity(shown.len());
    let mut relay_ids: Vec<Id> = Vec::new();
    for (entry, pending) in shown {
        let baton = entry.baton;
        let done = baton.status == BatonStatus::Done;
        rows.push(BoardRow {
            id: baton.id.to_string(),
            holder: roster.holder(viewer, baton.holder_id, now)?,
            pending: match &pending {
                Some(h) => Some(roster.pending_text(viewer, h, now)?),
                None => None,
            },
            title: baton.title,
            done,
            stalled: !done && !entry.holder_working,
        });
        if let Some(r) = baton.relay_id.filter(|r| !relay_ids.contains(r)) {
            relay_ids.push(r);
        }
    }
    // There is no relay list in the service, so the board shows the relays its batons follow,
    // plus the one a relay page asked to preselect. Guests see no relays at all.
    if let Some(asked) = form
        .relay_id
        .parse::<Id>()
        .ok()
        .filter(|r| !relay_ids.contains(r))
    {
        relay_ids.push(asked);
    }
    let mut relay_list = Vec::new();
    for id in relay_ids {
        if let Ok(r) = relays::get_relay(state, viewer, id).await {
            relay_list.push(r);
        }
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
        total,
        relays: relay_list.iter().map(RelayLink::from).collect(),
        can_create: viewer.role != Role::Guest,
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
    let f = &form.value;
    let input = BatonInput {
        title: f.title.clone(),
        description: Some(f.description.clone()).filter(|d| !d.trim().is_empty()),
        relay_id: Some(f.relay_id.clone()).filter(|r| !r.is_empty()),
        holder_id: f.holder_id.clone(),
    };
    match relays::create_baton(&state, &form.viewer.member, input).await {
        Ok(baton) => Ok(Redirect::to(&format!("/batons/{}", baton.id)).into_response()),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let error = FieldError::from_api(&e, "title");
            let page = board(&state, &form.viewer, form.value, error).await?;
            Ok(render_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
