//! What every webhooks page shares: the list with a delete button per webhook, the add form
//! with its refusal next to the URL field, and the new secret with how to check a signature
//! (`templates/webhooks_part.html`), for a member's own (`/settings/webhooks`) and a space's
//! (`/spaces/{id}/webhooks`).
//!
//! Owns: [`WebhooksPart`], the rows it lists and the mapping of an add's outcome to what the
//! page shows again. Does not own: the pages around it, who may do what or which URLs are
//! acceptable (`services::webhooks`).

use axum::http::StatusCode;
use baton_core::delivery::webhook::{SignedWebhook, Webhook};
use baton_core::model::Member;
use serde::Deserialize;

use super::auth::FieldError;
use super::format::{day_time, machine};
use super::forms::form_status;
use super::inbox::People;
use super::{WebError, WebResult};
use crate::error::ApiResult;
use crate::state::AppState;

/// The `?saved=` a delete redirects with, which shows [`DELETED`].
pub const SAVED_DELETED: &str = "webhook_deleted";
/// The notice after a delete.
pub const DELETED: &str = "Webhook deleted. Nothing more is sent to it.";

/// The add form.
#[derive(Debug, Deserialize)]
pub struct WebhookForm {
    /// The address typed in.
    #[serde(default)]
    pub url: String,
}

/// A live webhook in the list.
pub struct HookRow {
    /// Public id.
    pub id: String,
    /// Where it is sent.
    pub url: String,
    /// When it was added, in the viewer's time.
    pub created: String,
    /// The same instant for `<time datetime>`.
    pub datetime: String,
    /// Who added it, where that is not always the viewer (a space's webhooks).
    pub created_by: Option<String>,
}

/// The rows of `hooks` for `viewer`, naming who added each when `name_creators`.
///
/// # Errors
///
/// Store failures while looking up the people named.
pub async fn rows(
    state: &AppState,
    viewer: &Member,
    hooks: Vec<Webhook>,
    name_creators: bool,
) -> WebResult<Vec<HookRow>> {
    let mut people = People::default();
    let mut rows = Vec::with_capacity(hooks.len());
    for hook in hooks {
        let created_by = if name_creators {
            Some(
                people
                    .get(state, viewer, hook.created_by)
                    .await?
                    .name
                    .clone(),
            )
        } else {
            None
        };
        rows.push(HookRow {
            id: hook.id.to_string(),
            created: day_time(hook.created_at, &viewer.timezone),
            datetime: machine(hook.created_at, &viewer.timezone),
            url: hook.url,
            created_by,
        });
    }
    Ok(rows)
}

/// What the last post changed on the page it shows again.
#[derive(Debug, Default)]
pub struct Shown {
    /// A short notice ("Webhook added.").
    pub notice: Option<&'static str>,
    /// The URL typed into the add form, kept when it was refused.
    pub url: String,
    /// The secret of the webhook just added.
    pub new_secret: Option<String>,
    /// Why the URL was refused.
    pub error: FieldError,
}

impl Shown {
    /// After `?saved=…`: the delete's notice, or nothing.
    pub fn saved(saved: Option<&str>) -> Self {
        Self {
            notice: (saved == Some(SAVED_DELETED)).then_some(DELETED),
            ..Self::default()
        }
    }

    /// The outcome of adding `url`: the new secret, or the refusal next to the field with the
    /// URL kept. A refusal is what the person can fix: a URL that is malformed or leads
    /// somewhere webhooks may not go (422), or one webhook too many (409).
    ///
    /// # Errors
    ///
    /// Every other failure (403, 404, store errors) as the error page: nothing was written.
    pub fn added(result: ApiResult<SignedWebhook>, url: String) -> WebResult<Self> {
        match result {
            Ok(created) => Ok(Self {
                notice: Some("Webhook added."),
                new_secret: Some(created.secret.expose().to_owned()),
                ..Self::default()
            }),
            Err(e)
                if matches!(
                    e.status(),
                    StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
                ) =>
            {
                Ok(Self {
                    error: FieldError::from_api(&e, "url"),
                    url,
                    ..Self::default()
                })
            }
            Err(e) => Err(WebError::from(e)),
        }
    }
}

/// What a page's webhooks section shows (`templates/webhooks_part.html`).
pub struct WebhooksPart {
    /// Where the add form posts; each webhook's delete posts to `{action}/{id}/delete`.
    pub action: String,
    /// What the list says when there is nothing in it.
    pub empty: &'static str,
    /// The live webhooks, oldest first.
    pub hooks: Vec<HookRow>,
    /// The URL typed into the add form, kept when it was refused.
    pub url: String,
    /// The secret of the webhook just added: only ever on the page that answers the add,
    /// never in a redirect's URL or a later page.
    pub new_secret: Option<String>,
    /// Why the URL was refused.
    pub error: FieldError,
}

impl WebhooksPart {
    /// The section listing `hooks` with what the last post changed (but its notice, which
    /// each page places itself).
    pub fn new(action: String, empty: &'static str, hooks: Vec<HookRow>, shown: Shown) -> Self {
        Self {
            action,
            empty,
            hooks,
            url: shown.url,
            new_secret: shown.new_secret,
            error: shown.error,
        }
    }

    /// 422 when the add was refused, otherwise 200.
    pub fn status(&self) -> StatusCode {
        form_status(&self.error)
    }
}
