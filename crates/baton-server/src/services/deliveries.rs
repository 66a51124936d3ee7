//! The delivery backlog as admins see it: how much waits, how much went out, what is parked.

use baton_core::delivery::outbox::Backlog;
use baton_core::model::Member;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The caller's workspace's delivery counts (admins only): the one place an unreachable mail
/// server or a parked delivery shows up.
pub async fn backlog(state: &AppState, caller: &Member) -> ApiResult<Backlog> {
    if !caller.role.is_admin() {
        return Err(ApiError::forbidden(
            "Only workspace admins can see the delivery backlog.",
        ));
    }
    Ok(state.store.backlog(caller.workspace_id).await?)
}
