//! Working schedules on PostgreSQL, stored as the JSON of their spec.

use async_trait::async_trait;
use baton_core::Id;
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
