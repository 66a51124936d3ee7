//! Meetings on PostgreSQL. A meeting and its rows are written in one transaction; the parts of
//! a page of meetings are read with one query per kind of part, not one per meeting. Each step
//! of a meeting's life is one transaction with the thread or post it writes; a refused step
//! returns before the commit, so the transaction is rolled back whole.

use std::collections::HashMap;

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::UrgentBudget;
use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, Purpose};
use baton_core::model::{NewPost, NewThread};
use baton_core::page::{Page, PageRequest};
use deadpool_postgres::{GenericClient, Transaction};
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::error::corrupt;
use super::query::{self, Params, found};
use super::rows::{self, ms, to_json};
use super::threads::{append_post, insert_thread};
use crate::meetings::{
    CANCEL_SQL, CLOSE_REMINDER_SQL, CLOSE_SQL, EXISTS_SQL, FOLLOW_SQL, INVITE_SQL, LOAD_TARGET_SQL,
    MEETING_COLS, MEETING_TIMES_SQL, OPEN_ENDED_SQL, SET_LOAD_TARGET_SQL, close_reminder_key,
    meeting_span,
};
use crate::{Constraint, MeetingStore, StoreError, StoreResult};
use baton_core::delivery::outbox::EventPayload;

/// A small non-negative integer column as stored (`INTEGER`).
fn count(row: &Row, column: &str) -> StoreResult<u32> {
    let n: i32 = row.try_get(column)?;
    u32::try_from(n).map_err(|_| corrupt(format!("{column} {n}")))
}

/// A meeting without its parts, and its sequence number.
fn head(row: &Row) -> StoreResult<(Meeting, i64)> {
    let purpose: &str = row.try_get("purpose")?;
    let status: &str = row.try_get("status")?;
    let space: Option<&str> = row.try_get("space_id")?;
    let meeting = Meeting {
        workspace_id: rows::id(row, "workspace_id")?,
        id: rows::id(row, "id")?,
        title: row.try_get("title")?,
        purpose: Purpose::parse(purpose).ok_or_else(|| corrupt(format!("purpose {purpose}")))?,
        justification: row.try_get("justification")?,
        organizer_id: rows::id(row, "organizer_id")?,
        start: rows::ts(row, "starts_at")?,
        duration_minutes: count(row, "duration_minutes")?,
        status: MeetingStatus::parse(status).ok_or_else(|| corrupt(format!("status {status}")))?,
        space_id: match space {
            Some(_) => Some(rows::id(row, "space_id")?),
            None => None,
        },
        created_at: rows::ts(row, "created_at")?,
        participants: Vec::new(),
        agenda: Vec::new(),
        prework: Vec::new(),
        prework_due: Vec::new(),
        sequence: count(row, "sequence")?,
        thread_id: match row.try_get::<_, Option<&str>>("thread_id")? {
            Some(_) => Some(rows::id(row, "thread_id")?),
            None => None,
        },
        video_url: row.try_get("video_url")?,
        optional: Vec::new(),
        closed_at: rows::ts_opt(row, "closed_at")?,
    };
    Ok((meeting, row.try_get("seq")?))
}

/// A participant row: meeting, member, pre-work deadline and whether they are optional.
fn participant(row: &Row) -> StoreResult<(Id, Id, Option<jiff::Timestamp>, bool)> {
    Ok((
        rows::id(row, "meeting_id")?,
        rows::id(row, "member_id")?,
        rows::ts_opt(row, "prework_due_at")?,
        row.try_get("optional")?,
    ))
}

fn agenda_item(row: &Row) -> StoreResult<(Id, AgendaItem)> {
    Ok((
        rows::id(row, "meeting_id")?,
        AgendaItem {
            item: row.try_get("item")?,
            owner_id: rows::id(row, "owner_id")?,
            minutes: count(row, "minutes")?,
        },
    ))
}

fn prework_item(row: &Row) -> StoreResult<(Id, PreworkItem)> {
    Ok((
        rows::id(row, "meeting_id")?,
        PreworkItem {
            what: row.try_get("what")?,
            due_minutes_before: count(row, "due_minutes_before")?,
        },
    ))
}

/// Reads the participants, agenda and pre-work of `meetings` (all of `ws`) into them.
async fn fill<C: GenericClient>(c: &C, ws: Id, meetings: &mut [Meeting]) -> StoreResult<()> {
    if meetings.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = meetings.iter().map(|m| m.id.to_string()).collect();
    let at: HashMap<Id, usize> = meetings
        .iter()
        .enumerate()
        .map(|(n, m)| (m.id, n))
        .collect();
    let params: Params = &[&ws.to_string(), &ids];
    for (meeting, member, due, optional) in query::all(
        c,
        "SELECT meeting_id, member_id, prework_due_at, optional FROM meeting_participants
         WHERE workspace_id = $1 AND meeting_id = ANY($2) ORDER BY meeting_id, position",
        params,
        participant,
    )
    .await?
    {
        let m = &mut meetings[at[&meeting]];
        m.participants.push(member);
        if optional {
            m.optional.push(member);
        }
        if let Some(due_at) = due {
            m.prework_due.push(PreworkDue {
                member_id: member,
                due_at,
            });
        }
    }
    for (meeting, item) in query::all(
        c,
        "SELECT meeting_id, item, owner_id, minutes FROM meeting_agenda
         WHERE workspace_id = $1 AND meeting_id = ANY($2) ORDER BY meeting_id, position",
        params,
        agenda_item,
    )
    .await?
    {
        meetings[at[&meeting]].agenda.push(item);
    }
    for (meeting, item) in query::all(
        c,
        "SELECT meeting_id, what, due_minutes_before FROM meeting_prework
         WHERE workspace_id = $1 AND meeting_id = ANY($2) ORDER BY meeting_id, position",
        params,
        prework_item,
    )
    .await?
    {
        meetings[at[&meeting]].prework.push(item);
    }
    Ok(())
}

/// A count as stored in an `INTEGER` column (every count here is checked far below `i32::MAX`).
fn int(n: impl TryInto<i32>) -> StoreResult<i32> {
    n.try_into()
        .map_err(|_| crate::StoreError::Other(anyhow::anyhow!("a count does not fit INTEGER")))
}

/// Writes a meeting and its rows of workspace `ws` inside `tx`.
async fn insert(tx: &Transaction<'_>, ws: Id, m: &Meeting) -> StoreResult<()> {
    let (ws, id) = (ws.to_string(), m.id.to_string());
    if let Some(space) = m.space_id {
        query::one(
            tx,
            "SELECT 1 FROM spaces WHERE workspace_id = $1 AND id = $2",
            &[&ws, &space.to_string()],
            |_| Ok(()),
        )
        .await?;
    }
    let params: Params = &[
        &ws,
        &id,
        &m.title,
        &m.purpose.as_str(),
        &m.justification,
        &m.organizer_id.to_string(),
        &ms(m.start),
        &int(m.duration_minutes)?,
        &m.status.as_str(),
        &m.space_id.map(|s| s.to_string()),
        &ms(m.created_at),
        &int(m.sequence)?,
        &m.thread_id.map(|t| t.to_string()),
        &m.video_url,
        &m.closed_at.map(ms),
    ];
    found(
            query::exec(
                tx,
                "INSERT INTO meetings (workspace_id, id, title, purpose, justification, organizer_id,
                                       starts_at, duration_minutes, status, space_id, created_at,
                                       sequence, thread_id, video_url, closed_at)
                 SELECT $1, $2, $3, $4, $5, m.id, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM members m
                 WHERE m.workspace_id = $1 AND m.id = $6",
                params,
            )
            .await?,
        )?;
    for (position, member) in m.participants.iter().enumerate() {
        let due = m
            .prework_due
            .iter()
            .find(|d| d.member_id == *member)
            .map(|d| ms(d.due_at));
        found(
                query::exec(
                    tx,
                    "INSERT INTO meeting_participants (workspace_id, meeting_id, member_id, position, prework_due_at, optional)
                     SELECT $1, $2, m.id, $4, $5, $6 FROM members m WHERE m.workspace_id = $1 AND m.id = $3",
                    &[&ws, &id, &member.to_string(), &int(position)?, &due, &m.optional.contains(member)],
                )
                .await?,
            )?;
    }
    for (position, a) in m.agenda.iter().enumerate() {
        found(
                query::exec(
                    tx,
                    "INSERT INTO meeting_agenda (workspace_id, meeting_id, position, item, owner_id, minutes)
                     SELECT $1, $2, $3, $4, m.id, $6 FROM members m WHERE m.workspace_id = $1 AND m.id = $5",
                    &[&ws, &id, &int(position)?, &a.item, &a.owner_id.to_string(), &int(a.minutes)?],
                )
                .await?,
            )?;
    }
    for (position, p) in m.prework.iter().enumerate() {
        query::exec(
                tx,
                "INSERT INTO meeting_prework (workspace_id, meeting_id, position, what, due_minutes_before)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&ws, &id, &int(position)?, &p.what, &int(p.due_minutes_before)?],
            )
            .await?;
    }
    Ok(())
}

/// Fails a step that changed no row: `NotFound` when `ws` has no such meeting, otherwise
/// `Conflict` (the meeting is not in the state the step needs).
async fn stepped(tx: &Transaction<'_>, ws: &str, id: &str, changed: u64) -> StoreResult<()> {
    if changed > 0 {
        return Ok(());
    }
    if query::all(tx, EXISTS_SQL, &[&ws, &id], |_| Ok(()))
        .await?
        .is_empty()
    {
        return Err(StoreError::NotFound);
    }
    Err(StoreError::Conflict {
        constraint: Constraint::MeetingStatus,
    })
}

/// Makes every participant of a meeting follow its thread.
async fn follow(tx: &Transaction<'_>, ws: &str, id: &str, thread: &str) -> StoreResult<()> {
    query::exec(tx, FOLLOW_SQL, &[&thread, &ws, &id]).await?;
    Ok(())
}

#[async_trait]
impl MeetingStore for PgStore {
    async fn create_meeting(&self, ws: Id, m: Meeting) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        insert(&tx, ws, &m).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_invited_meeting(
        &self,
        ws: Id,
        meeting: Meeting,
        invitation: NewThread,
    ) -> StoreResult<()> {
        let meeting = Meeting {
            thread_id: Some(invitation.id),
            ..meeting
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let text = ws.to_string();
        // The thread first: the meeting's row refers to it.
        insert_thread(&tx, &text, &invitation).await?;
        insert(&tx, ws, &meeting).await?;
        follow(
            &tx,
            &text,
            &meeting.id.to_string(),
            &invitation.id.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn invite_meeting(&self, ws: Id, id: Id, invitation: NewThread) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id, thread) = (ws.to_string(), id.to_string(), invitation.id.to_string());
        insert_thread(&tx, &ws, &invitation).await?;
        let changed = query::exec(&tx, INVITE_SQL, &[&thread, &ws, &id]).await?;
        stepped(&tx, &ws, &id, changed).await?;
        follow(&tx, &ws, &id, &thread).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close_meeting(&self, ws: Id, id: Id, notes: NewPost) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        let changed = query::exec(&tx, CLOSE_SQL, &[&ms(notes.created_at), &ws, &id]).await?;
        stepped(&tx, &ws, &id, changed).await?;
        append_post(&tx, &ws, &notes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn cancel_meeting(&self, ws: Id, id: Id, notice: Option<NewPost>) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, id) = (ws.to_string(), id.to_string());
        let changed = query::exec(&tx, CANCEL_SQL, &[&ws, &id]).await?;
        stepped(&tx, &ws, &id, changed).await?;
        if let Some(notice) = &notice {
            append_post(&tx, &ws, notice).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn open_meetings_ended(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(Id, Id, Id, Timestamp, Option<Id>)>> {
        let client = self.client().await?;
        query::all(
            &client,
            OPEN_ENDED_SQL,
            &[&ms(before), &i64::from(limit)],
            |r| {
                let minutes: i32 = r.try_get("duration_minutes")?;
                let (_, end) = meeting_span(rows::ts(r, "starts_at")?, i64::from(minutes));
                let thread = match r.try_get::<_, Option<&str>>("thread_id")? {
                    Some(_) => Some(rows::id(r, "thread_id")?),
                    None => None,
                };
                Ok((
                    rows::id(r, "workspace_id")?,
                    rows::id(r, "id")?,
                    rows::id(r, "organizer_id")?,
                    end,
                    thread,
                ))
            },
        )
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
        let payload = to_json(&EventPayload { to: vec![to] })?;
        let params: Params = &[
            &ws.to_string(),
            &Id::random().to_string(),
            &post.to_string(),
            &thread.to_string(),
            &payload,
            &ms(at),
            &close_reminder_key(id),
            &to.to_string(),
        ];
        let inserted = query::exec(&self.client().await?, CLOSE_REMINDER_SQL, params).await?;
        Ok(inserted == 1)
    }

    async fn meeting_load_target(&self, ws: Id) -> StoreResult<Option<f64>> {
        let client = self.client().await?;
        let found = query::all(&client, LOAD_TARGET_SQL, &[&ws.to_string()], |r| {
            Ok(r.try_get::<_, Option<f64>>("meeting_load_target")?)
        })
        .await?;
        Ok(found.into_iter().next().flatten())
    }

    async fn set_meeting_load_target(
        &self,
        ws: Id,
        target: f64,
        by: Id,
        at: Timestamp,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let budget = int(UrgentBudget::DEFAULT.per_week())?;
        found(
            query::exec(
                &client,
                SET_LOAD_TARGET_SQL,
                &[&ws.to_string(), &budget, &target, &ms(at), &by.to_string()],
            )
            .await?,
        )
    }

    async fn meeting_for(&self, ws: Id, id: Id, viewer: Id) -> StoreResult<Meeting> {
        let client = self.client().await?;
        let (meeting, _) = query::one(
            &client,
            &format!(
                "SELECT {MEETING_COLS} FROM meetings m JOIN meeting_participants p
                   ON p.workspace_id = m.workspace_id AND p.meeting_id = m.id
                 WHERE m.workspace_id = $1 AND m.id = $2 AND p.member_id = $3"
            ),
            &[&ws.to_string(), &id.to_string(), &viewer.to_string()],
            head,
        )
        .await?;
        let mut one = [meeting];
        fill(&client, ws, &mut one).await?;
        let [meeting] = one;
        Ok(meeting)
    }

    async fn meetings_of(
        &self,
        ws: Id,
        member: Id,
        page: PageRequest,
    ) -> StoreResult<Page<Meeting>> {
        let client = self.client().await?;
        let found = query::all(
            &client,
            &format!(
                "SELECT {MEETING_COLS} FROM meeting_participants p JOIN meetings m
                   ON m.workspace_id = p.workspace_id AND m.id = p.meeting_id
                 WHERE p.workspace_id = $1 AND p.member_id = $2 AND m.seq > $3
                 ORDER BY m.seq LIMIT $4"
            ),
            &[
                &ws.to_string(),
                &member.to_string(),
                &page.after.unwrap_or(0),
                &(i64::from(page.limit) + 1),
            ],
            head,
        )
        .await?;
        let mut page = Page::from_seq_rows(found, page);
        fill(&client, ws, &mut page.items).await?;
        Ok(page)
    }

    async fn meeting_times(
        &self,
        ws: Id,
        members: &[Id],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(Id, Timestamp, Timestamp)>> {
        let client = self.client().await?;
        let mut times = Vec::new();
        for member in members {
            let params: Params = &[
                &ws.to_string(),
                &member.to_string(),
                &rows::ms(from),
                &rows::ms(to),
            ];
            times.extend(query::all(&client, MEETING_TIMES_SQL, params, meeting_time).await?);
        }
        Ok(times)
    }
}

fn meeting_time(row: &Row) -> StoreResult<(Id, Timestamp, Timestamp)> {
    let minutes: i32 = row.try_get("duration_minutes")?;
    let (start, end) = meeting_span(rows::ts(row, "starts_at")?, i64::from(minutes));
    Ok((rows::id(row, "member_id")?, start, end))
}
