//! Writes guarded by an idempotency key: the key, the write and its recorded result commit in
//! one transaction, so a replay returns the first result and no crash can separate the two.

use std::future::Future;
use std::pin::Pin;

use baton_core::Id;
use deadpool_postgres::Transaction;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::PgStore;
use super::query;
use super::rows::{from_json, ms, to_json};
use crate::{IdempotencyKey, StoreError, StoreResult};

/// The future a guarded write returns; it borrows the transaction it runs in.
pub(super) type WriteFuture<'t, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 't>>;

impl PgStore {
    /// Runs `write` in a new transaction guarded by `key`, if any.
    ///
    /// The key is claimed *before* the write with `INSERT … ON CONFLICT DO NOTHING`, rather
    /// than looked up first: a concurrent request with the same key then blocks on the unique
    /// index until this transaction ends, and sees the committed row instead of racing it and
    /// writing twice. When the key is already taken the stored response is returned (or
    /// `IdempotencyMismatch` for a different request) and nothing is written; when it is new,
    /// the write runs and its result is recorded before the commit.
    pub(super) async fn idempotent<T, W>(
        &self,
        ws: Id,
        key: Option<&IdempotencyKey>,
        at: Timestamp,
        write: W,
    ) -> StoreResult<T>
    where
        T: Serialize + DeserializeOwned + Send,
        W: for<'t> FnOnce(&'t Transaction<'t>) -> WriteFuture<'t, T> + Send,
    {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let ws = ws.to_string();
        if let Some(key) = key {
            let member = key.member_id.to_string();
            let claimed = query::exec(
                &tx,
                "INSERT INTO idempotency_keys
                     (workspace_id, member_id, key, fingerprint, response, created_at)
                 VALUES ($1, $2, $3, $4, '', $5)
                 ON CONFLICT (workspace_id, member_id, key) DO NOTHING",
                &[&ws, &member, &key.key, &key.fingerprint, &ms(at)],
            )
            .await?;
            if claimed == 0 {
                // Dropping the transaction rolls it back; it has written nothing.
                return replay(&tx, &ws, &member, key).await;
            }
        }
        let value = write(&tx).await?;
        if let Some(key) = key {
            query::exec(
                &tx,
                "UPDATE idempotency_keys SET response = $4
                 WHERE workspace_id = $1 AND member_id = $2 AND key = $3",
                &[&ws, &key.member_id.to_string(), &key.key, &to_json(&value)?],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(value)
    }
}

/// The recorded result of the request that first used `key`.
async fn replay<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    ws: &str,
    member: &str,
    key: &IdempotencyKey,
) -> StoreResult<T> {
    let (fingerprint, response) = query::one(
        tx,
        "SELECT fingerprint, response FROM idempotency_keys
         WHERE workspace_id = $1 AND member_id = $2 AND key = $3",
        &[&ws, &member, &key.key],
        |row| Ok((row.try_get::<_, String>(0)?, row.try_get::<_, String>(1)?)),
    )
    .await?;
    if fingerprint != key.fingerprint {
        return Err(StoreError::IdempotencyMismatch);
    }
    from_json(&response)
}
