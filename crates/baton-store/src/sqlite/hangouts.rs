//! Hangouts on SQLite: opt-ins, and each round written whole in one write job.

use async_trait::async_trait;
use baton_core::Id;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::SqliteStore;
use super::rows::{self, ms, ts};
use crate::hangouts::{HangoutRound, PairedHangout};
use crate::{HangoutStore, StoreError, StoreResult};

/// The pairs of a stored round, in the order they were made.
fn pairs(c: &Connection, ws: &str, round: i64) -> StoreResult<Vec<PairedHangout>> {
    Ok(c.prepare_cached(
        "SELECT member_a, member_b, shared_minutes, slot_start, out_of_hours_a, out_of_hours_b
               FROM hangout_pairs WHERE workspace_id = ?1 AND round = ?2 ORDER BY position",
    )?
    .query_map((ws, round), |r| {
        let slot = match r.get::<_, Option<i64>>(3)? {
            Some(start) => Some((ts(start)?, r.get(4)?, r.get(5)?)),
            None => None,
        };
        Ok(PairedHangout {
            a: rows::id(r, 0)?,
            b: rows::id(r, 1)?,
            shared_minutes: r.get(2)?,
            slot,
        })
    })?
    .collect::<Result<_, _>>()?)
}

fn insert_round(c: &Connection, ws: &str, round: &HangoutRound) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO hangout_rounds (workspace_id, round, paired_at, left_out_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((
        ws,
        round.round,
        ms(round.paired_at),
        round.left_out.map(|id| id.to_string()),
    ))?;
    let mut pair = c.prepare_cached(
        "INSERT INTO hangout_pairs (workspace_id, round, position, member_a, member_b,
                                    shared_minutes, slot_start, out_of_hours_a, out_of_hours_b)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (position, p) in round.pairs.iter().enumerate() {
        pair.execute((
            ws,
            round.round,
            position,
            p.a.to_string(),
            p.b.to_string(),
            p.shared_minutes,
            p.slot.map(|(start, ..)| ms(start)),
            p.slot.map(|(_, a, _)| a),
            p.slot.map(|(.., b)| b),
        ))?;
    }
    Ok(())
}

#[async_trait]
impl HangoutStore for SqliteStore {
    async fn set_hangout_opt_in(
        &self,
        ws: Id,
        member: Id,
        opted_in: bool,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, member) = (ws.to_string(), member.to_string());
                c.prepare_cached("SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2")?
                    .query_row((&ws, &member), |_| Ok(()))
                    .optional()?
                    .ok_or(StoreError::NotFound)?;
                if opted_in {
                    c.prepare_cached(
                        "INSERT INTO hangout_members (workspace_id, member_id, opted_in_at)
                         VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    )?
                    .execute((&ws, &member, ms(at)))?;
                } else {
                    c.prepare_cached(
                        "DELETE FROM hangout_members WHERE workspace_id = ?1 AND member_id = ?2",
                    )?
                    .execute((&ws, &member))?;
                }
                Ok(())
            })
            .await
    }

    async fn hangout_opted_in(&self, ws: Id, member: Id) -> StoreResult<bool> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT 1 FROM hangout_members WHERE workspace_id = ?1 AND member_id = ?2",
                )?
                .query_row((ws.to_string(), member.to_string()), |_| Ok(()))
                .optional()?
                .is_some())
            })
            .await
    }

    async fn hangout_pool(&self, ws: Id) -> StoreResult<Vec<Id>> {
        self.engine
            .scan(move |c| {
                Ok(c.prepare_cached(
                    "SELECT h.member_id FROM hangout_members h JOIN members m
                       ON m.workspace_id = h.workspace_id AND m.id = h.member_id
                      WHERE h.workspace_id = ?1 AND m.active = 1
                      ORDER BY h.opted_in_at, h.member_id",
                )?
                .query_map([ws.to_string()], |r| rows::id(r, 0))?
                .collect::<Result<_, _>>()?)
            })
            .await
    }

    async fn hangout_round(&self, ws: Id, round: i64) -> StoreResult<Option<HangoutRound>> {
        self.engine
            .read(move |c| {
                let ws = ws.to_string();
                let head = c
                    .prepare_cached(
                        "SELECT paired_at, left_out_id FROM hangout_rounds
                          WHERE workspace_id = ?1 AND round = ?2",
                    )?
                    .query_row((&ws, round), |r| {
                        let left_out = match r.get::<_, Option<String>>(1)? {
                            Some(_) => Some(rows::id(r, 1)?),
                            None => None,
                        };
                        Ok((ts(r.get(0)?)?, left_out))
                    })
                    .optional()?;
                let Some((paired_at, left_out)) = head else {
                    return Ok(None);
                };
                Ok(Some(HangoutRound {
                    round,
                    paired_at,
                    pairs: pairs(c, &ws, round)?,
                    left_out,
                }))
            })
            .await
    }

    async fn record_hangout_round(&self, ws: Id, round: HangoutRound) -> StoreResult<()> {
        self.engine
            .write(move |c| insert_round(c, &ws.to_string(), &round))
            .await
    }
}
