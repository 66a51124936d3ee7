//! The organizer's steps from the meeting page: invite a draft, cancel, and close a held
//! meeting with its notes, decisions and actions.
//!
//! Owns: `POST /meetings/{id}/invite`, `/cancel` and `/close` as forms, and reading the close
//! form. Does not own: who may take a step or when (`services::meeting_lifecycle`, whose
//! refusals the meeting page shows next to the buttons or the form's fields).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::meeting::close::{Action, Minutes};
use baton_core::{CoreError, Id};
use serde::de::IgnoredAny;

use super::show::{CloseDraft, Shown, meeting_page};
use crate::error::ApiError;
use crate::services::error::ServiceResult;
use crate::services::meeting_lifecycle;
use crate::services::sessions::SignedIn;
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::forms::CsrfForm;
use crate::web::{PageId, WebResult};

/// Back to the meeting after a step, or its page again with the refusal shown: a 422 at its
/// field, a 409 (the wrong state) or 403 above the buttons.
async fn after<T>(
    state: &AppState,
    viewer: &SignedIn,
    id: Id,
    done: ServiceResult<T>,
    close: CloseDraft,
) -> WebResult<Response> {
    let refused = match done.map_err(ApiError::from) {
        Ok(_) => return Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => e,
    };
    let status = refused.status();
    if ![
        StatusCode::UNPROCESSABLE_ENTITY,
        StatusCode::CONFLICT,
        StatusCode::FORBIDDEN,
    ]
    .contains(&status)
    {
        return Err(refused.into());
    }
    let shown = Shown {
        close,
        error: FieldError::from_api(&refused, "steps"),
        status: Some(status),
        ..Shown::default()
    };
    meeting_page(state, viewer, id, shown).await
}

/// `POST /meetings/{id}/invite`: sends a draft's invitations (its thread and pre-work asks).
pub(super) async fn invite(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let done = meeting_lifecycle::invite(&state, &form.viewer.member, id).await;
    after(&state, &form.viewer, id, done, CloseDraft::default()).await
}

/// `POST /meetings/{id}/cancel`.
pub(super) async fn cancel(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let done = meeting_lifecycle::cancel(&state, &form.viewer.member, id).await;
    after(&state, &form.viewer, id, done, CloseDraft::default()).await
}

/// `POST /meetings/{id}/close`: the notes, one decision a line, and action rows (owner, what,
/// within how many working hours; blank rows left out).
pub(super) async fn close(
    State(state): State<AppState>,
    PageId(id): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let one = |name| fields.all(name).next().unwrap_or_default().to_owned();
    let all = |name| fields.all(name).map(str::to_owned).collect::<Vec<_>>();
    let (owners, whats, hours) = (all("action_owner"), all("action_what"), all("action_hours"));
    let draft = CloseDraft {
        notes: one("notes"),
        decisions: one("decisions"),
        actions: owners
            .into_iter()
            .zip(whats)
            .zip(hours.into_iter().chain(std::iter::repeat_with(String::new)))
            .map(|((owner, what), hours)| (owner, what, hours))
            .collect(),
    };
    let done = match minutes(&draft) {
        Ok(minutes) => meeting_lifecycle::close(&state, &form.viewer.member, id, minutes).await,
        Err(e) => Err(e.into()),
    };
    after(&state, &form.viewer, id, done, draft).await
}

/// What the close form says, read: blank decision lines and action rows left out, hours turned
/// into working minutes.
fn minutes(draft: &CloseDraft) -> Result<Minutes, CoreError> {
    let actions = draft
        .actions
        .iter()
        .filter(|(_, what, _)| !what.trim().is_empty())
        .map(|(owner, what, hours)| {
            let hours: u32 = hours.trim().parse().map_err(|_| {
                CoreError::invalid(
                    "actions",
                    "Give each action its working hours, as a number.",
                )
            })?;
            Ok(Action {
                owner_id: Id::parse("actions", owner)
                    .map_err(|_| CoreError::invalid("actions", "Choose who owns each action."))?,
                what: what.clone(),
                within_minutes: hours.saturating_mul(60),
            })
        })
        .collect::<Result<_, CoreError>>()?;
    Ok(Minutes {
        notes: draft.notes.clone(),
        decisions: draft
            .decisions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        actions,
    })
}
