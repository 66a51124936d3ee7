//! The SQLite write path and read pool.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each commit costs an fsync.
//! Instead of letting request tasks fight for the lock (and pay one fsync each), every write is
//! sent to one writer thread as a closure. The thread takes all writes that are waiting, runs
//! them in one `BEGIN IMMEDIATE` transaction — each inside its own savepoint, so a failing
//! write rolls back alone — commits once, and only then answers each caller. Under load this
//! shares one fsync among dozens of requests; when idle a write commits immediately.
//!
//! Reads use a small pool of read-only connections: short lookups inline, list scans on the
//! blocking thread pool. WAL lets them proceed while the writer commits.

use std::sync::{Arc, Mutex, mpsc};

use rusqlite::Connection;
use tokio::sync::{Semaphore, oneshot};

use crate::{StoreError, StoreResult};

/// Most writes committed in one transaction: bounds the latency one commit adds.
const MAX_BATCH: usize = 512;

/// One queued write: applied inside the batch's transaction, answered after the commit.
trait WriteJob: Send {
    /// Runs the write; returns whether it succeeded (a failure rolls back its savepoint).
    fn apply(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct Job<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T: Send, F: FnOnce(&Connection) -> StoreResult<T> + Send> WriteJob for Job<T, F> {
    fn apply(&mut self, conn: &Connection) -> bool {
        let result = match self.work.take() {
            Some(work) => work(conn),
            None => Err(StoreError::Other(anyhow::anyhow!("write applied twice"))),
        };
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let outcome = match (commit, self.result) {
            (Ok(()), Some(result)) => result,
            (Err(_), Some(Err(e))) => Err(e),
            (Err(e), _) => Err(StoreError::Unavailable(e)),
            (Ok(()), None) => Err(StoreError::Other(anyhow::anyhow!(
                "write was never applied"
            ))),
        };
        // The caller may have gone away (request cancelled); the write stands regardless.
        let _ = self.reply.send(outcome);
    }
}

/// The writer thread's inbox and the read pool.
pub(super) struct Engine {
    writes: mpsc::Sender<Box<dyn WriteJob>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    reader_slots: Semaphore,
}

impl Engine {
    /// Starts the writer thread on `writer` and pools `readers`.
    pub(super) fn start(writer: Connection, readers: Vec<Connection>) -> anyhow::Result<Self> {
        let (tx, rx) = mpsc::channel::<Box<dyn WriteJob>>();
        std::thread::Builder::new()
            .name("baton-sqlite-writer".into())
            .spawn(move || write_loop(writer, rx))?;
        let slots = Semaphore::new(readers.len());
        Ok(Self {
            writes: tx,
            readers: Arc::new(Mutex::new(readers)),
            reader_slots: slots,
        })
    }

    /// Runs `work` in the next write transaction and returns its result once committed.
    pub(super) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Job {
            work: Some(work),
            result: None,
            reply,
        });
        self.writes
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?
    }

    /// Runs a short read (an indexed lookup of a few rows) on a read connection, on the
    /// calling task's thread.
    ///
    /// Why inline: such a read takes a few microseconds, while a hop to the blocking pool and
    /// back costs two context switches, several times the read itself, and it sits on every
    /// request's path (authentication, visibility). WAL readers never wait for the writer, so
    /// the worker thread is not held hostage by writes. Reads that return many rows use
    /// [`Engine::scan`] instead.
    pub(super) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let _slot = self
            .reader_slots
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("store closed".into()))?;
        with_reader(&self.readers, work)
    }

    /// Runs a read that may return many rows (a list page) on the blocking thread pool, so
    /// a long scan does not stall other requests on this worker.
    pub(super) async fn scan<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let _slot = self
            .reader_slots
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("store closed".into()))?;
        let pool = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || with_reader(&pool, work))
            .await
            .map_err(|e| StoreError::Other(anyhow::anyhow!("read task failed: {e}")))?
    }
}

/// Borrows a pooled read connection for `work` (the caller holds a reader slot, so one is free).
fn with_reader<T>(
    pool: &Mutex<Vec<Connection>>,
    work: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    let conn = pool
        .lock()
        .map_err(|_| poisoned())?
        .pop()
        .ok_or_else(poisoned)?;
    let result = work(&conn);
    pool.lock().map_err(|_| poisoned())?.push(conn);
    result
}

fn poisoned() -> StoreError {
    StoreError::Other(anyhow::anyhow!("SQLite read pool is in a bad state"))
}

fn write_loop(conn: Connection, inbox: mpsc::Receiver<Box<dyn WriteJob>>) {
    while let Ok(first) = inbox.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let commit = run_batch(&conn, &mut batch);
        for job in batch {
            job.finish(commit.clone());
        }
    }
}

fn run_batch(conn: &Connection, batch: &mut [Box<dyn WriteJob>]) -> Result<(), String> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| format!("cannot start a write: {e}"))?;
    for job in batch.iter_mut() {
        let step = run_sql(conn, "SAVEPOINT job").and_then(|()| {
            if job.apply(conn) {
                run_sql(conn, "RELEASE job")
            } else {
                run_sql(conn, "ROLLBACK TO job").and_then(|()| run_sql(conn, "RELEASE job"))
            }
        });
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(format!("write failed: {e}"));
        }
    }
    conn.execute_batch("COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        format!("commit failed: {e}")
    })
}

/// Runs a statement without parameters through the statement cache (savepoints run per write,
/// so parsing them each time shows in profiles).
fn run_sql(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}
