//! Relays, batons and handoffs: work passed from one member's working day to the next one's.
//! The rules (coverage, next leg, delivery instant, note fields) live in `baton_core::relay`;
//! this module applies them and makes one store call per change.

use baton_core::model::{
    Baton, BatonStatus, Handoff, HandoffStatus, Member, Relay, Resolution, Thread,
};
use baton_core::page::{Page, PageRequest};
use baton_core::relay::{self, Coverage, HandoffPart};
use baton_core::{Id, validate};
use baton_store::StoreError;
use jiff::Timestamp;

use super::access::{missing, visible_thread, workspace_member};
use super::error::{ServiceError, ServiceResult};
use super::schedules::{schedule_of, schedules_of};
use crate::state::AppState;

/// Longest baton description, in bytes.
const MAX_DESCRIPTION_BYTES: usize = 16 * 1024;

/// Creates a relay over the given legs (members of the workspace, no repeats). Not for guests.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create_relay(
    state: &AppState,
    caller: &Member,
    name: &str,
    legs: Vec<Id>,
) -> ServiceResult<Relay> {
    not_guest(caller, "create relays")?;
    let name = validate::relay_name(name)?;
    relay::validate_legs(&legs)?;
    for leg in &legs {
        workspace_member(state, caller, *leg).await.map_err(|_| {
            ServiceError::invalid(
                "legs",
                format!("There is no member {leg} in this workspace."),
            )
        })?;
    }
    let new = Relay {
        id: Id::random(),
        name,
        legs,
        created_by: caller.id,
        created_at: state.clock.now(),
    };
    Ok(state.store.create_relay(caller.workspace_id, new).await?)
}

/// One relay of the caller's workspace.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn get_relay(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Relay> {
    not_guest(caller, "see relays").map_err(|_| ServiceError::not_found("relay"))?;
    state
        .store
        .relay(caller.workspace_id, id)
        .await
        .map_err(|e| missing(e, "relay"))
}

/// The relay's coverage in [from, to): when someone is working, the gaps, the handoff windows.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn coverage(
    state: &AppState,
    caller: &Member,
    id: Id,
    from: Timestamp,
    to: Timestamp,
) -> ServiceResult<Coverage> {
    let relay = get_relay(state, caller, id).await?;
    let mut legs = Vec::with_capacity(relay.legs.len());
    for leg in &relay.legs {
        legs.push(workspace_member(state, caller, *leg).await?);
    }
    let schedules = schedules_of(state, &legs).await?;
    let refs: Vec<_> = schedules.iter().collect();
    Ok(relay::coverage(&refs, from, to)?)
}

/// What a caller supplies to create a baton.
#[derive(Debug, Clone)]
pub struct BatonInput {
    /// What the work is.
    pub title: String,
    /// Details.
    pub description: Option<String>,
    /// The relay it follows.
    pub relay_id: Option<Id>,
    /// Who holds it first.
    pub holder_id: Id,
    /// Threads where its work is discussed; each one the caller can see.
    pub thread_ids: Vec<Id>,
}

/// Creates a baton held by a member of the workspace, linked to threads the caller can see.
/// Not for guests.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create_baton(
    state: &AppState,
    caller: &Member,
    input: BatonInput,
) -> ServiceResult<Baton> {
    not_guest(caller, "create batons")?;
    let title = validate::baton_title(&input.title)?;
    let description = input.description.unwrap_or_default();
    if description.len() > MAX_DESCRIPTION_BYTES {
        return Err(ServiceError::invalid(
            "description",
            "A baton description can be at most 16 KiB.",
        ));
    }
    let holder = workspace_member(state, caller, input.holder_id)
        .await
        .map_err(|_| {
            ServiceError::invalid(
                "holder_id",
                "There is no member with this id in the workspace.",
            )
        })?;
    let relay_id = match input.relay_id {
        Some(id) => Some(
            state
                .store
                .relay(caller.workspace_id, id)
                .await
                .map_err(|_| ServiceError::invalid("relay_id", "There is no relay with this id."))?
                .id,
        ),
        None => None,
    };
    let threads = input.thread_ids;
    relay::validate_thread_links(&threads)?;
    for thread in &threads {
        visible_thread(state, caller, *thread)
            .await
            .map_err(|e| unseen_thread(e, "thread_ids"))?;
    }
    let baton = Baton {
        id: Id::random(),
        title,
        description,
        relay_id,
        holder_id: holder.id,
        status: BatonStatus::Open,
        created_by: caller.id,
        created_at: state.clock.now(),
        seq: 0,
    };
    Ok(state
        .store
        .create_linked_baton(caller.workspace_id, baton, threads)
        .await?)
}

/// A thread the caller cannot see (or that does not exist) named in field `field`: 422, worded
/// the same either way so the answer reveals nothing. Other errors stay as they are.
fn unseen_thread(e: ServiceError, field: &'static str) -> ServiceError {
    if e.is_not_found() {
        ServiceError::invalid(field, "There is no thread with this id that you can see.")
    } else {
        e
    }
}

/// The threads `baton` links to that `viewer` may see, in link order: a thread in a private
/// space the viewer is not in is left out, title and all.
#[tracing::instrument(skip_all, fields(viewer = %viewer.id))]
pub async fn linked_threads(
    state: &AppState,
    viewer: &Member,
    baton: &Baton,
) -> ServiceResult<Vec<Thread>> {
    let ids = state
        .store
        .baton_threads(viewer.workspace_id, baton.id)
        .await?;
    let mut shown = Vec::with_capacity(ids.len());
    for id in ids {
        match visible_thread(state, viewer, id).await {
            Ok(thread) => shown.push(thread),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(shown)
}

/// The handoffs passed to the caller that have reached them (now if they were working when it
/// was passed, else at their next working start) and wait for an accept or a bounce, oldest
/// first, each with its baton.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn handoffs_waiting(
    state: &AppState,
    caller: &Member,
) -> ServiceResult<Vec<(Handoff, Baton)>> {
    Ok(state
        .store
        .handoffs_waiting_for(caller.workspace_id, caller.id, state.clock.now())
        .await?)
}

/// The batons linked to `thread` (which the caller has been shown already) that the caller
/// may see, oldest first: all of them, or for a guest only those they hold.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn batons_of_thread(
    state: &AppState,
    caller: &Member,
    thread: &Thread,
) -> ServiceResult<Vec<Baton>> {
    let mut batons = state
        .store
        .thread_batons(caller.workspace_id, thread.id)
        .await?;
    batons.retain(|b| relay::may_see(caller, b));
    Ok(batons)
}

/// Links a thread the caller can see to a baton: its holder, its creator or an admin may, up to
/// [`relay::MAX_LINKED_THREADS`] threads, each once.
#[tracing::instrument(skip_all, fields(caller = %caller.id, baton = %baton, thread = %thread))]
pub async fn link_thread(
    state: &AppState,
    caller: &Member,
    baton: Id,
    thread: Id,
) -> ServiceResult<Thread> {
    let baton = editable_baton(state, caller, baton).await?;
    let thread = visible_thread(state, caller, thread)
        .await
        .map_err(|e| unseen_thread(e, "thread_id"))?;
    state
        .store
        .link_thread(
            caller.workspace_id,
            baton.id,
            thread.id,
            caller.id,
            state.clock.now(),
            relay::MAX_LINKED_THREADS,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict {
                constraint: baton_store::Constraint::BatonThreadsLimit,
            } => ServiceError::invalid(
                "thread_id",
                format!(
                    "A baton links at most {} threads; unlink one first.",
                    relay::MAX_LINKED_THREADS
                ),
            ),
            StoreError::Conflict { .. } => {
                ServiceError::conflict("This thread is linked to the baton already.")
            }
            other => other.into(),
        })?;
    Ok(thread)
}

/// Unlinks a thread from a baton: its holder, its creator or an admin may, for a thread they
/// can see that is linked to it (404 otherwise).
#[tracing::instrument(skip_all, fields(caller = %caller.id, baton = %baton, thread = %thread))]
pub async fn unlink_thread(
    state: &AppState,
    caller: &Member,
    baton: Id,
    thread: Id,
) -> ServiceResult<()> {
    let baton = editable_baton(state, caller, baton).await?;
    let thread = visible_thread(state, caller, thread).await?;
    state
        .store
        .unlink_thread(caller.workspace_id, baton.id, thread.id)
        .await
        .map_err(|e| missing(e, "thread linked to this baton"))
}

/// A baton the caller may see and change the links of: its holder, its creator or an admin.
async fn editable_baton(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Baton> {
    let baton = visible_baton(state, caller, id).await?;
    if relay::may_link(caller, &baton) {
        Ok(baton)
    } else {
        Err(ServiceError::forbidden(
            "Only the baton's holder, its creator or an admin can change its threads.",
        ))
    }
}

/// A baton on the board: who holds it and whether they are working now.
#[derive(Debug, Clone)]
pub struct BoardEntry {
    /// The baton.
    pub baton: Baton,
    /// Whether its holder is inside their working hours now.
    pub holder_working: bool,
}

/// A page of the batons the caller may see (guests: only their own), optionally only
/// `holder`'s.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn board(
    state: &AppState,
    caller: &Member,
    holder: Option<Id>,
    page: PageRequest,
) -> ServiceResult<Page<BoardEntry>> {
    let holder = if !relay::may_plan(caller) {
        Some(caller.id)
    } else {
        holder
    };
    let batons = state
        .store
        .list_batons(caller.workspace_id, holder, page)
        .await?;
    let now = state.clock.now();
    let mut entries = Vec::with_capacity(batons.items.len());
    for baton in batons.items {
        let member = workspace_member(state, caller, baton.holder_id).await?;
        let schedule = schedule_of(state, &member).await?;
        entries.push(BoardEntry {
            holder_working: baton_core::schedule::is_working(&schedule, now),
            baton,
        });
    }
    Ok(Page {
        items: entries,
        next_cursor: batons.next_cursor,
    })
}

/// One baton the caller may see, with a page of its handoff history.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn baton_with_history(
    state: &AppState,
    caller: &Member,
    id: Id,
    page: PageRequest,
) -> ServiceResult<(Baton, Page<Handoff>)> {
    let baton = visible_baton(state, caller, id).await?;
    let history = state
        .store
        .handoffs_of(caller.workspace_id, baton.id, page)
        .await?;
    Ok((baton, history))
}

/// The handoff of a baton the caller may see that still waits for its receiver, if any.
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn pending_handoff(
    state: &AppState,
    caller: &Member,
    baton: &Baton,
) -> ServiceResult<Option<Handoff>> {
    if !relay::may_see(caller, baton) {
        return Err(ServiceError::not_found("baton"));
    }
    Ok(state
        .store
        .pending_handoff(caller.workspace_id, baton.id)
        .await?)
}

async fn visible_baton(state: &AppState, caller: &Member, id: Id) -> ServiceResult<Baton> {
    let baton = state
        .store
        .baton(caller.workspace_id, id)
        .await
        .map_err(|e| missing(e, "baton"))?;
    if !relay::may_see(caller, &baton) {
        return Err(ServiceError::not_found("baton"));
    }
    Ok(baton)
}

/// Marks a baton done (`Done`) or reopens a done one (`Open`): its holder or an admin may,
/// once, and not while a handoff of it waits for its receiver. A done baton stays on the
/// board's done list and cannot be passed on until it is reopened.
#[tracing::instrument(skip_all, fields(caller = %caller.id, id = %id))]
pub async fn set_status(
    state: &AppState,
    caller: &Member,
    id: Id,
    status: BatonStatus,
) -> ServiceResult<Baton> {
    let baton = visible_baton(state, caller, id).await?;
    if !relay::may_set_status(caller, &baton) {
        return Err(ServiceError::forbidden(
            "Only the baton's holder or an admin can mark it done or reopen it.",
        ));
    }
    state
        .store
        .set_baton_status(caller.workspace_id, baton.id, status)
        .await
        .map_err(|e| match e {
            baton_store::StoreError::Conflict {
                constraint: baton_store::Constraint::BatonStatus,
            } => ServiceError::conflict(match status {
                BatonStatus::Done => "This baton is already done.",
                BatonStatus::Open => "This baton is open already; only a done baton is reopened.",
            }),
            baton_store::StoreError::Conflict {
                constraint: baton_store::Constraint::HandoffPending,
            } => ServiceError::conflict(
                "This baton has a handoff waiting for its receiver; it can be marked done once \
                 they accept or bounce it.",
            ),
            other => other.into(),
        })
}

/// The fields of a handoff as the holder writes them.
#[derive(Debug, Clone)]
pub struct HandoffInput {
    /// The receiver; the relay's next leg when absent.
    pub to_id: Option<Id>,
    /// Where the work stands.
    pub state: String,
    /// What the receiver does first.
    pub next_step: String,
    /// What blocks it, or "none".
    pub blockers: String,
    /// Where to look, or "none".
    pub links: String,
}

/// Passes a baton: only its holder may, with a complete note, to a named member or the relay's
/// next leg. It reaches the receiver now if they are working, else at their next working start.
#[tracing::instrument(skip_all, fields(caller = %caller.id, baton = %baton))]
pub async fn hand_off(
    state: &AppState,
    caller: &Member,
    baton: Id,
    input: HandoffInput,
) -> ServiceResult<Handoff> {
    let baton = visible_baton(state, caller, baton).await?;
    let note = relay::validate_note(
        &input.state,
        &input.next_step,
        &input.blockers,
        &input.links,
    )?;
    if !relay::may_pass(caller, &baton) {
        return Err(ServiceError::forbidden(
            "Only the baton's holder can pass it on.",
        ));
    }
    if baton.status == BatonStatus::Done {
        return Err(ServiceError::conflict(
            "This baton is done, so it cannot be passed on.",
        ));
    }
    let to = match input.to_id {
        Some(id) => id,
        None => {
            let relay_id = baton.relay_id.ok_or_else(|| {
                ServiceError::invalid(
                    "to_id",
                    "This baton follows no relay; name the receiver in to_id.",
                )
            })?;
            let relay = state.store.relay(caller.workspace_id, relay_id).await?;
            relay::next_leg(&relay.legs, caller.id).ok_or_else(|| {
                ServiceError::invalid(
                    "to_id",
                    "The relay has no other leg to pass to; name the receiver in to_id.",
                )
            })?
        }
    };
    let receiver = workspace_member(state, caller, to).await.map_err(|_| {
        ServiceError::invalid("to_id", "There is no member with this id in the workspace.")
    })?;
    if receiver.id == caller.id || !receiver.active {
        return Err(ServiceError::invalid(
            "to_id",
            "Pass the baton to another, active member.",
        ));
    }
    let now = state.clock.now();
    let schedule = schedule_of(state, &receiver).await?;
    let delivers_at = relay::delivers_at(&schedule, now).ok_or_else(|| {
        ServiceError::invalid(
            "to_id",
            format!(
                "{} has no working time, so cannot receive a baton.",
                receiver.name
            ),
        )
    })?;
    let handoff = Handoff {
        id: Id::random(),
        baton_id: baton.id,
        from_id: caller.id,
        to_id: receiver.id,
        note,
        created_at: now,
        delivers_at,
        status: HandoffStatus::Pending,
        resolved_at: None,
        bounce_reason: None,
    };
    state
        .store
        .create_handoff(caller.workspace_id, handoff)
        .await
        .map_err(|e| match e {
            baton_store::StoreError::Conflict {
                constraint: baton_store::Constraint::HandoffPending,
            } => {
                ServiceError::conflict("This baton already has a handoff waiting for its receiver.")
            }
            other => other.into(),
        })
}

/// Accepts or bounces a handoff: only its receiver may, once.
#[tracing::instrument(skip_all, fields(caller = %caller.id, handoff = %handoff))]
pub async fn resolve(
    state: &AppState,
    caller: &Member,
    handoff: Id,
    resolution: Resolution,
) -> ServiceResult<Handoff> {
    let current = state
        .store
        .handoff(caller.workspace_id, handoff)
        .await
        .map_err(|e| missing(e, "handoff"))?;
    match relay::handoff_part(caller, &current) {
        HandoffPart::Receiver => {}
        HandoffPart::Witness => {
            return Err(ServiceError::forbidden(
                "Only the receiver can accept or bounce a handoff.",
            ));
        }
        HandoffPart::Stranger => return Err(ServiceError::not_found("handoff")),
    }
    let resolution = match resolution {
        Resolution::Bounce { reason } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.len() > 8 * 1024 {
                return Err(ServiceError::invalid(
                    "reason",
                    "Say why you are bouncing the baton (at most 8 KiB).",
                ));
            }
            Resolution::Bounce {
                reason: reason.to_owned(),
            }
        }
        accept => accept,
    };
    state
        .store
        .resolve_handoff(
            caller.workspace_id,
            current.id,
            resolution,
            state.clock.now(),
        )
        .await
        .map_err(|e| match e {
            baton_store::StoreError::Conflict { .. } => {
                ServiceError::conflict("This handoff was already accepted or bounced.")
            }
            other => other.into(),
        })
}

/// Refuses a guest what only the team may do ([`relay::may_plan`]).
fn not_guest(caller: &Member, what: &str) -> ServiceResult<()> {
    if !relay::may_plan(caller) {
        Err(ServiceError::forbidden(format!("Guests cannot {what}.")))
    } else {
        Ok(())
    }
}
