//! Browser sign-in: passwords checked against their argon2id hashes, sessions started and
//! ended, the first-run workspace, and the account changes that must end sessions (a new
//! password). Cookie secrets are random; only their SHA-256 is stored.

use std::collections::HashMap;
use std::sync::Mutex;

use baton_core::model::{Member, NewSession, SessionInfo, Workspace};
use baton_core::role::Role;
use baton_core::schedule::{Day, ScheduleSpec, WeeklySpec};
use baton_core::token::hash_token;
use baton_core::{Id, validate};
use baton_store::StoreError;
use jiff::{SignedDuration, Timestamp};

use super::members::{MemberInput, prepare_member};
use crate::error::{ApiError, ApiResult};
use crate::live::Change;
use crate::password;
use crate::state::AppState;

/// A session unused for this long has ended: the next request signs in again.
pub const IDLE_LIMIT: SignedDuration = SignedDuration::from_hours(72);
/// A session ends this long after it started, however busy: a stolen cookie works at most
/// this long, and the session cookie's `Max-Age` is no longer.
pub const LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// How stale `last_seen_at` may get before a request records a new one (bounds the writes a
/// busy reader causes to one per this interval).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(5);
/// Failed sign-ins allowed per email within [`FAILURE_WINDOW`].
const MAX_FAILURES: usize = 5;
/// The window over which failed sign-ins are counted.
const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// A signed-in browser: the member, their session, and the cookie secret that proves it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The member.
    pub member: Member,
    /// The session row.
    pub session: SessionInfo,
    /// The cookie secret (never stored; only its hash is).
    pub secret: String,
}

impl SignedIn {
    /// The CSRF token of this session: derived from the cookie secret, so it needs no storage,
    /// changes with every session and cannot be computed by a page that cannot read the cookie.
    pub fn csrf_token(&self) -> String {
        csrf_token(&self.secret)
    }
}

/// The CSRF token belonging to a session secret.
pub fn csrf_token(secret: &str) -> String {
    hash_token(&format!("csrf:{secret}"))
}

/// Counts failed sign-ins per email so password guessing is slowed to a few tries per window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Timestamp>>>,
}

impl LoginLimiter {
    /// How long until `email` may try again, if it has used up its attempts.
    fn blocked_for(&self, email: &str, now: Timestamp) -> Option<SignedDuration> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let list = failures.get_mut(email)?;
        list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
        if list.len() < MAX_FAILURES {
            return None;
        }
        let oldest = *list.iter().min()?;
        Some(FAILURE_WINDOW - now.duration_since(oldest))
    }

    fn record_failure(&self, email: &str, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, list| list.iter().any(|t| now.duration_since(*t) < FAILURE_WINDOW));
        }
        failures.entry(email.to_owned()).or_default().push(now);
    }

    fn clear(&self, email: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(email);
    }
}

/// A new random cookie secret and the session row that stores its hash.
fn new_session(member: Id, now: Timestamp) -> ApiResult<(NewSession, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(&e))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let session = NewSession {
        id: Id::random(),
        member_id: member,
        hash: hash_token(&secret),
        created_at: now,
    };
    Ok((session, secret))
}

/// Starts a fresh session for `member` (sign-in and password changes rotate the secret).
pub async fn start(state: &AppState, member: &Member) -> ApiResult<SignedIn> {
    let now = state.clock.now();
    let (session, secret) = new_session(member.id, now)?;
    let info = SessionInfo {
        id: session.id,
        created_at: now,
        last_seen_at: now,
    };
    state
        .store
        .create_session(member.workspace_id, session)
        .await?;
    Ok(SignedIn {
        member: member.clone(),
        session: info,
        secret,
    })
}

/// The live session a cookie secret names (used within [`IDLE_LIMIT`], started within
/// [`LIFETIME`]), recording its use every few minutes.
pub async fn current(state: &AppState, secret: &str) -> ApiResult<Option<SignedIn>> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let now = state.clock.now();
    let Some((session, member)) = state
        .store
        .session(&hash_token(secret), now - IDLE_LIMIT)
        .await?
    else {
        return Ok(None);
    };
    if now.duration_since(session.created_at) >= LIFETIME {
        return Ok(None);
    }
    if now.duration_since(session.last_seen_at) >= TOUCH_EVERY {
        state
            .store
            .touch_session(member.workspace_id, session.id, now)
            .await?;
    }
    Ok(Some(SignedIn {
        member,
        session,
        secret: secret.to_owned(),
    }))
}

/// Who is signing in: the credentials and where the attempt comes from.
#[derive(Debug, Clone)]
pub struct Credentials<'a> {
    /// The email, as typed.
    pub email: &'a str,
    /// The password, exactly as typed.
    pub password: &'a str,
    /// The client's address, for per-address throttling.
    pub client: crate::client::ClientAddr,
}

/// Checks an email and password and answers the active member they belong to: what sign-in
/// and `POST /api/v1/tokens` both rely on. The same message answers an unknown email, a wrong
/// password and a deactivated account, and an unknown email still costs one hash
/// verification, so neither the words nor the timing tell which it was.
pub async fn check_password(state: &AppState, credentials: &Credentials<'_>) -> ApiResult<Member> {
    let now = state.clock.now();
    let email = credentials.email.trim().to_lowercase();
    if let Some(wait) = state.login_limiter.blocked_for(&email, now) {
        let minutes = (wait.as_secs() + 59) / 60;
        return Err(ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed sign-ins for this email. Try again in {minutes} minutes."),
        ));
    }
    let mut found = None;
    for workspace in state.store.workspaces().await? {
        match state.store.member_by_email(workspace.id, &email).await {
            Ok(member) if member.active => {
                let hash = state.store.password_hash(workspace.id, member.id).await?;
                found = Some((member, hash));
                break;
            }
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (member, hash) = found.unzip();
    let verified =
        password::verify_off_thread(credentials.password, hash.flatten().as_deref()).await;
    let Some(member) = member.filter(|_| verified) else {
        state.login_limiter.record_failure(&email, now);
        return Err(ApiError::invalid(
            "password",
            "This email and password do not match an active account.",
        ));
    };
    state.login_limiter.clear(&email);
    Ok(member)
}

/// Checks an email and password ([`check_password`]) and starts a session.
pub async fn sign_in(state: &AppState, credentials: &Credentials<'_>) -> ApiResult<SignedIn> {
    let member = check_password(state, credentials).await?;
    start(state, &member).await
}

/// Ends a session (sign-out).
pub async fn sign_out(state: &AppState, signed_in: &SignedIn) -> ApiResult<()> {
    state
        .store
        .end_session(
            signed_in.member.workspace_id,
            signed_in.session.id,
            state.clock.now(),
        )
        .await?;
    state.live.publish(Change::of_member(
        signed_in.member.workspace_id,
        signed_in.member.id,
    ));
    Ok(())
}

/// What the first-run page asks for.
#[derive(Debug, Clone, Default)]
pub struct FirstRunInput {
    /// Workspace name.
    pub workspace: String,
    /// The owner's name.
    pub name: String,
    /// The owner's email.
    pub email: String,
    /// The owner's password.
    pub password: String,
    /// The owner's IANA zone.
    pub timezone: String,
    /// Days the owner usually works.
    pub days: Vec<Day>,
    /// Usual start, `HH:MM`.
    pub start: String,
    /// Usual end, `HH:MM`.
    pub end: String,
}

/// Creates the first workspace and its owner, with the owner's usual working hours, and signs
/// the owner in. Refused once any workspace exists.
pub async fn first_run(state: &AppState, input: &FirstRunInput) -> ApiResult<SignedIn> {
    let now = state.clock.now();
    let workspace_name = validate::workspace_name(&input.workspace)?;
    let owner = prepare_member(
        &MemberInput {
            email: input.email.clone(),
            name: input.name.clone(),
            timezone: input.timezone.clone(),
            password: Some(input.password.clone()),
            role: None,
        },
        Role::Owner,
        now,
    )?;
    if input.days.is_empty() {
        return Err(ApiError::invalid(
            "days",
            "Pick at least one day you usually work.",
        ));
    }
    let mut weekly = WeeklySpec::default();
    for day in &input.days {
        weekly
            .day_mut(*day)
            .push([input.start.clone(), input.end.clone()]);
    }
    let schedule = baton_core::schedule::Schedule::new(ScheduleSpec {
        timezone: owner.timezone.clone(),
        weekly,
        time_off: Vec::new(),
        focus: Vec::new(),
    })
    .map_err(|e| ApiError::invalid("start", e.message))?;
    let workspace = Workspace {
        id: Id::random(),
        name: workspace_name,
        created_at: now,
    };
    let (session, secret) = new_session(owner.id, now)?;
    let session_id = session.id;
    let owner_id = owner.id;
    state
        .store
        .first_run(workspace.clone(), owner, session)
        .await
        .map_err(|e| match e {
            StoreError::Conflict {
                constraint: "workspace_exists",
            } => ApiError::conflict("Baton is already set up. Sign in instead."),
            e => e.into(),
        })?;
    state
        .store
        .set_schedule(workspace.id, owner_id, schedule.into(), now)
        .await?;
    let member = state.store.member(workspace.id, owner_id).await?;
    Ok(SignedIn {
        member,
        session: SessionInfo {
            id: session_id,
            created_at: now,
            last_seen_at: now,
        },
        secret,
    })
}

/// Whether Baton still needs its first-run setup.
pub async fn needs_first_run(state: &AppState) -> ApiResult<bool> {
    Ok(state.store.workspaces().await?.is_empty())
}

/// Changes the signed-in member's password after checking the current one. Every session of
/// the member ends (other browsers are signed out); the returned fresh session keeps this
/// browser signed in.
pub async fn change_password(
    state: &AppState,
    signed_in: &SignedIn,
    current: &str,
    new: &str,
) -> ApiResult<SignedIn> {
    let member = &signed_in.member;
    let stored = state
        .store
        .password_hash(member.workspace_id, member.id)
        .await?;
    if !password::verify_off_thread(current, stored.as_deref()).await {
        return Err(ApiError::invalid(
            "current_password",
            "The current password is not right.",
        ));
    }
    let hash = password::hash(
        validate::password(new).map_err(|e| ApiError::invalid("new_password", e.message))?,
    )
    .map_err(|e| ApiError::internal(&e))?;
    state
        .store
        .set_password(member.workspace_id, member.id, &hash, state.clock.now())
        .await?;
    start(state, member).await
}

/// Changes the signed-in member's display name and time zone.
pub async fn update_profile(
    state: &AppState,
    member: &Member,
    name: &str,
    timezone: &str,
) -> ApiResult<Member> {
    let name = validate::person_name(name)?;
    let timezone = validate::timezone(timezone)?;
    Ok(state
        .store
        .update_profile(member.workspace_id, member.id, &name, &timezone)
        .await?)
}
