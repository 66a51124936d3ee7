//! Spaces: creation, listing what the caller may see, and membership.

use baton_core::model::{Member, Space};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use baton_core::visibility::Visibility;
use baton_core::{Id, validate};
use baton_store::IdempotencyKey;

use super::access::{missing, sees, visible_space, workspace_member};
use super::error::{ServiceError, ServiceResult};
use crate::live::Change;
use crate::state::AppState;

/// Creates a space with the caller as its first member. Guests cannot create spaces.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create_space(
    state: &AppState,
    caller: &Member,
    name: &str,
    visibility: &str,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<Space> {
    let name = validate::space_name(name)?;
    let visibility = Visibility::parse(visibility)?;
    if caller.role == Role::Guest {
        return Err(ServiceError::forbidden("Guests cannot create spaces."));
    }
    let space = Space {
        id: Id::random(),
        name,
        visibility,
        created_by: caller.id,
        created_at: state.clock.now(),
        seq: 0,
    };
    Ok(state
        .store
        .create_space(caller.workspace_id, space, idem)
        .await?)
}

/// A page of the spaces the caller may see, oldest first, with whether they are a member.
///
/// The store pages over every space of the workspace and the one visibility rule filters each
/// page here, so a page may hold fewer than `page.limit` spaces (even none) while
/// `next_cursor` says there are more: the rule stays in one place rather than being restated
/// in two SQL dialects.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn list_visible(
    state: &AppState,
    caller: &Member,
    page: PageRequest,
) -> ServiceResult<Page<(Space, bool)>> {
    let page = state
        .store
        .spaces_for(caller.workspace_id, caller.id, page)
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .filter(|(space, is_member)| sees(caller, space, *is_member))
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// Adds a member of the workspace to a space the caller can see. Guests cannot add people.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space, member = %member))]
pub async fn add_member(
    state: &AppState,
    caller: &Member,
    space: Id,
    member: Id,
) -> ServiceResult<()> {
    let space = visible_space(state, caller, space).await?;
    if caller.role == Role::Guest {
        return Err(ServiceError::forbidden(
            "Guests cannot add people to spaces.",
        ));
    }
    let member = workspace_member(state, caller, member).await.map_err(|_| {
        ServiceError::invalid(
            "member_id",
            "There is no member with this id in the workspace.",
        )
    })?;
    if !member.active {
        return Err(ServiceError::invalid(
            "member_id",
            "This member is deactivated.",
        ));
    }
    state
        .store
        .add_space_member(caller.workspace_id, space.id, member.id, state.clock.now())
        .await?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, member.id));
    Ok(())
}

/// Removes a member from a space: themself, or anyone when the caller is an admin.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space, member = %member))]
pub async fn remove_member(
    state: &AppState,
    caller: &Member,
    space: Id,
    member: Id,
) -> ServiceResult<()> {
    let space = visible_space(state, caller, space).await?;
    if caller.id != member && !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only admins can remove other people from a space.",
        ));
    }
    state
        .store
        .remove_space_member(caller.workspace_id, space.id, member)
        .await
        .map_err(|e| missing(e, "space member"))?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, member));
    Ok(())
}

/// A page of the members of a space the caller can see.
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn members(
    state: &AppState,
    caller: &Member,
    space: Id,
    page: PageRequest,
) -> ServiceResult<Page<Member>> {
    let space = visible_space(state, caller, space).await?;
    Ok(state
        .store
        .space_members(caller.workspace_id, space.id, page)
        .await?)
}

/// Changes a visible space's visibility (admins only).
#[tracing::instrument(skip_all, fields(caller = %caller.id, space = %space))]
pub async fn set_visibility(
    state: &AppState,
    caller: &Member,
    space: Id,
    visibility: &str,
) -> ServiceResult<Space> {
    let visibility = Visibility::parse(visibility)?;
    let space = visible_space(state, caller, space).await?;
    if !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only workspace admins can change a space's visibility.",
        ));
    }
    let space = state
        .store
        .set_visibility(caller.workspace_id, space.id, visibility)
        .await?;
    state
        .live
        .publish(Change::of_workspace(caller.workspace_id));
    Ok(space)
}
