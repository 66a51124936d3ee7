//! The sign-in throttle's counters on PostgreSQL, shared by every instance on the database.
//! Each failure is one `INSERT … ON CONFLICT DO UPDATE`, which PostgreSQL applies atomically
//! per key, so instances counting at once never lose a failure.

use async_trait::async_trait;
use baton_core::throttle::{Counter, Failure};
use jiff::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::query;
use super::rows::{ms, ts};
use crate::{StoreResult, ThrottleStore};

fn counter(r: &Row) -> StoreResult<Counter> {
    let failures: i32 = r.try_get("failures")?;
    Ok(Counter {
        key: r.try_get("key")?,
        failures: u32::try_from(failures).unwrap_or(0),
        last_at: ts(r, "last_at")?,
    })
}

#[async_trait]
impl ThrottleStore for PgStore {
    async fn throttle_counters(&self, keys: &[String]) -> StoreResult<Vec<Counter>> {
        let client = self.client().await?;
        query::all(
            &client,
            "SELECT key, failures, last_at FROM sign_in_throttle WHERE key = ANY($1)",
            &[&keys],
            counter,
        )
        .await
    }

    async fn count_failures(
        &self,
        failures: &[Failure],
        at: Timestamp,
        expired_before: Timestamp,
    ) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for f in failures {
            query::exec(
                &tx,
                "INSERT INTO sign_in_throttle (key, failures, last_at) VALUES ($1, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN sign_in_throttle.last_at < $3 THEN 1
                                     ELSE sign_in_throttle.failures + 1 END,
                     last_at = EXCLUDED.last_at",
                &[&f.key, &ms(at), &ms(f.forget_before)],
            )
            .await?;
        }
        query::exec(
            &tx,
            "DELETE FROM sign_in_throttle WHERE last_at < $1",
            &[&ms(expired_before)],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn reset_counters(&self, keys: &[String], at: Timestamp) -> StoreResult<()> {
        let client = self.client().await?;
        query::exec(
            &client,
            "INSERT INTO sign_in_throttle (key, failures, last_at)
             SELECT k, 0, $2 FROM unnest($1::text[]) AS k
             ON CONFLICT (key) DO UPDATE SET failures = 0, last_at = EXCLUDED.last_at",
            &[&keys, &ms(at)],
        )
        .await?;
        Ok(())
    }
}
