//! Calendar feeds and external calendars on SQLite. A calendar and its busy times are written
//! in one write job (one transaction).

use async_trait::async_trait;
use baton_core::Id;
use baton_core::calendar::{Busy, ExternalCalendar, Refresh};
use jiff::Timestamp;
use rusqlite::{Connection, Row};

use super::SqliteStore;
use super::rows::{self, ms, ts};
use crate::calendars::{CALENDAR_COLS, busy_count};
use crate::{CalendarStore, StoreError, StoreResult};

fn calendar(r: &Row<'_>) -> rusqlite::Result<ExternalCalendar> {
    Ok(ExternalCalendar {
        workspace_id: rows::id(r, 0)?,
        id: rows::id(r, 1)?,
        member_id: rows::id(r, 2)?,
        name: r.get(3)?,
        url: r.get(4)?,
        busy_count: r.get(5)?,
        created_at: ts(r.get(6)?)?,
        fetched_at: r.get::<_, Option<i64>>(7)?.map(ts).transpose()?,
        checked_at: ts(r.get(8)?)?,
        last_error: r.get(9)?,
    })
}

/// Stores `busy` as the busy times of calendar `id` of `member`.
fn insert_busy(c: &Connection, ws: &str, id: &str, member: &str, busy: &[Busy]) -> StoreResult<()> {
    let mut stmt = c.prepare_cached(
        "INSERT INTO external_busy (workspace_id, calendar_id, member_id, starts_at, ends_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for b in busy {
        stmt.execute((ws, id, member, ms(b.start), ms(b.end)))?;
    }
    Ok(())
}

#[async_trait]
impl CalendarStore for SqliteStore {
    async fn set_calendar_feed(
        &self,
        ws: Id,
        member: Id,
        secret_hash: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let hash = secret_hash.to_owned();
        self.engine
            .write(move |c| {
                let changed = c
                    .prepare_cached(
                        "INSERT INTO calendar_feeds (member_id, workspace_id, secret_hash, created_at)
                         SELECT m.id, m.workspace_id, ?3, ?4 FROM members m
                          WHERE m.workspace_id = ?1 AND m.id = ?2
                         ON CONFLICT (member_id) DO UPDATE
                            SET secret_hash = excluded.secret_hash, created_at = excluded.created_at",
                    )?
                    .execute((ws.to_string(), member.to_string(), hash, ms(at)))?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn revoke_calendar_feed(&self, ws: Id, member: Id) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                c.prepare_cached(
                    "DELETE FROM calendar_feeds WHERE workspace_id = ?1 AND member_id = ?2",
                )?
                .execute((ws.to_string(), member.to_string()))?;
                Ok(())
            })
            .await
    }

    async fn calendar_feed_owner(&self, secret_hash: &str) -> StoreResult<(Id, Id)> {
        let hash = secret_hash.to_owned();
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT workspace_id, member_id FROM calendar_feeds WHERE secret_hash = ?1",
                )?
                .query_row([hash], |r| Ok((rows::id(r, 0)?, rows::id(r, 1)?)))?)
            })
            .await
    }

    async fn add_calendar(
        &self,
        ws: Id,
        cal: ExternalCalendar,
        busy: Vec<Busy>,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id, member) = (
                    ws.to_string(),
                    cal.id.to_string(),
                    cal.member_id.to_string(),
                );
                let changed = c
                    .prepare_cached(
                        "INSERT INTO external_calendars (workspace_id, id, member_id, name, url,
                             busy_count, created_at, fetched_at, checked_at, last_error)
                         SELECT ?1, ?2, m.id, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM members m
                          WHERE m.workspace_id = ?1 AND m.id = ?3",
                    )?
                    .execute((
                        &ws,
                        &id,
                        &member,
                        &cal.name,
                        &cal.url,
                        cal.busy_count,
                        ms(cal.created_at),
                        cal.fetched_at.map(ms),
                        ms(cal.checked_at),
                        &cal.last_error,
                    ))?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                insert_busy(c, &ws, &id, &member, &busy)
            })
            .await
    }

    async fn calendars_of(&self, ws: Id, member: Id) -> StoreResult<Vec<ExternalCalendar>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {CALENDAR_COLS} FROM external_calendars
                      WHERE workspace_id = ?1 AND member_id = ?2 ORDER BY seq"
                ))?
                .query_map((ws.to_string(), member.to_string()), calendar)?
                .collect::<Result<_, _>>()?)
            })
            .await
    }

    async fn remove_calendar(&self, ws: Id, member: Id, id: Id) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, member, id) = (ws.to_string(), member.to_string(), id.to_string());
                let key = (&ws, &member, &id);
                c.prepare_cached(
                    "DELETE FROM external_busy
                      WHERE workspace_id = ?1 AND member_id = ?2 AND calendar_id = ?3",
                )?
                .execute(key)?;
                let removed = c
                    .prepare_cached(
                        "DELETE FROM external_calendars
                          WHERE workspace_id = ?1 AND member_id = ?2 AND id = ?3",
                    )?
                    .execute(key)?;
                if removed == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
            .await
    }

    async fn calendars_due(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ExternalCalendar>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {CALENDAR_COLS} FROM external_calendars
                      WHERE url IS NOT NULL AND checked_at < ?1 ORDER BY checked_at, seq LIMIT ?2"
                ))?
                .query_map((ms(before), limit), calendar)?
                .collect::<Result<_, _>>()?)
            })
            .await
    }

    async fn record_refresh(
        &self,
        ws: Id,
        id: Id,
        at: Timestamp,
        refresh: Refresh,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let member: String = c
                    .prepare_cached(
                        "SELECT member_id FROM external_calendars WHERE workspace_id = ?1 AND id = ?2",
                    )?
                    .query_row((&ws, &id), |r| r.get(0))?;
                let count = busy_count(&refresh);
                match &refresh {
                    Refresh::Read(busy) => {
                        c.prepare_cached(
                            "DELETE FROM external_busy WHERE workspace_id = ?1 AND calendar_id = ?2",
                        )?
                        .execute((&ws, &id))?;
                        insert_busy(c, &ws, &id, &member, busy)?;
                        c.prepare_cached(
                            "UPDATE external_calendars
                                SET busy_count = ?3, fetched_at = ?4, checked_at = ?4, last_error = NULL
                              WHERE workspace_id = ?1 AND id = ?2",
                        )?
                        .execute((&ws, &id, count, ms(at)))?;
                    }
                    Refresh::Failed(why) => {
                        c.prepare_cached(
                            "UPDATE external_calendars SET checked_at = ?3, last_error = ?4
                              WHERE workspace_id = ?1 AND id = ?2",
                        )?
                        .execute((&ws, &id, ms(at), why))?;
                    }
                }
                Ok(())
            })
            .await
    }

    async fn external_busy(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>> {
        let members = members.to_vec();
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT member_id, starts_at, ends_at FROM external_busy
                      WHERE workspace_id = ?1 AND member_id = ?2 AND ends_at > ?3 AND starts_at < ?4
                      ORDER BY starts_at",
                )?;
                let mut times = Vec::new();
                for member in members {
                    let found = stmt.query_map(
                        (ws.to_string(), member.to_string(), ms(from), ms(to)),
                        |r| Ok((rows::id(r, 0)?, ts(r.get(1)?)?, ts(r.get(2)?)?)),
                    )?;
                    for time in found {
                        times.push(time?);
                    }
                }
                Ok(times)
            })
            .await
    }
}
