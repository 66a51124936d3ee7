//! Meetings on SQLite. A meeting and its rows are written in one write job (one transaction);
//! a failed check rolls all of it back. Each step of a meeting's life is one write job too,
//! with the thread or post it writes.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::UrgentBudget;
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, Purpose};
use baton_core::model::{NewPost, NewThread};
use baton_core::page::{Page, PageRequest};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row};

use super::SqliteStore;
use super::rows::{self, ms, to_json, ts};
use super::threads::{insert_post, insert_thread};
use crate::meetings::{
    CANCEL_SQL, CLOSE_REMINDER_SQL, CLOSE_SQL, EXISTS_SQL, FOLLOW_SQL, INVITE_SQL, LOAD_TARGET_SQL,
    MEETING_COLS, MEETING_TIMES_SQL, OPEN_ENDED_SQL, SET_LOAD_TARGET_SQL, close_reminder_key,
    meeting_span,
};
use crate::{Constraint, MeetingStore, StoreError, StoreResult};
use baton_core::delivery::outbox::EventPayload;

/// Columns of [`head`], in order.
const COLS: &str = MEETING_COLS;

fn bad(what: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(what)))
}

/// A meeting without its rows, and its sequence number.
fn head(r: &Row<'_>) -> rusqlite::Result<(Meeting, i64)> {
    let purpose: String = r.get(3)?;
    let status: String = r.get(8)?;
    let space = match r.get::<_, Option<String>>(9)? {
        Some(_) => Some(rows::id(r, 9)?),
        None => None,
    };
    let meeting = Meeting {
        workspace_id: rows::id(r, 0)?,
        id: rows::id(r, 1)?,
        title: r.get(2)?,
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad(format!("purpose {purpose}")))?,
        justification: r.get(4)?,
        organizer_id: rows::id(r, 5)?,
        start: ts(r.get(6)?)?,
        duration_minutes: r.get(7)?,
        status: MeetingStatus::parse(&status).ok_or_else(|| bad(format!("status {status}")))?,
        space_id: space,
        created_at: ts(r.get(10)?)?,
        participants: Vec::new(),
        agenda: Vec::new(),
        prework: Vec::new(),
        prework_due: Vec::new(),
        sequence: r.get(12)?,
        thread_id: match r.get::<_, Option<String>>(13)? {
            Some(_) => Some(rows::id(r, 13)?),
            None => None,
        },
        video_url: r.get(14)?,
        optional: Vec::new(),
        closed_at: r.get::<_, Option<i64>>(15)?.map(ts).transpose()?,
    };
    Ok((meeting, r.get(11)?))
}

/// Reads a meeting's participants, agenda and pre-work into it.
fn fill(c: &Connection, m: &mut Meeting) -> StoreResult<()> {
    let (ws, id) = (m.workspace_id.to_string(), m.id.to_string());
    let key = (&ws, &id);
    let mut stmt = c.prepare_cached(
        "SELECT member_id, prework_due_at, optional FROM meeting_participants
         WHERE workspace_id = ?1 AND meeting_id = ?2 ORDER BY position",
    )?;
    let mut found = stmt.query(key)?;
    while let Some(r) = found.next()? {
        let member = rows::id(r, 0)?;
        m.participants.push(member);
        if r.get::<_, bool>(2)? {
            m.optional.push(member);
        }
        if let Some(due) = r.get::<_, Option<i64>>(1)? {
            m.prework_due.push(PreworkDue {
                member_id: member,
                due_at: ts(due)?,
            });
        }
    }
    m.agenda = c
        .prepare_cached(
            "SELECT item, owner_id, minutes FROM meeting_agenda
             WHERE workspace_id = ?1 AND meeting_id = ?2 ORDER BY position",
        )?
        .query_map(key, |r| {
            Ok(AgendaItem {
                item: r.get(0)?,
                owner_id: rows::id(r, 1)?,
                minutes: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    m.prework = c
        .prepare_cached(
            "SELECT what, due_minutes_before FROM meeting_prework
             WHERE workspace_id = ?1 AND meeting_id = ?2 ORDER BY position",
        )?
        .query_map(key, |r| {
            Ok(PreworkItem {
                what: r.get(0)?,
                due_minutes_before: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Fails with `NotFound` when an insert that selects from `members` or `spaces` of the
/// workspace found nothing to insert.
fn inserted(rows: usize) -> StoreResult<()> {
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn insert(c: &Connection, m: &Meeting) -> StoreResult<()> {
    let ws = m.workspace_id.to_string();
    let id = m.id.to_string();
    if let Some(space) = m.space_id {
        c.prepare_cached("SELECT 1 FROM spaces WHERE workspace_id = ?1 AND id = ?2")?
            .query_row((&ws, space.to_string()), |_| Ok(()))?;
    }
    inserted(
        c.prepare_cached(
            "INSERT INTO meetings (workspace_id, id, title, purpose, justification, organizer_id,
                                   starts_at, duration_minutes, status, space_id, created_at,
                                   sequence, thread_id, video_url, closed_at)
             SELECT ?1, ?2, ?3, ?4, ?5, m.id, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15 FROM members m
             WHERE m.workspace_id = ?1 AND m.id = ?6",
        )?
        .execute((
            &ws,
            &id,
            &m.title,
            m.purpose.as_str(),
            &m.justification,
            m.organizer_id.to_string(),
            ms(m.start),
            m.duration_minutes,
            m.status.as_str(),
            m.space_id.map(|s| s.to_string()),
            ms(m.created_at),
            m.sequence,
            m.thread_id.map(|t| t.to_string()),
            &m.video_url,
            m.closed_at.map(ms),
        ))?,
    )?;
    let mut participant = c.prepare_cached(
        "INSERT INTO meeting_participants (workspace_id, meeting_id, member_id, position, prework_due_at, optional)
         SELECT ?1, ?2, m.id, ?4, ?5, ?6 FROM members m WHERE m.workspace_id = ?1 AND m.id = ?3",
    )?;
    for (position, member) in m.participants.iter().enumerate() {
        let due = m
            .prework_due
            .iter()
            .find(|d| d.member_id == *member)
            .map(|d| ms(d.due_at));
        let optional = m.optional.contains(member);
        inserted(participant.execute((&ws, &id, member.to_string(), position, due, optional))?)?;
    }
    let mut agenda = c.prepare_cached(
        "INSERT INTO meeting_agenda (workspace_id, meeting_id, position, item, owner_id, minutes)
         SELECT ?1, ?2, ?3, ?4, m.id, ?6 FROM members m WHERE m.workspace_id = ?1 AND m.id = ?5",
    )?;
    for (position, a) in m.agenda.iter().enumerate() {
        inserted(agenda.execute((
            &ws,
            &id,
            position,
            &a.item,
            a.owner_id.to_string(),
            a.minutes,
        ))?)?;
    }
    let mut prework = c.prepare_cached(
        "INSERT INTO meeting_prework (workspace_id, meeting_id, position, what, due_minutes_before)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, p) in m.prework.iter().enumerate() {
        prework.execute((&ws, &id, position, &p.what, p.due_minutes_before))?;
    }
    Ok(())
}

/// Fails a step that changed no row: `NotFound` when `ws` has no such meeting, otherwise
/// `Conflict` (the meeting is not in the state the step needs).
fn stepped(c: &Connection, ws: &str, id: &str, changed: usize) -> StoreResult<()> {
    if changed > 0 {
        return Ok(());
    }
    if c.prepare_cached(EXISTS_SQL)?.exists((ws, id))? {
        return Err(StoreError::Conflict {
            constraint: Constraint::MeetingStatus,
        });
    }
    Err(StoreError::NotFound)
}

/// Makes every participant of a meeting follow its thread (the meeting's rows must be written
/// already).
fn follow(c: &Connection, ws: &str, id: &str, thread: &str) -> StoreResult<()> {
    c.prepare_cached(FOLLOW_SQL)?.execute((thread, ws, id))?;
    Ok(())
}

#[async_trait]
impl MeetingStore for SqliteStore {
    async fn create_meeting(&self, ws: Id, meeting: Meeting) -> StoreResult<()> {
        let meeting = Meeting {
            workspace_id: ws,
            ..meeting
        };
        self.engine.write(move |c| insert(c, &meeting)).await
    }

    async fn create_invited_meeting(
        &self,
        ws: Id,
        meeting: Meeting,
        invitation: NewThread,
    ) -> StoreResult<()> {
        let meeting = Meeting {
            workspace_id: ws,
            thread_id: Some(invitation.id),
            ..meeting
        };
        self.engine
            .write(move |c| {
                let ws = ws.to_string();
                // The thread first: the meeting's row refers to it.
                insert_thread(c, &ws, &invitation)?;
                insert(c, &meeting)?;
                follow(c, &ws, &meeting.id.to_string(), &invitation.id.to_string())
            })
            .await
    }

    async fn invite_meeting(&self, ws: Id, id: Id, invitation: NewThread) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id, thread) = (ws.to_string(), id.to_string(), invitation.id.to_string());
                // The thread first (the meeting's row refers to it); a refused step rolls it
                // back with everything else.
                insert_thread(c, &ws, &invitation)?;
                let changed = c.prepare_cached(INVITE_SQL)?.execute((&thread, &ws, &id))?;
                stepped(c, &ws, &id, changed)?;
                follow(c, &ws, &id, &thread)
            })
            .await
    }

    async fn close_meeting(&self, ws: Id, id: Id, notes: NewPost) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let changed =
                    c.prepare_cached(CLOSE_SQL)?
                        .execute((ms(notes.created_at), &ws, &id))?;
                stepped(c, &ws, &id, changed)?;
                insert_post(c, &ws, &notes)?;
                Ok(())
            })
            .await
    }

    async fn cancel_meeting(&self, ws: Id, id: Id, notice: Option<NewPost>) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let (ws, id) = (ws.to_string(), id.to_string());
                let changed = c.prepare_cached(CANCEL_SQL)?.execute((&ws, &id))?;
                stepped(c, &ws, &id, changed)?;
                if let Some(notice) = &notice {
                    insert_post(c, &ws, notice)?;
                }
                Ok(())
            })
            .await
    }

    async fn open_meetings_ended(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(Id, Id, Id, Timestamp, Option<Id>)>> {
        self.engine
            .scan(move |c| {
                Ok(c.prepare_cached(OPEN_ENDED_SQL)?
                    .query_map((ms(before), limit), |r| {
                        let (_, end) = meeting_span(ts(r.get(3)?)?, r.get(4)?);
                        let thread = match r.get::<_, Option<String>>(5)? {
                            Some(_) => Some(rows::id(r, 5)?),
                            None => None,
                        };
                        Ok((
                            rows::id(r, 0)?,
                            rows::id(r, 1)?,
                            rows::id(r, 2)?,
                            end,
                            thread,
                        ))
                    })?
                    .collect::<Result<_, _>>()?)
            })
            .await
    }

    async fn record_close_reminder(
        &self,
        ws: Id,
        id: Id,
        to: Id,
        thread: Id,
        post: Id,
        at: Timestamp,
    ) -> StoreResult<bool> {
        self.engine
            .write(move |c| {
                let payload = to_json(&EventPayload { to: vec![to] })?;
                let inserted = c.prepare_cached(CLOSE_REMINDER_SQL)?.execute((
                    ws.to_string(),
                    Id::random().to_string(),
                    post.to_string(),
                    thread.to_string(),
                    payload,
                    ms(at),
                    close_reminder_key(id),
                    to.to_string(),
                ))?;
                Ok(inserted == 1)
            })
            .await
    }

    async fn meeting_load_target(&self, ws: Id) -> StoreResult<Option<f64>> {
        self.engine
            .read(move |c| {
                Ok(c.prepare_cached(LOAD_TARGET_SQL)?
                    .query_row([ws.to_string()], |r| r.get::<_, Option<f64>>(0))
                    .optional()?
                    .flatten())
            })
            .await
    }

    async fn set_meeting_load_target(
        &self,
        ws: Id,
        target: f64,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.engine
            .write(move |c| {
                let written = c.prepare_cached(SET_LOAD_TARGET_SQL)?.execute((
                    ws.to_string(),
                    UrgentBudget::DEFAULT.per_week(),
                    target,
                    ms(at),
                    by.to_string(),
                ))?;
                inserted(written)
            })
            .await
    }

    async fn meeting_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<Meeting> {
        self.engine
            .read(move |c| {
                let (mut meeting, _) = c
                    .prepare_cached(&format!(
                        "SELECT {COLS} FROM meetings m JOIN meeting_participants p
                           ON p.workspace_id = m.workspace_id AND p.meeting_id = m.id
                         WHERE m.workspace_id = ?1 AND m.id = ?2 AND p.member_id = ?3"
                    ))?
                    .query_row((ws.to_string(), id.to_string(), viewer.to_string()), head)?;
                fill(c, &mut meeting)?;
                Ok(meeting)
            })
            .await
    }

    async fn meetings_of(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Meeting>> {
        self.engine
            .scan(move |c| {
                let found = c
                    .prepare_cached(&format!(
                        "SELECT {COLS} FROM meeting_participants p JOIN meetings m
                           ON m.workspace_id = p.workspace_id AND m.id = p.meeting_id
                         WHERE p.workspace_id = ?1 AND p.member_id = ?2 AND m.seq > ?3
                         ORDER BY m.seq LIMIT ?4"
                    ))?
                    .query_map(
                        (
                            ws.to_string(),
                            member.to_string(),
                            page.after.unwrap_or(0),
                            i64::from(page.limit) + 1,
                        ),
                        head,
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut page = Page::from_seq_rows(found, page);
                for meeting in &mut page.items {
                    fill(c, meeting)?;
                }
                Ok(page)
            })
            .await
    }

    async fn meeting_times(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>> {
        let members = members.to_vec();
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached(MEETING_TIMES_SQL)?;
                let mut times = Vec::new();
                for member in members {
                    let key = (ws.to_string(), member.to_string(), ms(from), ms(to));
                    let found = stmt.query_map(key, |r| {
                        let (start, end) = meeting_span(ts(r.get(1)?)?, r.get(2)?);
                        Ok((rows::id(r, 0)?, start, end))
                    })?;
                    for time in found {
                        times.push(time?);
                    }
                }
                Ok(times)
            })
            .await
    }
}
