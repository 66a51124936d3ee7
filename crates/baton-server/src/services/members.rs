//! Members and their API tokens: creation by admins, tokens for self or by admins, roles and
//! deactivation.

use baton_core::model::{Member, NewMember, NewToken, TokenInfo};
use baton_core::role::Role;
use baton_core::token::{format_token, hash_token};
use baton_core::{Id, validate};
use baton_store::IdempotencyKey;

use super::access::{missing, workspace_member};
use crate::error::{ApiError, ApiResult};
use crate::live::Change;
use crate::password;
use crate::state::AppState;

/// What an admin supplies to add a member.
#[derive(Debug, Clone)]
pub struct MemberInput {
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// IANA zone.
    pub timezone: String,
    /// Optional initial password.
    pub password: Option<String>,
    /// Role; member when absent.
    pub role: Option<String>,
}

/// Validates a new member's fields and hashes the password, without writing anything.
///
/// # Errors
/// 422 naming the first invalid field.
pub fn prepare_member(
    input: &MemberInput,
    role: Role,
    now: jiff::Timestamp,
) -> ApiResult<NewMember> {
    let email = validate::email(&input.email)?;
    let name = validate::person_name(&input.name)?;
    let timezone = validate::timezone(&input.timezone)?;
    let password_hash = match input.password.as_deref() {
        Some(p) => {
            Some(password::hash(validate::password(p)?).map_err(|e| ApiError::internal(&e))?)
        }
        None => None,
    };
    Ok(NewMember {
        id: Id::random(),
        email,
        name,
        timezone,
        role,
        password_hash,
        created_at: now,
    })
}

/// Adds a member to the caller's workspace. Admins only; only owners make admins.
pub async fn create_member(
    state: &AppState,
    caller: &Member,
    input: MemberInput,
    idem: Option<&IdempotencyKey>,
) -> ApiResult<Member> {
    if !caller.role.is_admin() {
        return Err(ApiError::forbidden(
            "Only workspace admins can add members.",
        ));
    }
    let role = input
        .role
        .as_deref()
        .map(Role::parse)
        .transpose()?
        .unwrap_or(Role::Member);
    if !caller.role.may_grant(role) {
        return Err(ApiError::forbidden(format!(
            "Your role cannot create a member with role '{}'.",
            role.as_str()
        )));
    }
    let now = state.clock.now();
    // argon2id takes tens of milliseconds of CPU and 19 MiB on purpose: through the gate.
    let new = state
        .passwords
        .run(move || prepare_member(&input, role, now))
        .await??;
    Ok(state
        .store
        .create_member(caller.workspace_id, new, idem)
        .await?)
}

/// Creates a token record and its secret for `member`: 32 random bytes, shown once.
///
/// # Errors
/// When the system's random source fails.
pub fn new_token(
    member: Id,
    label: Option<String>,
    now: jiff::Timestamp,
) -> anyhow::Result<(NewToken, String)> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let token = format_token(&secret);
    let info = TokenInfo {
        id: Id::random(),
        member_id: member,
        label,
        created_at: now,
    };
    Ok((
        NewToken {
            info,
            hash: hash_token(&token),
        },
        token,
    ))
}

/// Issues an API token for `member` (the caller themself, or anyone when the caller is an
/// admin). Returns the stored facts and the secret, which is never available again.
///
/// With an `Idempotency-Key`, a retry issues nothing new; since the secret is stored only as
/// a hash, the retry is told which token the key issued instead of seeing the secret again.
pub async fn issue_token(
    state: &AppState,
    caller: &Member,
    member: Id,
    label: Option<&str>,
    idem: Option<&IdempotencyKey>,
) -> ApiResult<(TokenInfo, String)> {
    let target = workspace_member(state, caller, member).await?;
    self_or_admin(caller, &target)?;
    if !target.active {
        return Err(ApiError::conflict(
            "This member is deactivated; reactivate them before issuing tokens.",
        ));
    }
    let label = validate::token_label(label)?;
    let (new, secret) =
        new_token(target.id, label, state.clock.now()).map_err(|e| ApiError::internal(&e))?;
    let issued = new.info.id;
    let info = state
        .store
        .create_token(caller.workspace_id, new, idem)
        .await?;
    if info.id != issued {
        return Err(ApiError::conflict(format!(
            "This Idempotency-Key already issued token {}; its secret is shown only once. If it was lost, revoke that token and ask again with a new key.",
            info.id
        )));
    }
    Ok((info, secret))
}

/// Lists live tokens of `member` (self or admin).
pub async fn list_tokens(
    state: &AppState,
    caller: &Member,
    member: Id,
) -> ApiResult<Vec<TokenInfo>> {
    let target = workspace_member(state, caller, member).await?;
    self_or_admin(caller, &target)?;
    Ok(state
        .store
        .list_tokens(caller.workspace_id, target.id)
        .await?)
}

/// Revokes a token of `member` (self or admin).
pub async fn revoke_token(
    state: &AppState,
    caller: &Member,
    member: Id,
    token: Id,
) -> ApiResult<()> {
    let target = workspace_member(state, caller, member).await?;
    self_or_admin(caller, &target)?;
    state
        .store
        .revoke_token(caller.workspace_id, target.id, token, state.clock.now())
        .await
        .map_err(|e| missing(e, "token"))?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(())
}

/// Changes a member's role (admins; only owners make or unmake admins; owners stay owners).
pub async fn set_role(
    state: &AppState,
    caller: &Member,
    member: Id,
    role: &str,
) -> ApiResult<Member> {
    let role = Role::parse(role)?;
    let target = workspace_member(state, caller, member).await?;
    if !caller.role.is_admin() {
        return Err(ApiError::forbidden(
            "Only workspace admins can change roles.",
        ));
    }
    if target.role == Role::Owner
        || !caller.role.may_grant(role)
        || (target.role == Role::Admin && caller.role != Role::Owner)
    {
        return Err(ApiError::forbidden(format!(
            "Your role cannot make this member '{}'.",
            role.as_str()
        )));
    }
    let changed = state
        .store
        .set_role(caller.workspace_id, target.id, role)
        .await?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(changed)
}

/// Deactivates a member: they can no longer sign in, and all their tokens stop working now.
pub async fn deactivate(state: &AppState, caller: &Member, member: Id) -> ApiResult<Member> {
    let target = workspace_member(state, caller, member).await?;
    if !caller.role.is_admin() {
        return Err(ApiError::forbidden(
            "Only workspace admins can deactivate members.",
        ));
    }
    if target.role == Role::Owner {
        return Err(ApiError::forbidden(
            "The workspace owner cannot be deactivated.",
        ));
    }
    let deactivated = state
        .store
        .deactivate_member(caller.workspace_id, target.id, state.clock.now())
        .await?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(deactivated)
}

fn self_or_admin(caller: &Member, target: &Member) -> ApiResult<()> {
    if caller.id == target.id || caller.role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Only the member themself or an admin can manage these tokens.",
        ))
    }
}
