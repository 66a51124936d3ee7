//! `/settings/notifications`: when held notifications arrive, by email or not, and which
//! events notify the viewer at all.
//!
//! Owns: the notifications page, its post, and the names and labels of the event switches.
//! Does not own: the policy's rules or the warning about windows outside working hours
//! (`baton_core::delivery`, through `services::schedules`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::delivery::{EventKinds, NotificationPolicy};
use serde::de::IgnoredAny;

use super::super::auth::FieldError;
use super::super::forms::CsrfForm;
use super::super::session::Viewer;
use super::super::{Chrome, Section, WebResult, render_with};
use super::{Saved, fixable, form_status};
use crate::error::ApiError;
use crate::services::schedules;
use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Empty delivery-time inputs offered after the set ones.
const SPARE_WINDOWS: usize = 2;

/// One switch of [`EventKinds`], to read or set it by name.
type EventFlag = fn(&mut EventKinds) -> &mut bool;

/// The event kinds a member can turn off: form value, label, and the flag it sets.
const EVENTS: [(&str, &str, EventFlag); 6] = [
    ("asks", "Asks to you", |e| &mut e.asks),
    ("mentions", "Mentions of you", |e| &mut e.mentions),
    ("replies", "Replies in threads you follow", |e| {
        &mut e.replies
    }),
    ("handoffs", "Work handed off to you", |e| &mut e.handoffs),
    ("meetings", "Meetings you are invited to", |e| {
        &mut e.meetings
    }),
    ("decisions", "Decisions in threads you follow", |e| {
        &mut e.decisions
    }),
];

#[derive(Template)]
#[template(path = "settings_notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// The set windows and a few empty inputs.
    windows: Vec<String>,
    email_digest: bool,
    /// (form value, label, ticked).
    events: Vec<(&'static str, &'static str, bool)>,
    /// Windows that never fall inside the member's working hours.
    outside: Vec<String>,
    error: FieldError,
}

async fn notifications_response(
    state: &AppState,
    viewer: &SignedIn,
    policy: NotificationPolicy,
    outside: Vec<String>,
    notice: Option<&'static str>,
    error: FieldError,
) -> WebResult<Response> {
    let mut kinds = policy.events;
    let mut windows = policy.windows;
    windows.extend(std::iter::repeat_n(String::new(), SPARE_WINDOWS));
    let page = NotificationsPage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Notifications").await?,
        notice,
        windows,
        email_digest: policy.email_digest,
        events: EVENTS
            .iter()
            .map(|(key, label, flag)| (*key, *label, *flag(&mut kinds)))
            .collect(),
        outside,
        error,
    };
    Ok(render_with(&page, form_status(&page.error)))
}

/// `GET /settings/notifications`.
pub(super) async fn notifications_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    let me = &viewer.member;
    let (policy, outside) = schedules::policy(&state, me, me.id).await?;
    let notice = saved.notice();
    notifications_response(
        &state,
        &viewer,
        policy,
        outside,
        notice,
        FieldError::default(),
    )
    .await
}

/// `POST /settings/notifications`: saves the policy, or shows the form again with the error.
pub(super) async fn save_notifications(
    State(state): State<AppState>,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let mut events = EventKinds::default();
    for (key, _, flag) in &EVENTS {
        *flag(&mut events) = fields.all("events").any(|v| v == *key);
    }
    let policy = NotificationPolicy {
        windows: fields
            .all("window")
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        email_digest: fields.all("email_digest").next().is_some(),
        events,
    };
    let me = &form.viewer.member;
    match schedules::set_policy(&state, me, me.id, policy.clone())
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to("/settings/notifications?saved=notifications").into_response()),
        Err(e) if fixable(&e) => {
            let error = FieldError::from_api(&e, "windows");
            notifications_response(&state, &form.viewer, policy, Vec::new(), None, error).await
        }
        Err(e) => Err(e.into()),
    }
}
