//! `/settings`: the viewer's profile and time zone, password, and API tokens.
//!
//! Owns: the account page and its four posts, and keeping the stored working hours on the
//! member's clock when their zone changes. Does not own: the rules for names, zones, passwords
//! and tokens (`services::{sessions, members}`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use baton_core::schedule::ScheduleSpec;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::super::auth::FieldError;
use super::super::format::{day_time, zone_names};
use super::super::forms::CsrfForm;
use super::super::session::{Viewer, start_cookie};
use super::super::{Chrome, PageId, Section, WebResult, render_with};
use super::{Saved, fixable, form_status};
use crate::error::{ApiError, ApiResult};
use crate::services::sessions::{self, SignedIn};
use crate::services::{members, schedules};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    name: String,
    timezone: String,
    zones: &'static [String],
    tokens: Vec<TokenRow>,
    token_label: String,
    new_token: Option<String>,
    error: FieldError,
}

struct TokenRow {
    id: String,
    label: String,
    created: String,
}

/// What a post changes on the settings page it shows again: kept input, an error, a new
/// token's secret.
#[derive(Default)]
struct Shown {
    notice: Option<&'static str>,
    profile: Option<(String, String)>,
    token_label: String,
    new_token: Option<String>,
    error: FieldError,
}

async fn settings_response(
    state: &AppState,
    viewer: &SignedIn,
    shown: Shown,
) -> WebResult<Response> {
    let me = &viewer.member;
    let tokens = members::list_tokens(state, me, me.id, PageRequest::largest())
        .await?
        .items
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            label: t.label.unwrap_or_else(|| "Unlabelled token".to_owned()),
            created: day_time(t.created_at, &me.timezone),
        })
        .collect();
    let (name, timezone) = shown
        .profile
        .unwrap_or_else(|| (me.name.clone(), me.timezone.clone()));
    let page = SettingsPage {
        chrome: Chrome::load(state, viewer, Section::Settings, "Settings").await?,
        notice: shown.notice,
        name,
        timezone,
        zones: zone_names(),
        tokens,
        token_label: shown.token_label,
        new_token: shown.new_token,
        error: shown.error,
    };
    Ok(render_with(&page, form_status(&page.error)))
}

/// `GET /settings`.
pub(super) async fn settings_page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(saved): Query<Saved>,
) -> WebResult<Response> {
    let shown = Shown {
        notice: saved.notice(),
        ..Shown::default()
    };
    settings_response(&state, &viewer, shown).await
}

#[derive(Debug, Deserialize)]
pub(super) struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
}

/// `POST /settings/profile`: name and time zone.
pub(super) async fn update_profile(
    State(state): State<AppState>,
    form: CsrfForm<ProfileForm>,
) -> WebResult<Response> {
    let f = form.value;
    match sessions::update_profile(&state, &form.viewer.member, &f.name, &f.timezone)
        .await
        .map_err(ApiError::from)
    {
        Ok(member) => {
            follow_zone(&state, &member).await?;
            Ok(Redirect::to("/settings?saved=profile").into_response())
        }
        Err(e) if fixable(&e) => {
            let shown = Shown {
                error: FieldError::from_api(&e, "name"),
                profile: Some((f.name, f.timezone)),
                ..Shown::default()
            };
            settings_response(&state, &form.viewer, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a stored schedule to the member's new zone, keeping its wall-clock hours: someone
/// who moves from Berlin to Tokyo still starts at 09:00, now Tokyo time. Without this the
/// profile would name one zone while deadlines kept counting in the old one.
async fn follow_zone(state: &AppState, member: &Member) -> ApiResult<()> {
    let schedule = schedules::schedule_of(state, member).await?;
    if schedule.timezone() == member.timezone {
        return Ok(());
    }
    let spec = ScheduleSpec {
        timezone: member.timezone.clone(),
        ..schedule.spec().clone()
    };
    schedules::set_schedule(state, member, member.id, spec).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    /// The checkbox "Also revoke all my API tokens": present (`on`) when ticked.
    #[serde(default)]
    revoke_tokens: Option<String>,
}

/// `POST /settings/password`: a new password, and a new session for this browser; every other
/// session ends, and with the box ticked every API token of the member is revoked.
pub(super) async fn change_password(
    State(state): State<AppState>,
    form: CsrfForm<PasswordForm>,
) -> WebResult<Response> {
    let f = &form.value;
    let revoke_tokens = f.revoke_tokens.is_some();
    let changed = sessions::change_password(
        &state,
        &form.viewer,
        &f.current_password,
        &f.new_password,
        revoke_tokens,
    )
    .await
    .map_err(ApiError::from);
    match changed {
        Ok(signed_in) => {
            let saved = if revoke_tokens {
                "/settings?saved=password_tokens"
            } else {
                "/settings?saved=password"
            };
            let mut response = Redirect::to(saved).into_response();
            start_cookie(&mut response, &state, &signed_in);
            Ok(response)
        }
        Err(e) if fixable(&e) => {
            let shown = Shown {
                error: FieldError::from_api(&e, "new_password"),
                ..Shown::default()
            };
            settings_response(&state, &form.viewer, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    token_password: String,
}

/// Issues a token, once the viewer has typed their password again, and shows its secret on the
/// page this post answers, never in a redirect's URL or a later page: it is shown once.
pub(super) async fn create_token(
    State(state): State<AppState>,
    form: CsrfForm<TokenForm>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    let label = Some(form.value.label.trim()).filter(|l| !l.is_empty());
    let issued =
        match members::confirm_password(&state, me, &form.value.token_password, "token_password")
            .await
        {
            Ok(()) => members::issue_token(&state, me, me.id, label, None).await,
            Err(e) => Err(e),
        }
        .map_err(ApiError::from);
    let shown = match issued {
        Ok((_, secret)) => Shown {
            new_token: Some(secret),
            ..Shown::default()
        },
        Err(e) if fixable(&e) => Shown {
            error: FieldError::from_api(&e, "label"),
            token_label: form.value.label,
            ..Shown::default()
        },
        Err(e) => return Err(e.into()),
    };
    settings_response(&state, &form.viewer, shown).await
}

/// `POST /settings/tokens/{id}/revoke`.
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    PageId(token): PageId,
    form: CsrfForm<IgnoredAny>,
) -> WebResult<Response> {
    let me = &form.viewer.member;
    members::revoke_token(&state, me, me.id, token).await?;
    Ok(Redirect::to("/settings?saved=revoked").into_response())
}
