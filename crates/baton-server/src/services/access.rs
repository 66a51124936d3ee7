//! The read gate: every path that shows a space, a thread or a post comes through here and so
//! through `baton_core::visibility::can_see_space`. What the caller may not see is reported
//! exactly like what does not exist.

use baton_core::Id;
use baton_core::model::{Member, Post, Space, Thread};
use baton_core::visibility::{SpaceAccess, can_see_space};
use baton_store::StoreError;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Whether `viewer` may see `space`: the one rule (`can_see_space`) applied to a member.
pub fn sees(viewer: &Member, space: &Space, viewer_is_member: bool) -> bool {
    can_see_space(SpaceAccess {
        viewer_role: viewer.role,
        viewer_active: viewer.active,
        visibility: space.visibility,
        viewer_is_member,
    })
}

/// The space, if `viewer` may see it; otherwise 404.
pub async fn visible_space(state: &AppState, viewer: &Member, space: Id) -> ApiResult<Space> {
    let (space, viewer_is_member) = state
        .store
        .space_for(viewer.workspace_id, space, viewer.id)
        .await
        .map_err(|e| missing(e, "space"))?;
    if sees(viewer, &space, viewer_is_member) {
        Ok(space)
    } else {
        Err(ApiError::not_found("space"))
    }
}

/// The thread, if `viewer` may see its space; otherwise 404.
pub async fn visible_thread(state: &AppState, viewer: &Member, thread: Id) -> ApiResult<Thread> {
    Ok(visible_thread_in_space(state, viewer, thread).await?.0)
}

/// The thread and its space, if `viewer` may see the space; otherwise 404. One store lookup.
pub async fn visible_thread_in_space(
    state: &AppState,
    viewer: &Member,
    thread: Id,
) -> ApiResult<(Thread, Space)> {
    let (thread, space, viewer_is_member) = state
        .store
        .thread_for(viewer.workspace_id, thread, viewer.id)
        .await
        .map_err(|e| missing(e, "thread"))?;
    if sees(viewer, &space, viewer_is_member) {
        Ok((thread, space))
    } else {
        Err(ApiError::not_found("thread"))
    }
}

/// The post, if `viewer` may see its thread; otherwise 404.
pub async fn visible_post(state: &AppState, viewer: &Member, post: Id) -> ApiResult<Post> {
    let post = state
        .store
        .post(viewer.workspace_id, post)
        .await
        .map_err(|e| missing(e, "post"))?;
    visible_thread(state, viewer, post.thread_id)
        .await
        .map_err(|_| ApiError::not_found("post"))?;
    Ok(post)
}

/// A member of the caller's workspace (members are visible to everyone in the workspace).
pub async fn workspace_member(state: &AppState, viewer: &Member, member: Id) -> ApiResult<Member> {
    state
        .store
        .member(viewer.workspace_id, member)
        .await
        .map_err(|e| missing(e, "member"))
}

/// Maps a store `NotFound` to the 404 for `what`, keeping other errors as they are.
pub fn missing(e: StoreError, what: &str) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}
