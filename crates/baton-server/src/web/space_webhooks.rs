//! `/spaces/{id}/webhooks`: a space's outgoing webhooks, which receive every post of the space
//! as signed JSON as it happens.
//!
//! Owns: the page and its add and delete posts. Does not own: the list, the form and the
//! secret shown once, which every webhooks page shares (`web::webhooks`), or who may manage a
//! space's webhooks (workspace admins and its creator) and which URLs are acceptable
//! (`services::webhooks`, which answers 404 for a space the viewer cannot see and 403 for one
//! they see but do not manage).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::Id;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::forms::CsrfForm;
use super::session::Viewer;
use super::webhooks::{SAVED_DELETED, Shown, WebhookForm, WebhooksPart, rows};
use super::{Chrome, PageId, PageIds, Section, WebError, WebResult, render_with};
use crate::error::ApiError;
use crate::services::sessions::SignedIn;
use crate::services::webhooks;
use crate::state::AppState;

/// `/spaces/{id}/webhooks` and its form posts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces/{id}/webhooks", get(page).post(add))
        .route("/spaces/{id}/webhooks/{webhook_id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "space_webhooks.html")]
struct SpaceWebhooksPage {
    chrome: Chrome,
    space_id: String,
    notice: Option<&'static str>,
    webhooks: WebhooksPart,
}

/// `?saved=…` after a delete.
#[derive(Debug, Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn respond(
    state: &AppState,
    signed_in: &SignedIn,
    space: Id,
    shown: Shown,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let (space, hooks) = webhooks::space_with_webhooks(state, me, space).await?;
    // Any admin or the creator may add one, so each row says who did.
    let hooks = rows(state, me, hooks, true).await?;
    let title = format!("Webhooks of {}", space.name);
    let page = SpaceWebhooksPage {
        chrome: Chrome::load(state, signed_in, Section::Spaces, title).await?,
        space_id: space.id.to_string(),
        notice: shown.notice,
        webhooks: WebhooksPart::new(
            format!("/spaces/{}/webhooks", space.id),
            "No webhooks. Add one to feed this space's posts into a chat bridge or an automation.",
            hooks,
            shown,
        ),
    };
    Ok(render_with(&page, page.webhooks.status()))
}

/// `GET /spaces/{id}/webhooks`.
async fn page(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(space): PageId,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    let shown = Shown::saved(saved.saved.as_deref());
    respond(&state, &signed_in, space, shown).await
}

/// `POST /spaces/{id}/webhooks`: registers a webhook and shows its secret on this answer only.
/// A refused URL (or one too many) is shown again with the reason next to it.
async fn add(
    State(state): State<AppState>,
    PageId(space): PageId,
    form: CsrfForm<WebhookForm>,
) -> WebResult<Response> {
    let created = webhooks::create_for_space(&state, &form.viewer.member, space, &form.value.url)
        .await
        .map_err(ApiError::from);
    let shown = Shown::added(created, form.value.url)?;
    respond(&state, &form.viewer, space, shown).await
}

/// `POST /spaces/{id}/webhooks/{webhook_id}/delete`: deletes one of this space's webhooks.
/// Any other webhook id gets the 404 page, even one the viewer could delete elsewhere, so
/// this page's buttons can only ever remove what it lists.
async fn delete(
    State(state): State<AppState>,
    PageIds(space, webhook): PageIds,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let (space, hooks) = webhooks::space_with_webhooks(&state, me, space).await?;
    if !hooks.iter().any(|h| h.id == webhook) {
        return Err(WebError::not_found());
    }
    webhooks::delete(&state, me, webhook).await?;
    let to = format!("/spaces/{}/webhooks?saved={SAVED_DELETED}", space.id);
    Ok(Redirect::to(&to).into_response())
}
