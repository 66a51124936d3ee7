//! Working schedules on SQLite, stored as the JSON of their spec.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::NotificationPolicy;
use baton_core::schedule::ScheduleSpec;
use jiff::Timestamp;

use super::SqliteStore;
use super::rows::{self, ms, to_json};
use crate::{ScheduleStore, StoreError, StoreResult};

#[async_trait]
impl ScheduleStore for SqliteStore {
    async fn set_schedule(
        &self,
        ws: Id,
        member: Id,
        schedule: ScheduleSpec,
        at: Timestamp,
    ) -> StoreResult<()> {
        let json = to_json(&schedule)?;
        self.engine
            .write(move |c| {
                let (ws, member) = (ws.to_string(), member.to_string());
                let n = c
                    .prepare_cached("UPDATE members SET timezone = ?3 WHERE workspace_id = ?1 AND id = ?2")?
                    .execute((&ws, &member, &schedule.timezone))?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                c.prepare_cached(
                    "INSERT INTO schedules (workspace_id, member_id, schedule, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (member_id) DO UPDATE SET schedule = excluded.schedule, updated_at = excluded.updated_at",
                )?
                .execute((&ws, &member, &json, ms(at)))?;
                Ok(())
            })
            .await
    }

    async fn set_policy(
        &self,
        ws: Id,
        member: Id,
        policy: NotificationPolicy,
        at: Timestamp,
    ) -> StoreResult<()> {
        let json = to_json(&policy)?;
        self.engine
            .write(move |c| {
                let (ws, member) = (ws.to_string(), member.to_string());
                c.prepare_cached("SELECT 1 FROM members WHERE workspace_id = ?1 AND id = ?2")?.query_row((&ws, &member), |_| Ok(()))?;
                c.prepare_cached(
                    "INSERT INTO notification_policies (workspace_id, member_id, policy, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (member_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
                )?
                .execute((&ws, &member, &json, ms(at)))?;
                Ok(())
            })
            .await
    }

    async fn policy(&self, ws: Id, member: Id) -> StoreResult<Option<NotificationPolicy>> {
        self.engine
            .read(move |c| {
                let json: Option<String> = rusqlite::OptionalExtension::optional(
                    c.prepare_cached("SELECT policy FROM notification_policies WHERE workspace_id = ?1 AND member_id = ?2")?
                        .query_row((ws.to_string(), member.to_string()), |r| r.get(0)),
                )?;
                json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Other(e.into()))).transpose()
            })
            .await
    }

    async fn schedules(&self, ws: Id, members: &[Id]) -> StoreResult<Vec<(Id, ScheduleSpec)>> {
        let ids: Vec<String> = members.iter().map(ToString::to_string).collect();
        self.engine
            .scan(move |c| {
                let mut stmt = c.prepare_cached("SELECT member_id, schedule FROM schedules WHERE workspace_id = ?1 AND member_id = ?2")?;
                let mut found = Vec::new();
                for id in ids {
                    let row: Option<(Id, String)> = rusqlite::OptionalExtension::optional(
                        stmt.query_row((ws.to_string(), &id), |r| Ok((rows::id(r, 0)?, r.get(1)?))),
                    )?;
                    if let Some((id, json)) = row {
                        found.push((id, serde_json::from_str(&json).map_err(|e| StoreError::Other(e.into()))?));
                    }
                }
                Ok(found)
            })
            .await
    }
}
