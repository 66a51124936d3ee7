//! The sign-in throttle's counters on SQLite. The one writer thread serializes the counting,
//! so two failures never read the same count.

use async_trait::async_trait;
use baton_core::throttle::{Counter, Failure};
use jiff::Timestamp;

use super::SqliteStore;
use super::rows::{ms, ts};
use crate::{StoreResult, ThrottleStore};

#[async_trait]
impl ThrottleStore for SqliteStore {
    async fn throttle_counters(&self, keys: &[String]) -> StoreResult<Vec<Counter>> {
        let keys = keys.to_vec();
        self.engine
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT key, failures, last_at FROM sign_in_throttle WHERE key = ?1",
                )?;
                let mut out = Vec::new();
                for key in &keys {
                    let found = stmt
                        .query_map([key], |r| {
                            Ok(Counter {
                                key: r.get(0)?,
                                failures: r.get(1)?,
                                last_at: ts(r.get(2)?)?,
                            })
                        })?
                        .collect::<Result<Vec<_>, _>>()?;
                    out.extend(found);
                }
                Ok(out)
            })
            .await
    }

    async fn count_failures(
        &self,
        failures: &[Failure],
        at: Timestamp,
        expired_before: Timestamp,
    ) -> StoreResult<()> {
        let failures = failures.to_vec();
        self.engine
            .write(move |c| {
                let mut count = c.prepare_cached(
                    "INSERT INTO sign_in_throttle (key, failures, last_at) VALUES (?1, 1, ?2)
                     ON CONFLICT (key) DO UPDATE SET
                         failures = CASE WHEN sign_in_throttle.last_at < ?3 THEN 1
                                         ELSE sign_in_throttle.failures + 1 END,
                         last_at = excluded.last_at",
                )?;
                for f in &failures {
                    count.execute((&f.key, ms(at), ms(f.forget_before)))?;
                }
                c.prepare_cached("DELETE FROM sign_in_throttle WHERE last_at < ?1")?
                    .execute([ms(expired_before)])?;
                Ok(())
            })
            .await
    }

    async fn reset_counters(&self, keys: &[String], at: Timestamp) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.engine
            .write(move |c| {
                let mut reset = c.prepare_cached(
                    "INSERT INTO sign_in_throttle (key, failures, last_at) VALUES (?1, 0, ?2)
                     ON CONFLICT (key) DO UPDATE SET failures = 0, last_at = excluded.last_at",
                )?;
                for key in &keys {
                    reset.execute((key, ms(at)))?;
                }
                Ok(())
            })
            .await
    }
}
