//! Threads: reading a thread like a document, replying with the composer, starting a thread.
//!
//! Owns: these pages, the composer form they share (body, Markdown preview, and the
//! expectation picker: FYI, "reply within N working hours" or "Urgent", from whom), and the
//! preview of each asked person's due time, or for Urgent of who is told now and who at their
//! next working start (`web::urgent`), with the sender's remaining urgent budget. Does not own: the rules for expectations and due times
//! (`baton_core::expectation`, `services::asks::plan`) or writing posts (`services::threads`);
//! the form is mapped onto the same service inputs the JSON API uses.
//!
//! An urgent post over the sender's weekly budget goes out as ordinary; the page it redirects
//! to says so (`?urgent=held`).

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::expectation::{Expectation, ExpectationKind};
use baton_core::model::{BatonStatus, Member, Post, Space};
use baton_core::page::PageRequest;
use baton_core::{Id, markdown};
use serde::Deserialize;

use super::auth::FieldError;
use super::forms::{CsrfForm, Fields};
use super::inbox::{People, TheirTime};
use super::session::Viewer;
use super::spaces::{CursorQuery, form_error, page_id, render_with};
use super::{Chrome, Section, WebResult, format, render};
use crate::error::{ApiError, ApiResult};
use crate::extract::ids;
use crate::services::sessions::SignedIn;
use crate::services::threads::ExpectationInput;
use crate::services::{access, asks, relays, spaces, threads};
use crate::state::AppState;

/// Working hours a new "Reply within" starts at: one working day.
const DEFAULT_HOURS: &str = "8";

/// Thread pages and the new-thread form.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces/{id}/threads/new", get(new_thread))
        .route("/spaces/{id}/threads", post(start_thread))
        .route("/spaces/{id}/threads/preview", post(new_thread_preview))
        .route("/threads/{id}", get(read))
        .route("/threads/{id}/posts", post(reply))
        .route("/threads/{id}/preview", post(reply_preview))
        .route("/threads/{id}/following", post(set_following))
}

/// The composer's fields as posted. The new-thread form adds `title`; `ask` (one checkbox per
/// person) is read from the raw fields because it repeats.
#[derive(Debug, Clone, Deserialize)]
struct ComposeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    expect: String,
    #[serde(default)]
    within_hours: String,
    #[serde(default)]
    intent: String,
}

/// What the person has written so far, kept across previews and failed sends.
#[derive(Debug, Clone)]
struct Draft {
    title: String,
    body: String,
    /// "", "fyi", "reply" or "urgent" ("" when the form did not say: no expectation).
    expect: String,
    within_hours: String,
    /// Member ids ticked under "from whom".
    asked: Vec<String>,
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
    fn from_form(form: ComposeForm, fields: &Fields) -> Self {
        Self {
            title: form.title,
            body: form.body,
            expect: form.expect,
            within_hours: form.within_hours,
            asked: fields.all("ask").map(str::to_owned).collect(),
        }
    }

    /// Whether "Reply within" is chosen.
    fn is_reply(&self) -> bool {
        self.expect == "reply"
    }

    /// Whether "Urgent" is chosen.
    fn is_urgent(&self) -> bool {
        self.expect == "urgent"
    }

    /// Whether person `id` is ticked.
    fn asks(&self, id: &str) -> bool {
        self.asked.iter().any(|a| a == id)
    }

    /// The picker as the service input the JSON API also builds. FYI asks nobody, so the
    /// hours box and any ticked people are not sent with it.
    fn expectation(&self) -> ApiResult<Option<ExpectationInput>> {
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
fn compose_error(e: ApiError) -> WebResult<(FieldError, StatusCode)> {
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

/// The rendered preview: the Markdown as it will look, and when each asked person's reply
/// will be due, in their time and the viewer's.
#[derive(Debug, Default)]
struct Preview {
    /// Sanitized by `markdown::render`, the same function that renders stored posts.
    html: String,
    dues: Vec<TheirTime>,
    /// For Urgent: who is told now and who later (see `web::urgent::preview`).
    urgent: Vec<String>,
    /// Why the due times cannot be shown (only in the in-place preview, which has no field
    /// to put the message next to).
    problem: Option<String>,
}

/// Each asked person's due time, from the same planning a sent post uses.
async fn due_times(
    state: &AppState,
    me: &Member,
    space: &Space,
    people: &mut People,
    draft: &Draft,
) -> ApiResult<Vec<TheirTime>> {
    let Some(input) = draft.expectation()? else {
        return Ok(Vec::new());
    };
    let expectation = Expectation::validate(input.kind, input.within_minutes, input.of)?;
    let now = state.clock.now();
    let asked = access::addressees(state, me, space, Some(&expectation)).await?;
    let planned = asks::plan(state, Some(&expectation), &asked, now).await?;
    let mut dues = Vec::with_capacity(planned.len());
    for ask in planned {
        let person = people.get(state, me, ask.to_id).await?;
        dues.push(TheirTime::new(ask.due_at, person, me, now));
    }
    Ok(dues)
}

/// The preview of `draft` (a reply in `thread`, or a new thread's opening post), with the
/// error that keeps its due times from being shown.
async fn preview(
    state: &AppState,
    me: &Member,
    space: &Space,
    thread: Option<Id>,
    members: &[Member],
    draft: &Draft,
) -> WebResult<(Preview, FieldError, StatusCode)> {
    let mut people = People::with(members);
    let html = markdown::render(&draft.body);
    let planned = match due_times(state, me, space, &mut people, draft).await {
        Ok(dues) if draft.is_urgent() => {
            let urgent =
                super::urgent::preview(state, me, space, thread, &mut people, &draft.asked);
            urgent.await.map(|urgent| (dues, urgent))
        }
        Ok(dues) => Ok((dues, Vec::new())),
        Err(e) => Err(e),
    };
    match planned {
        Ok((dues, urgent)) => Ok((
            Preview {
                html,
                dues,
                urgent,
                problem: None,
            },
            FieldError::default(),
            StatusCode::OK,
        )),
        Err(e) => {
            let (error, status) = compose_error(e)?;
            let preview = Preview {
                html,
                ..Preview::default()
            };
            Ok((preview, error, status))
        }
    }
}

/// The composer as a template shows it.
struct Composer {
    /// "2 of 3 urgent interrupts left this week…", next to the Urgent choice.
    urgent_left: String,
    draft: Draft,
    /// Who can be asked: the space's active members other than the viewer, (id, name).
    people: Vec<(String, String)>,
    /// Where the in-place (htmx) preview posts.
    preview_url: String,
    body_label: &'static str,
    send_label: &'static str,
    preview: Option<Preview>,
}

fn askable(members: &[Member], me: &Member) -> Vec<(String, String)> {
    members
        .iter()
        .filter(|m| m.active && m.id != me.id)
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect()
}

/// What the page is rendered for.
enum Mode {
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
    async fn resolve(
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

// ---- Starting a thread ----

#[derive(Template)]
#[template(path = "thread_new.html")]
struct NewThreadPage {
    chrome: Chrome,
    space_id: String,
    space_name: String,
    composer: Composer,
    error: FieldError,
}

async fn new_thread_page(
    state: &AppState,
    signed_in: &SignedIn,
    space: Id,
    draft: Draft,
    mode: Mode,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let space = access::visible_space(state, me, space).await?;
    let members = spaces::members(state, me, space.id, PageRequest::largest())
        .await?
        .items;
    let (preview, error, status) = mode
        .resolve(state, me, &space, None, &members, &draft)
        .await?;
    let page = NewThreadPage {
        chrome: Chrome::load(state, signed_in, Section::Spaces, "New thread").await?,
        space_id: space.id.to_string(),
        space_name: space.name.clone(),
        composer: Composer {
            urgent_left: super::urgent::budget_line(state, me).await?,
            draft,
            people: askable(&members, me),
            preview_url: format!("/spaces/{}/threads/preview", space.id),
            body_label: "Message",
            send_label: "Start thread",
            preview,
        },
        error,
    };
    Ok(render_with(&page, status))
}

async fn new_thread(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    Path(id): Path<String>,
) -> WebResult<Response> {
    new_thread_page(
        &state,
        &signed_in,
        page_id(&id)?,
        Draft::default(),
        Mode::Show,
    )
    .await
}

async fn start_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let space = page_id(&id)?;
    let preview_only = form.value.intent == "preview";
    let draft = Draft::from_form(form.value, &form.fields);
    if preview_only {
        return new_thread_page(&state, &form.viewer, space, draft, Mode::Preview).await;
    }
    let created = match draft.expectation() {
        Ok(exp) => threads::start_thread(
            &state,
            &form.viewer.member,
            space,
            &draft.title,
            &draft.body,
            exp,
            None,
        )
        .await
        .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match created {
        Ok((created, urgent)) => {
            let thread = created.thread.id;
            Ok(
                Redirect::to(&format!("/threads/{thread}{}", super::urgent::held(urgent)))
                    .into_response(),
            )
        }
        Err(e) => {
            let (error, status) = compose_error(e)?;
            let mode = Mode::Failed(error, status);
            new_thread_page(&state, &form.viewer, space, draft, mode).await
        }
    }
}

// ---- Reading and replying ----

/// A post as the thread page shows it.
struct PostView {
    id: String,
    author: String,
    time: String,
    datetime: String,
    /// Sanitized HTML (made by `markdown::render` when the post was written).
    html: String,
    edited: bool,
    /// What the post asked, in words ("Asks Ana and Ben to reply within 4 working hours.").
    asks: Option<String>,
}

/// "Ana", "Ana and Ben", "Ana, Ben and Cy".
fn names(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

async fn post_view(
    state: &AppState,
    me: &Member,
    people: &mut People,
    post: &Post,
) -> WebResult<PostView> {
    let mut asks = None;
    if let Some(exp) = &post.expectation {
        let mut asked = Vec::with_capacity(exp.of.len());
        for id in &exp.of {
            asked.push(people.get(state, me, *id).await?.name.clone());
        }
        asks = match (exp.kind, exp.within_minutes) {
            (ExpectationKind::Reply, Some(minutes)) => Some(format!(
                "Asks {} to reply within {}.",
                names(&asked),
                format::working(i64::from(minutes))
            )),
            (ExpectationKind::Urgent, _) if asked.is_empty() => Some("Marked urgent.".to_owned()),
            (ExpectationKind::Urgent, _) => Some(format!("Marked urgent for {}.", names(&asked))),
            _ => None,
        };
    }
    Ok(PostView {
        id: post.id.to_string(),
        author: people.get(state, me, post.author_id).await?.name.clone(),
        time: format::day_time(post.created_at, &me.timezone),
        datetime: format::machine(post.created_at, &me.timezone),
        html: post.html.clone(),
        edited: post.edited_at.is_some(),
        asks,
    })
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    chrome: Chrome,
    thread_id: String,
    space_id: String,
    space_name: String,
    /// The opening post, on the first page only.
    brief: Option<PostView>,
    replies: Vec<PostView>,
    next_cursor: Option<String>,
    composer: Composer,
    error: FieldError,
    /// Shown after an urgent post over the sender's budget.
    notice: Option<&'static str>,
    /// The batons whose work this thread discusses.
    batons: Vec<ThreadBaton>,
    /// Whether the viewer follows the thread (hears of its replies at their windows).
    following: bool,
}

/// A baton linked to the thread, as the thread page names it.
struct ThreadBaton {
    id: String,
    title: String,
    holder: String,
    done: bool,
}

/// Renders the thread page. `mark_read` is set when the viewer is reading (not re-rendering a
/// form they posted), and marks the thread read up to the last post shown.
async fn thread_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: Id,
    cursor: Option<&str>,
    draft: Draft,
    mode: Mode,
    mark_read: bool,
) -> WebResult<Response> {
    let me = &signed_in.member;
    let page = PageRequest::parse(cursor, None).map_err(ApiError::from)?;
    let (thread, posts) = threads::read_thread(state, me, id, page).await?;
    let space = access::visible_space(state, me, thread.space_id).await?;
    let members = spaces::members(state, me, space.id, PageRequest::largest())
        .await?
        .items;
    if let Some(last) = posts.items.last().filter(|_| mark_read) {
        threads::mark_read(state, me, thread.id, Some(last.id)).await?;
    }
    let notice = matches!(mode, Mode::Held).then_some(super::urgent::HELD);
    let (preview, error, status) = mode
        .resolve(state, me, &space, Some(thread.id), &members, &draft)
        .await?;

    let mut people = People::with(&members);
    let mut views = Vec::with_capacity(posts.items.len());
    for post in &posts.items {
        views.push(post_view(state, me, &mut people, post).await?);
    }
    let mut batons = Vec::new();
    for baton in relays::batons_of_thread(state, me, &thread).await? {
        batons.push(ThreadBaton {
            id: baton.id.to_string(),
            title: baton.title.clone(),
            holder: people.get(state, me, baton.holder_id).await?.name.clone(),
            done: baton.status == BatonStatus::Done,
        });
    }
    let brief = if cursor.is_none() && !views.is_empty() {
        Some(views.remove(0))
    } else {
        None
    };
    let page = ThreadPage {
        chrome: Chrome::load(state, signed_in, Section::Spaces, thread.title.clone()).await?,
        thread_id: thread.id.to_string(),
        space_id: space.id.to_string(),
        space_name: space.name.clone(),
        brief,
        replies: views,
        next_cursor: posts.next_cursor,
        composer: Composer {
            urgent_left: super::urgent::budget_line(state, me).await?,
            draft,
            people: askable(&members, me),
            preview_url: format!("/threads/{}/preview", thread.id),
            body_label: "Reply",
            send_label: "Send",
            preview,
        },
        error,
        notice,
        batons,
        following: state
            .store
            .following(me.workspace_id, me.id, thread.id)
            .await?,
    };
    Ok(render_with(&page, status))
}

async fn read(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    Path(id): Path<String>,
    query: Result<Query<CursorQuery>, QueryRejection>,
    notice: Result<Query<super::urgent::UrgentNotice>, QueryRejection>,
) -> WebResult<Response> {
    let cursor = query.ok().and_then(|Query(q)| q.cursor);
    let mode = if notice.is_ok_and(|Query(n)| n.is_held()) {
        Mode::Held
    } else {
        Mode::Show
    };
    let id = page_id(&id)?;
    let draft = Draft::default();
    thread_page(&state, &signed_in, id, cursor.as_deref(), draft, mode, true).await
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let thread = page_id(&id)?;
    let preview_only = form.value.intent == "preview";
    let draft = Draft::from_form(form.value, &form.fields);
    let signed_in = &form.viewer;
    if preview_only {
        return thread_page(&state, signed_in, thread, None, draft, Mode::Preview, false).await;
    }
    let posted = match draft.expectation() {
        Ok(exp) => threads::reply(&state, &signed_in.member, thread, &draft.body, exp, None)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match posted {
        Ok((post, urgent)) => {
            let to = format!(
                "/threads/{thread}{}#post-{}",
                super::urgent::held(urgent),
                post.id
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let (error, status) = compose_error(e)?;
            let mode = Mode::Failed(error, status);
            thread_page(&state, signed_in, thread, None, draft, mode, false).await
        }
    }
}

/// The follow button's form: `following` is `true` or `false`.
#[derive(Debug, Deserialize)]
struct FollowForm {
    #[serde(default)]
    following: String,
}

/// Follows or unfollows the thread, then shows it again.
async fn set_following(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<FollowForm>,
) -> WebResult<Response> {
    let thread = page_id(&id)?;
    let following = match form.value.following.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(
                ApiError::invalid("following", "Choose whether to follow the thread.").into(),
            );
        }
    };
    threads::set_following(&state, &form.viewer.member, thread, following).await?;
    Ok(Redirect::to(&format!("/threads/{thread}")).into_response())
}

// ---- The in-place preview (htmx) ----

/// Just the preview, swapped into the page by htmx. Always 200 (htmx does not swap error
/// responses); a problem is shown inside the fragment instead.
#[derive(Template)]
#[template(path = "thread_preview.html")]
struct PreviewFragment {
    preview: Preview,
}

async fn preview_fragment(
    state: &AppState,
    me: &Member,
    space: &Space,
    thread: Option<Id>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let draft = Draft::from_form(form.value, &form.fields);
    let members = spaces::members(state, me, space.id, PageRequest::largest())
        .await?
        .items;
    let (mut preview, error, _) = preview(state, me, space, thread, &members, &draft).await?;
    if !error.message.is_empty() {
        preview.problem = Some(error.message);
    }
    Ok(render(&PreviewFragment { preview }))
}

async fn new_thread_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let me = form.viewer.member.clone();
    let space = access::visible_space(&state, &me, page_id(&id)?).await?;
    preview_fragment(&state, &me, &space, None, form).await
}

async fn reply_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
    let me = form.viewer.member.clone();
    let (thread, space) = access::visible_thread_in_space(&state, &me, page_id(&id)?).await?;
    preview_fragment(&state, &me, &space, Some(thread.id), form).await
}
