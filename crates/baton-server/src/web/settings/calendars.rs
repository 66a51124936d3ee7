//! `/settings/calendars`: the viewer's secret calendar feed (their meetings, focus blocks and
//! pre-work deadlines, for any calendar app) and the external calendars whose busy times keep
//! meetings off them.
//!
//! Owns: the calendars page and its posts. Does not own: the feed's secret, the fetching and
//! parsing of calendars, or who may manage whose (`services::calendars`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::calendar::ExternalCalendar;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::super::auth::FieldError;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, PageId, Section, WebResult, format, render_with};
use super::{Saved, fixable, form_status};
use crate::error::ApiError;
use crate::services::calendars::{self, Source};
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Where this page lives.
const PATH: &str = "/settings/calendars";

/// An external calendar as the page lists it.
struct CalendarRow {
    id: String,
    name: String,
    /// "From https://…" or "Uploaded file".
    source: String,
    /// "12 busy times, read Tue 3 Mar 09:00".
    status: String,
    /// Why the last refresh failed, if it did.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_calendars.html")]
struct CalendarsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// The feed URL, shown on the answer that made it only.
    feed_url: Option<String>,
    calendars: Vec<CalendarRow>,
    /// What the add form held, kept when it is shown again with an error.
    name: String,
    url: String,
    error: FieldError,
}

/// The add form: a URL, or a pasted file.
#[derive(Debug, Deserialize)]
pub(super) struct AddCalendar {
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    ics: String,
}

fn row(calendar: ExternalCalendar, zone: &str) -> CalendarRow {
    let source = calendar
        .url
        .as_deref()
        .map_or_else(|| "Uploaded file".to_owned(), |u| format!("From {u}"));
    let status = match calendar.fetched_at {
        Some(at) => format!(
            "{} busy times, read {}",
            calendar.busy_count,
            format::day_time(at, zone)
        ),
        None => "Not read yet".to_owned(),
    };
    CalendarRow {
        id: calendar.id.to_string(),
        name: calendar.name,
        source,
        status,
        error: calendar.last_error,
    }
}

struct Shown {
    notice: Option<&'static str>,
    feed_url: Option<String>,
    name: String,
    url: String,
    error: FieldError,
}

impl Shown {
    fn plain(notice: Option<&'static str>) -> Self {
        Self {
            notice,
            feed_url: None,
            name: String::new(),
            url: String::new(),
            error: FieldError::default(),
        }
    }
}

async fn calendars_response(
    state: &AppState,
    viewer: &SignedIn,
    shown: Shown,
) -> WebResult<Response> {
    let me = &viewer.member;
    let calendars = calendars::calendars(state, me, me.id)
        .await?
        .into_iter()
        .map(|c| row(c, &me.timezone))
        .collect();
    let page = CalendarsPage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Calendars").await?,
        notice: shown.notice,
        feed_url: shown.feed_url,
        calendars,
        name: shown.name,
        url: shown.url,
        error: shown.error,
    };
    Ok(render_with(&page, form_status(&page.error)))
}

/// `GET /settings/calendars`.
pub(super) async fn calendars_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    calendars_response(&state, &viewer, Shown::plain(saved.notice())).await
}

/// `POST /settings/calendars/feed`: makes a new feed URL (the old one stops working) and shows
/// it on this answer only.
pub(super) async fn issue_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let secret = calendars::issue_feed(&state, me, me.id).await?;
    let shown = Shown {
        feed_url: Some(crate::routes::calendars::feed_url(
            &state, &headers, &secret,
        )),
        ..Shown::plain(Some("New feed URL made. Any earlier one no longer works."))
    };
    calendars_response(&state, &form.viewer, shown).await
}

/// `POST /settings/calendars/feed/revoke`.
pub(super) async fn revoke_feed(
    State(state): State<AppState>,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    calendars::revoke_feed(&state, me, me.id).await?;
    Ok(Redirect::to(&format!("{PATH}?saved=feed_revoked")).into_response())
}

/// `POST /settings/calendars`: adds a calendar by URL or pasted file; a refused one is shown
/// again with the reason next to its field, and nothing is stored.
pub(super) async fn add_calendar(
    State(state): State<AppState>,
    form: CsrfForm<AddCalendar>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let AddCalendar { name, url, ics } = form.value;
    let source = if ics.trim().is_empty() {
        Source::Url(url.trim().to_owned())
    } else {
        Source::Ics(ics)
    };
    let named = Some(name.trim()).filter(|n| !n.is_empty());
    match calendars::add_calendar(&state, me, me.id, named, source)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("{PATH}?saved=calendar")).into_response()),
        Err(e) if fixable(&e) => {
            let shown = Shown {
                name,
                url,
                error: FieldError::from_api(&e, "url"),
                ..Shown::plain(None)
            };
            calendars_response(&state, &form.viewer, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/calendars/{id}/delete`.
pub(super) async fn remove_calendar(
    State(state): State<AppState>,
    PageId(calendar): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    calendars::remove_calendar(&state, me, me.id, calendar).await?;
    Ok(Redirect::to(&format!("{PATH}?saved=calendar_removed")).into_response())
}
