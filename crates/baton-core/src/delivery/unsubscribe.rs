//! One-click unsubscribe links (RFC 8058): the token in `List-Unsubscribe: <BASE/unsubscribe/TOKEN>`.
//!
//! Owns: the token's format, how it is signed ([`sign`]) and checked ([`verify`]). Does not
//! own: the workspace secret (stored by the
//! store, created on first use), what unsubscribing changes (the member's policy) or the clock.
//!
//! # Why an HMAC and not a random token per member
//!
//! A random token stored hashed (like API tokens) cannot be put into the next digest: the
//! worker would only have its hash, so every digest would have to mint and store a new token, a
//! write per email in the hottest path. An HMAC over (workspace, member, purpose) keyed by a
//! per-workspace secret kept in the database needs no write per email, gives the same link in
//! every digest (a resend of a digest is byte-for-byte the same message), and a guessed or
//! altered token fails the check without any lookup by token. What it gives up is revoking one
//! member's link; that is acceptable because the only thing a link can do is turn that
//! member's email digests off, which they can turn on again in their settings, and replacing
//! the workspace secret revokes every link at once.
//!
//! A token reads `{workspace id}.{member id}.{tag}`: the ids say which secret and whose policy,
//! the tag (128 bits of the HMAC, hex) proves Baton issued it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Id;
use crate::token::hex;

/// The purpose the workspace secret is stored under, and the label inside every signed
/// message, so a tag made for one purpose never verifies for another.
pub const PURPOSE: &str = "unsubscribe";
/// Bytes of the HMAC kept in a token: 128 bits cannot be guessed, and the link stays short.
const TAG_BYTES: usize = 16;

/// Whose email digests an unsubscribe token turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscriber {
    /// The member's workspace (whose secret signed the token).
    pub workspace_id: Id,
    /// The member.
    pub member_id: Id,
}

/// The tag of `who` under `secret`.
fn tag(secret: &str, who: Unsubscriber) -> String {
    // Any key length is valid for HMAC, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{PURPOSE}:{}:{}", who.workspace_id, who.member_id).as_bytes());
    hex(&mac.finalize().into_bytes()[..TAG_BYTES])
}

/// The unsubscribe token of `who`, signed with their workspace's `secret`.
pub fn sign(secret: &str, who: Unsubscriber) -> String {
    format!(
        "{}.{}.{}",
        who.workspace_id,
        who.member_id,
        tag(secret, who)
    )
}

/// Who `token` claims to be for, read without checking it: the caller fetches that
/// workspace's secret, then calls [`verify`]. `None` when it is not shaped like a token.
pub fn claimed(token: &str) -> Option<Unsubscriber> {
    let mut parts = token.split('.');
    let (ws, member, tag) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || tag.len() != TAG_BYTES * 2 {
        return None;
    }
    Some(Unsubscriber {
        workspace_id: ws.parse().ok()?,
        member_id: member.parse().ok()?,
    })
}

/// Who `token` is for, when `secret` signed it; compared in constant time.
pub fn verify(secret: &str, token: &str) -> Option<Unsubscriber> {
    let who = claimed(token)?;
    let expected = sign(secret, who);
    let same = expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(who)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_tag_is_the_truncated_hmac_of_purpose_workspace_and_member() {
        // Python: hmac.new(b"Jefe", b"unsubscribe:{ws}:{member}", "sha256").hexdigest()[:32]
        let ws = "00000000-0000-4000-8000-000000000001";
        let member = "00000000-0000-4000-8000-000000000002";
        let who = Unsubscriber {
            workspace_id: ws.parse().unwrap(),
            member_id: member.parse().unwrap(),
        };
        assert_eq!(
            sign("Jefe", who),
            format!("{ws}.{member}.cde86cf2d3aa9b3f64eaaa31804203af")
        );
    }

    fn someone() -> Unsubscriber {
        Unsubscriber {
            workspace_id: Id::random(),
            member_id: Id::random(),
        }
    }

    #[test]
    fn a_signed_token_verifies_only_under_its_secret() {
        let who = someone();
        let token = sign("secret-a", who);
        assert_eq!(verify("secret-a", &token), Some(who));
        assert_eq!(claimed(&token), Some(who));
        assert_eq!(verify("secret-b", &token), None);
        assert_eq!(
            sign("secret-a", who),
            token,
            "the same link in every digest"
        );
    }

    #[test]
    fn a_token_for_someone_else_or_malformed_fails() {
        let (who, other) = (someone(), someone());
        let token = sign("s", who);
        let tag = token.rsplit('.').next().expect("a tag");
        let forged = format!("{}.{}.{tag}", other.workspace_id, other.member_id);
        assert_eq!(verify("s", &forged), None);
        for bad in [
            "",
            "a.b.c",
            &format!("{token}.x"),
            &token[..token.len() - 1],
        ] {
            assert_eq!(verify("s", bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_changed_character_breaks_the_token(at in 0usize..200, to in b'0'..=b'z') {
            let token = sign("s", someone());
            let at = at % token.len();
            let mut bytes = token.clone().into_bytes();
            prop_assume!(bytes[at] != to);
            bytes[at] = to;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert_eq!(verify("s", &changed), None);
        }
    }
}
