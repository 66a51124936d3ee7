//! Hangouts: the casual side of real time. Every two weeks, members who opted in are paired
//! with someone they rarely overlap with, and each pair is offered its fairest 20-minute slot.
//! Nobody is obliged to meet: a pair is an offer.
//!
//! Owns: the two-week rounds ([`Round`]), how much two people overlap ([`WeekMask`]), the
//! pairing ([`pair`]) and each pair's slot (the fair slot finder, [`super::slots`]). Does not
//! own: who opted in, storage, or the clock (every function takes the instants it needs).
//!
//! Pairing is greedy, in an order that changes every round: each member still unpaired takes,
//! among the unpaired, first someone they rarely overlap with (under
//! [`RARELY_SHARED_MINUTES`] a week) yet long enough for a hangout inside both their hours,
//! the least shared first; else someone they never overlap with (their slot then falls partly
//! outside someone's hours, as fairly as the slot finder can place it); else whoever shares
//! the least. A pair from the previous round is taken only when nobody else is left. Greedy, not an optimal matching: an optimal one costs the cube of the number of
//! members, and the greedy choice already pairs people across the widest gaps it can. The
//! overlap of two people is counted on a quarter-hour grid of one week ([`WeekMask`]), so
//! comparing every pair of a few thousand members stays cheap.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use super::slots::{Participant, Search, Slot, SlotFinder};
use crate::schedule::{Schedule, working_intervals};
use crate::{CoreResult, Id};

/// How long a hangout lasts, in minutes.
pub const HANGOUT_MINUTES: u32 = 20;
/// Below this many shared working minutes a week, two people rarely overlap: a quarter of a
/// 40-hour week.
pub const RARELY_SHARED_MINUTES: u32 = 600;
/// How long a round lasts, in days: a new pairing every two weeks.
pub const ROUND_DAYS: i64 = 14;
/// Monday 2024-01-01T00:00:00Z, the start of round 0. Rounds start on a Monday (UTC).
const FIRST_ROUND: Timestamp = Timestamp::constant(1_704_067_200, 0);
const QUARTERS_PER_WEEK: usize = 7 * 24 * 4;
const WORDS: usize = QUARTERS_PER_WEEK / 64 + 1;

/// One two-week round of pairings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Its number, counted from round 0 on 2024-01-01.
    pub index: i64,
    /// When it starts (a Monday, 00:00 UTC).
    pub start: Timestamp,
    /// When it ends (exclusive), two weeks later.
    pub end: Timestamp,
}

impl Round {
    /// The round with number `index`.
    pub fn numbered(index: i64) -> Self {
        let start = FIRST_ROUND + SignedDuration::from_hours(24 * ROUND_DAYS * index);
        Self {
            index,
            start,
            end: start + SignedDuration::from_hours(24 * ROUND_DAYS),
        }
    }

    /// The round that `at` falls in.
    pub fn at(at: Timestamp) -> Self {
        let seconds = at.as_second() - FIRST_ROUND.as_second();
        Self::numbered(seconds.div_euclid(ROUND_DAYS * 24 * 3600))
    }

    /// The round after this one.
    pub fn next(self) -> Self {
        Self::numbered(self.index + 1)
    }
}

/// Which quarter hours of a week someone works, from a given instant: the measure of how much
/// two people overlap, cheap to compare (a bitwise AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekMask([u64; WORDS]);

impl WeekMask {
    /// The quarter hours of the week from `from` that `schedule` works in whole.
    ///
    /// # Errors
    ///
    /// None in practice: a week is a valid range for every schedule.
    pub fn of(schedule: &Schedule, from: Timestamp) -> CoreResult<Self> {
        let to = from + SignedDuration::from_hours(24 * 7);
        let mut bits = [0u64; WORDS];
        for (start, end) in working_intervals(schedule, from, to)? {
            let first = (start.duration_since(from).as_secs() + 899) / 900;
            let last = end.duration_since(from).as_secs() / 900;
            for quarter in first..last {
                // In 0..QUARTERS_PER_WEEK: the intervals lie inside the week.
                let q = quarter as usize;
                bits[q / 64] |= 1 << (q % 64);
            }
        }
        Ok(Self(bits))
    }

    /// Minutes of the week both work.
    pub fn shared_minutes(&self, other: &Self) -> u32 {
        let quarters: u32 = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones())
            .sum();
        quarters * 15
    }
}

/// Someone in the pool: a member who opted in, with their week and the times they are taken.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The member.
    pub id: Id,
    /// Their working hours, time off and focus blocks.
    pub schedule: &'a Schedule,
    /// Their working quarter hours in the round's first week.
    pub week: &'a WeekMask,
    /// Times already taken in the round (meetings, external calendars).
    pub busy: &'a [(Timestamp, Timestamp)],
}

/// Two members paired for a round, and the slot offered to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// One of the two (the one whose turn it was to choose).
    pub a: Id,
    /// The other.
    pub b: Id,
    /// Minutes of a week both work.
    pub shared_minutes: u32,
    /// Their fairest 20-minute slot in the round, if the round has any free one.
    pub slot: Option<Slot>,
}

/// Pairs the `pool` for `round`, keeping pairs of `previous` (the last round's, in any order)
/// apart when it can, and offers each pair its fairest slot between `now` (or the round's
/// start, if later) and the round's end. With an odd pool one member is left out: the returned
/// id; the order changes every round, so it is rarely the same member twice.
///
/// # Errors
///
/// None in practice: what is left of a round is a valid search for every pair.
pub fn pair(
    pool: &[Candidate<'_>],
    previous: &[(Id, Id)],
    round: Round,
    now: Timestamp,
) -> CoreResult<(Vec<Pair>, Option<Id>)> {
    let previous: HashSet<(Id, Id)> = previous.iter().map(|(a, b)| ordered(*a, *b)).collect();
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by_key(|i| (shuffle_key(pool[*i].id, round.index), pool[*i].id));
    let mut taken = vec![false; pool.len()];
    let mut pairs = Vec::with_capacity(pool.len() / 2);
    for &i in &order {
        if taken[i] {
            continue;
        }
        let choice = order
            .iter()
            .copied()
            .filter(|j| *j != i && !taken[*j])
            .min_by_key(|j| {
                let shared = pool[i].week.shared_minutes(pool[*j].week);
                let band = if shared >= RARELY_SHARED_MINUTES {
                    2
                } else if shared < HANGOUT_MINUTES {
                    1
                } else {
                    0
                };
                (
                    previous.contains(&ordered(pool[i].id, pool[*j].id)),
                    band,
                    shared,
                )
            });
        let Some(j) = choice else { break };
        taken[i] = true;
        taken[j] = true;
        pairs.push(Pair {
            a: pool[i].id,
            b: pool[j].id,
            shared_minutes: pool[i].week.shared_minutes(pool[j].week),
            slot: fairest_slot(&pool[i], &pool[j], round, now)?,
        });
    }
    let left_out = order.iter().find(|i| !taken[**i]).map(|i| pool[*i].id);
    Ok((pairs, left_out))
}

/// The fairest hangout slot of two candidates in what is left of the round after `now`; none
/// when too little is left or every slot is taken.
fn fairest_slot(
    a: &Candidate<'_>,
    b: &Candidate<'_>,
    round: Round,
    now: Timestamp,
) -> CoreResult<Option<Slot>> {
    let from = now.max(round.start);
    if round.end.duration_since(from) < SignedDuration::from_mins(i64::from(HANGOUT_MINUTES)) {
        return Ok(None);
    }
    let search = Search::new(from, round.end, HANGOUT_MINUTES)?;
    let people = [
        Participant {
            schedule: a.schedule,
            busy: a.busy,
        },
        Participant {
            schedule: b.schedule,
            busy: b.busy,
        },
    ];
    Ok(SlotFinder::new(&people, &search)?.best(1).pop())
}

/// Two ids in a fixed order, so a pair is the same whichever way round it is named.
fn ordered(a: Id, b: Id) -> (Id, Id) {
    if a <= b { (a, b) } else { (b, a) }
}

/// A key that orders members differently every round (SplitMix64 of the id and the round), so
/// who chooses first, and who is left out of an odd pool, moves around.
fn shuffle_key(id: Id, round: i64) -> u64 {
    let bytes = id.bits();
    let mut x = (bytes as u64)
        ^ ((bytes >> 64) as u64)
        ^ (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nine_to_five(zone: &str) -> Schedule {
        Schedule::default_for(zone).expect("a known zone")
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    #[test]
    fn rounds_are_two_weeks_from_monday_and_contain_their_instants() {
        let round = Round::at(ts("2026-12-06T15:00:00Z"));
        assert!(
            round.start <= ts("2026-12-06T15:00:00Z") && ts("2026-12-06T15:00:00Z") < round.end
        );
        assert_eq!(
            round.end.duration_since(round.start),
            SignedDuration::from_hours(24 * 14)
        );
        assert_eq!(
            jiff::tz::TimeZone::UTC.to_datetime(round.start).weekday(),
            jiff::civil::Weekday::Monday
        );
        assert_eq!(round.next().start, round.end);
        assert_eq!(Round::at(round.start), round);
    }

    #[test]
    fn a_week_mask_counts_the_shared_working_minutes() {
        let from = ts("2026-12-07T00:00:00Z");
        let london = WeekMask::of(&nine_to_five("Europe/London"), from).expect("mask");
        let berlin = WeekMask::of(&nine_to_five("Europe/Berlin"), from).expect("mask");
        let tokyo = WeekMask::of(&nine_to_five("Asia/Tokyo"), from).expect("mask");
        // Five days of eight hours each.
        assert_eq!(london.shared_minutes(&london), 5 * 8 * 60);
        // Berlin is an hour ahead of London in December: seven shared hours a day.
        assert_eq!(london.shared_minutes(&berlin), 5 * 7 * 60);
        // Tokyo's 09–17 is London's 00–08: nothing shared.
        assert_eq!(london.shared_minutes(&tokyo), 0);
    }

    /// Members in `zones`, their schedules and masks, for a round.
    fn pool_of(zones: &[&str], round: Round) -> (Vec<Id>, Vec<Schedule>, Vec<WeekMask>) {
        let ids: Vec<Id> = zones.iter().map(|_| Id::random()).collect();
        let schedules: Vec<Schedule> = zones.iter().map(|z| nine_to_five(z)).collect();
        let masks = schedules
            .iter()
            .map(|s| WeekMask::of(s, round.start).expect("mask"))
            .collect();
        (ids, schedules, masks)
    }

    fn candidates<'a>(
        ids: &[Id],
        schedules: &'a [Schedule],
        masks: &'a [WeekMask],
    ) -> Vec<Candidate<'a>> {
        ids.iter()
            .zip(schedules)
            .zip(masks)
            .map(|((id, schedule), week)| Candidate {
                id: *id,
                schedule,
                week,
                busy: &[],
            })
            .collect()
    }

    #[test]
    fn members_are_paired_with_someone_they_rarely_overlap_with() {
        let round = Round::at(ts("2026-12-07T00:00:00Z"));
        // Two in London and two in Tokyo: whoever chooses first, nobody is paired with their
        // own city, and each pair gets a slot.
        let (ids, schedules, masks) = pool_of(
            &["Europe/London", "Europe/London", "Asia/Tokyo", "Asia/Tokyo"],
            round,
        );
        let pool = candidates(&ids, &schedules, &masks);
        let (pairs, left_out) = pair(&pool, &[], round, round.start).expect("pairs");
        assert_eq!(pairs.len(), 2);
        assert_eq!(left_out, None);
        let in_london = |id: Id| id == ids[0] || id == ids[1];
        for pair in &pairs {
            assert_ne!(in_london(pair.a), in_london(pair.b), "{pairs:?}");
            assert_eq!(pair.shared_minutes, 0);
            assert!(pair.slot.is_some(), "{pair:?}");
        }
    }

    #[test]
    fn a_rare_overlap_long_enough_for_a_hangout_comes_first() {
        // December: Los Angeles and Tokyo share an hour a day, four days a week; both share
        // nothing with London. Whoever chooses first between them takes the other. The order
        // follows the ids, so each attempt draws new ones (and London choosing first, which
        // proves nothing, happens in about a third of them).
        let round = Round::at(ts("2026-12-07T00:00:00Z"));
        let london = nine_to_five("Europe/London");
        let london_week = WeekMask::of(&london, round.start).expect("mask");
        let mut checked = 0;
        for _ in 0..12 {
            let (ids, schedules, masks) = pool_of(&["America/Los_Angeles", "Asia/Tokyo"], round);
            assert_eq!(masks[0].shared_minutes(&masks[1]), 4 * 60);
            let mut pool = candidates(&ids, &schedules, &masks);
            pool.push(Candidate {
                id: Id::random(),
                schedule: &london,
                week: &london_week,
                busy: &[],
            });
            let (pairs, left_out) = pair(&pool, &[], round, round.start).expect("pairs");
            if left_out != Some(pool[2].id) {
                continue; // London chose first and took one of them.
            }
            assert_eq!(ordered(pairs[0].a, pairs[0].b), ordered(ids[0], ids[1]));
            let slot = pairs[0].slot.as_ref().expect("a slot");
            assert_eq!(slot.total_out_of_hours(), 0, "inside both their hours");
            checked += 1;
        }
        assert!(checked > 0, "London chose first in every attempt");
    }

    #[test]
    fn last_rounds_pairs_are_kept_apart_and_an_odd_pool_leaves_one_out() {
        let round = Round::at(ts("2026-12-07T00:00:00Z"));
        let (ids, schedules, masks) =
            pool_of(&["Europe/London", "America/New_York", "Asia/Tokyo"], round);
        let pool = candidates(&ids, &schedules, &masks);
        let previous = [(ids[1], ids[0]), (ids[2], ids[0]), (ids[1], ids[2])];
        let (pairs, left_out) = pair(&pool, &previous[..1], round, round.start).expect("pairs");
        assert_eq!(pairs.len(), 1);
        let left_out = left_out.expect("one left out of three");
        let named = [pairs[0].a, pairs[0].b, left_out];
        assert!(ids.iter().all(|id| named.contains(id)));
        assert_ne!(
            ordered(pairs[0].a, pairs[0].b),
            ordered(ids[0], ids[1]),
            "the previous pair is kept apart while another exists"
        );
        // When every pair met last time, pairing still happens.
        let (pairs, _) = pair(&pool, &previous, round, round.start).expect("pairs");
        assert_eq!(pairs.len(), 1);
    }

    #[test]
    fn who_is_left_out_moves_between_rounds() {
        let first = Round::at(ts("2026-12-07T00:00:00Z"));
        let (ids, schedules, masks) =
            pool_of(&["Europe/London", "America/New_York", "Asia/Tokyo"], first);
        let pool = candidates(&ids, &schedules, &masks);
        let left_out: HashSet<Id> = (0..12)
            .map(|n| {
                let round = Round::numbered(first.index + n);
                pair(&pool, &[], round, round.start)
                    .expect("pairs")
                    .1
                    .expect("one out")
            })
            .collect();
        assert!(
            left_out.len() > 1,
            "the same member was left out every round"
        );
    }

    #[test]
    fn slots_are_offered_only_in_what_is_left_of_the_round() {
        let round = Round::at(ts("2026-12-07T00:00:00Z"));
        let (ids, schedules, masks) = pool_of(&["Europe/London", "Europe/Berlin"], round);
        let pool = candidates(&ids, &schedules, &masks);
        // The second Tuesday of the round, 12:07 UTC.
        let now = round.start + SignedDuration::from_mins((8 * 24 + 12) * 60 + 7);
        let (pairs, _) = pair(&pool, &[], round, now).expect("pairs");
        let slot = pairs[0].slot.as_ref().expect("a slot");
        assert!(slot.start >= now, "{slot:?}");
        let (pairs, _) = pair(&pool, &[], round, round.end).expect("pairs");
        assert_eq!(pairs[0].slot, None);
    }

    #[test]
    fn a_pair_without_a_free_slot_is_offered_none() {
        let round = Round::at(ts("2026-12-07T00:00:00Z"));
        let (ids, schedules, masks) = pool_of(&["Europe/London", "Europe/London"], round);
        let whole_round = [(round.start, round.end)];
        let mut pool = candidates(&ids, &schedules, &masks);
        pool[0].busy = &whole_round;
        let (pairs, _) = pair(&pool, &[], round, round.start).expect("pairs");
        assert_eq!(pairs[0].slot, None);
    }
}
