//! A member's calendars: their secret feed and the external calendars whose busy times the slot
//! finder respects.
//!
//! Owns: who may manage whose calendars (each member their own only: a feed URL is a
//! credential to their meetings, and their external calendars are their private life), making
//! the feed, and reading an external calendar (fetched through the webhook client's SSRF guard,
//! or uploaded) into busy times. Does not own: the iCalendar text (`calendar::{read, write}`),
//! the refresh loop's pace (`calendar::refresh`) or the wire format (`routes::calendars`).

use std::collections::HashMap;

use baton_core::Id;
use baton_core::calendar::{
    BUSY_DAYS_AHEAD, BUSY_DAYS_BACK, Busy, ExternalCalendar, FEED_DAYS_AHEAD, FEED_DAYS_BACK,
    MAX_CALENDARS, MAX_ICS_BYTES, MAX_NAME_CHARS, Refresh, window,
};
use baton_core::meeting::Meeting;
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::token::{hash_token, hex};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::access::workspace_member;
use super::error::{ServiceError, ServiceResult};
use super::schedules::schedule_of;
use crate::calendar::read::busy_times;
use crate::calendar::write::{Feed, People, feed};
use crate::state::AppState;

/// Where a new external calendar comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// An http(s) URL, fetched now and refreshed periodically.
    Url(String),
    /// iCalendar text uploaded once.
    Ics(String),
}

/// The member whose calendars these are, who must be the caller.
async fn own(state: &AppState, caller: &Member, member: Id) -> ServiceResult<Member> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id {
        return Err(ServiceError::forbidden(
            "Only a member manages their own calendars: a feed URL opens their meetings to whoever holds it.",
        ));
    }
    Ok(target)
}

/// Makes a new secret feed for `member` (the caller), replacing any earlier one, and returns
/// the secret, which only the answer shows (only its hash is stored).
///
/// # Errors
/// 403 for anyone else's feed, 404 for a member the caller may not know of.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn issue_feed(state: &AppState, caller: &Member, member: Id) -> ServiceResult<String> {
    let member = own(state, caller, member).await?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::internal(&e))?;
    let secret = hex(&bytes);
    state
        .store
        .set_calendar_feed(
            member.workspace_id,
            member.id,
            &hash_token(&secret),
            state.clock.now(),
        )
        .await?;
    Ok(secret)
}

/// Revokes `member`'s (the caller's) feed; its URL answers 404 from now on.
///
/// # Errors
/// As [`issue_feed`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn revoke_feed(state: &AppState, caller: &Member, member: Id) -> ServiceResult<()> {
    let member = own(state, caller, member).await?;
    Ok(state
        .store
        .revoke_calendar_feed(member.workspace_id, member.id)
        .await?)
}

/// The feed whose secret is `secret`: the member's invited meetings, focus blocks and pre-work
/// deadlines from [`FEED_DAYS_BACK`] days back to [`FEED_DAYS_AHEAD`] days ahead.
///
/// # Errors
/// 404 for an unknown or revoked secret, or a deactivated member.
#[tracing::instrument(skip_all)]
pub async fn feed_text(state: &AppState, secret: &str) -> ServiceResult<String> {
    let missing = || ServiceError::not_found("calendar feed");
    let (ws, id) = state
        .store
        .calendar_feed_owner(&hash_token(secret))
        .await
        .map_err(|e| match e {
            baton_store::StoreError::NotFound => missing(),
            other => other.into(),
        })?;
    let owner = state.store.member(ws, id).await?;
    if !owner.active {
        return Err(missing());
    }
    let now = state.clock.now();
    let schedule = schedule_of(state, &owner).await?;
    let meetings = all_meetings(state, &owner).await?;
    let people = people_of(state, ws, &meetings).await?;
    Ok(feed(&Feed {
        owner: &owner,
        schedule: &schedule,
        meetings: &meetings,
        people: &people,
        range: window(now, FEED_DAYS_BACK, FEED_DAYS_AHEAD),
        stamp: now,
    }))
}

/// Every meeting `member` is in, page after page.
async fn all_meetings(state: &AppState, member: &Member) -> ServiceResult<Vec<Meeting>> {
    let mut all = Vec::new();
    let mut page = PageRequest::largest();
    loop {
        let found = state
            .store
            .meetings_of(member.workspace_id, member.id, page)
            .await?;
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page = PageRequest::parse(Some(&cursor), Some(page.limit))?,
            None => return Ok(all),
        }
    }
}

/// The participants of `meetings`, by id.
async fn people_of(state: &AppState, ws: Id, meetings: &[Meeting]) -> ServiceResult<People> {
    let mut people: People = HashMap::new();
    for id in meetings.iter().flat_map(|m| &m.participants) {
        if !people.contains_key(id) {
            let member = state.store.member(ws, *id).await?;
            people.insert(*id, member);
        }
    }
    Ok(people)
}

/// Adds an external calendar to `member` (the caller): fetches or reads it, and stores it
/// with its busy times from [`BUSY_DAYS_BACK`] days back to [`BUSY_DAYS_AHEAD`] ahead.
///
/// # Errors
/// 403/404 as [`issue_feed`]; 422 on `name` (too long), on `url` (not http(s), refused by
/// the SSRF guard, unreachable, not a 2xx, too large, or not a calendar: the message names the
/// line) or `ics` (too large, or not a calendar), on `calendars` for more than
/// [`MAX_CALENDARS`]. Nothing is stored then.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn add_calendar(
    state: &AppState,
    caller: &Member,
    member: Id,
    name: Option<&str>,
    source: Source,
) -> ServiceResult<ExternalCalendar> {
    let member = own(state, caller, member).await?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
        return Err(ServiceError::invalid(
            "name",
            format!("A calendar's name may be at most {MAX_NAME_CHARS} characters."),
        ));
    }
    let held = state
        .store
        .calendars_of(member.workspace_id, member.id)
        .await?;
    if held.len() >= MAX_CALENDARS {
        return Err(ServiceError::invalid(
            "calendars",
            format!("A member may add at most {MAX_CALENDARS} calendars; remove one first."),
        ));
    }
    let zone = schedule_of(state, &member).await?.time_zone().clone();
    let now = state.clock.now();
    let (field, url, text) = match source {
        Source::Url(url) => {
            let text = fetch(state, &url)
                .await
                .map_err(|why| ServiceError::invalid("url", why))?;
            ("url", Some(url.trim().to_owned()), text)
        }
        Source::Ics(text) => {
            if text.len() > MAX_ICS_BYTES {
                return Err(ServiceError::invalid("ics", too_large()));
            }
            ("ics", None, text)
        }
    };
    let busy = read(&text, &zone, now).map_err(|why| ServiceError::invalid(field, why))?;
    let default_name = match &url {
        Some(url) => url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "Calendar".to_owned()),
        None => "Uploaded calendar".to_owned(),
    };
    let calendar = ExternalCalendar {
        workspace_id: member.workspace_id,
        id: Id::random(),
        member_id: member.id,
        name: name.map_or(default_name, str::to_owned),
        url,
        busy_count: u32::try_from(busy.len()).unwrap_or(u32::MAX),
        created_at: now,
        fetched_at: Some(now),
        checked_at: now,
        last_error: None,
    };
    state
        .store
        .add_calendar(member.workspace_id, calendar.clone(), busy)
        .await?;
    Ok(calendar)
}

/// The external calendars of `member` (the caller), oldest first.
///
/// # Errors
/// As [`issue_feed`].
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn calendars(
    state: &AppState,
    caller: &Member,
    member: Id,
) -> ServiceResult<Vec<ExternalCalendar>> {
    let member = own(state, caller, member).await?;
    Ok(state
        .store
        .calendars_of(member.workspace_id, member.id)
        .await?)
}

/// Removes one of `member`'s (the caller's) external calendars and its busy times.
///
/// # Errors
/// As [`issue_feed`]; 404 for a calendar they do not have.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member, calendar = %calendar))]
pub async fn remove_calendar(
    state: &AppState,
    caller: &Member,
    member: Id,
    calendar: Id,
) -> ServiceResult<()> {
    let member = own(state, caller, member).await?;
    state
        .store
        .remove_calendar(member.workspace_id, member.id, calendar)
        .await
        .map_err(|e| match e {
            baton_store::StoreError::NotFound => ServiceError::not_found("calendar"),
            other => other.into(),
        })
}

/// Fetches `calendar` again and stores what it holds now, or why it could not be read (its
/// old busy times stay). Run by the refresh loop.
///
/// # Errors
/// When the store fails (a calendar that cannot be read is recorded, not an error).
#[tracing::instrument(skip_all, fields(calendar = %calendar.id, member = %calendar.member_id))]
pub async fn refresh(state: &AppState, calendar: &ExternalCalendar) -> ServiceResult<()> {
    let Some(url) = &calendar.url else {
        return Ok(());
    };
    let member = state
        .store
        .member(calendar.workspace_id, calendar.member_id)
        .await?;
    let zone = schedule_of(state, &member).await?.time_zone().clone();
    let now = state.clock.now();
    let outcome = match fetch(state, url).await {
        Ok(text) => match read(&text, &zone, now) {
            Ok(busy) => Refresh::Read(busy),
            Err(why) => Refresh::Failed(why),
        },
        Err(why) => Refresh::Failed(why),
    };
    if let Refresh::Failed(why) = &outcome {
        tracing::warn!(calendar = %calendar.id, error = %why, "refreshing calendar {} failed", calendar.id);
    }
    Ok(state
        .store
        .record_refresh(calendar.workspace_id, calendar.id, now, outcome)
        .await?)
}

fn too_large() -> String {
    format!(
        "A calendar may be at most {} MiB.",
        MAX_ICS_BYTES / (1024 * 1024)
    )
}

/// The busy times of `text` in the window kept around `now`, or why it is not a calendar.
fn read(text: &str, zone: &TimeZone, now: Timestamp) -> Result<Vec<Busy>, String> {
    let range = window(now, BUSY_DAYS_BACK, BUSY_DAYS_AHEAD);
    // The text is a stranger's, and the parser and the recurrence crate are not ours: should
    // either panic on some input, that calendar is refused instead of ending the request's
    // task or, worse, the refresh loop.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        busy_times(text, zone, range)
    })) {
        Ok(read) => read.map_err(|e| format!("This is not a calendar Baton can read: {e}.")),
        Err(_) => Err("This calendar could not be read (the reader failed on it).".to_owned()),
    }
}

/// The text at `url`, through the same guard as webhooks, or why it could not be had.
async fn fetch(state: &AppState, url: &str) -> Result<String, String> {
    let (status, body) = state.webhooks.get(url, MAX_ICS_BYTES).await.map_err(|e| {
        let why = format!("{e:#}");
        if why.contains("length limit exceeded") {
            too_large()
        } else {
            format!("The calendar could not be fetched: {why}.")
        }
    })?;
    if !(200..300).contains(&status) {
        return Err(format!(
            "The calendar could not be fetched: the server answered {status}."
        ));
    }
    String::from_utf8(body).map_err(|_| "The calendar is not UTF-8 text.".to_owned())
}
