//! The SQLite write path and read pool.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each commit costs an fsync.
//! Instead of letting request tasks fight for the lock (and pay one fsync each), every write is
//! sent to one writer thread as a closure. The thread takes all writes that are waiting, runs
//! them in one `BEGIN IMMEDIATE` transaction — each inside its own savepoint, so a failing
//! write rolls back alone — commits once, and only then answers each caller. Under load this
//! shares one fsync among dozens of requests; when idle a write commits immediately. Writes
//! that can safely run twice (posts, threads) skip the savepoints: a batch of only those runs
//! bare, and only if one fails is it rolled back and run again with savepoints.
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
    /// Whether [`WriteJob::apply`] may run again after its transaction was rolled back.
    fn repeatable(&self) -> bool;
    /// Answers the caller once the batch's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

/// Answers a job: its own result once committed, its own error if it failed, otherwise the
/// batch's failure.
fn outcome<T>(commit: Result<(), String>, result: Option<StoreResult<T>>) -> StoreResult<T> {
    match (commit, result) {
        (Ok(()), Some(result)) => result,
        (Err(_), Some(Err(e))) => Err(e),
        (Err(e), _) => Err(StoreError::Unavailable(e)),
        (Ok(()), None) => Err(StoreError::Other(anyhow::anyhow!(
            "write was never applied"
        ))),
    }
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

    fn repeatable(&self) -> bool {
        false
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        // The caller may have gone away (request cancelled); the write stands regardless.
        let _ = self.reply.send(outcome(commit, self.result));
    }
}

/// A write that only touches the database, so it can run again from the start after a
/// rollback (see [`Engine::write_repeatable`]).
struct RepeatableJob<T, F> {
    work: F,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T: Send, F: Fn(&Connection) -> StoreResult<T> + Send> WriteJob for RepeatableJob<T, F> {
    fn apply(&mut self, conn: &Connection) -> bool {
        let result = (self.work)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn repeatable(&self) -> bool {
        true
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let _ = self.reply.send(outcome(commit, self.result));
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
        self.submit(job, answer).await
    }

    /// Like [`Engine::write`], for a write that does nothing but SQL on the connection, so that
    /// it may run more than once: the writer first applies a batch of such writes without a
    /// savepoint each, and only if one of them fails rolls back and applies them again one
    /// savepoint at a time. The hot writes (posts) take this path.
    pub(super) async fn write_repeatable<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(RepeatableJob {
            work,
            result: None,
            reply,
        });
        self.submit(job, answer).await
    }

    async fn submit<T>(
        &self,
        job: Box<dyn WriteJob>,
        answer: oneshot::Receiver<StoreResult<T>>,
    ) -> StoreResult<T> {
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

/// Commits a batch: without savepoints when every write is repeatable (a savepoint per write
/// costs a copy of every page it touches into the statement journal, plus its own statements),
/// falling back to one savepoint per write when one of them fails.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn WriteJob>]) -> Result<(), String> {
    if batch.iter().all(|job| job.repeatable()) {
        match run_bare(conn, batch) {
            Bare::Done(commit) => return commit,
            Bare::JobFailed => {}
        }
    }
    run_with_savepoints(conn, batch)
}

enum Bare {
    /// The batch's fate is known: committed, or failed as a whole.
    Done(Result<(), String>),
    /// A write failed and the transaction was rolled back; the batch must run again.
    JobFailed,
}

/// Applies repeatable writes in one transaction without savepoints. When one fails the whole
/// transaction is rolled back: a lone write simply reports its error, otherwise the batch has
/// to run again with savepoints so that the others still commit.
fn run_bare(conn: &Connection, batch: &mut [Box<dyn WriteJob>]) -> Bare {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return Bare::Done(Err(format!("cannot start a write: {e}")));
    }
    for job in batch.iter_mut() {
        if !job.apply(conn) {
            // An error may already have ended the transaction; then there is nothing to undo.
            let _ = conn.execute_batch("ROLLBACK");
            return if batch.len() == 1 {
                Bare::Done(Err("write failed".into()))
            } else {
                Bare::JobFailed
            };
        }
    }
    Bare::Done(conn.execute_batch("COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        format!("commit failed: {e}")
    }))
}

fn run_with_savepoints(conn: &Connection, batch: &mut [Box<dyn WriteJob>]) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A queued job and the receiver of its answer.
    type Queued = (Box<dyn WriteJob>, oneshot::Receiver<StoreResult<()>>);

    /// A repeatable job inserting `values` into `t`.
    fn insert(values: &'static [i64]) -> Queued {
        let (reply, answer) = oneshot::channel();
        let job = RepeatableJob {
            work: move |c: &Connection| {
                for v in values {
                    c.execute("INSERT INTO t (x) VALUES (?1)", [v])?;
                }
                Ok(())
            },
            result: None,
            reply,
        };
        (Box::new(job), answer)
    }

    fn table() -> Connection {
        let conn = Connection::open_in_memory().expect("in-memory database");
        conn.execute_batch("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
            .expect("table");
        conn
    }

    fn rows(conn: &Connection) -> Vec<i64> {
        let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").expect("select");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    fn run(conn: &Connection, jobs: Vec<Queued>) -> Vec<StoreResult<()>> {
        let (mut batch, answers): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
        let commit = run_batch(conn, &mut batch);
        for job in batch {
            job.finish(commit.clone());
        }
        answers
            .into_iter()
            .map(|mut a| a.try_recv().expect("answered"))
            .collect()
    }

    #[test]
    fn a_failing_write_in_a_bare_batch_rolls_back_alone() {
        let conn = table();
        // The middle write inserts 2, then fails on a duplicate 1 (already written by the first).
        let answers = run(&conn, vec![insert(&[1]), insert(&[2, 1]), insert(&[3])]);
        assert!(answers[0].is_ok(), "{:?}", answers[0]);
        assert!(
            matches!(answers[1], Err(StoreError::Conflict { .. })),
            "{:?}",
            answers[1]
        );
        assert!(answers[2].is_ok(), "{:?}", answers[2]);
        assert_eq!(rows(&conn), vec![1, 3]);
    }

    #[test]
    fn a_lone_failing_write_reports_its_own_error_and_writes_nothing() {
        let conn = table();
        let answers = run(&conn, vec![insert(&[5, 5])]);
        assert!(
            matches!(answers[0], Err(StoreError::Conflict { .. })),
            "{:?}",
            answers[0]
        );
        assert!(rows(&conn).is_empty());
        assert!(conn.is_autocommit(), "the transaction was ended");
    }
}
