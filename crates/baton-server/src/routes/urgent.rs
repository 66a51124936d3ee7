//! `/api/v1/workspace/settings` and `/api/v1/audit`: the urgent budget admins set, the audit
//! log they review, and the `urgent` part of a post's 201 answer.

use axum::Json;
use axum::extract::State;
use baton_core::delivery::{AuditEntry, UrgentBudget, UrgentLeg, UrgentOutcome};
use baton_core::meeting::load;
use baton_core::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{PageQuery, time};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, QueryParams};
use crate::services::{meetings, urgent};
use crate::state::AppState;

/// What the write decided about an urgent post, in a post's or thread's 201 answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UrgentOut {
    /// `true` when it went out as urgent; `false` when the sender's weekly budget was used up
    /// and it was delivered as an ordinary notification, held for each recipient's window.
    pub granted: bool,
    /// Urgent sends the sender has left this rolling week.
    pub left: u32,
    /// The workspace's urgent budget per member and rolling week.
    pub budget: u32,
    /// A sentence for the sender.
    pub detail: String,
}

impl From<UrgentOutcome> for UrgentOut {
    fn from(o: UrgentOutcome) -> Self {
        Self {
            granted: o.granted,
            left: o.left,
            budget: o.budget,
            detail: o.detail(),
        }
    }
}

/// The workspace settings admins change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    /// Urgent sends each member may make per rolling seven days (default 3).
    pub urgent_budget: u32,
    /// The share of working time the workspace aims to spend in meetings (default 0.05).
    pub meeting_load_target: f64,
}

impl SettingsOut {
    fn new(budget: UrgentBudget, meeting_load_target: f64) -> Self {
        Self {
            urgent_budget: budget.per_week(),
            meeting_load_target,
        }
    }
}

/// Body of `PATCH /api/v1/workspace/settings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// Urgent sends per member per rolling seven days, 0 to 50.
    #[serde(default, deserialize_with = "super::dto::whole_number")]
    pub urgent_budget: Option<i64>,
    /// The share of working time to aim for in meetings: above 0, at most 1.
    pub meeting_load_target: Option<f64>,
}

/// The workspace settings (admins).
#[utoipa::path(get, path = "/api/v1/workspace/settings", tag = "workspace",
    responses((status = 200, body = SettingsOut), (status = 403, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<SettingsOut>> {
    let budget = urgent::budget(&state, &caller).await?;
    let target = meetings::load_target(&state, caller.workspace_id).await?;
    Ok(Json(SettingsOut::new(budget, target)))
}

/// Changes the workspace settings (admins). A field left out keeps its value; an urgent
/// budget outside 0–50 or a meeting-load target outside (0, 1] is refused with 422 and
/// nothing is written.
#[utoipa::path(patch, path = "/api/v1/workspace/settings", tag = "workspace", request_body = SettingsPatch,
    responses((status = 200, body = SettingsOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: JsonBody<SettingsPatch>,
) -> ApiResult<Json<SettingsOut>> {
    // Both fields are checked before either is written.
    let target = body
        .value
        .meeting_load_target
        .map(load::target)
        .transpose()?;
    let budget = match body.value.urgent_budget {
        Some(n) => urgent::set_budget(&state, &caller, n).await?,
        None => urgent::budget(&state, &caller).await?,
    };
    let target = match target {
        Some(t) => meetings::set_load_target(&state, &caller, t).await?,
        None => meetings::load_target(&state, caller.workspace_id).await?,
    };
    Ok(Json(SettingsOut::new(budget, target)))
}

/// One recipient of an urgent post and where it went.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegOut {
    /// Whom it was for.
    pub recipient_id: String,
    /// The working colleague told at once because the recipient was not working.
    pub routed_to: Option<String>,
    /// When the recipient is told.
    pub recipient_at: String,
}

impl From<&UrgentLeg> for LegOut {
    fn from(l: &UrgentLeg) -> Self {
        Self {
            recipient_id: l.recipient_id.to_string(),
            routed_to: l.covered_by.map(|c| c.to_string()),
            recipient_at: time(l.recipient_at),
        }
    }
}

/// One audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    /// Entry id.
    pub id: String,
    /// Who acted.
    pub actor_id: String,
    /// `urgent.sent`, `urgent.over_budget`, `token.created`, `token.revoked`,
    /// `member.role_changed`, `member.deactivated` or `workspace.ownership_transferred`.
    pub action: &'static str,
    /// The thread, when the caller may see it.
    pub thread_id: Option<String>,
    /// The post, when the caller may see its thread.
    pub post_id: Option<String>,
    /// Each recipient, who it was routed to, and when they are told.
    pub recipients: Vec<LegOut>,
    /// The member the act concerns: whose token, whose role, who was deactivated, the new
    /// owner.
    pub subject_id: Option<String>,
    /// The token it concerns.
    pub token_id: Option<String>,
    /// A short fact about the act, e.g. `member → admin`, or a token's label.
    pub detail: Option<String>,
    /// When.
    pub at: String,
}

impl From<&AuditEntry> for AuditOut {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id.to_string(),
            actor_id: e.actor_id.to_string(),
            action: e.action.as_str(),
            thread_id: e.thread_id.map(|t| t.to_string()),
            post_id: e.post_id.map(|p| p.to_string()),
            recipients: e.legs.iter().map(Into::into).collect(),
            subject_id: e.subject_id.map(|m| m.to_string()),
            token_id: e.token_id.map(|t| t.to_string()),
            detail: e.detail.clone(),
            at: time(e.at),
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Newest first.
    pub entries: Vec<AuditOut>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// The workspace's audit log (admins), newest first: every urgent post, sent as urgent or
/// over its sender's budget, and every act on an account (tokens created and revoked, role
/// changes, deactivations, ownership handed over).
#[utoipa::path(get, path = "/api/v1/audit", tag = "workspace", params(PageQuery),
    responses((status = 200, body = AuditList), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn audit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<AuditList>> {
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let page = urgent::audit_log(&state, &caller, page).await?;
    Ok(Json(AuditList {
        entries: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
