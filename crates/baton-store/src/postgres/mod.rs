//! The PostgreSQL backend: for teams that outgrow one machine.
//!
//! Owns: the connection pool, the embedded migrations and the SQL for every store method.
//! Does not own: rules or time (callers pass every instant) and SQLite parity (checked by the
//! conformance suite, which runs the same tests against both backends).
//!
//! Every statement is prepared once per pooled connection (`prepare_cached`) and every write
//! that spans several statements runs in one transaction.

mod asks;
mod audit;
mod calendars;
mod deliveries;
mod error;
mod follows;
mod hangouts;
mod idempotency;
mod meetings;
mod members;
mod notify;
mod query;
mod relays;
mod rows;
mod schedules;
mod sessions;
mod spaces;
mod threads;
mod throttle;
mod urgent;
mod webhooks;

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;
use tokio_postgres::config::Host;

use crate::{HealthStore, StoreResult};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// Connections per process. Each `baton serve` instance holds at most this many, so a
/// default PostgreSQL (`max_connections = 100`) serves about six instances.
const POOL_SIZE: usize = 16;
/// How long to wait for a TCP connection when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request waits for a free connection before failing with `Unavailable`.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// A Baton store in a PostgreSQL database (or schema, through `options=-csearch_path%3D…`).
pub struct PgStore {
    pool: Pool,
    /// Change announcements between the instances on this database.
    feed: notify::PgFeed,
}

impl PgStore {
    /// Connects to the database at `url` (a libpq-style URL), applies any pending migrations
    /// and returns a store backed by a connection pool.
    ///
    /// # Errors
    /// When the URL is malformed, the server cannot be reached or a migration fails.
    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .with_context(|| format!("invalid PostgreSQL URL '{}'", crate::redact(url)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        migrate(&config).await?;
        let feed = notify::PgFeed::new(config.clone());
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(WAIT_TIMEOUT))
            .build()
            .context("building the PostgreSQL connection pool")?;
        Ok(PgStore { pool, feed })
    }

    /// A pooled connection, or `Unavailable` when none can be had in time.
    async fn client(&self) -> StoreResult<deadpool_postgres::Client> {
        Ok(self.pool.get().await?)
    }
}

/// Applies pending migrations on a dedicated connection, which doubles as the startup
/// connectivity check.
///
/// Several instances may start at once against one database. Refinery does not lock, so the
/// migration runs under a session advisory lock keyed by the current schema: concurrent
/// starts take turns, while tests that use one schema each still migrate in parallel. The
/// lock is released when the connection closes, even if a migration fails half-way (which is
/// why this connection does not come from the pool, where it would outlive the failure).
async fn migrate(config: &tokio_postgres::Config) -> anyhow::Result<()> {
    let target = describe_target(config);
    let (mut client, connection) = config.connect(NoTls).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot reach PostgreSQL at {target}: {}",
            error::describe(&e)
        )
    })?;
    let driver = tokio::spawn(connection);
    client
        .batch_execute(
            "SELECT pg_advisory_lock(hashtext('baton-migrate:' || COALESCE(current_schema(), '')))",
        )
        .await
        .with_context(|| format!("locking PostgreSQL at {target} for migration"))?;
    embedded::migrations::runner()
        .run_async(&mut client)
        .await
        .with_context(|| format!("running PostgreSQL migrations at {target}"))?;
    drop(client);
    // The connection task ends once the client is gone; its result only repeats errors
    // already reported above.
    let _ = driver.await;
    Ok(())
}

/// `host:port` for error messages (never the password, which lives elsewhere in the URL).
fn describe_target(config: &tokio_postgres::Config) -> String {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => format!("{name}:{port}"),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if hosts.is_empty() {
        format!("localhost:{port}")
    } else {
        hosts.join(",")
    }
}

#[async_trait]
impl HealthStore for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        let client = self.client().await?;
        let stmt = client.prepare_cached("SELECT 1").await?;
        client.query_one(&stmt, &[]).await?;
        Ok(())
    }
}
