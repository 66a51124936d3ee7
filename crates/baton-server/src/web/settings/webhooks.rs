//! `/settings/webhooks`: the viewer's own outgoing webhooks, which receive their
//! notifications at their delivery windows as signed JSON.
//!
//! Owns: the webhooks page, its add and delete posts, and showing a new webhook's secret once,
//! on the page that answers the add (never in a redirect's URL or a later page). Does not own:
//! who may do what or which URLs are acceptable (`services::webhooks`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::super::auth::FieldError;
use super::super::format::day_time;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, Section, WebResult, render};
use super::{Saved, fixable, form_status};
use crate::error::ApiError;
use crate::extract::PathId;
use crate::services::sessions::SignedIn;
use crate::services::webhooks;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    hooks: Vec<HookRow>,
    /// The URL typed into the add form, kept when it was refused.
    url: String,
    /// The secret of the webhook just added.
    new_secret: Option<String>,
    error: FieldError,
}

struct HookRow {
    id: String,
    url: String,
    created: String,
}

/// What a post changes on the page it shows again.
#[derive(Default)]
struct Shown {
    notice: Option<&'static str>,
    url: String,
    new_secret: Option<String>,
    error: FieldError,
}

async fn webhooks_response(
    state: &AppState,
    viewer: &SignedIn,
    shown: Shown,
) -> WebResult<Response> {
    let me = &viewer.member;
    let hooks = webhooks::list_for_member(state, me, me.id)
        .await?
        .into_iter()
        .map(|w| HookRow {
            id: w.id.to_string(),
            url: w.url,
            created: day_time(w.created_at, &me.timezone),
        })
        .collect();
    let page = WebhooksPage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Webhooks").await?,
        notice: shown.notice,
        hooks,
        url: shown.url,
        new_secret: shown.new_secret,
        error: shown.error,
    };
    Ok((form_status(&page.error), render(&page)).into_response())
}

/// `GET /settings/webhooks`.
pub(super) async fn webhooks_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    let shown = Shown {
        notice: saved.notice(),
        ..Shown::default()
    };
    webhooks_response(&state, &viewer, shown).await
}

#[derive(Debug, Deserialize)]
pub(super) struct WebhookForm {
    #[serde(default)]
    url: String,
}

/// `POST /settings/webhooks`: registers a webhook and shows its secret on this answer only.
/// A refused URL (or one too many) is shown again with the reason next to it.
pub(super) async fn add_webhook(
    State(state): State<AppState>,
    form: CsrfForm<WebhookForm>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let shown = match webhooks::create_for_member(&state, me, me.id, &form.value.url).await {
        Ok(created) => Shown {
            notice: Some("Webhook added."),
            new_secret: Some(created.secret.expose().to_owned()),
            ..Shown::default()
        },
        Err(e) if fixable(&e) || e.status() == StatusCode::CONFLICT => Shown {
            error: FieldError::from_api(&e, "url"),
            url: form.value.url,
            ..Shown::default()
        },
        Err(e) => return Err(e.into()),
    };
    webhooks_response(&state, &form.viewer, shown).await
}

/// `POST /settings/webhooks/{id}/delete`.
pub(super) async fn delete_webhook(
    State(state): State<AppState>,
    webhook: Result<PathId, ApiError>,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let PathId(webhook) = webhook?;
    webhooks::delete(&state, &form.viewer.member, webhook).await?;
    Ok(Redirect::to("/settings/webhooks?saved=webhook_deleted").into_response())
}
