//! Running one prepared statement and mapping its rows: the only way the backend talks to
//! PostgreSQL, on a pooled connection or inside a transaction alike.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::{StoreError, StoreResult};

/// Statement parameters, in `$1, $2, …` order.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The one row `sql` returns, or `NotFound`.
pub(super) async fn one<C: GenericClient, T>(
    c: &C,
    sql: &str,
    params: Params<'_>,
    map: fn(&Row) -> StoreResult<T>,
) -> StoreResult<T> {
    opt(c, sql, params, map).await?.ok_or(StoreError::NotFound)
}

/// The row `sql` returns, if any (more than one is a bug and fails).
pub(super) async fn opt<C: GenericClient, T>(
    c: &C,
    sql: &str,
    params: Params<'_>,
    map: fn(&Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let stmt = c.prepare_cached(sql).await?;
    c.query_opt(&stmt, params)
        .await?
        .as_ref()
        .map(map)
        .transpose()
}

/// Every row `sql` returns, in order.
pub(super) async fn all<C: GenericClient, T>(
    c: &C,
    sql: &str,
    params: Params<'_>,
    map: fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let stmt = c.prepare_cached(sql).await?;
    c.query(&stmt, params).await?.iter().map(map).collect()
}

/// Runs `sql` and returns how many rows it changed.
pub(super) async fn exec<C: GenericClient>(
    c: &C,
    sql: &str,
    params: Params<'_>,
) -> StoreResult<u64> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.execute(&stmt, params).await?)
}

/// `NotFound` when a write changed nothing: its target is not in this workspace.
pub(super) fn found(changed: u64) -> StoreResult<()> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
