//! Browser sign-in: passwords checked against their argon2id hashes (throttled per account
//! and client address, `baton_core::throttle`, through the password gate), sessions started
//! and ended, the first-run workspace, and the account changes that must end sessions (a new
//! password). Cookie secrets are random; only their SHA-256 is stored.

use baton_core::model::{Member, NewSession, SessionInfo, Workspace};
use baton_core::role::Role;
use baton_core::schedule::{Day, ScheduleSpec, WeeklySpec};
use baton_core::throttle::{self, Keys, Throttled, Wait};
use baton_core::token::hash_token;
use baton_core::{Id, validate};
use baton_store::StoreError;
use jiff::{SignedDuration, Timestamp};

use super::error::{ServiceError, ServiceResult};
use super::members::{MemberInput, prepare_member};
use crate::live::Change;
use crate::state::AppState;

/// A session unused for this long has ended: the next request signs in again.
pub const IDLE_LIMIT: SignedDuration = SignedDuration::from_hours(72);
/// A session ends this long after it started, however busy: a stolen cookie works at most
/// this long, and the session cookie's `Max-Age` is no longer.
pub const LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// How stale `last_seen_at` may get before a request records a new one (bounds the writes a
/// busy reader causes to one per this interval).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(5);
/// The most workspaces whose member's password one attempt verifies: each verification costs
/// 19 MiB and tens of milliseconds. An email in more workspaces than this names the workspace
/// (`workspace` in the sign-in form or `POST /api/v1/tokens`) to reach the others.
pub const MAX_CANDIDATES: usize = 5;

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

/// A new random cookie secret and the session row that stores its hash.
fn new_session(member: Id, now: Timestamp) -> ServiceResult<(NewSession, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::internal(&e))?;
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
#[tracing::instrument(skip_all)]
pub async fn start(state: &AppState, member: &Member) -> ServiceResult<SignedIn> {
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
#[tracing::instrument(skip_all)]
pub async fn current(state: &AppState, secret: &str) -> ServiceResult<Option<SignedIn>> {
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
    /// The workspace chosen, when the email belongs to several.
    pub workspace: Option<Id>,
    /// The client's address, for per-address throttling.
    pub client: crate::client::ClientAddr,
}

/// What a right email and password open.
#[derive(Debug, Clone)]
pub enum Checked {
    /// One active member: sign them in.
    Member(Member),
    /// Members of several workspaces, and none was chosen: the caller asks which (these
    /// workspaces only, oldest first).
    Choose(Vec<Workspace>),
}

/// Checks an email and password and answers the active member they belong to: what sign-in
/// and `POST /api/v1/tokens` both rely on. The same message answers an unknown email, a wrong
/// password and a deactivated account, and an unknown email still costs one hash
/// verification, so neither the words nor the timing tell which it was.
///
/// # Errors
/// 429 with `Retry-After` while the account or the address is throttled (nothing verified);
/// 422 when nothing matches (the failure is counted); 503 when the password gate is full.
#[tracing::instrument(skip_all)]
pub async fn check_password(
    state: &AppState,
    credentials: &Credentials<'_>,
) -> ServiceResult<Checked> {
    let now = state.clock.now();
    let keys = Keys::new(credentials.email, credentials.client.0);
    let counters = state.store.throttle_counters(&keys.all()).await?;
    if let Some(wait) = keys.check(&counters, now) {
        return Err(throttled(wait));
    }
    let candidates = candidates(state, credentials).await?;
    let mut matched = Vec::new();
    if candidates.is_empty() {
        state.passwords.verify(credentials.password, None).await?;
    }
    for (workspace, member, hash) in candidates {
        if state
            .passwords
            .verify(credentials.password, hash.as_deref())
            .await?
        {
            matched.push((workspace, member));
        }
    }
    if matched.is_empty() {
        state
            .store
            .count_failures(&keys.failures(now), now, throttle::expired_before(now))
            .await?;
        return Err(ServiceError::invalid(
            "password",
            "This email and password do not match an active account.",
        ));
    }
    state.store.reset_counters(&keys.successes(), now).await?;
    if matched.len() == 1 {
        let (_, member) = matched.remove(0);
        return Ok(Checked::Member(member));
    }
    Ok(Checked::Choose(
        matched.into_iter().map(|(w, _)| w).collect(),
    ))
}

/// The active members with this email, with their workspaces and password hashes: in the
/// chosen workspace only, or in the first [`MAX_CANDIDATES`] workspaces that have one.
async fn candidates(
    state: &AppState,
    credentials: &Credentials<'_>,
) -> ServiceResult<Vec<(Workspace, Member, Option<String>)>> {
    let email = credentials.email.trim().to_lowercase();
    let mut found = Vec::new();
    for workspace in state.store.workspaces().await? {
        if credentials
            .workspace
            .is_some_and(|chosen| chosen != workspace.id)
        {
            continue;
        }
        match state.store.member_by_email(workspace.id, &email).await {
            Ok(member) if member.active => {
                let hash = state.store.password_hash(workspace.id, member.id).await?;
                found.push((workspace, member, hash));
                if found.len() == MAX_CANDIDATES {
                    break;
                }
            }
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(found)
}

/// A throttled attempt, saying whose failures hold it back and for how long.
fn throttled(wait: Wait) -> ServiceError {
    let seconds = wait.seconds();
    let when = match seconds {
        1 => "1 second".to_owned(),
        s if s < 90 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    };
    let whose = match wait.by {
        Throttled::Account => "for this account",
        Throttled::Address => "from your network",
    };
    ServiceError::Throttled {
        detail: format!("Too many failed sign-ins {whose}. Try again in {when}."),
        retry_after: seconds,
    }
}

/// What a sign-in leads to.
#[derive(Debug)]
pub enum SignInOutcome {
    /// A session started.
    SignedIn(Box<SignedIn>),
    /// The email and password open several workspaces: choose one.
    Choose(Vec<Workspace>),
}

/// Checks an email and password ([`check_password`]) and starts a session, or answers the
/// workspaces to choose from.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    credentials: &Credentials<'_>,
) -> ServiceResult<SignInOutcome> {
    match check_password(state, credentials).await? {
        Checked::Member(member) => Ok(SignInOutcome::SignedIn(Box::new(
            start(state, &member).await?,
        ))),
        Checked::Choose(workspaces) => Ok(SignInOutcome::Choose(workspaces)),
    }
}

/// Ends a session (sign-out).
#[tracing::instrument(skip_all)]
pub async fn sign_out(state: &AppState, signed_in: &SignedIn) -> ServiceResult<()> {
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
#[tracing::instrument(skip_all)]
pub async fn first_run(state: &AppState, input: &FirstRunInput) -> ServiceResult<SignedIn> {
    let now = state.clock.now();
    let workspace_name = validate::workspace_name(&input.workspace)?;
    let owner_input = MemberInput {
        email: input.email.clone(),
        name: input.name.clone(),
        timezone: input.timezone.clone(),
        password: Some(input.password.clone()),
        role: None,
    };
    let owner = state
        .passwords
        .run(move || prepare_member(&owner_input, Role::Owner, now))
        .await??;
    if input.days.is_empty() {
        return Err(ServiceError::invalid(
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
    .map_err(|e| ServiceError::invalid("start", e.message))?;
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
                constraint: baton_store::Constraint::WorkspaceExists,
            } => ServiceError::conflict("Baton is already set up. Sign in instead."),
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
#[tracing::instrument(skip_all)]
pub async fn needs_first_run(state: &AppState) -> ServiceResult<bool> {
    Ok(state.store.workspaces().await?.is_empty())
}

/// Changes the signed-in member's password after checking the current one. Every session of
/// the member ends (other browsers are signed out), and with `revoke_tokens` every API token
/// of theirs is revoked in the same transaction; the returned fresh session keeps this
/// browser signed in.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    signed_in: &SignedIn,
    current: &str,
    new: &str,
    revoke_tokens: bool,
) -> ServiceResult<SignedIn> {
    let member = &signed_in.member;
    let new =
        validate::password(new).map_err(|e| ServiceError::invalid("new_password", e.message))?;
    let stored = state
        .store
        .password_hash(member.workspace_id, member.id)
        .await?;
    if !state.passwords.verify(current, stored.as_deref()).await? {
        return Err(ServiceError::invalid(
            "current_password",
            "The current password is not right.",
        ));
    }
    let hash = state.passwords.hash(new).await?;
    state
        .store
        .set_password(
            member.workspace_id,
            member.id,
            &hash,
            state.clock.now(),
            revoke_tokens,
        )
        .await?;
    start(state, member).await
}

/// Changes the signed-in member's display name and time zone.
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    state: &AppState,
    member: &Member,
    name: &str,
    timezone: &str,
) -> ServiceResult<Member> {
    let name = validate::person_name(name)?;
    let timezone = validate::timezone(timezone)?;
    Ok(state
        .store
        .update_profile(member.workspace_id, member.id, &name, &timezone)
        .await?)
}
