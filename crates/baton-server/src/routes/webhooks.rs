//! `/api/v1/…/webhooks`: outgoing webhooks of a member or a space, and their deletion.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_core::delivery::webhook::{SignedWebhook, Webhook, WebhookScope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, PathId};
use crate::services::webhooks;
use crate::state::AppState;

/// Body of `POST /api/v1/members/{id}/webhooks` and `POST /api/v1/spaces/{id}/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where to POST: an `http` or `https` URL without user name or password, whose host is
    /// not in a loopback, private, link-local or other internal range (unless an admin allowed
    /// the host with `--webhook-allow-host`).
    pub url: String,
}

/// A registered webhook, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    /// Public id.
    pub id: String,
    /// Where it is sent.
    pub url: String,
    /// `member` (one member's notifications, at their delivery windows) or `space` (every
    /// notifying event of a space, as it happens).
    pub scope: &'static str,
    /// The member whose notifications it receives, for a member webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// The space whose events it receives, for a space webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    /// Who registered it.
    pub created_by: String,
    /// When, in UTC.
    pub created_at: String,
}

impl From<&Webhook> for WebhookOut {
    fn from(w: &Webhook) -> Self {
        let (scope, member_id, space_id) = match w.scope {
            WebhookScope::Member(m) => ("member", Some(m.to_string()), None),
            WebhookScope::Space(s) => ("space", None, Some(s.to_string())),
        };
        Self {
            id: w.id.to_string(),
            url: w.url.clone(),
            scope,
            member_id,
            space_id,
            created_by: w.created_by.to_string(),
            created_at: super::dto::time(w.created_at),
        }
    }
}

/// A webhook just registered, with its signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// The HMAC-SHA256 key of `X-Baton-Signature: sha256=<hex of HMAC(secret, timestamp + "." +
    /// body)>`, where timestamp is the `X-Baton-Timestamp` header. Store it now; it is never
    /// shown again.
    pub secret: String,
}

impl From<SignedWebhook> for CreatedWebhook {
    fn from(s: SignedWebhook) -> Self {
        Self {
            webhook: (&s.webhook).into(),
            secret: s.secret.expose().to_owned(),
        }
    }
}

/// A list of webhooks.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Live webhooks, oldest first.
    pub webhooks: Vec<WebhookOut>,
}

fn list_of(hooks: &[Webhook]) -> Json<WebhookList> {
    Json(WebhookList {
        webhooks: hooks.iter().map(Into::into).collect(),
    })
}

/// Registers a webhook for the caller's own notifications: each one is POSTed as signed JSON
/// at the caller's delivery windows, like an email digest (self only; the secret is in the
/// answer, once).
#[utoipa::path(post, path = "/api/v1/members/{id}/webhooks", tag = "webhooks",
    params(("id" = String, Path)), request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_for_member(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<CreateWebhook>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    let created = webhooks::create_for_member(&state, &caller, id, &body.value.url).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// A member's webhooks (the member themself or an admin), without secrets.
#[utoipa::path(get, path = "/api/v1/members/{id}/webhooks", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_for_member(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<WebhookList>> {
    Ok(list_of(
        &webhooks::list_for_member(&state, &caller, id).await?,
    ))
}

/// Registers a webhook that receives every post of a space (with its asks, if any) as it happens (workspace
/// admins and the space's creator; the secret is in the answer, once).
#[utoipa::path(post, path = "/api/v1/spaces/{id}/webhooks", tag = "webhooks",
    params(("id" = String, Path)), request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_for_space(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
    body: JsonBody<CreateWebhook>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    let created = webhooks::create_for_space(&state, &caller, id, &body.value.url).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// A space's webhooks (workspace admins and the space's creator), without secrets.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/webhooks", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_for_space(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<WebhookList>> {
    Ok(list_of(
        &webhooks::list_for_space(&state, &caller, id).await?,
    ))
}

/// Deletes a webhook (its member or an admin; for a space webhook, whoever manages the
/// space). Deliveries still queued for it are dropped.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    webhooks::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
