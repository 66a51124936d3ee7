//! The read gate: every path that shows a space, a thread or a post comes through here and so
//! through `baton_core::visibility::can_see_space`; every path that shows a person comes
//! through [`member_in_sight`] and [`sight`]. What the caller may not see is reported exactly
//! like what does not exist.

use baton_core::Id;
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{Member, Post, Space, Thread};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use baton_core::visibility::{SpaceAccess, can_see_space};
use baton_store::StoreError;

use super::error::{ServiceError, ServiceResult};
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
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, space = %space))]
pub async fn visible_space(state: &AppState, viewer: &Member, space: Id) -> ServiceResult<Space> {
    let (space, viewer_is_member) = state
        .store
        .space_for(viewer.workspace_id, space, viewer.id)
        .await
        .map_err(|e| missing(e, "space"))?;
    if sees(viewer, &space, viewer_is_member) {
        Ok(space)
    } else {
        Err(ServiceError::not_found("space"))
    }
}

/// The thread, if `viewer` may see its space; otherwise 404.
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, thread = %thread))]
pub async fn visible_thread(
    state: &AppState,
    viewer: &Member,
    thread: Id,
) -> ServiceResult<Thread> {
    Ok(visible_thread_in_space(state, viewer, thread).await?.0)
}

/// The thread and its space, if `viewer` may see the space; otherwise 404. One store lookup.
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, thread = %thread))]
pub async fn visible_thread_in_space(
    state: &AppState,
    viewer: &Member,
    thread: Id,
) -> ServiceResult<(Thread, Space)> {
    let (thread, space, viewer_is_member) = state
        .store
        .thread_for(viewer.workspace_id, thread, viewer.id)
        .await
        .map_err(|e| missing(e, "thread"))?;
    if sees(viewer, &space, viewer_is_member) {
        Ok((thread, space))
    } else {
        Err(ServiceError::not_found("thread"))
    }
}

/// The post, if `viewer` may see its thread; otherwise 404.
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, post = %post))]
pub async fn visible_post(state: &AppState, viewer: &Member, post: Id) -> ServiceResult<Post> {
    let post = state
        .store
        .post(viewer.workspace_id, post)
        .await
        .map_err(|e| missing(e, "post"))?;
    visible_thread(state, viewer, post.thread_id)
        .await
        .map_err(|_| ServiceError::not_found("post"))?;
    Ok(post)
}

/// How much of a person the viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Everything: email, role, time zone, schedule.
    Full,
    /// A guest's view of someone else: their name, local time and whether they work now.
    /// A guest is an outsider (a contractor, a client) let into some spaces; the people there
    /// may talk to them, but their addresses, roles and working hours are the team's own.
    Presence,
}

/// How much of `member` `viewer` may see, once [`member_in_sight`] let them see them at all:
/// members and admins see everyone fully, a guest sees themself fully and others' presence.
pub fn sight(viewer: &Member, member: &Member) -> Sight {
    if viewer.role == Role::Guest && viewer.id != member.id {
        Sight::Presence
    } else {
        Sight::Full
    }
}

/// A member of the caller's workspace, if the caller may know of them, and how much of them
/// they may see: everyone in the workspace may know of everyone, except a guest, who knows
/// only themself and the members who share a space with them (404 for the others).
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, member = %member))]
pub async fn member_in_sight(
    state: &AppState,
    viewer: &Member,
    member: Id,
) -> ServiceResult<(Member, Sight)> {
    let found = state
        .store
        .member(viewer.workspace_id, member)
        .await
        .map_err(|e| missing(e, "member"))?;
    if viewer.role == Role::Guest
        && viewer.id != found.id
        && !state
            .store
            .share_a_space(viewer.workspace_id, viewer.id, found.id)
            .await?
    {
        return Err(ServiceError::not_found("member"));
    }
    let sight = sight(viewer, &found);
    Ok((found, sight))
}

/// A member of the caller's workspace the caller may know of ([`member_in_sight`]).
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, member = %member))]
pub async fn workspace_member(
    state: &AppState,
    viewer: &Member,
    member: Id,
) -> ServiceResult<Member> {
    Ok(member_in_sight(state, viewer, member).await?.0)
}

/// A member the caller may see fully: their schedule, availability and working hours are not
/// a guest's to read (403, the guest knows the member exists).
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id, member = %member))]
pub async fn member_in_full(
    state: &AppState,
    viewer: &Member,
    member: Id,
) -> ServiceResult<Member> {
    match member_in_sight(state, viewer, member).await? {
        (member, Sight::Full) => Ok(member),
        (_, Sight::Presence) => Err(presence_only()),
    }
}

/// 403 for a guest who asks for more of someone than their [`Sight::Presence`].
pub fn presence_only() -> ServiceError {
    ServiceError::forbidden(
        "Guests see other people's names, local time and whether they work now, not their schedules.",
    )
}

/// A page of the members the caller may know of, in creation order: the whole workspace, or
/// for a guest themself and the members who share a space with them. Each one is shown as
/// [`sight`] allows.
#[tracing::instrument(level = "debug", skip_all, fields(viewer = %viewer.id))]
pub async fn members_in_sight(
    state: &AppState,
    viewer: &Member,
    page: PageRequest,
) -> ServiceResult<Page<Member>> {
    Ok(if viewer.role == Role::Guest {
        state
            .store
            .co_members(viewer.workspace_id, viewer.id, page)
            .await?
    } else {
        state.store.list_members(viewer.workspace_id, page).await?
    })
}

/// Whether `member` (not the caller: someone a post addresses) may see `space`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn member_sees(state: &AppState, member: &Member, space: &Space) -> ServiceResult<bool> {
    let (_, is_member) = state
        .store
        .space_for(member.workspace_id, space.id, member.id)
        .await?;
    Ok(sees(member, space, is_member))
}

/// The members an expectation names in `of`, in order: each a member of the caller's workspace
/// the caller may know of, and, when the expectation asks something of them (a reply, or an
/// urgent interrupt), able to see `space`. The one check for every post that names people.
///
/// # Errors
/// 422 on `expectation.of` naming the first member who fails it.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.id))]
pub async fn addressees(
    state: &AppState,
    caller: &Member,
    space: &Space,
    expectation: Option<&Expectation>,
) -> ServiceResult<Vec<Member>> {
    let Some(exp) = expectation else {
        return Ok(Vec::new());
    };
    let unseen = match exp.kind {
        ExpectationKind::Fyi => None,
        ExpectationKind::Reply => Some("cannot answer here"),
        ExpectationKind::Urgent => Some("an urgent post here cannot reach them"),
    };
    let mut members = Vec::with_capacity(exp.of.len());
    for id in &exp.of {
        let member = workspace_member(state, caller, *id).await.map_err(|e| {
            e.named_by("expectation.of", || {
                format!("There is no member {id} in this workspace.")
            })
        })?;
        if let Some(consequence) = unseen
            && !member_sees(state, &member, space).await?
        {
            return Err(ServiceError::invalid(
                "expectation.of",
                format!("{} cannot see this space, so {consequence}.", member.name),
            ));
        }
        members.push(member);
    }
    Ok(members)
}

/// Maps a store `NotFound` to the 404 for `what`, keeping other errors as they are.
pub fn missing(e: StoreError, what: &str) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::not_found(what),
        other => other.into(),
    }
}
