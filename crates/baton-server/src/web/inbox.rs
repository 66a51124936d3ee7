//! What needs the viewer: open asks to them, soonest due first, in their working time; and a
//! short list of what they are waiting on others for.
//!
//! Owns: the inbox page and the small helpers other conversation pages share for naming people
//! and showing due times ([`People`], [`when`], [`TheirTime`]). Does not own: which asks exist
//! or who may see them (`services::asks`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use baton_core::Id;
use baton_core::model::{AskDirection, Member};
use jiff::{SignedDuration, Timestamp};

use super::session::Viewer;
use super::{Chrome, Section, WebResult, format, render};
use crate::error::ApiResult;
use crate::services::access;
use crate::services::asks::{self, VisibleAsk};
use crate::services::{relays, threads};
use crate::state::AppState;

/// Most asks to the viewer one inbox shows; the rest are counted. Keeps the page small even
/// for someone who has been away for weeks.
const MAX_NEEDS_ME: usize = 100;
/// Most "waiting on others" rows: the section is a reminder, not a second inbox.
const MAX_WAITING: usize = 10;

/// `/inbox`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/inbox", get(inbox))
}

/// `ts` in `zone` as people say it: "Tue 11:00" within six days of `now` (where a weekday
/// cannot be mistaken), otherwise with the date, "Tue 24 Nov 11:00".
pub fn when(ts: Timestamp, zone: &str, now: Timestamp) -> String {
    if ts.duration_since(now).abs() < SignedDuration::from_hours(6 * 24) {
        format::weekday_time(ts, zone)
    } else {
        format::day_time(ts, zone)
    }
}

/// A time as one person sees it beside the viewer's own: "Ana: due Tue 11:00 Sao Paulo · your
/// Tue 16:00". Used wherever the viewer waits on someone in another zone.
#[derive(Debug, Clone)]
pub struct TheirTime {
    /// The other person's name.
    pub name: String,
    /// The time in their zone, with their city ("Tue 11:00 Sao Paulo").
    pub theirs: String,
    /// The same instant in the viewer's zone ("Tue 16:00").
    pub yours: String,
    /// The instant for `<time datetime>`, in the viewer's zone.
    pub datetime: String,
}

impl TheirTime {
    /// `ts` as `person` and `viewer` each see it at `now`.
    pub fn new(ts: Timestamp, person: &Member, viewer: &Member, now: Timestamp) -> Self {
        Self {
            name: person.name.clone(),
            theirs: format!(
                "{} {}",
                when(ts, &person.timezone, now),
                format::city(&person.timezone)
            ),
            yours: when(ts, &viewer.timezone, now),
            datetime: format::machine(ts, &viewer.timezone),
        }
    }
}

/// Members looked up by id at most once per page: a list of asks or posts names the same few
/// people again and again.
#[derive(Debug, Default)]
pub struct People(HashMap<Id, Member>);

impl People {
    /// Remembers members already loaded (for example a space's member list).
    pub fn with(members: &[Member]) -> Self {
        Self(members.iter().map(|m| (m.id, m.clone())).collect())
    }

    /// The workspace member `id`, as `viewer` may see them.
    ///
    /// # Errors
    ///
    /// A 404 when there is no such member in the viewer's workspace; store failures.
    pub async fn get(&mut self, state: &AppState, viewer: &Member, id: Id) -> ApiResult<&Member> {
        match self.0.entry(id) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => Ok(e.insert(access::workspace_member(state, viewer, id).await?)),
        }
    }
}

/// An ask to the viewer.
struct NeedsMe {
    asker: String,
    thread_id: String,
    title: String,
    due: String,
    datetime: String,
    /// "in 5 working hours" or "2 working hours overdue".
    left: String,
    overdue: bool,
}

/// An ask the viewer made that is still open.
struct Waiting {
    thread_id: String,
    title: String,
    due: TheirTime,
    overdue: bool,
}

/// A followed thread with posts the viewer has not read.
struct Followed {
    thread_id: String,
    title: String,
    /// "1 new post" or "3 new posts".
    unread: String,
    last: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    passed_to_me: Vec<PassedToMe>,
    followed: Vec<Followed>,
    needs_me: Vec<NeedsMe>,
    more_needs_me: usize,
    waiting: Vec<Waiting>,
    more_waiting: usize,
}

/// How much working time is left, in words. Past due but with no working time in between
/// (asked at 16:59, due 17:00, read at 19:00) is still overdue, not "in 0 working minutes".
fn left_words(minutes: i64, overdue: bool) -> String {
    if overdue && minutes == 0 {
        "overdue".to_owned()
    } else {
        format::due_in(minutes)
    }
}

async fn needs_me(
    state: &AppState,
    me: &Member,
    people: &mut People,
    asks: &[VisibleAsk],
    now: Timestamp,
) -> WebResult<Vec<NeedsMe>> {
    let mut rows = Vec::with_capacity(asks.len().min(MAX_NEEDS_ME));
    for VisibleAsk { ask, thread } in asks.iter().take(MAX_NEEDS_ME) {
        let minutes = asks::working_minutes_left(state, me, ask.due_at).await?;
        let overdue = ask.due_at < now;
        rows.push(NeedsMe {
            asker: people.get(state, me, ask.from_id).await?.name.clone(),
            thread_id: thread.id.to_string(),
            title: thread.title.clone(),
            due: when(ask.due_at, &me.timezone, now),
            datetime: format::machine(ask.due_at, &me.timezone),
            left: left_words(minutes, overdue),
            overdue,
        });
    }
    Ok(rows)
}

/// A baton passed to the viewer, waiting for them to accept or bounce it.
struct PassedToMe {
    baton_id: String,
    title: String,
    /// Who passed it, and when, as the viewer and the giver each see it.
    passed: TheirTime,
    next_step: String,
}

async fn inbox(State(state): State<AppState>, Viewer(signed_in): Viewer) -> WebResult<Response> {
    let me = &signed_in.member;
    let now = state.clock.now();
    let mut people = People::default();
    let mut passed_to_me = Vec::new();
    for (handoff, baton) in relays::handoffs_waiting(&state, me).await? {
        let giver = people.get(&state, me, handoff.from_id).await?;
        passed_to_me.push(PassedToMe {
            baton_id: baton.id.to_string(),
            title: baton.title,
            passed: TheirTime::new(handoff.created_at, giver, me, now),
            next_step: handoff.note.next_step,
        });
    }
    let to_me = asks::list(&state, me, AskDirection::ToMember, true).await?;
    let needs = needs_me(&state, me, &mut people, &to_me, now).await?;

    let from_me = asks::list(&state, me, AskDirection::FromMember, true).await?;
    let mut waiting = Vec::with_capacity(from_me.len().min(MAX_WAITING));
    for VisibleAsk { ask, thread } in from_me.iter().take(MAX_WAITING) {
        let person = people.get(&state, me, ask.to_id).await?;
        waiting.push(Waiting {
            thread_id: thread.id.to_string(),
            title: thread.title.clone(),
            due: TheirTime::new(ask.due_at, person, me, now),
            overdue: ask.due_at < now,
        });
    }

    let followed = threads::followed_unread(&state, me)
        .await?
        .into_iter()
        .map(|s| Followed {
            thread_id: s.thread.id.to_string(),
            title: s.thread.title,
            unread: if s.unread == 1 {
                "1 new post".to_owned()
            } else {
                format!("{} new posts", s.unread)
            },
            last: when(s.thread.last_post_at, &me.timezone, now),
            datetime: format::machine(s.thread.last_post_at, &me.timezone),
        })
        .collect();

    let page = InboxPage {
        chrome: Chrome::load(&state, &signed_in, Section::Inbox, "Inbox").await?,
        passed_to_me,
        followed,
        more_needs_me: to_me.len().saturating_sub(needs.len()),
        needs_me: needs,
        more_waiting: from_me.len().saturating_sub(waiting.len()),
        waiting,
    };
    Ok(render(&page))
}
