//! `/settings/schedule`: the viewer's working hours, time off and focus blocks, with a preview
//! of the coming week.
//!
//! Owns: the working-hours page, its post, and the preview. Does not own: the form's
//! translation to a schedule (`schedule_form`) or what makes one valid (`baton_core::schedule`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::schedule::{Schedule, working_intervals};
use jiff::Timestamp;
use serde::de::IgnoredAny;

use super::super::auth::FieldError;
use super::super::format::clock;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, Section, WebResult, render_with};
use super::schedule_form::{self, ScheduleForm, schedule_error, today};
use super::{Saved, fixable, form_status};
use crate::error::{ApiError, ApiResult};
use crate::services::schedules;
use crate::services::sessions::SignedIn;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "settings_schedule.html")]
struct SchedulePage {
    chrome: Chrome,
    notice: Option<&'static str>,
    zone: String,
    form: ScheduleForm,
    /// (day, its working hours) for the next 7 days, in the member's zone.
    preview: Vec<(String, String)>,
    error: FieldError,
}

impl SchedulePage {
    /// The weekday checkboxes of a focus block: (form key, short label).
    fn day_keys(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        schedule_form::day_keys()
    }
}

/// Each of the next 7 days (from today, in the schedule's zone) with its working hours.
fn preview(schedule: &Schedule, now: Timestamp) -> ApiResult<Vec<(String, String)>> {
    let tz = schedule.time_zone();
    let internal = |e: jiff::Error| ApiError::internal(&e);
    let mut date = now.to_zoned_datetime(tz.clone()).date();
    let mut days = Vec::with_capacity(7);
    for _ in 0..7 {
        let next = date.tomorrow().map_err(internal)?;
        let from = date
            .to_zoned_datetime(tz.clone())
            .map_err(internal)?
            .timestamp();
        let to = next
            .to_zoned_datetime(tz.clone())
            .map_err(internal)?
            .timestamp();
        let zone = schedule.timezone();
        let hours: Vec<String> = working_intervals(schedule, from, to)?
            .iter()
            .map(|(s, e)| format!("{}–{}", clock(*s, zone), clock(*e, zone)))
            .collect();
        let day = date.to_string();
        let off = schedule
            .spec()
            .time_off
            .iter()
            .any(|t| t.start <= day && day <= t.end);
        let hours = match (hours.is_empty(), off) {
            (false, _) => hours.join(", "),
            (true, true) => "time off".to_owned(),
            (true, false) => "not working".to_owned(),
        };
        days.push((date.strftime("%a %-d %b").to_string(), hours));
        date = next;
    }
    Ok(days)
}

async fn schedule_response(
    state: &AppState,
    viewer: &SignedIn,
    form: Option<ScheduleForm>,
    notice: Option<&'static str>,
    error: FieldError,
) -> WebResult<Response> {
    let schedule = schedules::schedule_of(state, &viewer.member).await?;
    let now = state.clock.now();
    let page = SchedulePage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Working hours").await?,
        notice,
        zone: viewer.member.timezone.clone(),
        form: form.unwrap_or_else(|| ScheduleForm::from_schedule(&schedule, now)),
        preview: preview(&schedule, now)?,
        error,
    };
    Ok(render_with(&page, form_status(&page.error)))
}

/// `GET /settings/schedule`.
pub(super) async fn schedule_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    schedule_response(&state, &viewer, None, saved.notice(), FieldError::default()).await
}

/// `POST /settings/schedule`: saves the form, or shows it again as sent with the error on the
/// row that caused it.
pub(super) async fn save_schedule(
    State(state): State<AppState>,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let posted = ScheduleForm::from_fields(&form.fields);
    let (mut spec, row_of) = match posted.to_spec(&me.timezone) {
        Ok(built) => built,
        Err(error) => {
            return schedule_response(&state, &form.viewer, Some(posted), None, error).await;
        }
    };
    // The form shows time off from today on; earlier entries are history the member did not
    // see, so they are kept as stored. They go last so that a core error's entry number
    // counts the rows of the form.
    let stored = schedules::schedule_of(&state, me).await?;
    let today = today(&stored, state.clock.now());
    spec.time_off.extend(
        stored
            .spec()
            .time_off
            .iter()
            .filter(|t| t.end < today)
            .cloned(),
    );
    match schedules::set_schedule(&state, me, me.id, spec)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to("/settings/schedule?saved=schedule").into_response()),
        Err(e) if fixable(&e) => {
            let error = schedule_error(&e, &row_of);
            schedule_response(&state, &form.viewer, Some(posted), None, error).await
        }
        Err(e) => Err(e.into()),
    }
}
