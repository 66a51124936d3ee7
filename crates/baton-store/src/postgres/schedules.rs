//! Working schedules on PostgreSQL, stored as the JSON of their spec.

use async_trait::async_trait;
use baton_core::Id;
use baton_core::delivery::NotificationPolicy;
use baton_core::schedule::ScheduleSpec;
use jiff::Timestamp;

use super::PgStore;
use super::query::{self, Params, found};
use super::rows::{from_json, ms, to_json};
use crate::{ScheduleStore, StoreResult};

#[async_trait]
impl ScheduleStore for PgStore {
    async fn set_schedule(
        &self,
        ws: Id,
        member: Id,
        schedule: ScheduleSpec,
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (ws, member, json) = (ws.to_string(), member.to_string(), to_json(&schedule)?);
        let zone: Params = &[&ws, &member, &schedule.timezone];
        found(
            query::exec(
                &tx,
                "UPDATE members SET timezone = $3 WHERE workspace_id = $1 AND id = $2",
                zone,
            )
            .await?,
        )?;
        let params: Params = &[&ws, &member, &json, &ms(at)];
        query::exec(
            &tx,
            "INSERT INTO schedules (workspace_id, member_id, schedule, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (member_id) DO UPDATE SET schedule = excluded.schedule, updated_at = excluded.updated_at",
            params,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_policy(
        &self,
        ws: Id,
        member: Id,
        policy: NotificationPolicy,
        at: Timestamp,
    ) -> StoreResult<()> {
        let (ws, member, json) = (ws.to_string(), member.to_string(), to_json(&policy)?);
        let params: Params = &[&ws, &member, &json, &ms(at)];
        let written = query::exec(
            &self.client().await?,
            "INSERT INTO notification_policies (workspace_id, member_id, policy, updated_at)
             SELECT $1, m.id, $3, $4 FROM members m WHERE m.workspace_id = $1 AND m.id = $2
             ON CONFLICT (member_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
            params,
        )
        .await?;
        found(written)
    }

    async fn policy(&self, ws: Id, member: Id) -> StoreResult<Option<NotificationPolicy>> {
        let params: Params = &[&ws.to_string(), &member.to_string()];
        let json = query::opt(
            &self.client().await?,
            "SELECT policy FROM notification_policies WHERE workspace_id = $1 AND member_id = $2",
            params,
            |row| Ok(row.try_get::<_, String>(0)?),
        )
        .await?;
        json.map(|j| from_json(&j)).transpose()
    }

    async fn schedules(&self, ws: Id, members: &[Id]) -> StoreResult<Vec<(Id, ScheduleSpec)>> {
        let ids: Vec<String> = members.iter().map(ToString::to_string).collect();
        let params: Params = &[&ws.to_string(), &ids];
        let rows = query::all(
            &self.client().await?,
            "SELECT member_id, schedule FROM schedules WHERE workspace_id = $1 AND member_id = ANY($2)",
            params,
            |row| Ok((row.get::<_, String>(0), row.get::<_, String>(1))),
        )
        .await?;
        rows.into_iter()
            .map(|(id, json)| {
                Ok((
                    id.parse()
                        .map_err(|_| super::error::corrupt(format!("bad member id {id}")))?,
                    from_json(&json)?,
                ))
            })
            .collect()
    }
}
