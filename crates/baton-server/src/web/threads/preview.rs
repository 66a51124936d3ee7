//! The composer's preview: the Markdown as it will look and each asked person's due time,
//! shown in the page after Preview, or swapped in place by htmx.
//!
//! Owns: planning the draft's due times the way a sent post would be planned, and the htmx
//! fragment. Does not own: the planning itself (`services::asks::plan`) or the Urgent lines
//! (`web::urgent`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use baton_core::expectation::Expectation;
use baton_core::model::{Member, Space};
use baton_core::page::PageRequest;
use baton_core::{Id, markdown};

use super::compose::{ComposeForm, Draft, compose_error};
use crate::error::ApiResult;
use crate::services::{access, asks, spaces};
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::forms::CsrfForm;
use crate::web::inbox::{People, TheirTime};
use crate::web::{PageId, WebResult, render};

/// The rendered preview: the Markdown as it will look, and when each asked person's reply
/// will be due, in their time and the viewer's.
#[derive(Debug, Default)]
pub(super) struct Preview {
    /// Sanitized by `markdown::render`, the same function that renders stored posts.
    pub(super) html: String,
    pub(super) dues: Vec<TheirTime>,
    /// For Urgent: who is told now and who later (see `web::urgent::preview`).
    pub(super) urgent: Vec<String>,
    /// Why the due times cannot be shown (only in the in-place preview, which has no field
    /// to put the message next to).
    pub(super) problem: Option<String>,
}

/// Each asked person's due time, from the same planning a sent post uses.
async fn due_times(
    state: &AppState,
    me: &Member,
    space: &Space,
    people: &mut People,
    draft: &Draft,
) -> ApiResult<Vec<TheirTime>> {
    let Some(input) = draft.expectation()? else {
        return Ok(Vec::new());
    };
    let expectation = Expectation::validate(input.kind, input.within_minutes, input.of)?;
    let now = state.clock.now();
    let asked = access::addressees(state, me, space, Some(&expectation)).await?;
    let planned = asks::plan(state, Some(&expectation), &asked, now).await?;
    let mut dues = Vec::with_capacity(planned.len());
    for ask in planned {
        let person = people.get(state, me, ask.to_id).await?;
        dues.push(TheirTime::new(ask.due_at, person, me, now));
    }
    Ok(dues)
}

/// The preview of `draft` (a reply in `thread`, or a new thread's opening post), with the
/// error that keeps its due times from being shown.
pub(super) async fn preview(
    state: &AppState,
    me: &Member,
    space: &Space,
    thread: Option<Id>,
    members: &[Member],
    draft: &Draft,
) -> WebResult<(Preview, FieldError, StatusCode)> {
    let mut people = People::with(members);
    let html = markdown::render(&draft.body);
    let planned = match due_times(state, me, space, &mut people, draft).await {
        Ok(dues) if draft.is_urgent() => {
            let urgent =
                crate::web::urgent::preview(state, me, space, thread, &mut people, &draft.asked);
            urgent.await.map(|urgent| (dues, urgent))
        }
        Ok(dues) => Ok((dues, Vec::new())),
        Err(e) => Err(e),
    };
    match planned {
        Ok((dues, urgent)) => Ok((
            Preview {
                html,
                dues,
                urgent,
                problem: None,
            },
            FieldError::default(),
            StatusCode::OK,
        )),
        Err(e) => {
            let (error, status) = compose_error(e)?;
            let preview = Preview {
                html,
                ..Preview::default()
            };
            Ok((preview, error, status))
        }
    }
}

/// Just the preview, swapped into the page by htmx. Always 200 (htmx does not swap error
/// responses); a problem is shown inside the fragment instead.
#[derive(Template)]
#[template(path = "thread_preview.html")]
struct PreviewFragment {
    preview: Preview,
}

async fn preview_fragment(
    state: &AppState,
    me: &Member,
    space: &Space,
    thread: Option<Id>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let draft = Draft::from_form(form.value, &form.fields);
    let members = spaces::members(state, me, space.id, PageRequest::largest())
        .await?
        .items;
    let (mut preview, error, _) = preview(state, me, space, thread, &members, &draft).await?;
    if !error.message.is_empty() {
        preview.problem = Some(error.message);
    }
    Ok(render(&PreviewFragment { preview }))
}

/// `POST /spaces/{id}/threads/preview`: the new-thread form's in-place preview.
pub(super) async fn new_thread_preview(
    State(state): State<AppState>,
    PageId(space): PageId,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let me = form.viewer.member.clone();
    let space = access::visible_space(&state, &me, space).await?;
    preview_fragment(&state, &me, &space, None, form).await
}

/// `POST /threads/{id}/preview`: the reply form's in-place preview.
pub(super) async fn reply_preview(
    State(state): State<AppState>,
    PageId(thread): PageId,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let me = form.viewer.member.clone();
    let (thread, space) = access::visible_thread_in_space(&state, &me, thread).await?;
    preview_fragment(&state, &me, &space, Some(thread.id), form).await
}
