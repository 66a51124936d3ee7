//! The SQLite backend: the embedded default.
//!
//! Owns: the database file's pragmas and migrations, the write path ([`engine`]: one writer
//! thread committing many requests per transaction) and the SQL for every store method.
//! Durability: WAL with `synchronous=FULL`, so an acknowledged write has been fsynced; group
//! commit shares each fsync among all the writes that arrived while the previous one ran.

mod asks;
mod audit;
mod calendars;
mod deliveries;
mod engine;
mod feed;
mod follows;
mod hangouts;
mod meetings;
mod members;
mod relays;
mod rows;
mod schedules;
mod sessions;
mod spaces;
mod threads;
mod throttle;
mod urgent;
mod webhooks;

use std::path::Path;

use anyhow::Context;
use async_trait::async_trait;
use rusqlite::Connection;

use crate::{HealthStore, StoreResult};
use engine::Engine;

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// How long a writer waits for another process's lock (e.g. `baton admin` beside a running
/// server) before giving up with `Unavailable`.
const BUSY_TIMEOUT_MS: u32 = 5_000;
/// Read connections: enough for the two cores here plus headroom for slow readers.
const READERS: usize = 4;

/// A Baton store in one SQLite file.
pub struct SqliteStore {
    engine: Engine,
    /// Change announcements to this process's live views.
    feed: feed::LocalFeed,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path`, migrates it and starts the writer.
    ///
    /// # Errors
    /// When the file cannot be opened or a migration fails.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut writer = connect(&path, false)?;
            embedded::migrations::runner()
                .run(&mut writer)
                .context("running SQLite migrations")?;
            let readers = (0..READERS)
                .map(|_| connect(&path, true))
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok(Self {
                engine: Engine::start(writer, readers)?,
                feed: feed::LocalFeed::new(),
            })
        })
        .await
        .context("opening SQLite")?
    }
}

/// Opens one connection with Baton's pragmas.
///
/// `mmap_size`, on the writer only: it re-reads the pages it changes through a memory map
/// instead of `pread` calls and copies (measured: the largest single cost of the post path
/// before it was set). A reader must not map the file: in WAL mode a reader that finds the
/// WAL changed since its last transaction (under load: every time) unmaps the whole file
/// when it begins the next one, and each unmap interrupts every other core to flush its TLB;
/// reading into its page cache instead measured about 9% more posts per second
/// (`baton-bench --posts 30000`, seven alternating pairs).
fn connect(path: &Path, read_only: bool) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("opening SQLite database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS.into()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .with_context(|| format!("configuring SQLite database {}", path.display()))?;
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA mmap_size = 0;")?;
    } else {
        conn.execute_batch("PRAGMA mmap_size = 268435456;")?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[async_trait]
impl HealthStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.engine
            .read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }
}

impl SqliteStore {
    /// Runs `work` as a write guarded by an optional idempotency key, in one transaction: a
    /// known key with the same fingerprint returns the recorded result and writes nothing; with
    /// another fingerprint it fails with `IdempotencyMismatch`; a new key is recorded with the
    /// result. The writer thread serializes writes, so two duplicates never both run `work`.
    async fn write_idempotent<T, F>(
        &self,
        ws: baton_core::Id,
        idem: Option<&crate::IdempotencyKey>,
        at: jiff::Timestamp,
        work: F,
    ) -> StoreResult<T>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let Some(key) = idem.cloned() else {
            return self.engine.write(work).await;
        };
        self.engine
            .write(move |c| idempotent(c, ws, &key, at, work))
            .await
    }

    /// [`SqliteStore::write_idempotent`] for a `work` that only runs SQL, so the writer may
    /// apply it again after a rollback ([`Engine::write_repeatable`]).
    async fn write_idempotent_repeatable<T, F>(
        &self,
        ws: baton_core::Id,
        idem: Option<&crate::IdempotencyKey>,
        at: jiff::Timestamp,
        work: F,
    ) -> StoreResult<T>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
        F: Fn(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let Some(key) = idem.cloned() else {
            return self.engine.write_repeatable(work).await;
        };
        self.engine
            .write_repeatable(move |c| idempotent(c, ws, &key, at, &work))
            .await
    }
}

/// The body of an idempotent write (see [`SqliteStore::write_idempotent`]), inside the write
/// transaction.
fn idempotent<T, F>(
    c: &Connection,
    ws: baton_core::Id,
    key: &crate::IdempotencyKey,
    at: jiff::Timestamp,
    work: F,
) -> StoreResult<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: FnOnce(&Connection) -> StoreResult<T>,
{
    let (ws, member) = (ws.to_string(), key.member_id.to_string());
    let earlier: Option<(String, String)> = c
        .prepare_cached(
            "SELECT fingerprint, response FROM idempotency_keys
             WHERE workspace_id = ?1 AND member_id = ?2 AND key = ?3",
        )?
        .query_row((&ws, &member, &key.key), |r| Ok((r.get(0)?, r.get(1)?)))
        .map(Some)
        .or_else(|e| {
            if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
                Ok(None)
            } else {
                Err(e)
            }
        })?;
    if let Some((fingerprint, response)) = earlier {
        if fingerprint != key.fingerprint {
            return Err(crate::StoreError::IdempotencyMismatch);
        }
        return serde_json::from_str(&response).map_err(|e| crate::StoreError::Other(e.into()));
    }
    let value = work(c)?;
    c.prepare_cached(
        "INSERT INTO idempotency_keys (workspace_id, member_id, key, fingerprint, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((&ws, &member, &key.key, &key.fingerprint, rows::to_json(&value)?, rows::ms(at)))?;
    Ok(value)
}
