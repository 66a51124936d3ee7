//! Urgent sends: whom an urgent post interrupts and who covers for them, the workspace's
//! urgent budget, and the audit log admins review.
//!
//! Owns: planning an urgent post's routes (recipients from `expectation.of`, covers from the
//! relay of a baton linked to the thread, then the space's members), the sender's remaining
//! budget, reading and setting the budget (admins), and listing the audit log (admins, thread
//! and post named only when the admin may see them, through `services::access`). Does not own:
//! the routing rule (`baton_core::delivery::plan_urgent`), counting the budget inside the
//! post's transaction (the store's `UrgentStore`), or delivering (`delivery::urgent`).

use baton_core::delivery::{
    AuditEntry, URGENT_BUDGET_WINDOW, UrgentBudget, UrgentLeg, UrgentSend, plan_urgent,
    urgent_budget_left,
};
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{Member, Space};
use baton_core::page::{Page, PageRequest};
use baton_core::{Id, schedule::Schedule};
use jiff::Timestamp;

use super::access::{member_sees, visible_thread};
use super::error::{ServiceError, ServiceResult};
use super::schedules::schedules_of;
use crate::state::AppState;

/// The routes of an urgent post by `caller` in `space` (and `thread`, once it exists) at
/// `now` to its addressed `recipients` ([`super::access::addressees`], so each can see the
/// space), with the workspace's budget: `None` unless `expectation` is urgent. Covers are the
/// legs of the relay whose open baton links the thread, then the space's members, in that
/// order, active, able to see the space, and never the sender.
///
/// # Errors
/// 422 on `expectation.of` when an urgent post names nobody.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn plan(
    state: &AppState,
    caller: &Member,
    space: &Space,
    thread: Option<Id>,
    expectation: Option<&Expectation>,
    recipients: &[Member],
    now: Timestamp,
) -> ServiceResult<Option<UrgentSend>> {
    let Some(exp) = expectation.filter(|e| e.kind == ExpectationKind::Urgent) else {
        return Ok(None);
    };
    if exp.of.is_empty() {
        return Err(ServiceError::invalid(
            "expectation.of",
            "An urgent post needs at least one member in 'of': the people it interrupts.",
        ));
    }
    let ws = caller.workspace_id;
    let mut cover_ids = match thread {
        Some(thread) => state.store.thread_relay_legs(ws, thread).await?,
        None => Vec::new(),
    };
    // The space's first members by seniority are enough candidates to find one working
    // now; reading every member of a large space would make one post cost thousands of reads.
    cover_ids.extend(
        state
            .store
            .space_members(ws, space.id, PageRequest::largest())
            .await?
            .items
            .iter()
            .map(|m| m.id),
    );
    let mut covers: Vec<Member> = Vec::new();
    for id in cover_ids {
        if id == caller.id || covers.iter().any(|c| c.id == id) {
            continue;
        }
        let Ok(member) = state.store.member(ws, id).await else {
            continue;
        };
        if member.active && member_sees(state, &member, space).await? {
            covers.push(member);
        }
    }
    let legs = route(state, recipients, &covers, now).await?;
    Ok(Some(UrgentSend {
        budget: state.store.urgent_budget(ws).await?,
        legs,
    }))
}

/// [`plan_urgent`] over members, with their schedules read in two batches.
async fn route(
    state: &AppState,
    recipients: &[Member],
    covers: &[Member],
    now: Timestamp,
) -> ServiceResult<Vec<UrgentLeg>> {
    let (to, by): (Vec<Schedule>, Vec<Schedule>) = (
        schedules_of(state, recipients).await?,
        schedules_of(state, covers).await?,
    );
    let to: Vec<(Id, &Schedule)> = recipients.iter().map(|m| m.id).zip(&to).collect();
    let by: Vec<(Id, &Schedule)> = covers.iter().map(|m| m.id).zip(&by).collect();
    Ok(plan_urgent(&to, &by, now))
}

/// How many urgent sends `member` has left at `now`, and the workspace's budget.
#[tracing::instrument(skip_all)]
pub async fn budget_left(
    state: &AppState,
    member: &Member,
    now: Timestamp,
) -> ServiceResult<(u32, u32)> {
    let ws = member.workspace_id;
    let budget = state.store.urgent_budget(ws).await?;
    let since = now
        .checked_sub(URGENT_BUDGET_WINDOW)
        .unwrap_or(Timestamp::MIN);
    let sent = state.store.urgent_sends_since(ws, member.id, since).await?;
    Ok((
        urgent_budget_left(&sent, now, budget.per_week()),
        budget.per_week(),
    ))
}

/// Refuses a caller who is not an admin of their workspace, saying what they tried to `what`.
pub(super) fn admin_only(caller: &Member, what: &str) -> ServiceResult<()> {
    if caller.role.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::forbidden(format!(
            "Only workspace admins can {what}."
        )))
    }
}

/// The workspace's urgent budget (admins only).
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn budget(state: &AppState, caller: &Member) -> ServiceResult<UrgentBudget> {
    admin_only(caller, "see the workspace settings")?;
    Ok(state.store.urgent_budget(caller.workspace_id).await?)
}

/// Sets the workspace's urgent budget (admins only); validated before anything is written.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn set_budget(
    state: &AppState,
    caller: &Member,
    per_week: i64,
) -> ServiceResult<UrgentBudget> {
    admin_only(caller, "change the workspace settings")?;
    let budget = UrgentBudget::new(per_week)?;
    state
        .store
        .set_urgent_budget(caller.workspace_id, budget, caller.id, state.clock.now())
        .await?;
    Ok(budget)
}

/// A page of the audit log, newest first (admins only). An entry's thread and post are
/// cleared when the admin may not see that thread: administering a workspace does not open
/// private conversations.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn audit_log(
    state: &AppState,
    caller: &Member,
    page: PageRequest,
) -> ServiceResult<Page<AuditEntry>> {
    admin_only(caller, "read the audit log")?;
    let mut page = state.store.audit_log(caller.workspace_id, page).await?;
    for entry in &mut page.items {
        if let Some(thread) = entry.thread_id
            && visible_thread(state, caller, thread).await.is_err()
        {
            entry.thread_id = None;
            entry.post_id = None;
        }
    }
    Ok(page)
}
