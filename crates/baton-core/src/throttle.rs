//! Sign-in throttling: how long a password attempt must wait, from the failures counted
//! against its account and its client address, and whether that address has signed in to the
//! account before.
//!
//! Owns: the keys counters are stored under and the rule that turns counters into a wait.
//! Does not own: storing the counters (`baton_store::ThrottleStore`, shared by every instance
//! on one database) or the clock (every function takes `now`).
//!
//! The rule, and why:
//! - An account's failures slow further attempts on it with a doubling backoff, but the
//!   backoff is capped at [`ACCOUNT`]`.cap` (a minute): a stranger guessing at someone's
//!   password can make them wait, never lock them out.
//! - An address the account signed in from before ([`KNOWN_FOR`]) is not slowed by the
//!   account's failures at all: the real user at their usual desk walks past the stranger.
//! - An address's own failures, across every account, slow that address alone, with a
//!   larger allowance and a longer cap ([`ADDRESS`]): that is what stops one machine spraying
//!   passwords over many accounts.
//! - A counter nobody touched for its `forget_after` starts again from zero.

use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};

use crate::token::hash_token;

/// A stored counter: failures under one key and when the last one (or, for a known-address
/// key, the last success) happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// The key (see [`Keys`]).
    pub key: String,
    /// Failures counted since the counter last started from zero.
    pub failures: u32,
    /// The last failure, or the last success for a known-address key.
    pub last_at: Timestamp,
}

/// One failure to count: the key, and the instant before which its earlier failures are
/// forgotten (the counter starts again from one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The key to count under.
    pub key: String,
    /// A counter last touched before this starts again.
    pub forget_before: Timestamp,
}

/// How one kind of counter slows attempts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The wait after the first failure past the free ones; it doubles with each further one.
    pub first: SignedDuration,
    /// The longest wait.
    pub cap: SignedDuration,
    /// A counter left alone this long starts again from zero.
    pub forget_after: SignedDuration,
}

/// Failures of one account (an email, across workspaces): a few free tries for typos, then
/// 1 s doubling, never more than a minute, so a stranger cannot lock the owner out.
pub const ACCOUNT: Limits = Limits {
    free: 5,
    first: SignedDuration::from_secs(1),
    cap: SignedDuration::from_mins(1),
    forget_after: SignedDuration::from_mins(15),
};

/// Failures from one client address across all accounts: room for a shared office's typos,
/// then 1 s doubling up to a quarter of an hour; it slows only that address.
pub const ADDRESS: Limits = Limits {
    free: 20,
    first: SignedDuration::from_secs(1),
    cap: SignedDuration::from_mins(15),
    forget_after: SignedDuration::from_hours(1),
};

/// How long an address that signed in to an account stays known to it (exempt from that
/// account's failures).
pub const KNOWN_FOR: SignedDuration = SignedDuration::from_hours(90 * 24);

impl Limits {
    /// The wait that `failures` failures in a row earn: none within the free ones, then
    /// `first` doubling, at most `cap`.
    pub fn backoff(&self, failures: u32) -> SignedDuration {
        let Some(past) = failures.checked_sub(self.free).filter(|p| *p > 0) else {
            return SignedDuration::ZERO;
        };
        // 2^30 seconds is far past any cap; stop doubling before the shift overflows.
        let factor = 1i32 << (past - 1).min(30);
        self.first
            .checked_mul(factor)
            .map_or(self.cap, |d| d.min(self.cap))
    }

    /// How long an attempt must still wait at `now` because of `counter` (zero when it may go).
    pub fn wait(&self, counter: Option<&Counter>, now: Timestamp) -> SignedDuration {
        let Some(counter) = counter else {
            return SignedDuration::ZERO;
        };
        let since = now.duration_since(counter.last_at);
        if since >= self.forget_after {
            return SignedDuration::ZERO;
        }
        (self.backoff(counter.failures) - since).max(SignedDuration::ZERO)
    }
}

/// Whose failures hold an attempt back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// The account's.
    Account,
    /// The client address's.
    Address,
}

/// An attempt refused for now: by whom, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// The counter that holds the attempt back.
    pub by: Throttled,
    /// How long until it may go.
    pub wait: SignedDuration,
}

impl Wait {
    /// The wait in whole seconds, rounded up (at least 1), for `Retry-After`.
    pub fn seconds(&self) -> u64 {
        let secs = self.wait.as_secs() + i64::from(self.wait.subsec_nanos() > 0);
        u64::try_from(secs.max(1)).unwrap_or(1)
    }
}

/// The keys an attempt's counters are stored under. The email is hashed: the table then
/// holds no addresses of people who never had an account here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The account's failures.
    pub account: String,
    /// The client address's failures (absent when the address is unknown).
    pub address: Option<String>,
    /// Marks that this address signed in to this account (absent with the address).
    pub known: Option<String>,
}

impl Keys {
    /// The keys of an attempt on `email` (as typed; trimmed and lowercased here) from `client`.
    pub fn new(email: &str, client: Option<IpAddr>) -> Self {
        let email = email.trim().to_lowercase();
        let address = client.map(address_key);
        Self {
            account: format!("account:{}", hash_token(&email)),
            known: address
                .as_ref()
                .map(|a| format!("known:{}", hash_token(&format!("{email} {a}")))),
            address,
        }
    }

    /// Every key, for reading the counters in one go.
    pub fn all(&self) -> Vec<String> {
        let mut keys = vec![self.account.clone()];
        keys.extend(self.address.iter().cloned());
        keys.extend(self.known.iter().cloned());
        keys
    }

    /// What a failed attempt counts: one failure on the account and one on the address.
    pub fn failures(&self, now: Timestamp) -> Vec<Failure> {
        let mut out = vec![Failure {
            key: self.account.clone(),
            forget_before: now - ACCOUNT.forget_after,
        }];
        out.extend(self.address.iter().map(|a| Failure {
            key: a.clone(),
            forget_before: now - ADDRESS.forget_after,
        }));
        out
    }

    /// What a successful attempt resets to zero at `now`: the account's failures, and the
    /// known-address mark (which a reset creates or renews).
    pub fn successes(&self) -> Vec<String> {
        let mut keys = vec![self.account.clone()];
        keys.extend(self.known.iter().cloned());
        keys
    }

    /// Whether an attempt may go now, given the stored `counters` of these keys; the longest
    /// wait when it may not.
    pub fn check(&self, counters: &[Counter], now: Timestamp) -> Option<Wait> {
        let find = |key: &str| counters.iter().find(|c| c.key == key);
        let known = self
            .known
            .as_deref()
            .and_then(find)
            .is_some_and(|c| now.duration_since(c.last_at) < KNOWN_FOR);
        let account = if known {
            SignedDuration::ZERO
        } else {
            ACCOUNT.wait(find(&self.account), now)
        };
        let address = ADDRESS.wait(self.address.as_deref().and_then(find), now);
        let (by, wait) = if address >= account {
            (Throttled::Address, address)
        } else {
            (Throttled::Account, account)
        };
        (wait > SignedDuration::ZERO).then_some(Wait { by, wait })
    }
}

/// Counters older than this are of no use to any rule: the store may drop them.
pub fn expired_before(now: Timestamp) -> Timestamp {
    now - KNOWN_FOR
}

/// The key of a client address. An IPv6 client is counted by its /64, the block one
/// subscriber gets, so hopping through its own addresses does not reset the count.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("address:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address:{v4}"),
            None => {
                let s = v6.segments();
                format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> Timestamp {
        "2026-03-02T12:00:00Z".parse().unwrap()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn counter(key: &str, failures: u32, last_at: Timestamp) -> Counter {
        Counter {
            key: key.to_owned(),
            failures,
            last_at,
        }
    }

    #[test]
    fn the_backoff_starts_after_the_free_failures_doubles_and_stops_at_the_cap() {
        let secs = |n| ACCOUNT.backoff(n).as_secs();
        assert_eq!(
            [secs(0), secs(5), secs(6), secs(7), secs(8)],
            [0, 0, 1, 2, 4]
        );
        assert_eq!(secs(12), 60, "capped at a minute");
        assert_eq!(secs(u32::MAX), 60, "no overflow");
        assert_eq!(ADDRESS.backoff(20).as_secs(), 0);
        assert_eq!(ADDRESS.backoff(u32::MAX).as_secs(), 15 * 60);
    }

    #[test]
    fn an_account_waits_out_its_backoff_then_may_try_again() {
        let keys = Keys::new("Ada@Example.com ", ip("203.0.113.9"));
        let failures = [counter(&keys.account, 8, t0())];
        let wait = keys.check(&failures, t0()).expect("held back");
        assert_eq!((wait.by, wait.seconds()), (Throttled::Account, 4));
        let later = t0() + SignedDuration::from_millis(2500);
        assert_eq!(keys.check(&failures, later).map(|w| w.seconds()), Some(2));
        assert_eq!(
            keys.check(&failures, t0() + SignedDuration::from_secs(4)),
            None
        );
    }

    #[test]
    fn emails_are_compared_trimmed_and_lowercased() {
        assert_eq!(
            Keys::new(" ADA@example.com", None),
            Keys::new("ada@example.com", None)
        );
    }

    #[test]
    fn an_address_that_signed_in_before_is_not_slowed_by_the_accounts_failures() {
        let home = Keys::new("ada@example.com", ip("198.51.100.7"));
        let stranger = Keys::new("ada@example.com", ip("203.0.113.9"));
        assert_eq!(home.account, stranger.account, "one account");
        assert_ne!(home.known, stranger.known, "known per address");
        let counters = [
            counter(&home.account, 40, t0()),
            counter(
                home.known.as_deref().unwrap(),
                0,
                t0() - SignedDuration::from_hours(24),
            ),
        ];
        assert_eq!(home.check(&counters, t0()), None);
        assert!(stranger.check(&counters, t0()).is_some());
        let long_gone = t0() + KNOWN_FOR;
        let stale = [
            counter(&home.account, 40, long_gone),
            counter(home.known.as_deref().unwrap(), 0, t0()),
        ];
        assert!(
            home.check(&stale, long_gone).is_some(),
            "known only for a while"
        );
    }

    #[test]
    fn an_address_failing_across_many_accounts_is_throttled_on_its_own() {
        let keys = Keys::new("someone@example.com", ip("203.0.113.9"));
        let address = keys.address.clone().unwrap();
        let counters = [counter(&address, 30, t0())];
        let wait = keys.check(&counters, t0()).expect("held back");
        assert_eq!(wait.by, Throttled::Address);
        assert_eq!(wait.wait, ADDRESS.backoff(30));
        let elsewhere = Keys::new("someone@example.com", ip("198.51.100.7"));
        assert_eq!(elsewhere.check(&counters, t0()), None, "other addresses go");
    }

    #[test]
    fn ipv6_clients_count_by_their_64_block_and_mapped_ipv4_as_ipv4() {
        let a = Keys::new("x@example.com", ip("2001:db8:1:2:aaaa::1"));
        let b = Keys::new("x@example.com", ip("2001:db8:1:2:bbbb::9"));
        assert_eq!(a.address, b.address);
        assert_eq!(
            Keys::new("x@example.com", ip("::ffff:203.0.113.9")).address,
            Keys::new("x@example.com", ip("203.0.113.9")).address
        );
    }

    #[test]
    fn a_failure_counts_on_the_account_and_the_address_and_a_success_resets_the_account() {
        let keys = Keys::new("ada@example.com", ip("203.0.113.9"));
        let failures = keys.failures(t0());
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].forget_before, t0() - ACCOUNT.forget_after);
        assert_eq!(failures[1].forget_before, t0() - ADDRESS.forget_after);
        assert_eq!(
            keys.successes(),
            vec![keys.account.clone(), keys.known.clone().unwrap()]
        );
        assert_eq!(Keys::new("ada@example.com", None).failures(t0()).len(), 1);
    }

    proptest! {
        #[test]
        fn no_stranger_makes_the_account_wait_longer_than_its_cap(
            failures in 0u32..10_000, ago_ms in 0i64..2_000_000,
        ) {
            let keys = Keys::new("ada@example.com", ip("198.51.100.7"));
            let now = t0() + SignedDuration::from_millis(ago_ms);
            let counters = [counter(&keys.account, failures, t0())];
            let wait = keys.check(&counters, now).map_or(SignedDuration::ZERO, |w| w.wait);
            prop_assert!(wait <= ACCOUNT.cap);
        }

        #[test]
        fn more_failures_never_mean_a_shorter_wait(failures in 0u32..10_000, ago_ms in 0i64..4_000_000) {
            let now = t0() + SignedDuration::from_millis(ago_ms);
            for limits in [ACCOUNT, ADDRESS] {
                let fewer = limits.wait(Some(&counter("k", failures, t0())), now);
                let more = limits.wait(Some(&counter("k", failures + 1, t0())), now);
                prop_assert!(more >= fewer);
            }
        }

        #[test]
        fn a_known_address_never_waits_on_the_accounts_failures(
            failures in 0u32..10_000, known_ms in 0i64..1_000_000_000,
        ) {
            let keys = Keys::new("ada@example.com", ip("198.51.100.7"));
            let counters = [
                counter(&keys.account, failures, t0()),
                counter(keys.known.as_deref().unwrap(), 0, t0() - SignedDuration::from_millis(known_ms)),
            ];
            prop_assert_eq!(keys.check(&counters, t0()), None);
        }

        #[test]
        fn every_counter_is_forgotten_after_its_quiet_time(failures in 0u32..10_000) {
            let keys = Keys::new("ada@example.com", ip("203.0.113.9"));
            let counters = [
                counter(&keys.account, failures, t0()),
                counter(keys.address.as_deref().unwrap(), failures, t0()),
            ];
            prop_assert_eq!(keys.check(&counters, t0() + ADDRESS.forget_after), None);
        }
    }
}
