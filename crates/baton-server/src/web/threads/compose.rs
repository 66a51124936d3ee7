//! The composer both thread pages share: the form as posted, the draft kept across previews
//! and failed sends, and what the page is rendered for.
//!
//! Owns: reading the form into a [`Draft`] and the draft into the service's
//! `ExpectationInput`, and placing a failed send's error at the form's own field names. Does
//! not own: the expectation rules (`baton_core::expectation`) or the preview (`preview`).

use axum::http::StatusCode;
use baton_core::Id;
use baton_core::expectation::ExpectationKind;
use baton_core::model::{Member, Space};
use serde::Deserialize;

use super::preview::{Preview, preview};
use crate::error::{ApiError, ApiResult};
use crate::extract::ids;
use crate::services::threads::ExpectationInput;
use crate::state::AppState;
use crate::web::WebResult;
use crate::web::auth::FieldError;
use crate::web::forms::Fields;
use crate::web::spaces::form_error;

/// Working hours a new "Reply within" starts at: one working day.
const DEFAULT_HOURS: &str = "8";

/// The composer's fields as posted. The new-thread form adds `title`; `ask` (one checkbox per
/// person) is read from the raw fields because it repeats.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct ComposeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    expect: String,
    #[serde(default)]
    within_hours: String,
    #[serde(default)]
    pub(super) intent: String,
}

/// What the person has written so far, kept across previews and failed sends.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub(super) title: String,
    pub(super) body: String,
    /// "", "fyi", "reply" or "urgent" ("" when the form did not say: no expectation).
    pub(super) expect: String,
    pub(super) within_hours: String,
    /// Member ids ticked under "from whom".
    pub(super) asked: Vec<String>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            title: String::new(),
            body: String::new(),
            expect: "fyi".into(),
            within_hours: DEFAULT_HOURS.into(),
            asked: Vec::new(),
        }
    }
}

impl Draft {
    /// The draft as the form posted it.
    pub(super) fn from_form(form: ComposeForm, fields: &Fields) -> Self {
        Self {
            title: form.title,
            body: form.body,
            expect: form.expect,
            within_hours: form.within_hours,
            asked: fields.all("ask").map(str::to_owned).collect(),
        }
    }

    /// Whether "Reply within" is chosen.
    pub(super) fn is_reply(&self) -> bool {
        self.expect == "reply"
    }

    /// Whether "Urgent" is chosen.
    pub(super) fn is_urgent(&self) -> bool {
        self.expect == "urgent"
    }

    /// Whether person `id` is ticked.
    pub(super) fn asks(&self, id: &str) -> bool {
        self.asked.iter().any(|a| a == id)
    }

    /// The picker as the service input the JSON API also builds. FYI asks nobody, so the
    /// hours box and any ticked people are not sent with it.
    pub(super) fn expectation(&self) -> ApiResult<Option<ExpectationInput>> {
        match self.expect.as_str() {
            "" => Ok(None),
            "fyi" => Ok(Some(ExpectationInput {
                kind: ExpectationKind::Fyi,
                within_minutes: None,
                of: Vec::new(),
            })),
            "reply" => {
                let hours = self
                    .within_hours
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|h| *h > 0)
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "within_hours",
                            "Enter a whole number of working hours, 1 or more.",
                        )
                    })?;
                Ok(Some(ExpectationInput {
                    kind: ExpectationKind::Reply,
                    within_minutes: Some(hours.saturating_mul(60)),
                    of: ids("expectation.of", &self.asked)?,
                }))
            }
            "urgent" => Ok(Some(ExpectationInput {
                kind: ExpectationKind::Urgent,
                within_minutes: None,
                of: ids("expectation.of", &self.asked)?,
            })),
            _ => Err(ApiError::invalid(
                "expect",
                "Choose FYI, Reply within or Urgent.",
            )),
        }
    }
}

/// A failed compose: the error placed at the form's own field names.
pub(super) fn compose_error(e: ApiError) -> WebResult<(FieldError, StatusCode)> {
    let (mut error, status) = form_error(e, "body")?;
    let field = match error.field.as_str() {
        "expectation.within_minutes" => "within_hours",
        "expectation.of" => "ask",
        "expectation.kind" => "expect",
        _ => return Ok((error, status)),
    };
    field.clone_into(&mut error.field);
    Ok((error, status))
}

/// The composer as a template shows it.
pub(super) struct Composer {
    /// "2 of 3 urgent interrupts left this week…", next to the Urgent choice.
    pub(super) urgent_left: String,
    pub(super) draft: Draft,
    /// Who can be asked: the space's active members other than the viewer, (id, name).
    pub(super) people: Vec<(String, String)>,
    /// Where the in-place (htmx) preview posts.
    pub(super) preview_url: String,
    pub(super) body_label: &'static str,
    pub(super) send_label: &'static str,
    pub(super) preview: Option<Preview>,
}

/// Who can be asked: the space's active members other than the viewer, as (id, name).
pub(super) fn askable(members: &[Member], me: &Member) -> Vec<(String, String)> {
    members
        .iter()
        .filter(|m| m.active && m.id != me.id)
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect()
}

/// What the page is rendered for.
pub(super) enum Mode {
    /// Plain reading (or a fresh form).
    Show,
    /// Plain reading, just after an urgent post went out as ordinary: says so.
    Held,
    /// The person pressed Preview: render the draft and its due times.
    Preview,
    /// A send failed: show the error next to its field.
    Failed(FieldError, StatusCode),
}

impl Mode {
    /// The preview and error for `draft` (in `thread`, when it is a reply) in this mode.
    pub(super) async fn resolve(
        self,
        state: &AppState,
        me: &Member,
        space: &Space,
        thread: Option<Id>,
        members: &[Member],
        draft: &Draft,
    ) -> WebResult<(Option<Preview>, FieldError, StatusCode)> {
        Ok(match self {
            Self::Show | Self::Held => (None, FieldError::default(), StatusCode::OK),
            Self::Preview => {
                let (p, error, status) = preview(state, me, space, thread, members, draft).await?;
                (Some(p), error, status)
            }
            Self::Failed(error, status) => (None, error, status),
        })
    }
}
