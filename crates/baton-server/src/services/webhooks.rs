//! Outgoing webhooks: who may register, list and delete them, and the checks on their URL.
//!
//! Owns: the permission rules (a member registers webhooks for their own notifications; a
//! space's webhooks belong to workspace admins and the space's creator; admins may list and
//! delete any member's), the URL check at registration (through the SSRF guard of
//! [`crate::delivery::webhook_client::WebhookClient`]) and the secret, generated here and
//! returned once. Does not own: sending (the delivery worker) or storage.

use baton_core::Id;
use baton_core::delivery::webhook::{
    MAX_WEBHOOKS, SignedWebhook, Webhook, WebhookScope, WebhookSecret,
};
use baton_core::model::{Member, Space};
use baton_store::StoreError;

use super::access::{missing, visible_space, workspace_member};
use super::error::{ServiceError, ServiceResult};
use crate::state::AppState;

/// Registers a webhook at `url` that receives `member`'s notifications at their delivery
/// windows. Only the member themself may: the notifications are theirs, and so is the secret
/// shown in the answer. Returns the webhook with its secret, which is never shown again.
///
/// # Errors
/// 404 for a member outside the workspace, 403 for anyone else, 422 (`url`) for a URL that
/// is malformed or leads somewhere webhooks may not go, 409 past [`MAX_WEBHOOKS`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn create_for_member(
    state: &AppState,
    caller: &Member,
    member: Id,
    url: &str,
) -> ServiceResult<SignedWebhook> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id {
        return Err(ServiceError::forbidden(
            "Only the member themself can register webhooks for their notifications.",
        ));
    }
    create(state, caller, WebhookScope::Member(target.id), url).await
}

/// The live webhooks of `member` (the member themself or an admin), oldest first.
///
/// # Errors
/// 404 for a member outside the workspace, 403 for anyone else.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn list_for_member(
    state: &AppState,
    caller: &Member,
    member: Id,
) -> ServiceResult<Vec<Webhook>> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id && !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only the member themself or an admin can see their webhooks.",
        ));
    }
    Ok(state
        .store
        .webhooks(caller.workspace_id, WebhookScope::Member(target.id))
        .await?)
}

/// Registers a webhook at `url` that receives every post of `space` (workspace
/// admins and the space's creator). Returns it with its secret, shown this once.
///
/// # Errors
/// 404 for a space the caller may not see, 403 for a caller who may see it but not manage
/// it, 422 (`url`) and 409 as [`create_for_member`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn create_for_space(
    state: &AppState,
    caller: &Member,
    space: Id,
    url: &str,
) -> ServiceResult<SignedWebhook> {
    let space = managed_space(state, caller, space).await?;
    create(state, caller, WebhookScope::Space(space.id), url).await
}

/// The live webhooks of `space`, oldest first (workspace admins and the space's creator).
///
/// # Errors
/// As [`create_for_space`], without the URL checks.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn list_for_space(
    state: &AppState,
    caller: &Member,
    space: Id,
) -> ServiceResult<Vec<Webhook>> {
    Ok(space_with_webhooks(state, caller, space).await?.1)
}

/// The space and its live webhooks, oldest first, for a page that names the space above
/// them (workspace admins and the space's creator).
///
/// # Errors
/// As [`list_for_space`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn space_with_webhooks(
    state: &AppState,
    caller: &Member,
    space: Id,
) -> ServiceResult<(Space, Vec<Webhook>)> {
    let space = managed_space(state, caller, space).await?;
    let hooks = state
        .store
        .webhooks(caller.workspace_id, WebhookScope::Space(space.id))
        .await?;
    Ok((space, hooks))
}

/// Whether `caller` may register, list and delete the webhooks of `space`, which they can
/// see: workspace admins and the member who created it. Pages use it to offer the link;
/// every action still goes through the checks above.
pub fn manages(caller: &Member, space: &Space) -> bool {
    caller.role.is_admin() || space.created_by == caller.id
}

/// Deletes a webhook: a member's by that member or an admin, a space's by whoever may
/// manage the space. Its queued deliveries are dropped when they come due.
///
/// # Errors
/// 404 for a webhook that does not exist, was deleted, or that the caller may not see (a
/// member's webhook is visible only to its member and to admins); 403 for a space webhook of
/// a space the caller may see but not manage.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn delete(state: &AppState, caller: &Member, id: Id) -> ServiceResult<()> {
    let ws = caller.workspace_id;
    let webhook = state
        .store
        .webhook(ws, id)
        .await
        .map_err(|e| missing(e, "webhook"))?;
    match webhook.scope {
        WebhookScope::Member(member) => {
            if member != caller.id && !caller.role.is_admin() {
                return Err(ServiceError::not_found("webhook"));
            }
        }
        WebhookScope::Space(space) => {
            managed_space(state, caller, space).await?;
        }
    }
    state
        .store
        .delete_webhook(ws, id, state.clock.now())
        .await
        .map_err(|e| missing(e, "webhook"))
}

/// The space, if the caller may see it (404 otherwise) and manage its webhooks (403
/// otherwise): workspace admins and the member who created it.
async fn managed_space(state: &AppState, caller: &Member, space: Id) -> ServiceResult<Space> {
    let space = visible_space(state, caller, space).await?;
    if manages(caller, &space) {
        Ok(space)
    } else {
        Err(ServiceError::forbidden(
            "Only workspace admins and the space's creator can manage its webhooks.",
        ))
    }
}

/// Checks `url`, generates the secret and stores the webhook.
async fn create(
    state: &AppState,
    caller: &Member,
    scope: WebhookScope,
    url: &str,
) -> ServiceResult<SignedWebhook> {
    let (url, _) = state.webhooks.check(url).await?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| ServiceError::internal(&e))?;
    let signed = SignedWebhook {
        webhook: Webhook {
            workspace_id: caller.workspace_id,
            id: Id::random(),
            scope,
            url: url.url,
            created_by: caller.id,
            created_at: state.clock.now(),
        },
        secret: WebhookSecret::from_random(&random),
    };
    match state
        .store
        .create_webhook(caller.workspace_id, signed.clone(), MAX_WEBHOOKS)
        .await
    {
        Ok(()) => Ok(signed),
        Err(StoreError::Conflict {
            constraint: baton_store::Constraint::WebhooksLimit,
        }) => Err(ServiceError::conflict(format!(
            "There are already {MAX_WEBHOOKS} webhooks here; delete one before adding another."
        ))),
        Err(e) => Err(e.into()),
    }
}
