//! Hangouts on PostgreSQL: opt-ins, and each round written whole in one transaction.

use async_trait::async_trait;
use baton_core::Id;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::error::corrupt;
use super::query::{self, found};
use super::rows::{self, ms};
use crate::hangouts::{HangoutRound, PairedHangout};
use crate::{HangoutStore, StoreResult};

/// A small non-negative integer column as stored (`INTEGER`), or none.
fn minutes(row: &Row, column: &str) -> StoreResult<Option<u32>> {
    let n: Option<i32> = row.try_get(column)?;
    n.map(|n| u32::try_from(n).map_err(|_| corrupt(format!("{column} {n}"))))
        .transpose()
}

fn pair(row: &Row) -> StoreResult<PairedHangout> {
    let start = rows::ts_opt(row, "slot_start")?;
    let (out_a, out_b) = (
        minutes(row, "out_of_hours_a")?,
        minutes(row, "out_of_hours_b")?,
    );
    Ok(PairedHangout {
        a: rows::id(row, "member_a")?,
        b: rows::id(row, "member_b")?,
        shared_minutes: minutes(row, "shared_minutes")?.unwrap_or(0),
        slot: start.map(|start| (start, out_a.unwrap_or(0), out_b.unwrap_or(0))),
    })
}

fn int(n: impl TryInto<i32>) -> StoreResult<i32> {
    n.try_into()
        .map_err(|_| corrupt("a count does not fit INTEGER"))
}

#[async_trait]
impl HangoutStore for PgStore {
    async fn set_hangout_opt_in(
        &self,
        ws: Id,
        member: Id,
        opted_in: bool,
        at: Timestamp,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let (ws, member) = (ws.to_string(), member.to_string());
        query::one(
            &client,
            "SELECT 1 FROM members WHERE workspace_id = $1 AND id = $2",
            &[&ws, &member],
            |_| Ok(()),
        )
        .await?;
        if opted_in {
            query::exec(
                &client,
                "INSERT INTO hangout_members (workspace_id, member_id, opted_in_at)
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&ws, &member, &ms(at)],
            )
            .await?;
        } else {
            query::exec(
                &client,
                "DELETE FROM hangout_members WHERE workspace_id = $1 AND member_id = $2",
                &[&ws, &member],
            )
            .await?;
        }
        Ok(())
    }

    async fn hangout_opted_in(&self, ws: Id, member: Id) -> StoreResult<bool> {
        let client = self.client().await?;
        Ok(query::opt(
            &client,
            "SELECT 1 FROM hangout_members WHERE workspace_id = $1 AND member_id = $2",
            &[&ws.to_string(), &member.to_string()],
            |_| Ok(()),
        )
        .await?
        .is_some())
    }

    async fn hangout_pool(&self, ws: Id) -> StoreResult<Vec<Id>> {
        let client = self.client().await?;
        query::all(
            &client,
            "SELECT h.member_id FROM hangout_members h JOIN members m
               ON m.workspace_id = h.workspace_id AND m.id = h.member_id
              WHERE h.workspace_id = $1 AND m.active
              ORDER BY h.opted_in_at, h.member_id",
            &[&ws.to_string()],
            |row| rows::id(row, "member_id"),
        )
        .await
    }

    async fn hangout_round(&self, ws: Id, round: i64) -> StoreResult<Option<HangoutRound>> {
        let client = self.client().await?;
        let ws = ws.to_string();
        let head = query::opt(
            &client,
            "SELECT paired_at, left_out_id FROM hangout_rounds
              WHERE workspace_id = $1 AND round = $2",
            &[&ws, &round],
            |row| {
                let left_out: Option<&str> = row.try_get("left_out_id")?;
                let left_out = match left_out {
                    Some(_) => Some(rows::id(row, "left_out_id")?),
                    None => None,
                };
                Ok((rows::ts(row, "paired_at")?, left_out))
            },
        )
        .await?;
        let Some((paired_at, left_out)) = head else {
            return Ok(None);
        };
        let pairs = query::all(
            &client,
            "SELECT member_a, member_b, shared_minutes, slot_start, out_of_hours_a, out_of_hours_b
               FROM hangout_pairs WHERE workspace_id = $1 AND round = $2 ORDER BY position",
            &[&ws, &round],
            pair,
        )
        .await?;
        Ok(Some(HangoutRound {
            round,
            paired_at,
            pairs,
            left_out,
        }))
    }

    async fn record_hangout_round(&self, ws: Id, round: HangoutRound) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let ws = ws.to_string();
        found(
            query::exec(
                &tx,
                "INSERT INTO hangout_rounds (workspace_id, round, paired_at, left_out_id)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &ws,
                    &round.round,
                    &ms(round.paired_at),
                    &round.left_out.map(|id| id.to_string()),
                ],
            )
            .await?,
        )?;
        for (position, p) in round.pairs.iter().enumerate() {
            let slot_start = p.slot.map(|(start, ..)| ms(start));
            let out_a = p.slot.map(|(_, a, _)| int(a)).transpose()?;
            let out_b = p.slot.map(|(.., b)| int(b)).transpose()?;
            query::exec(
                &tx,
                "INSERT INTO hangout_pairs (workspace_id, round, position, member_a, member_b,
                                            shared_minutes, slot_start, out_of_hours_a, out_of_hours_b)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &ws,
                    &round.round,
                    &int(position)?,
                    &p.a.to_string(),
                    &p.b.to_string(),
                    &int(p.shared_minutes)?,
                    &slot_start,
                    &out_a,
                    &out_b,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
