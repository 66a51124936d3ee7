//! The members the baton pages name: looked up once per page, with their schedules batched into
//! one query, and what those pages say about them (a holder's working state, a pending handoff).
//!
//! Owns: the page's cache of members and schedules, and the wording of "working now" and
//! "back Tue 09:00" on the baton pages. Does not own: the schedule maths (`baton_core::schedule`)
//! or who may see a member (`services::access`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use baton_core::Id;
use baton_core::model::{Handoff, Member};
use baton_core::page::PageRequest;
use baton_core::schedule::{self, Schedule};
use jiff::Timestamp;

use super::super::format;
use super::super::{WebError, WebResult};
use super::Choice;
use crate::error::ApiError;
use crate::services::{access, schedules};
use crate::state::AppState;

/// The workspace's members by id, for names on the pages and choices in the forms: the first
/// page of the member list, topped up one by one for anyone beyond it. Schedules are loaded on
/// request, many in one query ([`Roster::load_schedules`]).
pub(super) struct Roster {
    order: Vec<Id>,
    by_id: HashMap<Id, Member>,
    schedules: HashMap<Id, Schedule>,
}

/// A baton's holder as the pages show them: name, local time and working state in words.
pub(super) struct Holder {
    pub(super) name: String,
    pub(super) local: String,
    pub(super) status: String,
    pub(super) working: bool,
}

impl Roster {
    /// The first page of `viewer`'s workspace members, no schedules yet.
    pub(super) async fn load(state: &AppState, viewer: &Member) -> WebResult<Self> {
        // The people the viewer may know of: a guest's choices name only those who share a
        // space with them.
        let members = access::members_in_sight(state, viewer, PageRequest::largest()).await?;
        Ok(Self {
            order: members.items.iter().map(|m| m.id).collect(),
            by_id: members.items.into_iter().map(|m| (m.id, m)).collect(),
            schedules: HashMap::new(),
        })
    }

    /// The member `id`, looked up when the first page did not hold them.
    pub(super) async fn get(
        &mut self,
        state: &AppState,
        viewer: &Member,
        id: Id,
    ) -> WebResult<&Member> {
        Ok(match self.by_id.entry(id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(access::workspace_member(state, viewer, id).await?),
        })
    }

    /// The name of the member `id`.
    pub(super) async fn name(
        &mut self,
        state: &AppState,
        viewer: &Member,
        id: Id,
    ) -> WebResult<String> {
        Ok(self.get(state, viewer, id).await?.name.clone())
    }

    /// Loads the schedules of `ids` not loaded yet, in one query, so a page that names many
    /// people reads their working hours once rather than once per person.
    pub(super) async fn load_schedules(
        &mut self,
        state: &AppState,
        viewer: &Member,
        ids: impl IntoIterator<Item = Id>,
    ) -> WebResult<()> {
        let mut missing: Vec<Member> = Vec::new();
        for id in ids {
            if !self.schedules.contains_key(&id) && !missing.iter().any(|m| m.id == id) {
                missing.push(self.get(state, viewer, id).await?.clone());
            }
        }
        let loaded = schedules::schedules_of(state, &missing).await?;
        self.schedules
            .extend(missing.iter().map(|m| m.id).zip(loaded));
        Ok(())
    }

    /// The member `id` with their schedule, which [`Roster::load_schedules`] must have loaded.
    ///
    /// # Errors
    /// An internal error when it was not: a bug in the page, never the visitor's doing.
    fn with_schedule(&self, id: Id) -> WebResult<(&Member, &Schedule)> {
        match (self.by_id.get(&id), self.schedules.get(&id)) {
            (Some(member), Some(hours)) => Ok((member, hours)),
            _ => Err(WebError::from(ApiError::internal(&format!(
                "the schedule of {id} was not loaded"
            )))),
        }
    }

    /// Whether the member `id` is inside their working hours at `now`; their schedule must be
    /// loaded.
    pub(super) fn is_working(&self, id: Id, now: Timestamp) -> WebResult<bool> {
        Ok(schedule::is_working(self.with_schedule(id)?.1, now))
    }

    /// The name and city of the member `id`, who must be loaded: "Yuki Tanaka (Tokyo)".
    pub(super) fn known_name(&self, id: Id) -> WebResult<String> {
        let (member, hours) = self.with_schedule(id)?;
        Ok(format!(
            "{} ({})",
            member.name,
            format::city(hours.timezone())
        ))
    }

    /// Where the member `id` stands at `now`, on the clock of their schedule (which may name
    /// another zone than their profile): local time, and "working now" or when they are back.
    pub(super) fn holder(&self, viewer: &Member, id: Id, now: Timestamp) -> WebResult<Holder> {
        let (member, hours) = self.with_schedule(id)?;
        let zone = hours.timezone();
        let working = schedule::is_working(hours, now);
        let status = match schedule::next_working_start(hours, now) {
            _ if working => "working now".to_owned(),
            Some(back) => format!("back {}", theirs_and_yours(back, zone, &viewer.timezone)),
            None => "has no working hours set".to_owned(),
        };
        Ok(Holder {
            name: member.name.clone(),
            local: format!("{} in {}", format::clock(now, zone), format::city(zone)),
            status,
            working,
        })
    }

    /// A pending handoff in words at `now`: to whom, and when it reaches them. Its receiver's
    /// schedule must be loaded.
    pub(super) fn pending_text(
        &self,
        viewer: &Member,
        handoff: &Handoff,
        now: Timestamp,
    ) -> WebResult<String> {
        let (to, hours) = self.with_schedule(handoff.to_id)?;
        Ok(if handoff.delivers_at > now {
            format!(
                "Handoff to {} waiting: it reaches them {}.",
                to.name,
                theirs_and_yours(handoff.delivers_at, hours.timezone(), &viewer.timezone)
            )
        } else {
            format!("Handoff to {} waiting for them to accept.", to.name)
        })
    }

    /// Active members other than `except`, as options with `selected` chosen.
    pub(super) fn choices(&self, selected: Option<Id>, except: Option<Id>) -> Vec<Choice> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get(id))
            .filter(|m| m.active && Some(m.id) != except)
            .map(|m| Choice {
                value: m.id.to_string(),
                label: format!("{} ({})", m.name, format::city(&m.timezone)),
                selected: Some(m.id) == selected,
            })
            .collect()
    }
}

/// `ts` on their clock, with the viewer's beside it when the two clocks differ:
/// "Tue 09:00 Tokyo time, your Mon 01:00".
fn theirs_and_yours(ts: Timestamp, their_zone: &str, your_zone: &str) -> String {
    let theirs = format::weekday_time(ts, their_zone);
    let yours = format::weekday_time(ts, your_zone);
    if theirs == yours {
        theirs
    } else {
        format!("{theirs} {} time, your {yours}", format::city(their_zone))
    }
}
