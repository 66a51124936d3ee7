//! Working schedules and what stands on them: availability, overlap, and each recipient's own
//! due time for an ask.

use baton_core::delivery::NotificationPolicy;
use baton_core::model::Member;
use baton_core::schedule::{self, Schedule, ScheduleSpec};
use baton_core::{CoreError, Id};
use jiff::Timestamp;

use super::access::{Sight, member_in_full, member_in_sight, presence_only, workspace_member};
use super::error::{ServiceError, ServiceResult};
use crate::state::AppState;

/// The schedules of `members` in their order: the stored one, or the default (Monday to Friday
/// 09:00–17:00 in the member's own zone) for a member who has none.
#[tracing::instrument(skip_all)]
pub async fn schedules_of(state: &AppState, members: &[Member]) -> ServiceResult<Vec<Schedule>> {
    let Some(first) = members.first() else {
        return Ok(Vec::new());
    };
    let ids: Vec<Id> = members.iter().map(|m| m.id).collect();
    let stored = state.store.schedules(first.workspace_id, &ids).await?;
    members
        .iter()
        .map(|m| {
            let spec = stored
                .iter()
                .find(|(id, _)| *id == m.id)
                .map(|(_, spec)| spec.clone());
            let schedule = match spec {
                Some(spec) => Schedule::new(spec),
                None => Schedule::default_for(&m.timezone),
            };
            schedule.map_err(|e| {
                ServiceError::internal(&format!("stored schedule of {} is invalid: {e}", m.id))
            })
        })
        .collect()
}

/// One member's schedule.
#[tracing::instrument(skip_all)]
pub async fn schedule_of(state: &AppState, member: &Member) -> ServiceResult<Schedule> {
    let mut list = schedules_of(state, std::slice::from_ref(member)).await?;
    list.pop()
        .ok_or_else(|| ServiceError::internal(&"no schedule computed"))
}

/// Replaces a member's schedule (the member themself, or someone above their role). Returns
/// the stored form.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn set_schedule(
    state: &AppState,
    caller: &Member,
    member: Id,
    spec: ScheduleSpec,
) -> ServiceResult<ScheduleSpec> {
    let target = workspace_member(state, caller, member).await?;
    super::members::self_or_administers(caller, &target, "change this member's schedule")?;
    let schedule = Schedule::new(spec)?;
    let stored = ScheduleSpec::from(schedule);
    state
        .store
        .set_schedule(
            caller.workspace_id,
            target.id,
            stored.clone(),
            state.clock.now(),
        )
        .await?;
    Ok(stored)
}

/// Parses a `from`/`to` pair of RFC 3339 instants.
pub fn range(from: &str, to: &str) -> ServiceResult<(Timestamp, Timestamp)> {
    Ok((instant("from", from)?, instant("to", to)?))
}

/// Parses the RFC 3339 instant sent in `field`.
///
/// # Errors
/// 422 on `field` when `text` is not one.
pub fn instant(field: &'static str, text: &str) -> Result<Timestamp, CoreError> {
    text.parse::<Timestamp>().map_err(|_| {
        CoreError::invalid(
            field,
            format!("'{text}' is not an RFC 3339 instant such as 2026-03-29T09:00:00+02:00"),
        )
    })
}

/// A member's working time in [from, to), in UTC.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn availability(
    state: &AppState,
    caller: &Member,
    member: Id,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Vec<(Timestamp, Timestamp)>> {
    let target = member_in_full(state, caller, member).await?;
    let schedule = schedule_of(state, &target).await?;
    Ok(schedule::working_intervals(&schedule, from, to)?)
}

/// The intervals in [from, to) when all the members are working.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn overlap(
    state: &AppState,
    caller: &Member,
    members: &[Id],
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Vec<(Timestamp, Timestamp)>> {
    if members.is_empty() || members.len() > 100 {
        return Err(ServiceError::invalid(
            "members",
            "Name between 1 and 100 member ids, separated by commas.",
        ));
    }
    let mut found = Vec::with_capacity(members.len());
    for id in members {
        let (member, sight) = member_in_sight(state, caller, *id).await.map_err(|_| {
            ServiceError::invalid(
                "members",
                format!("There is no member {id} in this workspace."),
            )
        })?;
        if sight != Sight::Full {
            return Err(presence_only());
        }
        found.push(member);
    }
    let schedules = schedules_of(state, &found).await?;
    let refs: Vec<&Schedule> = schedules.iter().collect();
    Ok(schedule::overlap(&refs, from, to)?)
}

/// Where a member stands now: local wall-clock time, whether they are working, and when their
/// next working period starts.
#[derive(Debug, Clone)]
pub struct Presence {
    /// Local time, `HH:MM`.
    pub local_time: String,
    /// Inside working hours now.
    pub working_now: bool,
    /// Start of the next working period (now, when working).
    pub next_working_start: Option<Timestamp>,
}

/// The member's [`Presence`] at the server's now.
#[tracing::instrument(skip_all)]
pub async fn presence(state: &AppState, member: &Member) -> ServiceResult<Presence> {
    let schedule = schedule_of(state, member).await?;
    let now = state.clock.now();
    let local = now.to_zoned_datetime(schedule.time_zone().clone());
    Ok(Presence {
        local_time: format!("{:02}:{:02}", local.hour(), local.minute()),
        working_now: schedule::is_working(&schedule, now),
        next_working_start: schedule::next_working_start(&schedule, now),
    })
}

/// A member's notification policy (the default when they set none) and the windows in it that
/// never fall inside their working hours, so the API and pages can warn about them.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn policy(
    state: &AppState,
    caller: &Member,
    member: Id,
) -> ServiceResult<(NotificationPolicy, Vec<String>)> {
    let target = self_or_admin(state, caller, member, "see").await?;
    let policy = state
        .store
        .policy(caller.workspace_id, target.id)
        .await?
        .unwrap_or_default();
    let outside = policy.windows_outside_working_hours(&schedule_of(state, &target).await?);
    Ok((policy, outside))
}

/// Replaces a member's notification policy (the member themself, or someone above their
/// role). A window outside
/// working hours is accepted but reported, since it will never fire.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn set_policy(
    state: &AppState,
    caller: &Member,
    member: Id,
    policy: NotificationPolicy,
) -> ServiceResult<(NotificationPolicy, Vec<String>)> {
    let target = workspace_member(state, caller, member).await?;
    super::members::self_or_administers(caller, &target, "change this member's notifications")?;
    let policy = policy.validate()?;
    state
        .store
        .set_policy(
            caller.workspace_id,
            target.id,
            policy.clone(),
            state.clock.now(),
        )
        .await?;
    let outside = policy.windows_outside_working_hours(&schedule_of(state, &target).await?);
    Ok((policy, outside))
}

async fn self_or_admin(
    state: &AppState,
    caller: &Member,
    member: Id,
    verb: &str,
) -> ServiceResult<Member> {
    let target = workspace_member(state, caller, member).await?;
    if caller.id != target.id && !caller.role.is_admin() {
        return Err(ServiceError::forbidden(format!(
            "Only the member themself or an admin can {verb} this."
        )));
    }
    Ok(target)
}
