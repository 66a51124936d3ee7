//! Reading a thread: the thread page, replying to it and following it.
//!
//! Owns: this page (posts as a document, the opening post first, the batons the thread
//! discusses, the follow button) and marking what was shown as read. Does not own: the
//! composer (`compose`) or who may read and post (`services::threads`).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_core::Id;
use baton_core::expectation::ExpectationKind;
use baton_core::model::{BatonStatus, Member, Post};
use baton_core::page::PageRequest;
use serde::Deserialize;

use super::compose::{ComposeForm, Composer, Draft, Mode, askable, compose_error};
use crate::error::ApiError;
use crate::services::sessions::SignedIn;
use crate::services::{access, relays, spaces, threads};
use crate::state::AppState;
use crate::web::auth::FieldError;
use crate::web::forms::CsrfForm;
use crate::web::inbox::People;
use crate::web::session::Viewer;
use crate::web::spaces::CursorQuery;
use crate::web::{Chrome, PageId, Section, WebResult, format, render_with};

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
    let notice = matches!(mode, Mode::Held).then_some(crate::web::urgent::HELD);
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
            urgent_left: crate::web::urgent::budget_line(state, me).await?,
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

/// `GET /threads/{id}`: the thread, marked read up to the last post shown.
pub(super) async fn read(
    State(state): State<AppState>,
    Viewer(signed_in): Viewer,
    PageId(id): PageId,
    query: Result<Query<CursorQuery>, QueryRejection>,
    notice: Result<Query<crate::web::urgent::UrgentNotice>, QueryRejection>,
) -> WebResult<Response> {
    let cursor = query.ok().and_then(|Query(q)| q.cursor);
    let mode = if notice.is_ok_and(|Query(n)| n.is_held()) {
        Mode::Held
    } else {
        Mode::Show
    };
    let draft = Draft::default();
    thread_page(&state, &signed_in, id, cursor.as_deref(), draft, mode, true).await
}

/// `POST /threads/{id}/posts`: sends the reply, previews it, or shows the page again with
/// the error next to its field.
pub(super) async fn reply(
    State(state): State<AppState>,
    PageId(thread): PageId,
    form: CsrfForm<ComposeForm>,
) -> WebResult<Response> {
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
                crate::web::urgent::held(urgent),
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
pub(super) struct FollowForm {
    #[serde(default)]
    following: String,
}

/// Follows or unfollows the thread, then shows it again.
pub(super) async fn set_following(
    State(state): State<AppState>,
    PageId(thread): PageId,
    form: CsrfForm<FollowForm>,
) -> WebResult<Response> {
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
