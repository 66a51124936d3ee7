//! `/settings/webhooks`: the viewer's own outgoing webhooks, which receive their
//! notifications at their delivery windows as signed JSON.
//!
//! Owns: the webhooks page and its add and delete posts. Does not own: the list, the form and
//! the secret shown once, which every webhooks page shares (`web::webhooks`), or who may do
//! what and which URLs are acceptable (`services::webhooks`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::IgnoredAny;

use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::webhooks::{SAVED_DELETED, Shown, WebhookForm, WebhooksPart, rows};
use super::super::{Chrome, PageId, Section, WebResult, render_with};
use super::Saved;
use crate::error::ApiError;
use crate::services::sessions::SignedIn;
use crate::services::webhooks;
use crate::state::AppState;

/// Where this page lives; its add form posts here too.
const PATH: &str = "/settings/webhooks";

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    webhooks: WebhooksPart,
}

async fn webhooks_response(
    state: &AppState,
    viewer: &SignedIn,
    shown: Shown,
) -> WebResult<Response> {
    let me = &viewer.member;
    let hooks = webhooks::list_for_member(state, me, me.id).await?;
    // Only the member themself registers their webhooks, so each was added by the viewer.
    let hooks = rows(state, me, hooks, false).await?;
    let page = WebhooksPage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Webhooks").await?,
        notice: shown.notice,
        webhooks: WebhooksPart::new(
            PATH.to_owned(),
            "No webhooks. Add one to feed your notifications into a chat bridge or an automation.",
            hooks,
            shown,
        ),
    };
    Ok(render_with(&page, page.webhooks.status()))
}

/// `GET /settings/webhooks`.
pub(super) async fn webhooks_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    let shown = Shown::saved(saved.saved.as_deref());
    webhooks_response(&state, &viewer, shown).await
}

/// `POST /settings/webhooks`: registers a webhook and shows its secret on this answer only.
/// A refused URL (or one too many) is shown again with the reason next to it.
pub(super) async fn add_webhook(
    State(state): State<AppState>,
    form: CsrfForm<WebhookForm>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let created = webhooks::create_for_member(&state, me, me.id, &form.value.url)
        .await
        .map_err(ApiError::from);
    let shown = Shown::added(created, form.value.url)?;
    webhooks_response(&state, &form.viewer, shown).await
}

/// `POST /settings/webhooks/{id}/delete`.
pub(super) async fn delete_webhook(
    State(state): State<AppState>,
    PageId(webhook): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    webhooks::delete(&state, &form.viewer.member, webhook).await?;
    Ok(Redirect::to(&format!("{PATH}?saved={SAVED_DELETED}")).into_response())
}
