//! The viewer's own settings: profile, time zone, password, API tokens, working hours and
//! notifications, the viewer's webhooks (`webhooks`) and calendars (`calendars`).
//!
//! Owns: the `/settings…` pages and the translation between their forms and the core types,
//! one page per module: `account` (profile, password, tokens), `schedule` with
//! `schedule_form` (working hours, time off, focus blocks) and `notifications` (when held
//! notifications arrive). Does not own: validation, which is the core's (its messages are
//! shown next to the field that caused them), or storage, which goes through
//! `services::{sessions, members, schedules}`.

mod account;
mod calendars;
mod notifications;
mod schedule;
mod schedule_form;
mod webhooks;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::forms::form_status;
use crate::error::ApiError;
use crate::state::AppState;

/// `/settings`, its form posts, `/settings/schedule` and `/settings/notifications`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(account::settings_page))
        .route("/settings/profile", post(account::update_profile))
        .route("/settings/password", post(account::change_password))
        .route("/settings/tokens", post(account::create_token))
        .route("/settings/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/settings/schedule",
            get(schedule::schedule_page).post(schedule::save_schedule),
        )
        .route(
            "/settings/notifications",
            get(notifications::notifications_page).post(notifications::save_notifications),
        )
        .route(
            "/settings/webhooks",
            get(webhooks::webhooks_page).post(webhooks::add_webhook),
        )
        .route(
            "/settings/webhooks/{id}/delete",
            post(webhooks::delete_webhook),
        )
        .route(
            "/settings/calendars",
            get(calendars::calendars_page).post(calendars::add_calendar),
        )
        .route("/settings/calendars/feed", post(calendars::issue_feed))
        .route(
            "/settings/calendars/feed/revoke",
            post(calendars::revoke_feed),
        )
        .route(
            "/settings/calendars/{id}/delete",
            post(calendars::remove_calendar),
        )
}

/// `?saved=…` after a successful post: which short notice to show.
#[derive(Debug, Deserialize)]
struct Saved {
    saved: Option<String>,
}

impl Saved {
    fn notice(&self) -> Option<&'static str> {
        Some(match self.saved.as_deref()? {
            "profile" => "Profile saved.",
            "password" => "Password changed. Every other browser has been signed out.",
            "password_tokens" => {
                "Password changed. Every other browser has been signed out and your API tokens revoked."
            }
            "revoked" => "Token revoked. It no longer works.",
            "schedule" => "Working hours saved.",
            "notifications" => "Notification settings saved.",
            "feed_revoked" => "Calendar feed turned off. Its address no longer works.",
            "calendar" => "Calendar added. Baton keeps meetings off its busy times.",
            "calendar_removed" => "Calendar removed, with its busy times.",
            _ => return None,
        })
    }
}

/// Whether a failed service call is the sender's to fix in the form (then the page is shown
/// again with the message) rather than an error page.
fn fixable(e: &ApiError) -> bool {
    e.status() == StatusCode::UNPROCESSABLE_ENTITY
}
