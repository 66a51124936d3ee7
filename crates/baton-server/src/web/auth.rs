//! Getting in and out: the first-run page that creates the workspace and its owner (from this
//! machine, or with the setup code `baton serve` printed), sign-in, sign-out, and `/` sending
//! each visitor where they belong.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baton_core::schedule::Day;
use serde::Deserialize;

use super::forms::{AnonForm, CsrfForm, anon_csrf, set_anon_csrf};
use super::session::{Viewer, clear_cookie, start_cookie};
use super::{WebResult, render_with};
use crate::client::ClientAddr;
use crate::error::ApiError;
use crate::services::sessions::{self, FirstRunInput, SignInOutcome, SignedIn};
use crate::state::AppState;

/// `/`, `/setup`, `/signin`, `/signout`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/setup", get(setup_page).post(setup))
        .route("/signin", get(signin_page).post(signin))
        .route("/signout", post(signout))
}

/// A form error shown next to its field.
#[derive(Debug, Clone, Default)]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldError {
    /// The error of a failed service call, placed at its field (or at `fallback`).
    pub fn from_api(e: &ApiError, fallback: &str) -> Self {
        Self {
            field: e.field().unwrap_or(fallback).to_owned(),
            message: e.detail().to_owned(),
        }
    }

    /// The message if it belongs to `field`.
    pub fn at(&self, field: &str) -> Option<&str> {
        (self.field == field).then_some(self.message.as_str())
    }
}

async fn home(State(state): State<AppState>, viewer: Option<Viewer>) -> WebResult<Redirect> {
    if viewer.is_some() {
        return Ok(Redirect::to("/inbox"));
    }
    if sessions::needs_first_run(&state).await? {
        return Ok(Redirect::to("/setup"));
    }
    Ok(Redirect::to("/signin"))
}

/// Longest `next` kept; anything longer is not a link of ours.
const MAX_NEXT: usize = 2048;

/// A safe place to return to after sign-in: a path on this site, never another host.
///
/// Only a relative path of plain characters passes: `/` then letters, digits and `-._~/?=&%`,
/// with no `//` or `/\` at the start and every `%` followed by two hex digits that do not
/// encode a control character, a slash or a backslash. Anything else goes to the inbox.
/// Browsers drop tabs and newlines from URLs and some read `\` as `/`, so `/%09/evil.example`
/// or `/\evil.example` would leave the site; a raw newline would not even fit in a header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_safe_path(n) => n.to_owned(),
        _ => "/inbox".to_owned(),
    }
}

fn is_safe_path(next: &str) -> bool {
    let bytes = next.as_bytes();
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~/?=&".contains(&b);
    if bytes.len() > MAX_NEXT || bytes.first() != Some(&b'/') || bytes.get(1) == Some(&b'/') {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let Some(decoded) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    return false;
                };
                if decoded.is_ascii_control() || decoded == b'/' || decoded == b'\\' {
                    return false;
                }
                i += 3;
            }
            b if plain(b) => i += 1,
            _ => return false,
        }
    }
    true
}

/// Completes a sign-in: the session cookie on a redirect to `next`.
fn signed_in_response(state: &AppState, signed_in: &SignedIn, next: &str) -> Response {
    let mut response = Redirect::to(next).into_response();
    start_cookie(&mut response, state, signed_in);
    response
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    csrf: String,
    /// Whether to ask for the setup code (the client is not on this machine).
    ask_code: bool,
    form: SetupForm,
    days: Vec<(&'static str, &'static str, bool)>,
    zones: &'static [String],
    error: FieldError,
}

/// The first-run form.
#[derive(Debug, Clone, Deserialize)]
struct SetupForm {
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default = "utc")]
    timezone: String,
    #[serde(default = "nine")]
    start: String,
    #[serde(default = "five")]
    end: String,
    #[serde(default)]
    setup_code: String,
}

fn utc() -> String {
    "UTC".into()
}
fn nine() -> String {
    "09:00".into()
}
fn five() -> String {
    "17:00".into()
}

const DAY_NAMES: [(Day, &str, &str); 7] = [
    (Day::Mon, "mon", "Mon"),
    (Day::Tue, "tue", "Tue"),
    (Day::Wed, "wed", "Wed"),
    (Day::Thu, "thu", "Thu"),
    (Day::Fri, "fri", "Fri"),
    (Day::Sat, "sat", "Sat"),
    (Day::Sun, "sun", "Sun"),
];

/// Whether a first-run request surely comes from this machine, so it needs no setup code.
/// A loopback peer alone does not say so without `--trust-proxy`: a reverse proxy on this
/// machine relays everyone from loopback. A forwarding header, or a base URL on a name other
/// than this machine's (people reach such a server through a proxy or from elsewhere), gives
/// the proxy away. Behind a trusted proxy the client address is already the proxy's client.
fn on_this_machine(state: &AppState, client: ClientAddr, headers: &HeaderMap) -> bool {
    if !client.is_loopback() {
        return false;
    }
    if state.web.trust_proxy {
        return true;
    }
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    let public_name = state
        .web
        .base_url
        .as_ref()
        .is_some_and(|b| !b.is_loopback());
    !forwarded && !public_name
}

fn setup_response(
    state: &AppState,
    headers: &HeaderMap,
    ask_code: bool,
    mut form: SetupForm,
    days: &[Day],
    error: FieldError,
    status: StatusCode,
) -> Response {
    let (csrf, new_cookie) = anon_csrf(state, headers);
    // A page never shows a password or a setup code back.
    form.password.clear();
    form.setup_code.clear();
    let page = SetupPage {
        csrf,
        ask_code,
        form,
        days: DAY_NAMES
            .iter()
            .map(|(d, value, label)| (*value, *label, days.contains(d)))
            .collect(),
        zones: super::format::zone_names(),
        error,
    };
    let mut response = render_with(&page, status);
    set_anon_csrf(&mut response, state, new_cookie);
    response
}

async fn setup_page(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> WebResult<Response> {
    if !sessions::needs_first_run(&state).await? {
        return Ok(Redirect::to("/signin").into_response());
    }
    let form = SetupForm {
        workspace: String::new(),
        name: String::new(),
        email: String::new(),
        password: String::new(),
        timezone: utc(),
        start: nine(),
        end: five(),
        setup_code: String::new(),
    };
    Ok(setup_response(
        &state,
        &headers,
        !on_this_machine(&state, client, &headers),
        form,
        &[Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
        FieldError::default(),
        StatusCode::OK,
    ))
}

async fn setup(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: AnonForm<SetupForm>,
) -> WebResult<Response> {
    let ask_code = !on_this_machine(&state, client, &headers);
    let days: Vec<Day> = form
        .fields
        .all("days")
        .filter_map(|v| {
            DAY_NAMES
                .iter()
                .find(|(_, name, _)| *name == v)
                .map(|(d, _, _)| *d)
        })
        .collect();
    if ask_code && !state.setup_code.matches(&form.value.setup_code) {
        let message = if form.value.setup_code.trim().is_empty() {
            "From another machine, Baton is set up only with the setup code it printed when it \
             started. Enter it here."
        } else {
            "This is not the setup code. Use the one Baton printed when it last started."
        };
        let error = FieldError {
            field: "setup_code".into(),
            message: message.into(),
        };
        let status = StatusCode::FORBIDDEN;
        let response = setup_response(&state, &headers, true, form.value, &days, error, status);
        return Ok(response);
    }
    let f = &form.value;
    let input = FirstRunInput {
        workspace: f.workspace.clone(),
        name: f.name.clone(),
        email: f.email.clone(),
        password: f.password.clone(),
        timezone: f.timezone.clone(),
        days: days.clone(),
        start: f.start.clone(),
        end: f.end.clone(),
    };
    match sessions::first_run(&state, &input)
        .await
        .map_err(ApiError::from)
    {
        Ok(signed_in) => {
            state.setup_code.retire();
            Ok(signed_in_response(&state, &signed_in, "/inbox"))
        }
        Err(e) if e.status().is_client_error() => Ok(setup_response(
            &state,
            &headers,
            ask_code,
            form.value,
            &days,
            FieldError::from_api(&e, "workspace"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    csrf: String,
    email: String,
    next: String,
    hint: Option<&'a str>,
    /// The workspaces to choose from (id, name), when the email and password opened several.
    workspaces: Vec<(String, String)>,
    error: FieldError,
}

#[derive(Debug, Deserialize)]
struct SigninQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SigninForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// The workspace chosen on the page that asked which.
    workspace: Option<String>,
}

/// What the sign-in page shows besides its form.
#[derive(Default)]
struct SigninShown {
    email: String,
    workspaces: Vec<(String, String)>,
    error: FieldError,
}

fn signin_response(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    shown: SigninShown,
    status: StatusCode,
) -> Response {
    let (csrf, new_cookie) = anon_csrf(state, headers);
    let page = SigninPage {
        csrf,
        email: shown.email,
        next,
        hint: state.web.sign_in_hint.as_deref(),
        workspaces: shown.workspaces,
        error: shown.error,
    };
    let mut response = render_with(&page, status);
    set_anon_csrf(&mut response, state, new_cookie);
    response
}

async fn signin_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Option<Viewer>,
    Query(query): Query<SigninQuery>,
) -> WebResult<Response> {
    let next = safe_next(query.next.as_deref());
    if viewer.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    if sessions::needs_first_run(&state).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    Ok(signin_response(
        &state,
        &headers,
        next,
        SigninShown::default(),
        StatusCode::OK,
    ))
}

async fn signin(
    State(state): State<AppState>,
    client: crate::client::ClientAddr,
    headers: HeaderMap,
    form: AnonForm<SigninForm>,
) -> WebResult<Response> {
    let f = form.value;
    let next = safe_next(f.next.as_deref());
    let credentials = sessions::Credentials {
        email: &f.email,
        password: &f.password,
        // A value no form of ours sends counts as no choice.
        workspace: f.workspace.as_deref().and_then(|w| w.parse().ok()),
        client,
    };
    match sessions::sign_in(&state, &credentials)
        .await
        .map_err(ApiError::from)
    {
        Ok(SignInOutcome::SignedIn(signed_in)) => Ok(signed_in_response(&state, &signed_in, &next)),
        Ok(SignInOutcome::Choose(workspaces)) => {
            let shown = SigninShown {
                email: f.email,
                workspaces: workspaces
                    .into_iter()
                    .map(|w| (w.id.to_string(), w.name))
                    .collect(),
                error: FieldError::default(),
            };
            Ok(signin_response(
                &state,
                &headers,
                next,
                shown,
                StatusCode::OK,
            ))
        }
        // Throttled (429) and busy (503) answers show the form again, saying when to retry.
        Err(e) if e.status().is_client_error() || e.retry_after().is_some() => {
            let shown = SigninShown {
                email: f.email,
                workspaces: Vec::new(),
                error: FieldError::from_api(&e, "password"),
            };
            let mut response = signin_response(&state, &headers, next, shown, e.status());
            if let Some(seconds) = e.retry_after() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, seconds.into());
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn signout(State(state): State<AppState>, form: CsrfForm<Empty>) -> WebResult<Response> {
    sessions::sign_out(&state, &form.viewer).await?;
    let mut response = Redirect::to("/signin").into_response();
    clear_cookie(&mut response, &state);
    Ok(response)
}
