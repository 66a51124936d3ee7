//! One-click unsubscribe (RFC 8058): signing the link every digest carries, and turning a
//! member's email digests off when it is used.
//!
//! Owns: the workspace secret's first use (created on demand, then cached per process: it never
//! changes), and what using a link changes (the member's `email_digest`, nothing else). Does
//! not own: the token's format and check (`baton_core::delivery::unsubscribe`, which explains
//! why it is an HMAC) or the pages.

use std::collections::HashMap;
use std::sync::Mutex;

use baton_core::Id;
use baton_core::delivery::unsubscribe::{self, PURPOSE, Unsubscriber};
use baton_core::model::Member;
use baton_core::token::hex;

use super::error::{ServiceError, ServiceResult};
use crate::state::AppState;

/// Signs unsubscribe links, keeping each workspace's secret after the first read so a burst of
/// digests costs no extra query per email.
#[derive(Debug, Default)]
pub struct LinkSigner {
    secrets: Mutex<HashMap<Id, String>>,
}

impl LinkSigner {
    /// The unsubscribe token of `member`, creating their workspace's secret on first use.
    ///
    /// # Errors
    /// When the store fails or no randomness is available for a new secret.
    #[tracing::instrument(skip_all)]
    pub async fn token(&self, state: &AppState, member: &Member) -> ServiceResult<String> {
        let ws = member.workspace_id;
        let cached = self.lock().get(&ws).cloned();
        let secret = match cached {
            Some(secret) => secret,
            None => {
                let secret = match state.store.workspace_secret(ws, PURPOSE).await? {
                    Some(secret) => secret,
                    None => {
                        let mut bytes = [0u8; 32];
                        getrandom::fill(&mut bytes).map_err(|e| ServiceError::internal(&e))?;
                        state
                            .store
                            .ensure_workspace_secret(ws, PURPOSE, &hex(&bytes))
                            .await?
                    }
                };
                self.lock().insert(ws, secret.clone());
                secret
            }
        };
        Ok(unsubscribe::sign(
            &secret,
            Unsubscriber {
                workspace_id: ws,
                member_id: member.id,
            },
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id, String>> {
        // A panic while holding the map cannot leave it half-written: insert is one step.
        self.secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The member an unsubscribe `token` is for, when Baton signed it. Any other token (malformed,
/// forged, for a workspace or member that does not exist) is a 404, with nothing written.
#[tracing::instrument(skip_all)]
pub async fn resolve(state: &AppState, token: &str) -> ServiceResult<Member> {
    let missing = || ServiceError::not_found("unsubscribe link");
    let claimed = unsubscribe::claimed(token).ok_or_else(missing)?;
    let secret = state
        .store
        .workspace_secret(claimed.workspace_id, PURPOSE)
        .await?
        .ok_or_else(missing)?;
    let who = unsubscribe::verify(&secret, token).ok_or_else(missing)?;
    match state.store.member(who.workspace_id, who.member_id).await {
        Ok(member) => Ok(member),
        Err(baton_store::StoreError::NotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

/// Turns off the email digests of the member `token` is for (the rest of their policy stays)
/// and returns them. Using a link twice changes nothing more.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(state: &AppState, token: &str) -> ServiceResult<Member> {
    let member = resolve(state, token).await?;
    let mut policy = state
        .store
        .policy(member.workspace_id, member.id)
        .await?
        .unwrap_or_default();
    if policy.email_digest {
        policy.email_digest = false;
        state
            .store
            .set_policy(member.workspace_id, member.id, policy, state.clock.now())
            .await?;
        tracing::info!(member.id = %member.id, "member {} unsubscribed from email digests", member.id);
    }
    Ok(member)
}
