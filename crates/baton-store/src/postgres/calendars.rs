//! Calendar feeds and external calendars on PostgreSQL. A calendar and its busy times are
//! written in one transaction.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::calendar::{Busy, ExternalCalendar, Refresh};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::error::corrupt;
use super::query::{self, found};
use super::rows::{self, ms};
use crate::calendars::{CALENDAR_COLS, busy_count};
use crate::{CalendarStore, StoreResult};

fn calendar(row: &Row) -> StoreResult<ExternalCalendar> {
    let count: i32 = row.try_get("busy_count")?;
    Ok(ExternalCalendar {
        workspace_id: rows::id(row, "workspace_id")?,
        id: rows::id(row, "id")?,
        member_id: rows::id(row, "member_id")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        busy_count: u32::try_from(count).map_err(|_| corrupt(format!("busy_count {count}")))?,
        created_at: rows::ts(row, "created_at")?,
        fetched_at: rows::ts_opt(row, "fetched_at")?,
        checked_at: rows::ts(row, "checked_at")?,
        last_error: row.try_get("last_error")?,
    })
}

fn busy_time(row: &Row) -> StoreResult<(Id, Timestamp, Timestamp)> {
    Ok((
        rows::id(row, "member_id")?,
        rows::ts(row, "starts_at")?,
        rows::ts(row, "ends_at")?,
    ))
}

/// A count as stored in an `INTEGER` column.
fn int(n: i64) -> StoreResult<i32> {
    i32::try_from(n).map_err(|_| corrupt(format!("count {n}")))
}

/// Stores `busy` as the busy times of calendar `id` of `member`.
async fn insert_busy<C: GenericClient>(
    c: &C,
    ws: &str,
    id: &str,
    member: &str,
    busy: &[Busy],
) -> StoreResult<()> {
    let starts: Vec<i64> = busy.iter().map(|b| ms(b.start)).collect();
    let ends: Vec<i64> = busy.iter().map(|b| ms(b.end)).collect();
    query::exec(
        c,
        "INSERT INTO external_busy (workspace_id, calendar_id, member_id, starts_at, ends_at)
         SELECT $1, $2, $3, s, e FROM UNNEST($4::BIGINT[], $5::BIGINT[]) AS t(s, e)",
        &[&ws, &id, &member, &starts, &ends],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl CalendarStore for PgStore {
    async fn set_calendar_feed(
        &self,
        ws: Id,
        member: Id,
        secret_hash: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        found(
            query::exec(
                &client,
                "INSERT INTO calendar_feeds (member_id, workspace_id, secret_hash, created_at)
                 SELECT m.id, m.workspace_id, $3, $4 FROM members m
                  WHERE m.workspace_id = $1 AND m.id = $2
                 ON CONFLICT (member_id) DO UPDATE
                    SET secret_hash = excluded.secret_hash, created_at = excluded.created_at",
                &[&ws.to_string(), &member.to_string(), &secret_hash, &ms(at)],
            )
            .await?,
        )
    }

    async fn revoke_calendar_feed(&self, ws: Id, member: Id) -> StoreResult<()> {
        let client = self.client().await?;
        query::exec(
            &client,
            "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND member_id = $2",
            &[&ws.to_string(), &member.to_string()],
        )
        .await?;
        Ok(())
    }

    async fn calendar_feed_owner(&self, secret_hash: &str) -> StoreResult<(Id, Id)> {
        let client = self.client().await?;
        query::one(
            &client,
            "SELECT workspace_id, member_id FROM calendar_feeds WHERE secret_hash = $1",
            &[&secret_hash],
            |row| Ok((rows::id(row, "workspace_id")?, rows::id(row, "member_id")?)),
        )
        .await
    }

    async fn add_calendar(
        &self,
        ws: Id,
        cal: ExternalCalendar,
        busy: Vec<Busy>,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id, member) = (
            ws.to_string(),
            cal.id.to_string(),
            cal.member_id.to_string(),
        );
        found(
            query::exec(
                &tx,
                "INSERT INTO external_calendars (workspace_id, id, member_id, name, url,
                     busy_count, created_at, fetched_at, checked_at, last_error)
                 SELECT $1, $2, m.id, $4, $5, $6, $7, $8, $9, $10 FROM members m
                  WHERE m.workspace_id = $1 AND m.id = $3",
                &[
                    &ws,
                    &id,
                    &member,
                    &cal.name,
                    &cal.url,
                    &int(i64::from(cal.busy_count))?,
                    &ms(cal.created_at),
                    &cal.fetched_at.map(ms),
                    &ms(cal.checked_at),
                    &cal.last_error,
                ],
            )
            .await?,
        )?;
        insert_busy(&tx, &ws, &id, &member, &busy).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn calendars_of(&self, ws: Id, member: Id) -> StoreResult<Vec<ExternalCalendar>> {
        let client = self.client().await?;
        query::all(
            &client,
            &format!(
                "SELECT {CALENDAR_COLS} FROM external_calendars
                  WHERE workspace_id = $1 AND member_id = $2 ORDER BY seq"
            ),
            &[&ws.to_string(), &member.to_string()],
            calendar,
        )
        .await
    }

    async fn remove_calendar(&self, ws: Id, member: Id, id: Id) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, member, id) = (ws.to_string(), member.to_string(), id.to_string());
        query::exec(
            &tx,
            "DELETE FROM external_busy WHERE workspace_id = $1 AND member_id = $2 AND calendar_id = $3",
            &[&ws, &member, &id],
        )
        .await?;
        found(
            query::exec(
                &tx,
                "DELETE FROM external_calendars WHERE workspace_id = $1 AND member_id = $2 AND id = $3",
                &[&ws, &member, &id],
            )
            .await?,
        )?;
        tx.commit().await?;
        Ok(())
    }

    async fn calendars_due(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ExternalCalendar>> {
        let client = self.client().await?;
        query::all(
            &client,
            &format!(
                "SELECT {CALENDAR_COLS} FROM external_calendars
                  WHERE url IS NOT NULL AND checked_at < $1 ORDER BY checked_at, seq LIMIT $2"
            ),
            &[&ms(before), &i64::from(limit)],
            calendar,
        )
        .await
    }

    async fn record_refresh(
        &self,
        ws: Id,
        id: Id,
        at: Timestamp,
        refresh: Refresh,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        // Locks the calendar's row, so two refreshes of it do not interleave their busy times.
        let member: String = query::one(
            &tx,
            "SELECT member_id FROM external_calendars WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            &[&ws, &id],
            |row| Ok(row.try_get("member_id")?),
        )
        .await?;
        match &refresh {
            Refresh::Read(busy) => {
                query::exec(
                    &tx,
                    "DELETE FROM external_busy WHERE workspace_id = $1 AND calendar_id = $2",
                    &[&ws, &id],
                )
                .await?;
                insert_busy(&tx, &ws, &id, &member, busy).await?;
                let count = int(busy_count(&refresh).unwrap_or_default())?;
                query::exec(
                    &tx,
                    "UPDATE external_calendars
                        SET busy_count = $3, fetched_at = $4, checked_at = $4, last_error = NULL
                      WHERE workspace_id = $1 AND id = $2",
                    &[&ws, &id, &count, &ms(at)],
                )
                .await?;
            }
            Refresh::Failed(why) => {
                query::exec(
                    &tx,
                    "UPDATE external_calendars SET checked_at = $3, last_error = $4
                      WHERE workspace_id = $1 AND id = $2",
                    &[&ws, &id, &ms(at), why],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn external_busy(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>> {
        let client = self.client().await?;
        let ids: Vec<String> = members.iter().map(Id::to_string).collect();
        query::all(
            &client,
            "SELECT member_id, starts_at, ends_at FROM external_busy
              WHERE workspace_id = $1 AND member_id = ANY($2) AND ends_at > $3 AND starts_at < $4
              ORDER BY starts_at",
            &[&ws.to_string(), &ids, &ms(from), &ms(to)],
            busy_time,
        )
        .await
    }
}
