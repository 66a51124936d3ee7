//! The urgent page for admins: the workspace's weekly urgent budget and the audit log of
//! urgent posts.
//!
//! Owns: `/admin/urgent` and its budget form. Does not own: who may see or change them, what an
//! entry may reveal, or validation (`services::urgent`, the same functions as
//! `GET/PATCH /api/v1/workspace/settings` and `GET /api/v1/audit`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::delivery::{AuditAction, AuditEntry};
use baton_core::model::Member;
use baton_core::page::PageRequest;
use serde::Deserialize;

use super::auth::FieldError;
use super::format::day_time;
use super::forms::CsrfForm;
use super::inbox::People;
use super::session::Viewer;
use super::spaces::form_error;
use super::{Chrome, Section, WebResult, render_with};
use crate::error::{ApiError, ApiResult};
use crate::services::sessions::SignedIn;
use crate::services::{access, urgent};
use crate::state::AppState;

/// `/admin/urgent…`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/urgent", get(page))
        .route("/admin/urgent/budget", post(set_budget))
}

#[derive(Template)]
#[template(path = "admin_urgent.html")]
struct UrgentPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// The budget as the form shows it (what was typed, after a refused change).
    budget: String,
    error: FieldError,
    entries: Vec<EntryLine>,
    next_cursor: Option<String>,
}

/// One audit entry as the table shows it.
struct EntryLine {
    at: String,
    actor: String,
    /// "Sent as urgent" or "Over budget: sent as ordinary".
    outcome: &'static str,
    /// The thread (id, title), when the viewer may see it.
    thread: Option<(String, String)>,
    /// "Kenji: routed to Ana now, Kenji at Tue 09:00".
    recipients: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    saved: Option<String>,
    cursor: Option<String>,
}

async fn line(
    state: &AppState,
    me: &Member,
    people: &mut People,
    e: &AuditEntry,
) -> ApiResult<EntryLine> {
    let mut recipients = Vec::with_capacity(e.legs.len());
    for leg in &e.legs {
        let to = people.get(state, me, leg.recipient_id).await?.name.clone();
        let when = day_time(leg.recipient_at, &me.timezone);
        recipients.push(match leg.covered_by {
            Some(cover) => {
                let cover = people.get(state, me, cover).await?.name.clone();
                format!("{to}: routed to {cover} now, {to} at {when}")
            }
            None if leg.recipient_at <= e.at => format!("{to}: now"),
            None => format!("{to}: at {when}"),
        });
    }
    let thread = match e.thread_id {
        Some(id) => access::visible_thread(state, me, id)
            .await
            .ok()
            .map(|t| (t.id.to_string(), t.title)),
        None => None,
    };
    if let Some(subject) = e.subject_id {
        let name = people.get(state, me, subject).await?.name.clone();
        recipients.push(match &e.detail {
            Some(detail) => format!("{name}: {detail}"),
            None => name,
        });
    }
    Ok(EntryLine {
        at: day_time(e.at, &me.timezone),
        actor: people.get(state, me, e.actor_id).await?.name.clone(),
        outcome: match e.action {
            AuditAction::UrgentSent => "Sent as urgent",
            AuditAction::UrgentOverBudget => "Over budget: sent as ordinary",
            AuditAction::TokenCreated => "Created an API token",
            AuditAction::TokenRevoked => "Revoked an API token",
            AuditAction::RoleChanged => "Changed a role",
            AuditAction::MemberDeactivated => "Deactivated a member",
            AuditAction::OwnershipTransferred => "Handed over ownership",
        },
        thread,
        recipients,
    })
}

async fn render_page(
    state: &AppState,
    viewer: &SignedIn,
    cursor: Option<&str>,
    form: Option<(String, FieldError, StatusCode)>,
    notice: Option<&'static str>,
) -> WebResult<Response> {
    let me = &viewer.member;
    let stored = urgent::budget(state, me).await?;
    let page = PageRequest::parse(cursor, None).map_err(ApiError::from)?;
    let log = urgent::audit_log(state, me, page).await?;
    let mut people = People::with(&[]);
    let mut entries = Vec::with_capacity(log.items.len());
    for e in &log.items {
        entries.push(line(state, me, &mut people, e).await?);
    }
    let (budget, error, status) = form.unwrap_or_else(|| {
        (
            stored.per_week().to_string(),
            FieldError::default(),
            StatusCode::OK,
        )
    });
    let page = UrgentPage {
        chrome: Chrome::load(state, viewer, Section::Admin, "Urgent").await?,
        notice,
        budget,
        error,
        entries,
        next_cursor: log.next_cursor,
    };
    Ok(render_with(&page, status))
}

async fn page(
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<PageQuery>,
) -> WebResult<Response> {
    let notice = (query.saved.as_deref() == Some("budget")).then_some("Urgent budget saved.");
    render_page(&state, &viewer, query.cursor.as_deref(), None, notice).await
}

#[derive(Debug, Deserialize)]
struct BudgetForm {
    #[serde(default)]
    urgent_budget: String,
}

async fn set_budget(
    State(state): State<AppState>,
    form: CsrfForm<BudgetForm>,
) -> WebResult<Response> {
    let typed = form.value.urgent_budget.trim().to_owned();
    let parsed = typed.parse::<i64>().map_err(|_| {
        ApiError::invalid(
            "urgent_budget",
            "Enter a whole number of urgent sends per member and week.",
        )
    });
    let me = &form.viewer.member;
    let saved = match parsed {
        Ok(n) => urgent::set_budget(&state, me, n)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/urgent?saved=budget").into_response()),
        Err(e) => {
            let (error, status) = form_error(e, "urgent_budget")?;
            render_page(
                &state,
                &form.viewer,
                None,
                Some((typed, error, status)),
                None,
            )
            .await
        }
    }
}
