//! Members and their API tokens: creation by admins, tokens each member creates for
//! themself, roles, deactivation and the transfer of ownership. Who may act on whose account
//! is `Role::may_administer`: an admin never acts against another admin or the owner.

use baton_core::model::{Member, NewMember, NewToken, TokenInfo};
use baton_core::page::{Page, PageRequest};
use baton_core::role::Role;
use baton_core::token::{format_token, hash_token};
use baton_core::{Id, validate};
use baton_store::IdempotencyKey;

use super::access::{missing, workspace_member};
use super::error::{ServiceError, ServiceResult};
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
) -> ServiceResult<NewMember> {
    let email = validate::email(&input.email)?;
    let name = validate::person_name(&input.name)?;
    let timezone = validate::timezone(&input.timezone)?;
    let password_hash = match input.password.as_deref() {
        Some(p) => {
            Some(password::hash(validate::password(p)?).map_err(|e| ServiceError::internal(&e))?)
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
#[tracing::instrument(skip_all, fields(caller = %caller.id))]
pub async fn create_member(
    state: &AppState,
    caller: &Member,
    input: MemberInput,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<Member> {
    if !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
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
        return Err(ServiceError::forbidden(format!(
            "Your role cannot create a member with role '{}'.",
            role.as_str()
        )));
    }
    let now = state.clock.now();
    // argon2id takes tens of milliseconds of CPU and 19 MiB on purpose: through the gate. A
    // member without a password (invited, or set up by a script) costs no hash and does not
    // queue behind sign-ins.
    let new = if input.password.is_some() {
        state
            .passwords
            .run(move || prepare_member(&input, role, now))
            .await??
    } else {
        prepare_member(&input, role, now)?
    };
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

/// Issues an API token for `member`, who must be the caller: nobody, admins included, mints a
/// credential for someone else (it would let them act as that member, an owner included).
/// Returns the stored facts and the secret, which is never available again.
///
/// With an `Idempotency-Key`, a retry issues nothing new; since the secret is stored only as
/// a hash, the retry is told which token the key issued instead of seeing the secret again.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn issue_token(
    state: &AppState,
    caller: &Member,
    member: Id,
    label: Option<&str>,
    idem: Option<&IdempotencyKey>,
) -> ServiceResult<(TokenInfo, String)> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id {
        return Err(ServiceError::forbidden(
            "Only a member creates their own API tokens: they sign in and create one in Settings, or send their email and password to POST /api/v1/tokens.",
        ));
    }
    let label = validate::token_label(label)?;
    let (new, secret) =
        new_token(target.id, label, state.clock.now()).map_err(|e| ServiceError::internal(&e))?;
    let issued = new.info.id;
    let info = state
        .store
        .create_token(caller.workspace_id, new, idem)
        .await?;
    if info.id != issued {
        return Err(ServiceError::conflict(format!(
            "This Idempotency-Key already issued token {}; its secret is shown only once. If it was lost, revoke that token and ask again with a new key.",
            info.id
        )));
    }
    Ok((info, secret))
}

/// Checks that `password` is `member`'s current password: asked before a browser session
/// creates an API token, so a session left open on a shared computer cannot be turned into a
/// lasting credential without the password.
#[tracing::instrument(skip_all)]
pub async fn confirm_password(
    state: &AppState,
    member: &Member,
    password: &str,
    field: &'static str,
) -> ServiceResult<()> {
    let stored = state
        .store
        .password_hash(member.workspace_id, member.id)
        .await?;
    if state.passwords.verify(password, stored.as_deref()).await? {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            field,
            "This is not your current password.",
        ))
    }
}

/// A page of the live tokens of `member` (self or any admin: listing reveals no secret).
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn list_tokens(
    state: &AppState,
    caller: &Member,
    member: Id,
    page: PageRequest,
) -> ServiceResult<Page<TokenInfo>> {
    let target = workspace_member(state, caller, member).await?;
    if target.id != caller.id && !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only the member themself or an admin can see these tokens.",
        ));
    }
    Ok(state
        .store
        .list_tokens(caller.workspace_id, target.id, page)
        .await?)
}

/// Revokes a token of `member`: their own, or one of someone the caller administers.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member, token = %token))]
pub async fn revoke_token(
    state: &AppState,
    caller: &Member,
    member: Id,
    token: Id,
) -> ServiceResult<()> {
    let target = workspace_member(state, caller, member).await?;
    self_or_administers(caller, &target, "revoke this member's tokens")?;
    state
        .store
        .revoke_token(
            caller.workspace_id,
            target.id,
            token,
            caller.id,
            state.clock.now(),
        )
        .await
        .map_err(|e| missing(e, "token"))?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(())
}

/// Changes a member's role (admins, on members and guests; only the owner makes or unmakes
/// admins; ownership moves only by [`transfer_ownership`]).
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn set_role(
    state: &AppState,
    caller: &Member,
    member: Id,
    role: &str,
) -> ServiceResult<Member> {
    let role = Role::parse(role)?;
    let target = workspace_member(state, caller, member).await?;
    if !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only workspace admins can change roles.",
        ));
    }
    if !caller.role.may_administer(target.role) || !caller.role.may_grant(role) {
        return Err(ServiceError::forbidden(format!(
            "Your role cannot make this member '{}'.",
            role.as_str()
        )));
    }
    let changed = state
        .store
        .set_role(
            caller.workspace_id,
            target.id,
            role,
            caller.id,
            state.clock.now(),
        )
        .await?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(changed)
}

/// Deactivates a member: they can no longer sign in, and all their tokens stop working now.
#[tracing::instrument(skip_all, fields(caller = %caller.id, member = %member))]
pub async fn deactivate(state: &AppState, caller: &Member, member: Id) -> ServiceResult<Member> {
    let target = workspace_member(state, caller, member).await?;
    if !caller.role.is_admin() {
        return Err(ServiceError::forbidden(
            "Only workspace admins can deactivate members.",
        ));
    }
    if !caller.role.may_administer(target.role) {
        return Err(ServiceError::forbidden(match target.role {
            Role::Owner => "The workspace owner cannot be deactivated.",
            _ => "Only the workspace owner can deactivate an admin.",
        }));
    }
    let deactivated = state
        .store
        .deactivate_member(caller.workspace_id, target.id, caller.id, state.clock.now())
        .await?;
    state
        .live
        .publish(Change::of_member(caller.workspace_id, target.id));
    Ok(deactivated)
}

/// Passes when `caller` is `target`, or may administer `target`'s account.
pub fn self_or_administers(caller: &Member, target: &Member, what: &str) -> ServiceResult<()> {
    if caller.id == target.id || caller.role.may_administer(target.role) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(format!(
            "Only the member themself, or someone above their role, can {what}."
        )))
    }
}

/// Hands the workspace to `heir`: they become its owner and the caller, who must be the
/// owner, an admin. Refused for a deactivated member, a guest or the owner themself.
#[tracing::instrument(skip_all, fields(caller = %caller.id, heir = %heir))]
pub async fn transfer_ownership(
    state: &AppState,
    caller: &Member,
    heir: Id,
) -> ServiceResult<Member> {
    let target = workspace_member(state, caller, heir).await?;
    if caller.role != Role::Owner {
        return Err(ServiceError::forbidden(
            "Only the workspace owner can hand over ownership.",
        ));
    }
    let owner = state
        .store
        .transfer_ownership(caller.workspace_id, caller.id, target.id, state.clock.now())
        .await
        .map_err(|e| match e {
            baton_store::StoreError::Conflict {
                constraint: baton_store::Constraint::OwnershipHeir,
            } => ServiceError::invalid(
                "member_id",
                "Ownership goes to an active member or admin other than the owner, never to a guest.",
            ),
            baton_store::StoreError::Conflict {
                constraint: baton_store::Constraint::OwnershipOwner,
            } => ServiceError::conflict("You are no longer the owner of this workspace."),
            e => e.into(),
        })?;
    for id in [caller.id, owner.id] {
        state
            .live
            .publish(Change::of_member(caller.workspace_id, id));
    }
    Ok(owner)
}
