//! Starting a thread: the new-thread page and its form.
//!
//! Owns: this page and turning its post into `services::threads::start_thread`. Does not own:
//! the composer (`compose`) or who may post in the space (`services::threads`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::Id;
use baton_core::page::PageRequest;

use super::compose::{ComposeForm, Composer, Draft, Mode, askable, compose_error};
use crate::error::ApiError;
use crate::services::sessions::SignedIn;
use crate::services::{access, spaces, threads};
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::forms::{CsrfForm, Fields};
use crate::web::session::Viewer;
use crate::web::{Chrome, PageId, Section, WebResult, render_with};

#[derive(Template)]
#[template(path = "thread_new.html")]
struct NewThreadPage {
    chrome: Chrome,
    space_id: String,
    space_name: String,
    composer: Composer,
    error: FieldError,
}

async fn new_thread_page(
    state: &AppState,
    signed_in: &SignedIn,
    space: Id,
    draft: Draft,
    mode: Mode,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let space = access::visible_space(state, me, space).await?;
    let members = spaces::members(state, me, space.id, PageRequest::largest())
        .await?
        .items;
    let (preview, error, status) = mode
        .resolve(state, me, &space, None, &members, &draft)
        .await?;
    let page = NewThreadPage {
        chrome: Chrome::load(state, signed_in, Section::Spaces, "New thread").await?,
        space_id: space.id.to_string(),
        space_name: space.name.clone(),
        composer: Composer {
            urgent_left: crate::web::urgent::budget_line(state, me).await?,
            draft,
            people: askable(&members, me),
            preview_url: format!("/spaces/{}/threads/preview", space.id),
            body_label: "Message",
            send_label: "Start thread",
            preview,
        },
        error,
    };
    Ok(render_with(&page, status))
}

/// `GET /spaces/{id}/threads/new`: an empty composer, or one pre-filled from the query
/// (`title`, `body`, `expect`, `within_hours`, `ask`), as the meeting gate's async alternatives
/// link to it.
pub(super) async fn new_thread(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(space): PageId,
    RawQuery(query): RawQuery,
) -> WebResult<Response> {
    let fields = Fields(
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default(),
    );
    let blank = Draft::default();
    let one = |name, default: String| fields.all(name).next().map_or(default, str::to_owned);
    let draft = Draft {
        title: one("title", blank.title),
        body: one("body", blank.body),
        expect: one("expect", blank.expect),
        within_hours: one("within_hours", blank.within_hours),
        asked: fields.all("ask").map(str::to_owned).collect(),
    };
    new_thread_page(&state, &signed_in, space, draft, Mode::Show).await
}

/// `POST /spaces/{id}/threads`: starts the thread, previews it, or shows the form again with
/// the error next to its field.
pub(super) async fn start_thread(
    State(state): State<AppState>,
    PageId(space): PageId,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let preview_only = form.value.intent == "preview";
    let draft = Draft::from_form(form.value, &form.fields);
    if preview_only {
        return new_thread_page(&state, &form.viewer, space, draft, Mode::Preview).await;
    }
    let created = match draft.expectation() {
        Ok(exp) => threads::start_thread(
            &state,
            &form.viewer.member,
            space,
            &draft.title,
            &draft.body,
            exp,
            None,
        )
        .await
        .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match created {
        Ok((created, urgent)) => {
            let thread = created.thread.id;
            Ok(Redirect::to(&format!(
                "/threads/{thread}{}",
                crate::web::urgent::held(urgent)
            ))
            .into_response())
        }
        Err(e) => {
            let (error, status) = compose_error(e)?;
            let mode = Mode::Failed(error, status);
            new_thread_page(&state, &form.viewer, space, draft, mode).await
        }
    }
}
