//! The web app: server-rendered pages for people in a browser.
//!
//! Owns: page routes, askama templates (`templates/`), the session cookie, CSRF checks,
//! security headers and static files. Does not own: rules or data access. Page handlers call
//! the same `services` as the JSON API, so a page can never show what the API would refuse.
//! Every page works without JavaScript; htmx only swaps parts in place.

pub mod admin;
pub mod admin_deliveries;
pub mod admin_urgent;
pub mod assets;
pub mod auth;
pub mod base_url;
pub mod batons;
pub mod error;
mod find_a_time;
pub mod format;
pub mod forms;
mod hangouts;
pub mod inbox;
mod meetings;
mod page_id;
pub mod people;
pub mod security;
pub mod session;
pub mod settings;
pub mod setup_code;
pub mod space_webhooks;
pub mod spaces;
pub mod threads;
pub mod unsubscribe;
mod urgent;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_core::model::{AskDirection, Member};
use baton_core::role::Role;

pub use error::{WebError, WebResult};
pub use page_id::{PageId, PageIds};

use crate::services::sessions::SignedIn;
use crate::state::AppState;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(assets::routes())
        .merge(inbox::routes())
        .merge(spaces::routes())
        .merge(space_webhooks::routes())
        .merge(threads::routes())
        .merge(people::routes())
        .merge(find_a_time::routes())
        .merge(hangouts::routes())
        .merge(settings::routes())
        .merge(admin::routes())
        .merge(admin_deliveries::routes())
        .merge(admin_urgent::routes())
        .merge(batons::routes())
        .merge(meetings::routes())
}

/// Renders a template as an HTML response (a 500 page if the template fails).
pub fn render(template: &impl Template) -> Response {
    render_with(template, StatusCode::OK)
}

/// Renders a template as an HTML response with `status` (a form shown again with its errors
/// answers 422, a refused one 403). The status belongs to the page: a template that fails
/// answers 500 whatever was asked, so a broken page never passes for a form error.
pub fn render_with(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be rendered.",
            )
                .into_response()
        }
    }
}

/// The sections of the left rail, to mark the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// What needs me.
    Inbox,
    /// Spaces and threads.
    Spaces,
    /// Batons and relays.
    Batons,
    /// The people directory and profiles.
    People,
    /// The viewer's own settings.
    Settings,
    /// Workspace administration.
    Admin,
    /// Meetings: the list, requests and finding a time.
    Meetings,
}

impl Section {
    /// The section's name as templates spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Spaces => "spaces",
            Self::Batons => "batons",
            Self::People => "people",
            Self::Settings => "settings",
            Self::Admin => "admin",
            Self::Meetings => "meetings",
        }
    }
}

/// What the page layout (`base.html`) shows around every signed-in page: who is signed in,
/// the CSRF token for forms, the inbox count and the current section.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The signed-in member.
    pub viewer: Member,
    /// The CSRF token every form must carry.
    pub csrf: String,
    /// Open asks to the viewer (a count, no red badge).
    pub inbox_count: usize,
    /// The section this page belongs to.
    pub section: Section,
    /// The page title (before " · Baton").
    pub title: String,
}

impl Chrome {
    /// The layout for `signed_in` on a page titled `title` in `section`.
    pub async fn load(
        state: &AppState,
        signed_in: &SignedIn,
        section: Section,
        title: impl Into<String>,
    ) -> WebResult<Self> {
        let inbox_count =
            crate::services::asks::list(state, &signed_in.member, AskDirection::ToMember, true)
                .await?
                .len();
        Ok(Self {
            viewer: signed_in.member.clone(),
            csrf: signed_in.csrf_token(),
            inbox_count,
            section,
            title: title.into(),
        })
    }

    /// Whether the viewer administers the workspace (owners and admins).
    pub fn is_admin(&self) -> bool {
        matches!(self.viewer.role, Role::Owner | Role::Admin)
    }

    /// `aria-current` for the rail link of section `name` ("inbox", "spaces", "batons",
    /// "people", "settings", "admin"): "page" on the current section.
    pub fn current(&self, name: &str) -> &'static str {
        if self.section.name() == name {
            "page"
        } else {
            "false"
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use super::*;

    /// A value whose `Display` fails, as a template's field can.
    struct Unprintable;

    impl fmt::Display for Unprintable {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            Err(fmt::Error)
        }
    }

    #[derive(Template)]
    #[template(source = "<p>{{ value }}</p>", ext = "html")]
    struct Broken {
        value: Unprintable,
    }

    #[derive(Template)]
    #[template(source = "<p>{{ value }}</p>", ext = "html")]
    struct Fine {
        value: &'static str,
    }

    #[test]
    fn a_page_that_renders_answers_the_status_asked_for() {
        let page = Fine { value: "Name" };
        let response = render_with(&page, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(render(&page).status(), StatusCode::OK);
    }

    #[test]
    fn a_template_that_fails_answers_500_whatever_status_was_asked_for() {
        for asked in [
            StatusCode::OK,
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::UNPROCESSABLE_ENTITY,
        ] {
            let response = render_with(&Broken { value: Unprintable }, asked);
            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "asked for {asked}"
            );
        }
    }
}
