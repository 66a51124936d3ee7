//! The [`HangoutStore`] role trait: who opted in to hangouts, and each two-week round's pairs
//! with the slot offered to them. The SQL lives in each backend's `hangouts.rs`.

use async_trait::async_trait;
use baton_core::Id;
use jiff::Timestamp;

use crate::StoreResult;

/// A round's pairing as stored: written once, whole, read by everyone in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HangoutRound {
    /// The round's number (`baton_core::meeting::hangouts::Round::index`).
    pub round: i64,
    /// When it was paired.
    pub paired_at: Timestamp,
    /// The pairs, in the order they were made.
    pub pairs: Vec<PairedHangout>,
    /// Who was left out of an odd pool.
    pub left_out: Option<Id>,
}

/// Two members paired for a round and the slot offered to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedHangout {
    /// The one whose turn it was to choose.
    pub a: Id,
    /// The other.
    pub b: Id,
    /// Minutes of a week both work.
    pub shared_minutes: u32,
    /// The offered slot's start and each one's minutes outside working hours in it (`a`'s,
    /// then `b`'s); none when the round had no free slot for them.
    pub slot: Option<(Timestamp, u32, u32)>,
}

/// Hangouts: opting in and out, and the pairing of each round.
#[async_trait]
pub trait HangoutStore: Send + Sync {
    /// Opts `member` in (`true`, keeping the first opt-in instant) or out. `NotFound` when the
    /// member is not in `ws`.
    async fn set_hangout_opt_in(
        &self,
        ws: Id,
        member: Id,
        opted_in: bool,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Whether `member` is opted in.
    async fn hangout_opted_in(&self, ws: Id, member: Id) -> StoreResult<bool>;
    /// The active members of `ws` who opted in, in the order they opted in: the pool a round
    /// pairs.
    async fn hangout_pool(&self, ws: Id) -> StoreResult<Vec<Id>>;
    /// Round `round` of `ws`, if it was paired.
    async fn hangout_round(&self, ws: Id, round: i64) -> StoreResult<Option<HangoutRound>>;
    /// Stores a round with its pairs in one transaction. `Conflict` (a unique rule)
    /// when the round was already paired: the first pairing stands, and the caller reads it.
    async fn record_hangout_round(&self, ws: Id, round: HangoutRound) -> StoreResult<()>;
}
